// Debian's libdrm: kernel mode setting (connectors, modes, dumb buffers, page flips on vblank).
#include <stdint.h>
#include <stddef.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>
#include <sys/mman.h>
#include <poll.h>
