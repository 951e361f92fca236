/* The French clinical de-identifier's scan: tokenises the text once, then
 * runs the rule passes from the most to the least certain (e-mails,
 * phones, NIR, dates, addresses and zip codes, labelled identifiers,
 * hospitals, names after a title or a field label, the patient's own
 * identity, dictionaries). The tagger and the late passes, and the spans,
 * are deid_pipeline.c's. */
#include "deid_scan.h"
#include "tagger.h"

#include <stdio.h>
#include <string.h>

/* ---- tokenising ---------------------------------------------------------- */

static inline __attribute__((always_inline)) int byte_is_upper_start(const unsigned char *p, size_t left)
{
    if (p[0] >= 'A' && p[0] <= 'Z')
        return 1;
    if (p[0] == 0xC3 && left > 1 && p[1] >= 0x80 && p[1] <= 0x9E && p[1] != 0x97)
        return 1;
    if (p[0] == 0xC5 && left > 1 && p[1] == 0x92)
        return 1;
    return 0;
}

static inline __attribute__((always_inline)) int byte_is_lower_start(const unsigned char *p, size_t left)
{
    if (p[0] >= 'a' && p[0] <= 'z')
        return 1;
    if (p[0] == 0xC3 && left > 1 && p[1] >= 0x9F && p[1] <= 0xBF && p[1] != 0xB7)
        return 1;
    if (p[0] == 0xC5 && left > 1 && p[1] == 0x93)
        return 1;
    return 0;
}

/* Length of the word character at p (0 when p is not a word character). */
static inline __attribute__((always_inline)) size_t word_char_len(const unsigned char *p, size_t left)
{
    unsigned c = p[0];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    if (c < 0x80)
        return 0;
    if (c == 0xC2)
        return 0; /* NBSP, guillemets, degree sign */
    if (c == 0xE2 && left > 1 &&
        (p[1] == 0x80 || (p[1] >= 0x86 && p[1] <= 0x9F) || (p[1] >= 0xAC && p[1] <= 0xAF)))
        return 0; /* quotes, dashes, ellipsis; arrows, mathematical and technical signs, boxes, shapes,
                     dingbats (U+2180 .. U+27FF, U+2B00 .. U+2BFF): no letter */
    if (c == 0xF0 && left > 1 && p[1] == 0x9F)
        return 0; /* pictographs and emoji (U+1F000 .. U+1FFFF) */
    if (c == 0xEF && left > 1 && p[1] == 0xB8)
        return 0; /* variation selectors (after an emoji) */
    if (c == 0xC3 && left > 1 && (p[1] == 0x97 || p[1] == 0xB7))
        return 0; /* multiplication, division */
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return n <= left ? n : left;
}

static size_t punct_len(const unsigned char *p, size_t left)
{
    unsigned c = p[0];
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return n <= left ? n : left;
}

/* ASCII classes: 0 separator, 1 lower-case, 2 upper-case, 3 digit. */
static const uint8_t ascii_class[128] = {
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, ['A'] = 2,
    ['B'] = 2, ['C'] = 2, ['D'] = 2, ['E'] = 2, ['F'] = 2, ['G'] = 2, ['H'] = 2, ['I'] = 2, ['J'] = 2,
    ['K'] = 2, ['L'] = 2, ['M'] = 2, ['N'] = 2, ['O'] = 2, ['P'] = 2, ['Q'] = 2, ['R'] = 2, ['S'] = 2,
    ['T'] = 2, ['U'] = 2, ['V'] = 2, ['W'] = 2, ['X'] = 2, ['Y'] = 2, ['Z'] = 2, ['0'] = 3, ['1'] = 3,
    ['2'] = 3, ['3'] = 3, ['4'] = 3, ['5'] = 3, ['6'] = 3, ['7'] = 3, ['8'] = 3, ['9'] = 3};

/* The word scan's byte table: the ASCII class as the bit 1 << class (2
 * lower-case, 4 upper-case, 8 digit), 0x80 for a byte >= 0x80, 0 for an
 * ASCII separator. */
static const uint8_t byte_bits[256] = {
    ['a' ... 'z'] = 2, ['A' ... 'Z'] = 4, ['0' ... '9'] = 8, [0x80 ... 0xFF] = 0x80};

/* White space: 1 blank, 2 line break (LF, or a lone CR as old Mac files
 * write), 3 first byte of a no-break space (U+00A0, U+202F), 4 tab (a
 * blank). */
static const uint8_t space_class[256] = {
    [' '] = 1, ['\t'] = 4, ['\r'] = 2, ['\n'] = 2, [0xC2] = 3, [0xE2] = 3};

