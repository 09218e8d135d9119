#ifndef VITRINE_CROSSFADE_H
#define VITRINE_CROSSFADE_H
#include <stddef.h>
#include <stdint.h>

/// out[i] = from[i] blended with to[i] by amount/256, per 8-bit channel of 0x00RRGGBB words (red and blue in one
/// multiply, green in another).
void vitrine_crossfade(const uint32_t *from, const uint32_t *to, uint32_t *out, size_t count, uint32_t amount);

#endif
