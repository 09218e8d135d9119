#include <mpv/client.h>
#include <mpv/render.h>
// mallopt: a process that plays films keeps their memory returnable (VitrineMedia.MediaMemory).
#include <malloc.h>