/* The TEXT_SEEN_* bit of a punctuation byte. */
static const uint16_t punct_seen[256] = {
    ['"'] = TEXT_SEEN_QUOTE,  ['|'] = TEXT_SEEN_BAR,    [';'] = TEXT_SEEN_SEMI,  ['_'] = TEXT_SEEN_FILLER,
    ['['] = TEXT_SEEN_FILLER, ['$'] = TEXT_SEEN_DOLLAR, ['='] = TEXT_SEEN_EQUALS};

/* Bytes of the apostrophe at p: 1 for ', 3 for the typographic U+2019,
 * 0 for anything else. */
static inline size_t apos_len(const unsigned char *p, size_t left)
{
    if (p[0] == '\'')
        return 1;
    return left > 2 && p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0x99 ? 3 : 0;
}

/* ASCII lower-case of a byte (other bytes unchanged). */
static inline unsigned char ascii_lower(unsigned b)
{
    return (unsigned char)(b - 'A' < 26u ? b + 32 : b);
}

/* Fold the word [w, w + wl) into f as at_text_fold does (cap 128): ASCII
 * and Latin-1 letters inline, anything else through at_text_fold. f must
 * hold 136 bytes; the bytes after the key are zeroed for the hash. */
static inline int fold_word(const unsigned char *w, size_t wl, size_t avail, int ascii, char *f,
                            uint64_t *hash)
{
    size_t o = 0, j = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (ascii && ((wl + 7) & ~(size_t)7) <= avail) {
        /* eight bytes at a time: A-Z get bit 5, bytes past the word are
         * cleared, and the hash is fed on the way */
        const uint64_t ones = 0x0101010101010101ull, high = 0x80 * ones;
        uint64_t h = text_dict_hash_init(wl);
        for (; j < wl; j += 8) {
            uint64_t x;
            memcpy(&x, w + j, 8);
            uint64_t h7 = x & (0x7F * ones);
            uint64_t up = (h7 + (0x80 - 'A') * ones) & ~(h7 + (0x80 - 'Z' - 1) * ones) & ~x & high;
            x |= up >> 2;
            if (wl - j < 8)
                x &= ((uint64_t)1 << (8 * (wl - j))) - 1;
            memcpy(f + j, &x, 8);
            h = text_dict_hash_step(h, x);
        }
        *hash = text_dict_hash_final(h);
        return (int)wl;
    }
#else
    (void)avail;
#endif
    if (ascii) {
        for (; j < wl; j++)
            f[j] = (char)ascii_lower(w[j]);
        o = wl;
    } else {
        while (j < wl) {
            unsigned b = w[j];
            if (b < 0x80) {
                f[o++] = (char)ascii_lower(b);
                j++;
            } else if (b == 0xC3 && j + 1 < wl && w[j + 1] >= 0x80 && w[j + 1] <= 0xBF) {
                const char *r = text_latin1_fold[w[j + 1] - 0x80];
                f[o] = r[0];
                f[o + 1] = r[1];
                o += r[0] ? (r[1] ? 2 : 1) : 0;
                j += 2;
            } else if (b == 0xC5 && j + 1 < wl && (w[j + 1] == 0x92 || w[j + 1] == 0x93)) {
                f[o++] = 'o';
                f[o++] = 'e';
                j += 2;
            } else if (b == 0xE2 && apos_len(w + j, wl - j) == 3) {
                f[o++] = '\'';
                j += 3;
            } else {
                break;
            }
        }
        if (j < wl) {
            int fl = text_fold_word((const char *)w, wl, f, 128);
            if (fl < 0)
                return fl;
            o = (size_t)fl;
        }
    }
    memset(f + o, 0, 8);
    *hash = text_dict_hash_padded(f, o);
    return (int)o;
}

/* The thread's cache of the tokeniser's look-ups: a word of at most 16
 * bytes (as written, apostrophe included) to the token tokenise made of
 * it. Every field of a word token but its place (s, e, nl, sp, line) is
 * a function of the word's bytes and of the detector (look_gen), so a hit
 * gives exactly what the look-ups would. Direct-mapped; emptied when
 * another detector (or the same after a change) tokenises on the thread.
 * A word holds no zero byte, so its zero-padded bytes give its length
 * too, and an empty entry (k0 0) matches no word: no length is kept, and
 * an entry is 64 bytes, aligned, one cache line (one memory access a
 * look-up; 2 MiB a thread). */
#define LOOK_CACHE_BITS 15
#define LOOK_CACHE_MAX 16 /* bytes of a cached word */
typedef struct {
    uint64_t k0, k1; /* the word's bytes, zero-padded; k0 0: empty */
    text_tok tok;    /* the word's token, its place 0 */
    uint16_t lists;  /* LOOK_L_* bits */
    uint8_t pad[14];
} look_entry;
_Static_assert(sizeof(look_entry) == 64, "a look-up cache entry is 64 bytes");
static _Thread_local struct {
    uint64_t gen;
    _Alignas(64) look_entry e[1u << LOOK_CACHE_BITS];
} look_cache;

