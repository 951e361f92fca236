/* Folding text for matching: UTF-8 decoded by hand, combining marks dropped
 * (so NFD equals NFC once accents are stripped), letters of Latin, Greek and
 * Cyrillic folded through the generated table (fold_table.c), ASCII lower
 * cased, separators dropped (compact form) or collapsed (spaced form). Other
 * scripts (CJK, Arabic, Hebrew, Thai) have no case: their characters are
 * compared as they are. */
#include "deid/fold.h"

#include <string.h>

/* Decode one UTF-8 character at s[i] (n bytes): its code point and length;
 * an invalid byte gives cp 0xFFFD and length 1. */
static uint32_t decode(const unsigned char *s, size_t n, size_t i, size_t *len)
{
    unsigned c = s[i];
    *len = 1;
    if (c < 0x80)
        return c;
    size_t k = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (!k || i + k > n)
        return 0xFFFD;
    uint32_t cp = k == 2 ? c & 0x1F : k == 3 ? c & 0x0F : c & 0x07;
    for (size_t j = 1; j < k; j++) {
        if ((s[i + j] & 0xC0) != 0x80)
            return 0xFFFD;
        cp = cp << 6 | (s[i + j] & 0x3F);
    }
    if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp < 0xE000))
        return 0xFFFD;
    *len = k;
    return cp;
}

static int is_combining(uint32_t cp)
{
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x0483 && cp <= 0x0489) ||
           (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
           (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F);
}

/* Separators: ASCII other than letters and digits, Latin-1 punctuation and
 * symbols, general punctuation, CJK punctuation, full-width punctuation,
 * invalid bytes. */
static int is_separator(uint32_t cp)
{
    if (cp < 0x80)
        return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'));
    return (cp >= 0x80 && cp <= 0xBF && cp != 0xAA && cp != 0xB5 && cp != 0xBA) || cp == 0xD7 || cp == 0xF7 ||
           (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
           (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
           (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) || cp == 0xFFFD || cp == 0xFEFF;
}

static const char *fold_lookup(uint32_t cp)
{
    size_t lo = 0, hi = at_deid_fold_row_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (at_deid_fold_rows[mid].cp == cp)
            return at_deid_fold_rows[mid].out;
        if (at_deid_fold_rows[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The folded form of one non-separator character into buf (UTF-8). */
static size_t fold_char(uint32_t cp, const unsigned char *src, size_t len, char buf[8])
{
    if (cp < 0x80) {
        buf[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        return 1;
    }
    const char *f = fold_lookup(cp);
    if (f) {
        size_t k = strlen(f);
        memcpy(buf, f, k);
        return k;
    }
    memcpy(buf, src, len);
    return len;
}

int at_deid_fold_char_at(const char *s, size_t n, size_t i, uint32_t *cp, size_t *len, char buf[8],
                         size_t *out)
{
    uint32_t c = decode((const unsigned char *)s, n, i, len);
    *cp = c;
    *out = 0;
    if (is_combining(c))
        return AT_FOLD_MARK;
    if (c == 0xAD || (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
        (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x206F) || c == 0xFEFF || c == 0x180E)
        return AT_FOLD_FORMAT;
    if (is_separator(c) || c == 0)
        return AT_FOLD_OTHER;
    *out = fold_char(c, (const unsigned char *)s + i, *len, buf);
    return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19) ? AT_FOLD_DIGIT : AT_FOLD_LETTER;
}

int at_deid_fold_class(const char *s, size_t n, size_t i)
{
    size_t len;
    uint32_t cp = decode((const unsigned char *)s, n, i, &len);
    if (cp >= '0' && cp <= '9')
        return AT_FOLD_DIGIT;
    if (is_separator(cp) || is_combining(cp))
        return AT_FOLD_OTHER;
    return AT_FOLD_LETTER;
}

size_t at_deid_fold_prev(const char *s, size_t i)
{
    if (i == 0)
        return (size_t)-1;
    size_t j = i - 1;
    while (j > 0 && ((unsigned char)s[j] & 0xC0) == 0x80 && i - j < 4)
        j--;
    return j;
}

void at_deid_folded_free(at_deid_folded *f)
{
    at_free(f->compact);
    at_free(f->cfrom);
    at_free(f->cto);
    at_free(f->spaced);
    at_free(f->sfrom);
    at_free(f->sto);
    memset(f, 0, sizeof *f);
}

at_status at_deid_fold(const char *s, size_t n, at_deid_folded *out)
{
    memset(out, 0, sizeof *out);
    /* a folded character is at most 7 bytes for a source of at least 2
     * (table entries) or 1 for ASCII: 4 bytes per source byte is enough */
    size_t cap = 4 * n + 1;
    out->compact = at_malloc(cap);
    out->cfrom = at_malloc(cap * sizeof *out->cfrom);
    out->cto = at_malloc(cap * sizeof *out->cto);
    out->spaced = at_malloc(cap);
    out->sfrom = at_malloc(cap * sizeof *out->sfrom);
    out->sto = at_malloc(cap * sizeof *out->sto);
    if (!out->compact || !out->cfrom || !out->cto || !out->spaced || !out->sfrom || !out->sto) {
        at_deid_folded_free(out);
        return AT_ERR_NOMEM;
    }
    const unsigned char *u = (const unsigned char *)s;
    size_t c = 0, p = 0;
    int in_sep = 1; /* no leading separator in the spaced form */
    for (size_t i = 0; i < n;) {
        size_t len;
        uint32_t cp = decode(u, n, i, &len);
        if (is_combining(cp)) {
            /* an accent of the previous letter: part of its source span */
            if (c && out->cto[c - 1] == i)
                for (size_t k = c; k > 0 && out->cto[k - 1] == i; k--)
                    out->cto[k - 1] = i + len;
            if (p && out->sto[p - 1] == i)
                for (size_t k = p; k > 0 && out->sto[k - 1] == i; k--)
                    out->sto[k - 1] = i + len;
            i += len;
            continue;
        }
        if (is_separator(cp) || cp == 0) {
            if (!in_sep) {
                out->spaced[p] = cp < 0x80 && cp > 0x20 ? (char)cp : ' ';
                out->sfrom[p] = i;
                out->sto[p] = i + len;
                p++;
                in_sep = 1;
            }
            i += len;
            continue;
        }
        char buf[8];
        size_t k = fold_char(cp, u + i, len, buf);
        for (size_t j = 0; j < k; j++) {
            out->compact[c] = buf[j];
            out->cfrom[c] = i;
            out->cto[c] = i + len;
            c++;
            out->spaced[p] = buf[j];
            out->sfrom[p] = i;
            out->sto[p] = i + len;
            p++;
        }
        in_sep = 0;
        i += len;
    }
    if (p && in_sep)
        p--; /* no trailing separator */
    out->compact[c] = '\0';
    out->spaced[p] = '\0';
    out->ncompact = c;
    out->nspaced = p;
    return AT_OK;
}

size_t at_deid_fold_compact(const char *s, size_t n, char *out, size_t cap)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        size_t len;
        uint32_t cp = decode(u, n, i, &len);
        if (!is_combining(cp) && !is_separator(cp) && cp) {
            char buf[8];
            size_t k = fold_char(cp, u + i, len, buf);
            if (w + k >= cap)
                break;
            memcpy(out + w, buf, k);
            w += k;
        }
        i += len;
    }
    if (cap)
        out[w] = '\0';
    return w;
}
