/* Letters a scan read as digits inside words, and digits it read as
 * letters inside numbers, read back before the passes:
 * "CENTRE D'IMAGERIE DE L'0RANGERIE", "EHPAD Le Clos des 0liviers",
 * "Cl1nique", "CENTRE HOSP1TALIER", "Gr0upe", "B0ILLOT", and an l for
 * an I in capitals ("HOSPlTALIER", "LANNl0N"). A word of three letters or
 * more holding one to three such signs and no other digit (fewer than half
 * its letters) becomes, in a copy of the text, the word of the lexicons
 * it spells with O for 0, I or L for 1 and I for l; a code
 * ("BRCA1", "pT1a", "MLH1", "L01BC06") spells none and stays. A number
 * with O or o for 0 and l or I for 1 ("2O24", "O7/2O24", "2O-O3-2O26",
 * "8/0l") becomes its digits; "O2", oxygen, stays. One byte
 * for one, so the copy's offsets are the text's: the passes read the copy,
 * the spans fall on the text. */
#include "deid_scan.h"

#include "atelier/core.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define OCR_MAX_WORD 40

/* Byte b is part of a word (ASCII letter or digit, or a UTF-8 byte). */
static int word_byte(unsigned char b)
{
    return b >= 0x80 || (unsigned)(b | 0x20) - 'a' < 26u || (unsigned)b - '0' < 10u;
}

/* Byte b is a letter's (ASCII, or a byte of a UTF-8 letter). */
static inline int letter_byte(unsigned char b)
{
    return b >= 0x80 || (unsigned)(b | 0x20) - 'a' < 26u;
}

/* *copy made from t (len bytes) at the first word read back: 0 with
 * AT_ERR_NOMEM in *st when it cannot be. */
static int own_copy(const char *t, size_t len, char **copy, at_status *st)
{
    if (!*copy) {
        *copy = at_malloc(len);
        if (!*copy) {
            *st = AT_ERR_NOMEM;
            return 0;
        }
        memcpy(*copy, t, len);
    }
    return 1;
}

/* The word w (n bytes, digits at pos[0..nd)) spelt with letters: the
 * first of the choices for its ones that a lexicon knows, written into
 * out (n bytes); 0 when none. */
static int spell(const at_text_deid *d, const char *w, size_t n, const size_t *pos, size_t nd, int upper,
                 char *out)
{
    size_t ones = 0;
    for (size_t q = 0; q < nd; q++)
        ones += w[pos[q]] == '1';
    for (unsigned combo = 0; combo < (1u << ones); combo++) {
        memcpy(out, w, n);
        unsigned bit = 0;
        for (size_t q = 0; q < nd; q++) {
            size_t p = pos[q];
            /* a digit opening a word in lower case is its capital ("0liviers") */
            int up = upper || p == 0;
            if (w[p] == '0')
                out[p] = up ? 'O' : 'o';
            else if (w[p] == 'l')
                out[p] = 'I';
            else
                out[p] = (combo >> bit++) & 1 ? (up ? 'L' : 'l') : (up ? 'I' : 'i');
        }
        char f[OCR_MAX_WORD * 2 + 8];
        int fl = text_lexicon_fold(out, n, f, sizeof f);
        if (fl <= 0)
            continue;
        unsigned lx = text_lexicon_get(&d->lex, f, (size_t)fl);
        if ((lx & (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY |
                   LEX_STREET | LEX_ORG)) ||
            text_dict_get(&d->dict, f, (size_t)fl, NULL))
            return 1;
    }
    return 0;
}

/* The classes of 32 bytes, a bit a byte: digits, 0 and 1, l, the letters
 * a scan reads for digits (O, o, l, I), letters (ASCII, or a byte of a
 * UTF-8 letter) and capitals. */
typedef struct {
    uint32_t digit, zero_one, ell, ocr, letter, upper;
} byte_classes;