/* The bits of the first n (0 to 16) bytes of a key's two little-endian
 * words (look_key's zero padding without a branch). */
#define KEEP_BYTES(n) ((n) >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * (n))) - 1)
#define KEEP_ALL (~(uint64_t)0)
/* clang-format off */
static const uint64_t key_keep[17][2] = {
    {KEEP_BYTES(0), 0}, {KEEP_BYTES(1), 0}, {KEEP_BYTES(2), 0}, {KEEP_BYTES(3), 0}, {KEEP_BYTES(4), 0},
    {KEEP_BYTES(5), 0}, {KEEP_BYTES(6), 0}, {KEEP_BYTES(7), 0}, {KEEP_ALL, 0}, {KEEP_ALL, KEEP_BYTES(1)},
    {KEEP_ALL, KEEP_BYTES(2)}, {KEEP_ALL, KEEP_BYTES(3)}, {KEEP_ALL, KEEP_BYTES(4)}, {KEEP_ALL, KEEP_BYTES(5)},
    {KEEP_ALL, KEEP_BYTES(6)}, {KEEP_ALL, KEEP_BYTES(7)}, {KEEP_ALL, KEEP_ALL}};
/* clang-format on */

/* The zero-padded key of the n (1 to 16) bytes at w, len bytes readable
 * from w; the slot's index is returned. */
static inline size_t look_key(const unsigned char *w, size_t n, size_t len, uint64_t *k0, uint64_t *k1)
{
    uint64_t a = 0, b = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (len >= 16) {
        memcpy(&a, w, 8);
        memcpy(&b, w + 8, 8);
        a &= key_keep[n][0];
        b &= key_keep[n][1];
    } else
#endif
    {
        unsigned char c[16] = {0};
        memcpy(c, w, n);
        memcpy(&a, c, 8);
        memcpy(&b, c + 8, 8);
    }
    *k0 = a;
    *k1 = b;
    uint64_t x = a * 0x9E3779B97F4A7C15ull ^ (b + n) * 0xC2B2AE3D27D4EB4Full;
    return (size_t)(x >> (64 - LOOK_CACHE_BITS));
}

/* The bits of the tokeniser's lists that a word belongs to by its bytes
 * alone (TEXT_LIST_EXTRA's glued marks look at the byte after it). */
enum {
    LOOK_L_NUM = 1 << 0,
    LOOK_L_FLAG = 1 << 1,
    LOOK_L_NAME = 1 << 2,
    LOOK_L_SHORT = 1 << 3,
    LOOK_L_OCRCAP = 1 << 4,
    LOOK_L_ABROAD = 1 << 5,
    LOOK_L_NUMWORD = 1 << 6,
    LOOK_L_CUE = 1 << 7,
    LOOK_L_ORG = 1 << 8,
    LOOK_L_ODD = 1 << 9,
    LOOK_L_EXTRA = 1 << 10,  /* "quatre-vingt...": 12 bytes or more from a 'q' */
    LOOK_L_DOOR = 1 << 11,   /* a door code's word (TEXT_SEEN_DOOR) */
    LOOK_L_NUMBER = 1 << 12, /* a number word (deid_number_word_tok 1) */
    LOOK_L_TRIGGER = 13      /* bits 13 to 15: the word's deid_trigger_code */
};
/* The byte after a word that puts it in TEXT_LIST_EXTRA: bit 0 after
 * any word ('.', '/'), bit 1 after a word of at most five bytes (':'). */
static const uint8_t glued_after[256] = {['.'] = 1, ['/'] = 1, [':'] = 2};

/* The list of each LOOK_L_* bit 1 to 9 (bit 0, LOOK_L_NUM, is kept in a
 * register by tokenise). */
static const uint8_t word_list[10] = {TEXT_LIST_NUM,    TEXT_LIST_FLAG,   TEXT_LIST_NAME,    TEXT_LIST_SHORT,
                                      TEXT_LIST_OCRCAP, TEXT_LIST_ABROAD, TEXT_LIST_NUMWORD, TEXT_LIST_CUE,
                                      TEXT_LIST_ORG,    TEXT_LIST_ODD};

/* The TEXT_SEEN_* bit of each deid_trigger_code. */
static const uint16_t trigger_seen[8] = {0, TEXT_SEEN_OHS, TEXT_SEEN_FIELD, TEXT_SEEN_UNIT, TEXT_SEEN_REGION};

/* Word token k of n bytes from start, its kind, key, capital and the
 * classes of its bytes (mask, ascii) set by the scan: its capitals, its
 * look-ups (fh, lex, dflags, dval, special, the TOK_AUX_LOOKED and TOK_AUX_FN_* bits) are
 * set, and its LOOK_L_* bits returned. Every one is a function of the
 * word's bytes and of the detector (what the look-up cache keeps). */
