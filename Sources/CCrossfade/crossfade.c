// The crossfade's inner loop, in C for one reason: a Swift function cannot ask for AVX2 only where the processor has
// it, and Swift builds for the x86-64 baseline (SSE2). Compiled twice (`target_clones`), the loader picks the AVX2
// copy on processors that have it (an ifunc): eight pixels a step instead of four, about the cost of reading the two
// frames (1.0x a frame memcpy, against 2.3-2.6x for the same loop in Swift; bench/ and docs/benchmarks.md).
#include "crossfade.h"

#if defined(__x86_64__) && defined(__ELF__)
__attribute__((target_clones("avx2", "default")))
#endif
void vitrine_crossfade(const uint32_t *restrict from, const uint32_t *restrict to, uint32_t *restrict out,
                       size_t count, uint32_t amount) {
    const uint32_t a = amount > 256 ? 256 : amount;
    const uint32_t ia = 256 - a;
    for (size_t i = 0; i < count; i++) {
        const uint32_t p = from[i], q = to[i];
        const uint32_t rb = (((p & 0x00FF00FFu) * ia + (q & 0x00FF00FFu) * a) >> 8) & 0x00FF00FFu;
        const uint32_t g = (((p & 0x0000FF00u) * ia + (q & 0x0000FF00u) * a) >> 8) & 0x0000FF00u;
        out[i] = rb | g;
    }
}