static inline void classes_of(const unsigned char *p, byte_classes *c)
{
#if defined(__SSE2__)
    /* (a range compared signed after a shift by 0x80) */
    const __m128i flip = _mm_set1_epi8((char)0x80), sp = _mm_set1_epi8(0x20);
    const __m128i d0 = _mm_set1_epi8((char)('0' ^ 0x80)), d1 = _mm_set1_epi8((char)(('9' + 1) ^ 0x80));
    const __m128i a0 = _mm_set1_epi8((char)('a' ^ 0x80)), a1 = _mm_set1_epi8((char)(('z' + 1) ^ 0x80));
    const __m128i u0 = _mm_set1_epi8((char)('A' ^ 0x80)), u1 = _mm_set1_epi8((char)(('Z' + 1) ^ 0x80));
    memset(c, 0, sizeof *c);
    for (int q = 0; q < 2; q++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * q));
        __m128i y = _mm_xor_si128(x, flip), yl = _mm_xor_si128(_mm_or_si128(x, sp), flip);
        __m128i digit = _mm_andnot_si128(_mm_cmplt_epi8(y, d0), _mm_cmplt_epi8(y, d1));
        __m128i zo =
            _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('0')), _mm_cmpeq_epi8(x, _mm_set1_epi8('1')));
        __m128i el = _mm_cmpeq_epi8(x, _mm_set1_epi8('l'));
        __m128i oc = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('O')), _mm_cmpeq_epi8(x, _mm_set1_epi8('o'))),
            _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('I')), el));
        __m128i ascii = _mm_andnot_si128(_mm_cmplt_epi8(yl, a0), _mm_cmplt_epi8(yl, a1));
        __m128i up = _mm_andnot_si128(_mm_cmplt_epi8(y, u0), _mm_cmplt_epi8(y, u1));
        int sh = 16 * q;
        c->digit |= (uint32_t)_mm_movemask_epi8(digit) << sh;
        c->zero_one |= (uint32_t)_mm_movemask_epi8(zo) << sh;
        c->ell |= (uint32_t)_mm_movemask_epi8(el) << sh;
        c->ocr |= (uint32_t)_mm_movemask_epi8(oc) << sh;
        c->letter |= (uint32_t)(_mm_movemask_epi8(ascii) | _mm_movemask_epi8(x)) << sh;
        c->upper |= (uint32_t)_mm_movemask_epi8(up) << sh;
    }
#else
    memset(c, 0, sizeof *c);
    for (unsigned j = 0; j < 32; j++) {
        unsigned char b = p[j];
        c->digit |= (uint32_t)((unsigned)b - '0' < 10u) << j;
        c->zero_one |= (uint32_t)(b == '0' || b == '1') << j;
        c->ell |= (uint32_t)(b == 'l') << j;
        c->ocr |= (uint32_t)(b == 'O' || b == 'o' || b == 'I' || b == 'l') << j;
        c->letter |= (uint32_t)(b >= 0x80 || (unsigned)(b | 0x20) - 'a' < 26u) << j;
        c->upper |= (uint32_t)((unsigned)b - 'A' < 26u) << j;
    }
#endif
}

/* Byte c is a letter a scan reads for a digit: O or o for 0, l or I for 1. */
static inline int ocr_digit_letter(char c)
{
    return c == 'O' || c == 'o' || c == 'l' || c == 'I';
}

/* A month's name (its first three letters, any case) after a space or a
 * dash at offset b: "O3 nov. 2O26", "O7-FEV-25". */
static int month_after(const char *t, size_t len, size_t b)
{
    /* (five bytes: "fév" is four and its NUL; octal escapes, as a hex one
     * would swallow the letter after it) */
    static const char months[][5] = {"jan", "fev", "mar", "avr", "mai",        "jui",       "aou",
                                     "sep", "oct", "nov", "dec", "f\303\251v", "d\303\251c"};
    if (b + 4 > len || (t[b] != ' ' && t[b] != '-'))
        return 0;
    for (size_t m = 0; m < sizeof months / sizeof months[0]; m++) {
        size_t n = strlen(months[m]), q = 0;
        while (q < n && b + 1 + q < len &&
               ((unsigned char)t[b + 1 + q] | ((unsigned char)t[b + 1 + q] < 0x80 ? 0x20 : 0)) ==
                   (unsigned char)months[m][q])
            q++;
        if (q == n)
            return 1;
    }
    return 0;
}