static __attribute__((noinline)) unsigned word_flags(const text_scan *s, text_tok *k, size_t start, size_t n,
                                                     unsigned mask, int ascii)
{
    const unsigned char *t = (const unsigned char *)s->t;
    size_t len = s->len, i = start + n;
    const uint32_t *lower_mask = s->d->lower_mask;
    const text_dict *dict = &s->d->dict;
    const text_lexicon *lexicon = &s->d->lex;
    const text_tagger *learned = s->d->tagger && s->d->tagger->nkeep ? s->d->tagger : NULL;
    unsigned lists = 0;
    if (n >= 2 && n <= 24 && (k->key == TOK_KEY_ANY || text_number_word_keys[k->key & 1023]))
        lists |= LOOK_L_NUMWORD;
    /* (the list's test is the first of deid_number_word_tok's) */
    if (lists & LOOK_L_NUMWORD) {
        int nw = deid_number_word_bytes(s, (size_t)(k - s->tok));
        if (nw == 1)
            lists |= LOOK_L_NUMBER;
        k->aux |= nw == 1 ? TOK_AUX_NUMBER_WORD : nw == 2 ? TOK_AUX_NUMBER_ET : 0;
    }
    size_t wl = n; /* an elision is looked up without its apostrophe */
    if (t[i - 1] == '\'')
        wl--;
    else if (n > 3 && t[i - 1] == 0x99 && apos_len(t + i - 3, 3))
        wl -= 3;
    /* all capitals: at least two letters, none lower-case (an ASCII
     * lower-case letter anywhere settles it) */
    if (k->cap && !(mask & (1u << 1)) && ascii && wl >= 2 && ascii_class[t[start + 1]] == 2) {
        k->allcaps = 1; /* ASCII, no lower-case, two capitals ahead */
    } else if (k->cap && !(mask & (1u << 1))) {
        int letters = 0, lower = 0;
        for (size_t j = start; j < start + wl;) {
            unsigned b = t[j];
            if (apos_len(t + j, len - j) == 3) {
                j += 3; /* an inner ’ is no letter, as ' is not */
            } else if (b < 0x80) {
                letters += ascii_class[b] == 1 || ascii_class[b] == 2;
                lower += ascii_class[b] == 1;
                j++;
            } else {
                size_t cw = word_char_len(t + j, len - j);
                if (!cw)
                    cw = 1;
                letters++;
                lower += byte_is_lower_start(t + j, len - j);
                j += cw;
            }
        }
        k->allcaps = (uint8_t)(letters >= 2 && lower == 0);
    }
    /* a function word of the letters from abroad or of French, not in
     * capitals (deid_abroad_line counts them) */
    if (n <= 7 && !k->allcaps) {
        int fw = deid_function_word(s->t + start, n);
        k->aux |= fw > 0 ? TOK_AUX_FN_ABROAD : fw < 0 ? TOK_AUX_FN_FRENCH : 0;
    }
    /* look-up: capitalised words, and short lower-case words (triggers) */
    unsigned first = t[start] | 0x20u;
    int skip = !k->cap && ascii && wl > 0 && !(lower_mask[first & 0xff] & (wl < 31 ? 1u << wl : 1u << 31));
    /* short words of the language need no look-up, but "n" (of
     * "n°"), "no" and "id", which label numbers */
    int short_word = !k->cap && ascii && n <= 2 && !(mask & (1u << 3)) && t[start] != 'n' &&
                     !(n == 2 && t[start] == 'i' && t[start + 1] == 'd');
    if (short_word)
        k->lex = LEX_WORD; /* "de", "la", "un": the short words of the language */
    if (n <= 40 && (!short_word || !skip)) {
        char f[136];
        uint64_t h = 0;
        int fl = fold_word(t + start, wl, len - start, ascii, f, &h);
        /* (the fold of the word as written, elision and all, is what the
         * passes compare with their trigger words) */
        if (fl > 0 && wl == n)
            lists |= deid_trigger_code(f, (size_t)fl, k->cap) << LOOK_L_TRIGGER;
        if (fl > 0 && !short_word) {
            k->fh = (uint32_t)h;
            k->lex = (uint16_t)lex_get(lexicon, h);
            /* a word the model learned as safe from strings annotated KEEP */
            if (learned && !(k->lex & (LEX_WORD | LEX_MED)) && text_tagger_keeps_fast(learned, h))
                k->lex |= LEX_MED | LEX_LEARNED;
        }
        if (fl > 0 && !skip && (k->cap || n <= 24)) {
            int dv = 0;
            k->dflags = text_dict_get_hashed(dict, f, (size_t)fl, h, &dv);
            k->dval = (int16_t)dv;
            if (wl == n)
                k->aux |= TOK_AUX_LOOKED;
            /* "cedex", "ne", "nee": one test for the other words */
            if (fl <= 5 && f[0] == (fl == 5 ? 'c' : 'n')) {
                if (fl == 5 && !memcmp(f, "cedex", 5))
                    k->special = TOK_SPECIAL_CEDEX;
                else if ((fl == 2 && f[1] == 'e') || (fl == 3 && !memcmp(f, "nee", 3)))
                    k->special = TOK_SPECIAL_NE;
            }
        }
    }
    /* the passes start only at numbers, '@', '+', capitalised or
     * dictionary words, "1er" and "à" */
    unsigned df = k->dflags;
    int a_grave = n == 2 && t[start] == 0xC3 && t[start + 1] == 0xA0;
    int first_ci =
        n == 3 && t[start] == '1' && ascii_lower(t[start + 1]) == 'e' && ascii_lower(t[start + 2]) == 'r';
    if (k->cap || df || (first_ci && t[start + 1] == 'e' && t[start + 2] == 'r') || a_grave) {
        if (first_ci || (df & DICT_MONTH))
            lists |= LOOK_L_NUM;
        if (df & (DICT_IDLABEL | DICT_HOSP | DICT_ROLE | DICT_TITLE | DICT_BIRTH | DICT_FIELD))
            lists |= LOOK_L_FLAG;
        if (k->cap || a_grave) {
            lists |= LOOK_L_NAME;
            if (n <= 3)
                lists |= LOOK_L_SHORT;
            else if (n >= 5 && n <= 14 && (unsigned)(t[start + 1] - 'A') < 26u &&
                     memchr(t + start + 1, 'l', n - 1))
                lists |= LOOK_L_OCRCAP;
            unsigned ky = k->key & 1023;
            if ((n <= 11 && k->key != TOK_KEY_ANY &&
                 (text_world_head_keys[ky] | text_foreign_street_keys[ky])) ||
                (n >= 7 && n <= 24 && deid_street_ending_may((const char *)t + start, n)))
                lists |= LOOK_L_ABROAD;
        }
    }
    /* the added passes' starting points: glued '.', '/', ':' (web
     * addresses, OCR'd dates), "quatre-vingt..." (ages); cue, street
     * and digit words; lower-case words unknown or in a name list */
    if (n >= 12 && (t[start] | 0x20) == 'q')
        lists |= LOOK_L_EXTRA;
    if (deid_door_word_bytes(t + start, n))
        lists |= LOOK_L_DOOR;
    if ((k->lex & (LEX_CUE_ID | LEX_CUE_EMP | LEX_STREET)) || (mask & (1u << 3)))
        lists |= LOOK_L_CUE;
    /* heads of establishments and organisations, and what may be an
     * acronym's: up to six capitals that no list holds */
    if ((df & (DICT_HEAD | DICT_GREET)) ||
        (k->allcaps && n <= 6 && !df && !(mask & (1u << 3)) &&
         !(k->lex & (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_ORG | LEX_KIN | LEX_STREET | LEX_FIRST | LEX_LAST |
                     LEX_PLACE | LEX_CITY))))
        lists |= LOOK_L_ORG;
    /* (a word of the language that some proper noun also writes,
     * "garde", "marne", is no name in lower case) */
    if (!k->cap &&
        ((k->lex & (LEX_FIRST | LEX_LAST | LEX_CITY)) || ((k->lex & LEX_PLACE) && !(k->lex & LEX_WORD)) ||
         !(k->lex & (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_STREET | LEX_ORG | LEX_KIN))))
        lists |= LOOK_L_ODD;
    return lists;
}

