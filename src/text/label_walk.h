/* Internal to the de-identifier: the walks over a scan's labels that the
 * passes share (deid_scan.h includes it where text_scan is known). */
#ifndef ATELIER_TEXT_LABEL_WALK_H
#define ATELIER_TEXT_LABEL_WALK_H

#include "deid_scan.h" /* (text_scan; alone, it includes this file after text_scan) */

/* The eight labels from token i (i + 8 <= s->n) are all 0: a walk over
 * the labels skips them at once (most tokens are no identifier). */
static inline int deid_labels8_empty(const text_scan *s, size_t i)
{
    uint64_t w;
    memcpy(&w, s->lab + i, 8);
    return w == 0;
}

/* The first nonzero byte of v[0..n) from i (n when none): sixteen bytes
 * at a time where SSE2 is (the mask of the bytes not 0), then eight at a
 * time over the zeros (and in eight with one, the first nonzero byte's
 * place at once). */
static inline size_t deid_next_nonzero(const uint8_t *v, size_t i, size_t n)
{
    if (i < n && v[i]) /* (the next byte first: a walk through an entity's tokens) */
        return i;
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(v + i));
        unsigned bits = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(w, _mm_setzero_si128())) & 0xFFFFu;
        if (bits)
            return i + (size_t)__builtin_ctz(bits);
    }
#endif
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, v + i, 8);
            if (!w) {
                i += 8;
                continue;
            }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return i + ((size_t)__builtin_ctzll(w) >> 3);
#endif
        }
        if (v[i])
            return i;
        i++;
    }
    return n;
}

/* The first labelled token from i (s->n when none). */
static inline size_t deid_next_labelled(const text_scan *s, size_t i)
{
    return deid_next_nonzero(s->lab, i, s->n);
}

/* None of the eight labels from token i (i + 8 <= s->n) is a or b (the
 * zero-byte test on the labels xor each: a borrow may say "maybe", never
 * "none" wrongly). */
static inline int deid_labels8_lack(const text_scan *s, size_t i, int a, int b)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t w, wa, wb;
    memcpy(&w, s->lab + i, 8);
    wa = w ^ (ones * (uint64_t)a);
    wb = w ^ (ones * (uint64_t)b);
    return !(((wa - ones) & ~wa & highs) | ((wb - ones) & ~wb & highs));
}

/* The first token from i whose label is a, b, c or d (none 0; s->n when
 * none): eight labels at a time, those with none skipped on one test (most
 * tokens are no identifier), and in eight with one, its place at once (the
 * zero-byte test of the labels xor each label flags the lowest such byte
 * exactly: a borrow only flags bytes above a true one). */
static inline size_t deid_next_label_of(const text_scan *s, size_t i, int a, int b, int c, int d)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
#if defined(__SSE2__)
    /* (sixteen labels at a time first: each compared with the four at
     * once, the first equal's place from the mask of the bytes) */
    const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b), vc = _mm_set1_epi8((char)c),
                  vd = _mm_set1_epi8((char)d);
    for (; i + 16 <= s->n; i += 16) {
        __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(s->lab + i));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, va), _mm_cmpeq_epi8(w, vb)),
                                 _mm_or_si128(_mm_cmpeq_epi8(w, vc), _mm_cmpeq_epi8(w, vd)));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits)
            return i + (size_t)__builtin_ctz(bits);
    }
#endif
    while (i < s->n) {
        if (i + 8 <= s->n) {
            uint64_t w, m = 0;
            memcpy(&w, s->lab + i, 8);
            if (!w) {
                i += 8;
                continue;
            }
            const int l[4] = {a, b, c, d};
            for (int q = 0; q < 4; q++) {
                uint64_t x = w ^ (ones * (uint64_t)l[q]);
                m |= (x - ones) & ~x & highs;
            }
            if (!m) {
                i += 8;
                continue;
            }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return i + ((size_t)__builtin_ctzll(m) >> 3);
#endif
        }
        int l = s->lab[i];
        if (l == a || l == b || l == c || l == d)
            return i;
        i++;
    }
    return s->n;
}

#endif
