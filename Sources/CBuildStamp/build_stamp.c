// The version and commit live in a section of their own, written into the program when it is installed or packaged
// (deploy/install.sh: `objcopy --update-section .vitrine_stamp=FILE`), as Go programs get theirs with -ldflags -X.
// So the package's version and the program's `--version` are one string written by one script, and a newer package
// needs no rebuild. The section keeps its size (objcopy cannot grow a loaded section): 256 bytes, NUL-padded.
#include "build_stamp.h"

__attribute__((used, section(".vitrine_stamp"), aligned(1)))
static const char stamp[256] = "";

const char *vitrine_build_stamp(void) {
    // Read through a volatile pointer: the compiler must not fold the empty initializer into the callers.
    const char *volatile where = stamp;
    return where;
}