/* The classes of the 64 bytes of a text from base (none past its end):
 * bit j of lo, up and dg for byte base + j, an ASCII lower-case letter,
 * upper-case letter or digit. */
typedef struct {
    size_t base;
    uint64_t lo, up, dg, any; /* any: lo | up | dg */
} byte_window;

/* Load w with the 64 bytes of t (len bytes) from base (< len). */
static inline void byte_window_load(byte_window *w, const unsigned char *t, size_t len, size_t base)
{
    const unsigned char *p = t + base;
    unsigned char tail[64];
    if (len - base < 64) {
        memset(tail, 0, sizeof tail);
        memcpy(tail, p, len - base);
        p = tail;
    }
    uint64_t lo = 0, up = 0, dg = 0;
#if defined(__SSE2__)
    /* a byte in [c, c + r) is b + (0x80 - c) below -128 + r as a signed byte */
    const __m128i lo_add = _mm_set1_epi8((char)(0x80 - 'a')), lo_lim = _mm_set1_epi8((char)(-128 + 26));
    const __m128i up_add = _mm_set1_epi8((char)(0x80 - 'A'));
    const __m128i dg_add = _mm_set1_epi8((char)(0x80 - '0')), dg_lim = _mm_set1_epi8((char)(-128 + 10));
    for (int q = 0; q < 4; q++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * q));
        unsigned l = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(_mm_add_epi8(x, lo_add), lo_lim));
        unsigned u = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(_mm_add_epi8(x, up_add), lo_lim));
        unsigned d = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(_mm_add_epi8(x, dg_add), dg_lim));
        lo |= (uint64_t)l << (16 * q);
        up |= (uint64_t)u << (16 * q);
        dg |= (uint64_t)d << (16 * q);
    }