/* A number a scan wrote with letters for some digits, around the digit at
 * offset at: "2O24", "l934", "O7/2O24", "2O-O3-2O26", "8/0l", "4llOO".
 * Its parts of one to five digits or such letters, joined by '/', '-' or
 * '.', a whole word; two digits or more in all when joined, one at least
 * alone ("1O"), never a letter and one digit alone ("O2" is oxygen).
 * Read back as digits into *copy (*done set); the offset past the run
 * looked at, 0 with AT_ERR_NOMEM in *st. */
static size_t read_back_number(const char *t, size_t len, size_t at, char **copy, size_t *words, int *done,
                               at_status *st)
{
    size_t a = at, b = at + 1;
    while (a > 0 && at - a < 24 &&
           ((unsigned)t[a - 1] - '0' < 10u || ocr_digit_letter(t[a - 1]) ||
            ((t[a - 1] == '/' || t[a - 1] == '-' || t[a - 1] == '.') && a >= 2 &&
             ((unsigned)t[a - 2] - '0' < 10u || ocr_digit_letter(t[a - 2])))))
        a--;
    while (b < len && b - at < 24 &&
           ((unsigned)t[b] - '0' < 10u || ocr_digit_letter(t[b]) ||
            ((t[b] == '/' || t[b] == '-' || t[b] == '.') && b + 1 < len &&
             ((unsigned)t[b + 1] - '0' < 10u || ocr_digit_letter(t[b + 1])))))
        b++;
    if ((a > 0 && word_byte((unsigned char)t[a - 1])) || (b < len && word_byte((unsigned char)t[b])))
        return b;
    size_t digits = 0, letters = 0, seps = 0, part = 0;
    for (size_t q = a; q < b; q++) {
        if (t[q] == '/' || t[q] == '-' || t[q] == '.') {
            seps++;
            part = 0;
            continue;
        }
        if (++part > 5)
            return b;
        digits += (unsigned)t[q] - '0' < 10u;
        letters += ocr_digit_letter(t[q]);
    }
    if (!letters || digits < (seps ? 2u : 1u) ||
        (!seps && b - a == 2 && (t[a] == 'O' || t[a] == 'o') && !month_after(t, len, b)))
        return b;
    if (!own_copy(t, len, copy, st))
        return 0;
    for (size_t q = a; q < b; q++)
        if (ocr_digit_letter(t[q]))
            (*copy)[q] = t[q] == 'O' || t[q] == 'o' ? '0' : '1';
    (*words)++;
    *done = 1;
    return b;
}

/* The 0, 1 or l at offset at may be a letter read as a sign: a 0 or a 1
 * beside a letter, an l between capitals ("HOSPlTALIER", "M0NTAlGNE").
 * (A digit of a number, a date's or a phone's, has no letter beside it:
 * most end here.) */
static inline int sign_may_be_letter(const char *t, size_t len, size_t at)
{
    if (t[at] == 'l')
        return at > 0 && at + 1 < len && (unsigned)t[at - 1] - 'A' < 26u &&
               ((unsigned)t[at + 1] - 'A' < 26u || t[at + 1] == '0' || t[at + 1] == '1');
    return (at > 0 && letter_byte((unsigned char)t[at - 1])) ||
           (at + 1 < len && letter_byte((unsigned char)t[at + 1]));
}

/* The word around the sign at offset at read back into *copy (made at the
 * first word read back) when it spells a word of the lexicons; the
 * offset past the word is returned, 0 with AT_ERR_NOMEM in *st. */
