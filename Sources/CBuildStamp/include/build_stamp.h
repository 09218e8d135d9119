#ifndef VITRINE_BUILD_STAMP_H
#define VITRINE_BUILD_STAMP_H

/// The build stamp: "VERSION COMMIT" as written into the installed program by deploy/install.sh, or "" for a
/// program that was never stamped (a development build run from .build).
const char *vitrine_build_stamp(void);

#endif