#else
    for (unsigned j = 0; j < 64; j++) {
        unsigned c = ascii_class[p[j] & 0x7F] * (p[j] < 0x80);
        lo |= (uint64_t)(c == 1) << j;
        up |= (uint64_t)(c == 2) << j;
        dg |= (uint64_t)(c == 3) << j;
    }
#endif
    w->base = base;
    w->lo = lo;
    w->up = up;
    w->dg = dg;
    w->any = lo | up | dg;
}

/* Token k's place: zeroed, from byte i, after a line break (nl) or a
 * blank (sp), on line line. */
static inline void tok_place(text_tok *k, size_t i, unsigned nl, unsigned sp, unsigned line)
{
    memset(k, 0, sizeof *k);
    k->s = (uint32_t)i;
    k->nl = (uint8_t)nl;
    k->sp = (uint8_t)sp;
    k->line = (uint16_t)line;
}

/* The classes of the bytes of w at the bits of runs, as the word scan's
 * mask has them (2 lower-case, 4 upper-case, 8 digit). */
static inline unsigned window_classes(const byte_window *w, uint64_t runs)
{
    return (w->lo & runs ? 2u : 0u) | (w->up & runs ? 4u : 0u) | (w->dg & runs ? 8u : 0u);
}

static at_status tokenise(text_scan *s, void *room)
{
    const unsigned char *t = (const unsigned char *)s->t;
    size_t len = s->len, i = 0, cap = deid_scan_first_cap(len);
    size_t fill[TEXT_LIST_COUNT] = {0};
    if (deid_scan_reserve(s, cap, fill, room))
        return AT_ERR_NOMEM;
    /* the lists a punctuation mark or a number joins in registers; a
     * word's others (few words join any) through fill and s->list */
    uint32_t *l_at = s->list[TEXT_LIST_AT], *l_num = s->list[TEXT_LIST_NUM],
             *l_extra = s->list[TEXT_LIST_EXTRA];
    size_t n_at = 0, n_num = 0, n_extra = 0;
    if (look_cache.gen != s->d->look_gen) {
        if (look_cache.gen) /* (a thread's first cache is zero already) */
            memset(look_cache.e, 0, sizeof look_cache.e);
        look_cache.gen = s->d->look_gen;
    }
    int nl = 1, sp = 1;
    unsigned line = 0, seen = 0, seen_sc = 0;
    size_t number_words = 0, words = 0, cap_words = 0;
    unsigned letters = 0; /* one-byte words in a row up to here (deid_pass_spelled's look) */
    /* the token count and array in registers (the stores into the tokens
     * and lists would have them read again), s->n set for word_flags,
     * deid_scan_reserve and at the end */
    size_t ntok = s->n;
    text_tok *toks = s->tok;
    byte_window win = {(size_t)0 - 64, 0, 0, 0, 0}; /* (none yet: any i is past it) */
    while (i < len) {
        unsigned c = t[i], sc;
        if (c == ' ') { /* (the most common blank: no class to look up) */
            sp = 1;
            i++;
            continue;
        }
        sc = space_class[c];
        if (sc) {
            seen_sc |= sc;
            size_t blank = sc == 3 ? deid_nbsp_len(t + i, len - i) : 1;
            if (blank) {
                if (sc == 2) {
                    line += line < 65535;
                    nl = 1;
                    /* (the token before it a '-': only a punctuation
                     * token's special is a sign's byte) */
                    if (ntok && toks[ntok - 1].special == '-')
                        seen |= TEXT_SEEN_DASH_NL;
                }
                sp = 1;
                i += blank;
                continue;
            }
        }
        if (ntok == cap) {
            s->n = ntok;
            cap *= 2;
            fill[TEXT_LIST_AT] = n_at;
            fill[TEXT_LIST_NUM] = n_num;
            fill[TEXT_LIST_EXTRA] = n_extra;
            if (deid_scan_reserve(s, cap, fill, NULL))
                return AT_ERR_NOMEM;
            l_at = s->list[TEXT_LIST_AT];
            l_num = s->list[TEXT_LIST_NUM];
            l_extra = s->list[TEXT_LIST_EXTRA];
            toks = s->tok;
        }
        size_t ti = ntok++;
        text_tok *k = &toks[ti];
        unsigned tnl = (unsigned)nl, tsp = (unsigned)sp; /* (the token's place: written with it) */
        nl = sp = 0;
        unsigned cb = byte_bits[c]; /* an ASCII byte's class without word_char_len */
        size_t w = cb & 0x0E ? 1 : cb ? word_char_len(t + i, len - i) : 0;
        if (!w) {
            tok_place(k, i, tnl, tsp, line);
            k->kind = TOK_PUNCT;
            k->special = (uint8_t)c;
            seen |= punct_seen[c];
            i += c < 0x80 ? 1 : punct_len(t + i, len - i);
            k->e = (uint32_t)i;
            letters = 0;
            if (c == '@' || c == '(' || c == '+') { /* (the marks the passes start at: few) */
                if (c == '@')
                    l_at[n_at++] = (uint32_t)ti;
                else if (c == '(')
                    l_extra[n_extra++] = (uint32_t)ti;
                else
                    l_num[n_num++] = (uint32_t)ti;
            }
            continue;
        }
        int ascii = 1, hyph = 0; /* hyph: a '-' joined two parts */
        unsigned mask = 0;       /* bit 1: lower, 2: upper, 3: digit, 4: non-ASCII letter */
        uint64_t runs = 0; /* the bits of the word's ASCII runs in the window (mask's classes not read yet) */
        size_t start = i;
        for (;;) {
            for (;;) {
                /* the run of ASCII letters and digits from i, read in the
                 * window's masks (the next window where it reaches the
                 * window's end) */
                size_t off = i - win.base;
                if (off >= 64) {
                    mask |= window_classes(&win, runs);
                    runs = 0;
                    byte_window_load(&win, t, len, i);
                    off = 0;
                }
                uint64_t stop = ~(win.any >> off);
                unsigned r = stop ? (unsigned)__builtin_ctzll(stop) : 64u;
                /* the run's bits in the window */
                runs |= (stop ? (stop & (0 - stop)) - 1 : ~(uint64_t)0) << off;
                i += r;
                if (off + r < 64 || i >= len) {
                    /* a byte past the run: a letter beyond ASCII goes on */
                    if (i >= len || t[i] < 0x80 || !(w = word_char_len(t + i, len - i)))
                        break;
                    ascii = 0;
                    mask |= 1u << 4;
                    i += w;
                }
            }
            /* keep hyphenated words and "d'Ascq"-like inner apostrophes together,
             * but split elisions (l', d', qu') from the word they precede;
             * the typographic apostrophe (U+2019) as the ASCII one */
            unsigned q = i < len ? t[i] : 0;
            size_t al = q == '-' || q == '\'' ? 1 : q == 0xE2 ? apos_len(t + i, len - i) : 0;
            if (al && i + al < len && ((mask & ~(1u << 3)) || (runs & ~win.dg)) &&
                word_char_len(t + i + al, len - i - al) && !(t[i + al] >= '0' && t[i + al] <= '9')) {
                if (t[i] != '-' && (i - start <= 2)) {
                    i += al;
                    break;
                }
                ascii &= al == 1;
                if (q == '-') {
                    hyph = 1;
                    /* "mi-novembre": a month's middle (deid_pass_mid_months) */
                    if (i - start == 2 && (t[start] | 0x20) == 'm' && (t[start + 1] | 0x20) == 'i')
                        seen |= TEXT_SEEN_MID;
                }
                i += al;
                continue;
            }
            break;
        }
        size_t n = i - start;
        /* the word's slot in the look-up cache, asked for now (its line
         * comes in while the slot's key is worked out) */
        look_entry *slot = NULL;
        uint64_t ck0 = 0, ck1 = 0;
        /* (a word has a letter; a number, digits only, is never looked up) */
        int word = (mask & ~(1u << 3)) || (runs & ~win.dg);
        if (n <= LOOK_CACHE_MAX && word) {
            slot = &look_cache.e[look_key(t + start, n, len - start, &ck0, &ck1)];
            __builtin_prefetch(slot);
        }
        unsigned lists; /* LOOK_L_* */
        if (slot && slot->k0 == ck0 && slot->k1 == ck1) {
            /* a word met before: its token then, in its place */
            *k = slot->tok;
            k->s = (uint32_t)start;
            k->e = (uint32_t)i;
            k->nl = (uint8_t)tnl;
            k->sp = (uint8_t)tsp;
            k->line = (uint16_t)line;
            lists = slot->lists;
        } else {
            mask |= window_classes(&win, runs);
            tok_place(k, start, tnl, tsp, line);
            k->e = (uint32_t)i;
            if (mask & (1u << 3))
                k->aux = TOK_AUX_DIGIT;
            if (!(mask & ~(1u << 3))) {
                k->kind = TOK_NUM;
                l_num[n_num++] = (uint32_t)ti;
                /* (digits one space apart as letters are: "3 8 1 0 0") */
                if (n == 1) {
                    if (++letters >= 4)
                        seen |= TEXT_SEEN_SPELT;
                } else {
                    letters = 0;
                }
                continue;
            }
            k->kind = TOK_WORD;
            if (hyph)
                k->aux |= TOK_AUX_HYPHEN;
            k->cap = (uint8_t)(cb == 4 || (cb == 0x80 && byte_is_upper_start(t + start, len - start)));
            unsigned b0 = t[start], b1 = n > 1 ? t[start + 1] : 0;
            k->key = (uint16_t)((b0 | b1) & 0x80 ? TOK_KEY_ANY : text_pair_key(b0, b1));
            s->n = ntok;
            lists = word_flags(s, k, start, n, mask, ascii);
            if (slot) {
                slot->k0 = ck0;
                slot->k1 = ck1;
                slot->tok = *k;
                slot->tok.s = slot->tok.e = 0;
                slot->tok.nl = slot->tok.sp = 0;
                slot->tok.line = 0;
                slot->lists = (uint16_t)lists;
            }
        }
        /* the lists the word belongs to, a set bit at a time (most words
         * of the language are in none of the first ten); the added
         * passes' glued '.', '/', ':' (web addresses, OCR'd dates) from
         * the byte after */
        unsigned nx = i < len ? t[i] : 0;
        uint32_t v = (uint32_t)ti;
        if (lists & LOOK_L_NUM)
            l_num[n_num++] = v;
        for (unsigned lb = lists & (0x3FF & ~1u); lb; lb &= lb - 1) {
            unsigned l = word_list[__builtin_ctz(lb)];
            s->list[l][fill[l]++] = v;
        }
        if ((lists & LOOK_L_EXTRA) || (glued_after[nx] & (1u | (unsigned)(n <= 5) << 1)))
            l_extra[n_extra++] = v;
        if (n == 1) {
            if (++letters >= 4)
                seen |= TEXT_SEEN_SPELT;
        } else {
            letters = 0;
        }
        if (lists >> 11) { /* (a door word, a number word or a trigger word: few words) */
            seen |= trigger_seen[lists >> LOOK_L_TRIGGER] | (lists & LOOK_L_DOOR ? TEXT_SEEN_DOOR : 0);
            number_words += (lists >> 12) & 1;
        }
        words++;
        cap_words += k->cap;
    }
    s->n = ntok;
    fill[TEXT_LIST_AT] = n_at;
    fill[TEXT_LIST_NUM] = n_num;
    fill[TEXT_LIST_EXTRA] = n_extra;
    memcpy(s->nlist, fill, sizeof s->nlist);
    s->number_words = number_words;
    s->words = words;
    s->cap_words = cap_words;
    s->seen = seen | (seen_sc & 4 ? TEXT_SEEN_TAB : 0);
    deid_scan_pack(s);
    memset(s->lab, 0, s->n + 1);
    memset(s->safe, 0, s->n + 1);
    memset(s->ent, 0, (s->n + 1) * sizeof *s->ent);
#ifdef DEID_TRACE
    for (size_t q = 0; q < s->n; q++)
        fprintf(stderr, "deid-tok %zu %.*s lex=%#x dflags=%#x cap=%d allcaps=%d\n", q,
                (int)(s->tok[q].e - s->tok[q].s), s->t + s->tok[q].s, s->tok[q].lex, s->tok[q].dflags,
                s->tok[q].cap, s->tok[q].allcaps);
#endif
    return AT_OK;
}

at_status deid_scan_tokens(const at_text_deid *d, const char *text, size_t len, text_scan *s,
                           text_names *names)
{
    return deid_scan_tokens_in(d, text, len, s, names, NULL);
}

at_status deid_scan_tokens_in(const at_text_deid *d, const char *text, size_t len, text_scan *s,
                              text_names *names, void *room)
{
    memset(s, 0, sizeof *s);
    s->abroad_words = -1; /* (not counted yet: deid_safe.c) */
    deid_names_init(names);
    s->names = names;
    s->d = d;
    s->len = len;
    /* the passes read a scan's digits as the letters they stand for
     * ("0RANGERIE"): a copy of the text, its offsets the text's
     * (deid_ocr_view.c) */
    at_status st = deid_ocr_view(d, text, len, &s->ocr_copy, &s->ocr_words);
    if (st)
        return st;
    s->t = s->ocr_copy ? s->ocr_copy : text;
    return tokenise(s, room);
}