static size_t read_back_word(const at_text_deid *d, const char *t, size_t len, size_t at, char **copy,
                             size_t *words, at_status *st)
{
    size_t a = at, b = at + 1;
    while (a > 0 && word_byte((unsigned char)t[a - 1]) && at - a < OCR_MAX_WORD)
        a--;
    while (b < len && word_byte((unsigned char)t[b]) && b - at < OCR_MAX_WORD)
        b++;
    if (b - a > OCR_MAX_WORD || (a > 0 && word_byte((unsigned char)t[a - 1])) ||
        (b < len && word_byte((unsigned char)t[b])))
        return b;
    size_t letters = 0, lower = 0, upper = 0, nd = 0, pos[3];
    int other = 0;
    for (size_t q = a; q < b; q++) {
        unsigned char c = (unsigned char)t[q];
        if ((unsigned)c - '0' < 10u)
            other |= c != '0' && c != '1';
        else if (c < 0x80 || (c & 0xC0) == 0xC0) { /* a letter (a lead byte for the others) */
            letters++;
            lower += (unsigned)c - 'a' < 26u && c != 'l';
            upper += (unsigned)c - 'A' < 26u;
        }
    }
    /* an l stands for I in a word otherwise in capitals */
    int caps = lower == 0 && upper >= 3;
    for (size_t q = a; q < b && !other; q++) {
        char c = t[q];
        if (c == '0' || c == '1' || (c == 'l' && caps)) {
            if (nd < 3)
                pos[nd] = q - a;
            nd++;
        }
    }
    if (other || nd == 0 || nd > 3 || letters < 3 || 2 * nd > letters)
        return b;
    char out[OCR_MAX_WORD];
    if (!spell(d, t + a, b - a, pos, nd, caps || (lower == 0 && !memchr(t + a, 'l', b - a)), out))
        return b;
    if (!own_copy(t, len, copy, st))
        return 0;
    memcpy(*copy + a, out, b - a);
    (*words)++;
    return b;
}

/* The bits of the 32 bytes at p that may open a place to look at (a
 * digit, an l), their letters and their capitals: a block with no digit
 * beside a letter and no l after a capital has none (every place is one:
 * the places' first test below). */
typedef struct {
    uint32_t digit, ell, letter, upper;
} byte_triggers;

static inline void triggers_of(const unsigned char *p, byte_triggers *c)
{
#if defined(__SSE2__)
    /* (a range as one signed compare after an add that moves it to -128) */
    const __m128i dg_add = _mm_set1_epi8((char)(0x80 - '0')), dg_lim = _mm_set1_epi8((char)(-128 + 10));
    const __m128i up_add = _mm_set1_epi8((char)(0x80 - 'A')), up_lim = _mm_set1_epi8((char)(-128 + 26));
    const __m128i lo_add = _mm_set1_epi8((char)(0x80 - 'a')), sp = _mm_set1_epi8(0x20);
    const __m128i ell = _mm_set1_epi8('l');
    __m128i x0 = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
    c->digit = (uint32_t)_mm_movemask_epi8(_mm_cmplt_epi8(_mm_add_epi8(x0, dg_add), dg_lim)) |
               (uint32_t)_mm_movemask_epi8(_mm_cmplt_epi8(_mm_add_epi8(x1, dg_add), dg_lim)) << 16;
    c->ell = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x0, ell)) |
             (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x1, ell)) << 16;
    c->upper = (uint32_t)_mm_movemask_epi8(_mm_cmplt_epi8(_mm_add_epi8(x0, up_add), up_lim)) |
               (uint32_t)_mm_movemask_epi8(_mm_cmplt_epi8(_mm_add_epi8(x1, up_add), up_lim)) << 16;
    /* (a letter: ASCII in either case, or a byte of UTF-8) */
    c->letter =
        ((uint32_t)_mm_movemask_epi8(_mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(x0, sp), lo_add), up_lim)) |
         (uint32_t)_mm_movemask_epi8(_mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(x1, sp), lo_add), up_lim))
             << 16) |
        ((uint32_t)_mm_movemask_epi8(x0) | (uint32_t)_mm_movemask_epi8(x1) << 16);
