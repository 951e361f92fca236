/* Known safe words: look-ups in the generated vocabulary (front-coded
 * blocks, vocab_table.c), the code string terms and the DCM code values;
 * the scan that finds the words of a retained value the vocabulary does not
 * know (docs/deid.md, "Known safe words"). */
#include "deid/vocab.h"
#include "deid/fold.h"

#include <string.h>
#include <strings.h>

#define MAX_WORD 48 /* longer words are not in the vocabulary */

/* Compare the word at blob[*p] (prefix length byte, suffix, tier byte) after
 * the previous word prev (len *plen): rebuild it into prev, return its tier. */
static int next_entry(size_t *p, char *prev, size_t *plen)
{
    size_t i = *p;
    size_t keep = at_deid_vocab_blob[i++];
    if (keep > *plen)
        keep = *plen;
    size_t len = keep;
    while (i < at_deid_vocab_blob_size && at_deid_vocab_blob[i] > 2) {
        if (len < MAX_WORD)
            prev[len++] = (char)at_deid_vocab_blob[i];
        i++;
    }
    int tier = i < at_deid_vocab_blob_size ? at_deid_vocab_blob[i] : 0;
    *p = i + 1;
    *plen = len;
    return tier;
}

static int compare(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

int at_deid_vocab_tier(const char *w, size_t n)
{
    if (!n || n > MAX_WORD || !at_deid_vocab_block_count)
        return 0;
    /* the last block whose first word is <= w */
    size_t lo = 0, hi = at_deid_vocab_block_count;
    char word[MAX_WORD];
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        size_t p = at_deid_vocab_blocks[mid], len = 0;
        next_entry(&p, word, &len);
        if (compare(word, len, w, n) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    size_t p = at_deid_vocab_blocks[lo];
    size_t end = lo + 1 < at_deid_vocab_block_count ? at_deid_vocab_blocks[lo + 1] : at_deid_vocab_blob_size;
    size_t len = 0;
    while (p < end) {
        int tier = next_entry(&p, word, &len);
        int c = compare(word, len, w, n);
        if (!c)
            return tier;
        if (c > 0)
            break;
    }
    return 0;
}

int at_deid_vocab_known(const char *w, size_t n, int tier)
{
    int t = at_deid_vocab_tier(w, n);
    return t == AT_DEID_TIER_TECHNICAL || (t && tier == AT_DEID_TIER_GENERAL);
}

static int find_string(const char *const *list, size_t count, const char *v, size_t n, int nocase)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *s = list[mid];
        size_t sn = strlen(s);
        int c = nocase ? strncasecmp(s, v, sn < n ? sn : n) : strncmp(s, v, sn < n ? sn : n);
        if (!c)
            c = (sn > n) - (sn < n);
        if (!c)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int at_deid_cs_term_known(const char *v, size_t n)
{
    char up[17];
    if (!n || n > 16)
        return 0;
    for (size_t i = 0; i < n; i++)
        up[i] = v[i] >= 'a' && v[i] <= 'z' ? (char)(v[i] - 32) : v[i];
    return find_string(at_deid_cs_terms, at_deid_cs_term_count, up, n, 0);
}

int at_deid_dcm_code_known(const char *v, size_t n)
{
    return find_string(at_deid_dcm_codes, at_deid_dcm_code_count, v, n, 0);
}

int at_deid_ucum_code_known(const char *v, size_t n)
{
    return find_string(at_deid_ucum_codes, at_deid_ucum_code_count, v, n, 0);
}

/* ---- the word scan ---- */

enum { SCRIPT_LATIN = 1, SCRIPT_GREEK = 2, SCRIPT_CYRILLIC = 4, SCRIPT_OTHER = 8 };

static int script_of(uint32_t cp)
{
    if (cp < 0x80 || (cp >= 0xC0 && cp <= 0x24F) || (cp >= 0x1E00 && cp <= 0x1EFF) ||
        (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A))
        return SCRIPT_LATIN;
    if ((cp >= 0x370 && cp <= 0x3FF) || (cp >= 0x1F00 && cp <= 0x1FFF))
        return SCRIPT_GREEK;
    if (cp >= 0x400 && cp <= 0x52F)
        return SCRIPT_CYRILLIC;
    return SCRIPT_OTHER;
}

/* Words after which a number is an identifier (folded). */
static int is_label(const char *w, size_t n)
{
    static const char *const labels[] = {"lot", "lots",   "batch",   "n",         "no",       "nr",
                                         "num", "numero", "serial",  "sn",        "ref",      "id",
                                         "ipp", "nip",    "dossier", "matricule", "reference"};
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
        if (strlen(labels[i]) == n && !memcmp(labels[i], w, n))
            return 1;
    return 0;
}

/* A run of letters: its folded form and where camel case splits it. */
typedef struct {
    char f[MAX_WORD + 1];
    size_t len; /* folded bytes; > MAX_WORD: too long */
    int ascii;  /* every folded byte is a-z */
    size_t cuts[MAX_WORD];
    size_t ncuts;
    int prev_case; /* 0 none, 1 lower, 2 upper (ASCII source letters) */
    int upper_run; /* upper-case letters in a row just before */
} letters;

static void letters_add(letters *l, uint32_t cp, const char *buf, size_t k)
{
    int c = cp >= 'a' && cp <= 'z' ? 1 : cp >= 'A' && cp <= 'Z' ? 2 : 0;
    if (l->len <= MAX_WORD) {
        /* camel case: lower then upper (AutoSeg), or upper run then lower (HDxt: no; MRIScan: MRI|Scan) */
        if (c == 2 && l->prev_case == 1 && l->ncuts < MAX_WORD)
            l->cuts[l->ncuts++] = l->len;
        else if (c == 1 && l->prev_case == 2 && l->upper_run >= 3 && l->ncuts < MAX_WORD)
            l->cuts[l->ncuts++] = l->len - 1;
    }
    l->upper_run = c == 2 ? l->upper_run + 1 : 0;
    l->prev_case = c;
    for (size_t j = 0; j < k; j++) {
        unsigned char b = (unsigned char)buf[j];
        if (b < 'a' || b > 'z')
            l->ascii = 0;
        if (l->len < MAX_WORD)
            l->f[l->len] = (char)b;
        l->len++;
    }
}

/* Every part of the run known: whole, or each camel-case part. */
static int letters_known(const letters *l, int tier)
{
    if (!l->ascii || l->len > MAX_WORD)
        return 0;
    if (l->len == 1 || at_deid_vocab_known(l->f, l->len, tier))
        return 1;
    if (!l->ncuts)
        return 0;
    size_t a = 0;
    for (size_t c = 0; c <= l->ncuts; c++) {
        size_t b = c < l->ncuts ? l->cuts[c] : l->len;
        if (b > a && b - a > 1 && !at_deid_vocab_known(l->f + a, b - a, tier))
            return 0;
        a = b;
    }
    return 1;
}

at_status at_deid_scan_words(const char *utf8, size_t n, int tier, at_deid_ranges *out)
{
    at_status st = AT_OK;
    int label = 0, hash = 0, chain = 0; /* the token before was a label; '#' just before; a code goes on */
    size_t i = 0;
    while (i < n && !st) {
        uint32_t cp;
        size_t len, k;
        char buf[8];
        int cls = at_deid_fold_char_at(utf8, n, i, &cp, &len, buf, &k);
        if (cls == AT_FOLD_OTHER || cls == AT_FOLD_MARK) {
            if (cp == '#')
                hash = 1;
            else if (cp == ' ' || cp == '\t')
                chain = 0;
            i += len;
            continue;
        }
        /* a token: letters, digits, combining marks and format characters in a row */
        size_t start = i, digits = 0, runs = 0;
        /* the decimals of a number (0.00125): after a separator dot or comma that follows a digit */
        int fraction =
            i >= 2 && (utf8[i - 1] == '.' || utf8[i - 1] == ',') && utf8[i - 2] >= '0' && utf8[i - 2] <= '9';
        int scripts = 0, format = 0, bad = 0, has_letters = 0, in_letters = 0;
        letters l;
        memset(&l, 0, sizeof l);
        while (i < n) {
            cls = at_deid_fold_char_at(utf8, n, i, &cp, &len, buf, &k);
            if (cls == AT_FOLD_OTHER)
                break;
            if (cls == AT_FOLD_FORMAT)
                format = 1;
            else if (cls == AT_FOLD_LETTER) {
                if (!in_letters) {
                    memset(&l, 0, sizeof l);
                    l.ascii = 1;
                    in_letters = 1;
                    runs++;
                }
                scripts |= script_of(cp);
                letters_add(&l, cp, buf, k);
                has_letters = 1;
            } else if (cls == AT_FOLD_DIGIT) {
                if (in_letters && !letters_known(&l, tier))
                    bad = 1;
                in_letters = 0;
                digits++;
            }
            i += len;
        }
        if (in_letters && !letters_known(&l, tier))
            bad = 1;
        if (format || (scripts & ~SCRIPT_LATIN))
            bad = 1; /* glued by invisible characters, or not in the Latin script */
        if (digits > 4 && (has_letters || !fraction))
            bad =
                1; /* a code, a serial or lot number: known safe numbers are quantities of 4 digits at most */
        /* a code after its label (lot 24-117A, n° 12.345), every part of it joined by - . / _ */
        int code = digits && (label || hash || chain);
        if (chain && !digits && i - start <= 3)
            code = 1;
        if (code)
            bad = 1;
        chain = code && i + 1 < n && strchr("-./_", utf8[i]) && utf8[i + 1] &&
                strchr(" -./_", utf8[i + 1]) == NULL;
        label = runs == 1 && !digits && l.ascii && is_label(l.f, l.len < MAX_WORD ? l.len : MAX_WORD);
        hash = 0;
        if (bad)
            st = at_deid_ranges_add(out, start, i);
    }
    return st;
}

/* ---- code strings ---- */

int at_deid_cs_value_known(const char *v, size_t n)
{
    while (n && v[n - 1] == ' ')
        n--;
    while (n && *v == ' ')
        v++, n--;
    if (!n)
        return 1; /* an empty value carries nothing */
    if (n > 16)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ' ||
              c == '_'))
            return 0;
    }
    if (at_deid_cs_term_known(v, n))
        return 1;
    size_t i = 0;
    while (i < n) {
        if (v[i] == ' ' || v[i] == '_') {
            i++;
            continue;
        }
        size_t j = i;
        char w[17];
        if (v[i] >= '0' && v[i] <= '9') {
            while (j < n && v[j] >= '0' && v[j] <= '9')
                j++;
            if (j - i > 4)
                return 0;
        } else {
            while (j < n && ((v[j] >= 'A' && v[j] <= 'Z') || (v[j] >= 'a' && v[j] <= 'z'))) {
                w[j - i] = (char)(v[j] >= 'A' && v[j] <= 'Z' ? v[j] + 32 : v[j]);
                j++;
            }
            if (j - i > 1 && !at_deid_vocab_known(w, j - i, AT_DEID_TIER_TECHNICAL))
                return 0;
        }
        i = j;
    }
    return 1;
}
