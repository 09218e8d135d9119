#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <sys/prctl.h>

/// Clears this process's ambient capabilities (those a unit's AmbientCapabilities= gives): the process keeps its
/// own, but programs it starts get none. prctl is variadic, which Swift cannot call.
static inline int vitrine_clear_ambient_capabilities(void) {
    return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}