#else
    memset(c, 0, sizeof *c);
    for (unsigned j = 0; j < 32; j++) {
        unsigned char b = p[j];
        c->digit |= (uint32_t)((unsigned)b - '0' < 10u) << j;
        c->ell |= (uint32_t)(b == 'l') << j;
        c->letter |= (uint32_t)letter_byte(b) << j;
        c->upper |= (uint32_t)((unsigned)b - 'A' < 26u) << j;
    }
#endif
}

at_status deid_ocr_view(const at_text_deid *d, const char *t, size_t len, char **copy, size_t *words)
{
    *copy = NULL;
    *words = 0;
    /* the text read 32 bytes at a time (a text is read once): the places
     * where the passes below may read something back, from the classes of
     * each byte and its neighbours (a digit beside a letter a scan reads
     * for one; a 0 or a 1 beside a letter; an l after a capital, before a
     * capital, a 0 or a 1), each looked at unless inside the run read
     * last. (Only such places change what is read back.) A block's
     * classes are worked out only where it holds a digit or an l after a
     * capital or a digit beside a letter (most blocks hold neither); its neighbours' bytes, the one
     * before it and the one after, are classed alone. */
    size_t i = 0;
    unsigned char buf[32];
    const unsigned char *u = (const unsigned char *)t;
    for (size_t base = 0; base < len; base += 32) {
        const unsigned char *p = u + base;
        if (len - base < 32) {
            memset(buf, 0, sizeof buf);
            memcpy(buf, u + base, len - base);
            p = buf;
        }
        byte_triggers g;
        triggers_of(p, &g);
        /* (no digit, and no l after a capital of the block nor at its
         * first byte: none, the neighbours unread) */
        if (!g.digit && !(g.ell & (g.upper << 1 | 1u)))
            continue;
        unsigned char before = base ? u[base - 1] : 0, after = base + 32 < len ? u[base + 32] : 0;
        uint32_t up_before = (unsigned)before - 'A' < 26u;
        uint32_t beside = g.letter << 1 | (uint32_t)letter_byte(before) | g.letter >> 1 |
                          (uint32_t)letter_byte(after) << 31;
        if (!((g.digit & beside) | (g.ell & (g.upper << 1 | up_before))))
            continue;
        byte_classes cur;
        classes_of(p, &cur);
        /* the classes of the byte before each and after each */
        uint32_t ocr_l = cur.ocr << 1 | (uint32_t)ocr_digit_letter((char)before),
                 ocr_r = cur.ocr >> 1 | (uint32_t)ocr_digit_letter((char)after) << 31;
        uint32_t let_l = cur.letter << 1 | (uint32_t)letter_byte(before),
                 let_r = cur.letter >> 1 | (uint32_t)letter_byte(after) << 31;
        uint32_t up_l = cur.upper << 1 | up_before,
                 up_r = cur.upper >> 1 | (uint32_t)((unsigned)after - 'A' < 26u) << 31;
        uint32_t zo_r = cur.zero_one >> 1 | (uint32_t)(after == '0' || after == '1') << 31;
        uint32_t m = (cur.digit & (ocr_l | ocr_r)) | (cur.zero_one & (let_l | let_r)) |
                     (cur.ell & up_l & (up_r | zo_r));
        for (; m; m &= m - 1) {
            size_t at = base + (size_t)__builtin_ctz(m);
            if (at < i)
                continue;
            at_status st = AT_OK;
            /* a digit beside a letter a scan reads for one: a number */
            if ((unsigned)t[at] - '0' < 10u &&
                ((at > 0 && ocr_digit_letter(t[at - 1])) || (at + 1 < len && ocr_digit_letter(t[at + 1])))) {
                int done = 0;
                i = read_back_number(t, len, at, copy, words, &done, &st);
                if (st)
                    return st;
                if (done)
                    continue;
            }
            if ((t[at] != '0' && t[at] != '1' && t[at] != 'l') || !sign_may_be_letter(t, len, at))
                continue;
            i = read_back_word(d, t, len, at, copy, words, &st);
            if (st)
                return st;
        }
    }
    return AT_OK;
}
