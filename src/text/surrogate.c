/* Rewriting detected spans: typed placeholders, or keyed surrogates of the
 * same kind (same fake name for the same real name, word by word; dates
 * shifted by the patient's offset with their writing kept, in
 * surrogate_date.c; one phone number's digits whatever its writing;
 * identifiers with valid keys). */
#include "deid_internal.h"

#include <stdio.h>
#include <string.h>

#define COUNT_OF(a) (sizeof(a) / sizeof *(a))

static const char *const placeholders[AT_PHI_COUNT] = {"[X]",
                                                       "[NOM]",
                                                       "[PRENOM]",
                                                       "[ADRESSE]",
                                                       "[VILLE]",
                                                       "[ZIP]",
                                                       "[DATE]",
                                                       "[DATE_NAISSANCE]",
                                                       "[TEL]",
                                                       "[MAIL]",
                                                       "[SECU]",
                                                       "[IPP]",
                                                       "[NDA]",
                                                       "[HOPITAL]",
                                                       "[RPPS]",
                                                       "[FINESS]",
                                                       "90 ans ou plus",
                                                       "[EMPLOYEUR]",
                                                       "[COMPTE]",
                                                       "[IMMAT]",
                                                       "[URL]",
                                                       "[ID]"};

/* What the surrogates of one document are keyed with: the site key and,
 * when the patient is known, a keyed digest of the patient's id (so the
 * same real value gives the same surrogate within a patient's documents
 * and unlinkable ones across patients), and the date shift. */
typedef struct {
    const at_key *key;
    unsigned char pid[16];
    int have_pid;
    int days;
    int gender; /* of the first name being replaced: 1 female, 2 male, 0 unknown */
    int have_ref;
    long ref; /* the full date a year-less date takes its year from (days) */
} sur_ctx;

static uint64_t keyed_u64(const sur_ctx *c, const char *domain, const char *s, size_t n)
{
    char f[256 + 16];
    size_t o = 0;
    if (c->have_pid) {
        memcpy(f, c->pid, 16);
        o = 16;
    }
    int fl = n < 120 ? at_text_fold(s, n, f + o, sizeof f - o) : -1;
    unsigned char h[16];
    if (fl >= 0) {
        at_keyed_hash(c->key, domain, f, o + (size_t)fl, h, sizeof h);
    } else {
        /* too long to fold here: the raw bytes, after the patient digest */
        unsigned char inner[16];
        at_keyed_hash(c->key, domain, s, n, inner, sizeof inner);
        memcpy(f + o, inner, 16);
        at_keyed_hash(c->key, domain, f, o + 16, h, sizeof h);
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | h[i];
    return v;
}

static int all_caps(const char *s, size_t n)
{
    int letters = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'a' && c <= 'z')
            return 0;
        if (c == 0xC3 && i + 1 < n && (unsigned char)s[i + 1] >= 0x9F)
            return 0;
        if ((c >= 'A' && c <= 'Z') || c >= 0x80)
            letters++;
    }
    return letters >= 2;
}

static at_status put_cased(at_buf *out, const char *w, int upper)
{
    if (!upper)
        return at_buf_puts(out, w);
    at_status st = AT_OK;
    for (const char *p = w; *p && !st; p++)
        st = at_buf_putc(out, (*p >= 'a' && *p <= 'z') ? *p - 32 : *p);
    return st;
}

/* The folded letters and digits of s (n bytes) into f (cap bytes): their
 * count, or -1 when s is too long to fold here. */
static int skeleton(const char *s, size_t n, char *f, size_t cap)
{
    int fl = n < 120 ? at_text_fold(s, n, f, cap) : -1;
    int k = 0;
    for (int i = 0; i < fl; i++)
        if ((f[i] >= 'a' && f[i] <= 'z') || (f[i] >= '0' && f[i] <= '9'))
            f[k++] = f[i];
    return fl < 0 ? -1 : k;
}

/* Whether surrogate sur is the real value s (n bytes) whatever the case,
 * accents, spaces and hyphens. */
static int is_input(const char *sur, const char *s, size_t n)
{
    char a[256], b[256];
    int la = skeleton(sur, strlen(sur), a, sizeof a), lb = skeleton(s, n, b, sizeof b);
    return la >= 0 && la == lb && !memcmp(a, b, (size_t)la);
}

/* Entry i of list (count entries), or when that is the real value s the
 * next one step further on (first names: the next of the same gender), so
 * that a surrogate is never its input. */
static const char *draw_other(const char *const *list, size_t count, size_t i, size_t step, const char *s,
                              size_t n)
{
    for (size_t k = 0; k < count / step && is_input(list[i], s, n); k++)
        i = (i + step) % count;
    return list[i];
}

/* Byte i of s is a digit, or a letter OCR reads for one (O, o, l, I:
 * "O6 l2 34 56 OO", in a span of digits). */
static int digit_like(const char *s, size_t n, size_t i)
{
    (void)n;
    char c = s[i];
    return (c >= '0' && c <= '9') || c == 'O' || c == 'o' || c == 'l' || c == 'I';
}

/* Replace every digit of s but the first keep by keyed digits, keyed by
 * ks (kn bytes); letters of IPP-like codes kept, letters read for digits
 * replaced. luhn: make the last digit a Luhn check digit. A number written
 * in words ("zéro six quarante-quatre ...": more letters than digits) has
 * no digit to replace: its placeholder, ph, stands for it. */
static at_status put_digits_keyed(at_buf *out, const sur_ctx *key, const char *domain, const char *ks,
                                  size_t kn, const char *s, size_t n, size_t keep, int luhn, const char *ph)
{
    char digits[64];
    size_t nd = 0;
    uint64_t v = keyed_u64(key, domain, ks, kn), w = v ^ 0x9E3779B97F4A7C15ull;
    char tmp[256];
    if (n >= sizeof tmp)
        return at_buf_puts(out, "[ID]");
    size_t letters = 0, dl = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        dl += digit_like(s, n, i);
        letters += !digit_like(s, n, i) && (((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80);
    }
    if (letters > dl)
        return at_buf_puts(out, ph);
    memcpy(tmp, s, n);
    for (size_t i = 0; i < n; i++) {
        if (!digit_like(s, n, i))
            continue;
        if (nd >= keep) {
            tmp[i] = (char)('0' + (v % 10));
            v = v / 10 ? v / 10 : (w = w * 6364136223846793005ull + 1442695040888963407ull) >> 8;
        }
        if (nd < sizeof digits)
            digits[nd] = tmp[i];
        nd++;
    }
    if (luhn && nd >= 2 && nd < sizeof digits) {
        int c = at_text_luhn_digit(digits, nd - 1);
        for (size_t i = n; i-- > 0;)
            if (tmp[i] >= '0' && tmp[i] <= '9') {
                tmp[i] = (char)('0' + c);
                break;
            }
    }
    return at_buf_append(out, tmp, n);
}

/* The same, keyed by s itself. */
static at_status put_digits(at_buf *out, const sur_ctx *key, const char *domain, const char *s, size_t n,
                            size_t keep, int luhn, int label)
{
    return put_digits_keyed(out, key, domain, s, n, s, n, keep, luhn, placeholders[label]);
}

static at_status put_nir(at_buf *out, const sur_ctx *key, const char *s, size_t n)
{
    char d[16];
    size_t nd = 0;
    for (size_t i = 0; i < n && nd < 15; i++)
        if ((s[i] >= '0' && s[i] <= '9') || s[i] == 'A' || s[i] == 'B')
            d[nd++] = s[i];
    if (nd != 15)
        return put_digits(out, key, "atelier-text-nir", s, n, 1, 0, AT_PHI_SECU);
    uint64_t v = keyed_u64(key, "atelier-text-nir", s, n);
    char f[16];
    f[0] = d[0];
    int yy = (int)(v % 100), mm = 1 + (int)(v / 100 % 12), dep = 1 + (int)(v / 1200 % 95);
    if (dep == 20)
        dep = 21;
    snprintf(f + 1, 13, "%02d%02d%02d%03d%03d", yy, mm, dep, (int)(v / 120000 % 990) + 1,
             (int)(v / 120000000 % 999) + 1);
    int k = at_text_nir_key(f);
    snprintf(f + 13, 3, "%02d", k);
    size_t o = 0;
    at_status st = AT_OK;
    for (size_t i = 0; i < n && !st; i++) {
        int sig = (s[i] >= '0' && s[i] <= '9') || s[i] == 'A' || s[i] == 'B';
        st = at_buf_putc(out, sig && o < 15 ? f[o++] : s[i]);
    }
    return st;
}

/* The digits of a French phone number into d (cap bytes; their count in
 * *nd) and the length of its prefix among them: +33, 0033, +33 (0),
 * 0033 (0), or the national 0. */
static size_t phone_prefix(const char *s, size_t n, char *d, size_t cap, size_t *nd)
{
    int paren0 = 0;
    *nd = 0;
    for (size_t i = 0; i < n && *nd < cap; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            d[(*nd)++] = s[i];
        if (s[i] == '(' && i + 2 < n && s[i + 1] == '0' && s[i + 2] == ')')
            paren0 = 1;
    }
    if (s[0] == '+' && *nd >= 2 && d[0] == '3' && d[1] == '3')
        return 2 + (size_t)paren0; /* "33", "33" + "(0)" */
    if (*nd >= 4 && !memcmp(d, "0033", 4))
        return 4 + (size_t)(*nd >= 5 && d[4] == '0');
    return 1; /* national: "0" */
}

/* A phone number's surrogate: the prefix and the digit after it (mobile or
 * landline zone) kept, so the surrogate is still a French number; the
 * other digits keyed by the national number (0 and the digits after the
 * prefix), so every writing of one number (0298112233, 02 98 11 22 33,
 * +33 2 98 11 22 33) gets the same surrogate digits in its own layout. */
static at_status put_phone(at_buf *out, const sur_ctx *key, const char *s, size_t n)
{
    char d[24], nat[24];
    size_t nd, prefix = phone_prefix(s, n, d, sizeof d, &nd);
    size_t keep = prefix + 1 < nd ? prefix + 1 : nd, kn = 0;
    if (prefix > 1 && prefix < nd) {
        nat[kn++] = '0';
        memcpy(nat + kn, d + prefix, nd - prefix);
        kn += nd - prefix;
    } else {
        memcpy(nat, d, nd);
        kn = nd;
    }
    return put_digits_keyed(out, key, "atelier-text-tel", nat, kn, s, n, keep, 0, placeholders[AT_PHI_TEL]);
}

/* "d'Angers" -> "de Valmont": an elided "d'" before a surrogate that
 * starts with a consonant is written whole. */
static at_status fix_elision(at_buf *out, const char *sur)
{
    if (!out->data || out->len < 2)
        return AT_OK;
    const char *b = (const char *)out->data;
    size_t n = out->len, tl = 0;
    if (b[n - 1] == '\'' && (b[n - 2] == 'd' || b[n - 2] == 'D'))
        tl = 2;
    else if (n >= 4 && !memcmp(b + n - 3, "\xE2\x80\x99", 3) && (b[n - 4] == 'd' || b[n - 4] == 'D'))
        tl = 4;
    if (!tl || (n > tl && ((b[n - tl - 1] >= 'a' && b[n - tl - 1] <= 'z') ||
                           (b[n - tl - 1] >= 'A' && b[n - tl - 1] <= 'Z'))))
        return AT_OK;
    unsigned char s0 = (unsigned char)sur[0] | 0x20;
    if (s0 == 'a' || s0 == 'e' || s0 == 'i' || s0 == 'o' || s0 == 'u' || s0 == 'y' || s0 == 'h' ||
        sur[0] & 0x80)
        return AT_OK;
    int upper = b[n - tl] == 'D';
    out->len = n - tl;
    out->data[out->len] = 0;
    return at_buf_puts(out, upper ? "De " : "de ");
}

/* Before a hospital's surrogate (masculine), put the article the text had
 * in the right form: "l'Hôpital X" -> "le Centre ...", "à l'" -> "au", "de
 * la Clinique" -> "du ...", "au CHU" -> "à l'Hôpital ..."; the first
 * letter's case is kept. */
static at_status fix_article(at_buf *out, const char *sur)
{
    if (!out->data || !out->len)
        return AT_OK;
    const char *b = (const char *)out->data;
    size_t n = out->len;
    static const struct {
        const char *tail;
        int prep; /* 0 none, 1 "de", 2 "à" */
    } forms[] = {{"de l\xE2\x80\x99", 1},       {"de l'", 1},       {"de la ", 1},       {"du ", 1},
                 {"\xC3\xA0 l\xE2\x80\x99", 2}, {"\xC3\xA0 l'", 2}, {"\xC3\xA0 la ", 2}, {"au ", 2},
                 {"l\xE2\x80\x99", 0},          {"l'", 0},          {"la ", 0},          {"le ", 0}};
    for (size_t k = 0; k < sizeof forms / sizeof *forms; k++) {
        size_t tl = strlen(forms[k].tail);
        if (n < tl)
            continue;
        const char *t = b + n - tl;
        /* compare ignoring the case of the first letter */
        char c0 = t[0] >= 'A' && t[0] <= 'Z' ? (char)(t[0] + 32) : t[0];
        int same = c0 == forms[k].tail[0] || ((unsigned char)t[0] == 0xC3 && (unsigned char)t[1] == 0x80 &&
                                              (unsigned char)forms[k].tail[0] == 0xC3);
        if (!same || memcmp(t + 1, forms[k].tail + 1, tl - 1))
            continue;
        if (n > tl && ((b[n - tl - 1] >= 'a' && b[n - tl - 1] <= 'z') ||
                       (b[n - tl - 1] >= 'A' && b[n - tl - 1] <= 'Z')))
            continue; /* part of a longer word */
        int upper =
            t[0] >= 'A' && t[0] <= 'Z' ? 1 : (unsigned char)t[0] == 0xC3 && (unsigned char)t[1] == 0x80;
        unsigned char s0 = (unsigned char)sur[0];
        int vowel = s0 == 'A' || s0 == 'E' || s0 == 'I' || s0 == 'O' || s0 == 'U' || s0 == 'H' || s0 == 0xC3;
        static const char *const out_forms[3][2][2] = {{{"le ", "Le "}, {"l'", "L'"}},
                                                       {{"du ", "Du "}, {"de l'", "De l'"}},
                                                       {{"au ", "Au "}, {"\xC3\xA0 l'", "\xC3\x80 l'"}}};
        out->len = n - tl;
        out->data[out->len] = 0;
        return at_buf_puts(out, out_forms[forms[k].prep][vowel][upper]);
    }
    return AT_OK;
}

/* One word of a name, keyed by the word alone (folded), so that a part of
 * a name has the same surrogate alone as within the whole. */
static at_status put_name_word(at_buf *out, const char *w, size_t n, const sur_ctx *key, int first,
                               int female, int lead)
{
    char read[128] = {0};
    int upper = all_caps(w, n), ocr = n <= sizeof read ? text_sur_ocr_reading(w, n, read) : -1;
    if (ocr >= 0) {
        upper = ocr;
        w = read;
    }
    if (text_sur_initials(w, n)) { /* initials for initials, in their case */
        uint64_t v = keyed_u64(key, "atelier-text-initiales", w, n);
        at_status st = AT_OK;
        for (size_t i = 0; i < n && !st; i++, v /= 26) {
            char c = (char)('A' + (int)(v % 26));
            st = at_buf_putc(out, w[i] >= 'a' ? (char)(c | 0x20) : c);
        }
        return st;
    }
    if (!first) {
        size_t i = keyed_u64(key, "atelier-text-nom", w, n) % text_sur_last_n;
        const char *l = draw_other(text_sur_last, text_sur_last_n, i, 1, w, n);
        at_status st = lead ? fix_elision(out, l) : AT_OK;
        return st ? st : put_cased(out, l, upper);
    }
    uint64_t v = keyed_u64(key, "atelier-text-prenom", w, n);
    if (n == 1) { /* an initial, another letter */
        int c = 'A' + (int)(v % 26);
        return at_buf_putc(out, c == (w[0] & ~0x20) ? 'A' + (c - 'A' + 1) % 26 : c);
    }
    size_t i = 2 * (v % (text_sur_first_n / 2)) + (female ? 0 : 1);
    return put_cased(out, draw_other(text_sur_first, text_sur_first_n, i, 2, w, n), upper);
}

/* A name spelled out letter by letter ("m o l l a r d", "D-U-P-O-N-T"):
 * four ASCII letters or more, one space or one hyphen apart. Its letters
 * folded into w (cap bytes), their count, and the separator; 0 if not. */
static size_t spelled(const char *s, size_t n, char *w, size_t cap, char *sep)
{
    if (n < 7 || (s[1] != ' ' && s[1] != '-'))
        return 0;
    *sep = s[1];
    size_t k = 0;
    for (size_t i = 0; i < n; i += 2) {
        char c = (char)(s[i] | 0x20);
        if (c < 'a' || c > 'z' || k + 1 >= cap || (i + 1 < n && s[i + 1] != *sep))
            return 0;
        w[k++] = c;
    }
    return k >= 4 ? k : 0;
}

/* A first name (first) or surname, word by word, its separators kept: a
 * surname's particles as written when a word follows; a first name's
 * words all in the gender the text gives (Mme, M., née, né), else the one
 * its first word suggests (Jean-Marie: male). */
static at_status put_name(at_buf *out, const char *s, size_t n, const sur_ctx *key, int first)
{
    /* spelled out: the surrogate of the word, spelled out the same way */
    char sw[64], sep;
    size_t sn = spelled(s, n, sw, sizeof sw, &sep);
    if (sn) {
        at_buf one;
        at_buf_init(&one, 64);
        at_status st = put_name_word(&one, sw, sn, key, first, key->gender ? key->gender == 1 : 0, 0);
        int upper = s[0] >= 'A' && s[0] <= 'Z', any = 0;
        for (size_t i = 0; i < one.len && !st;) {
            size_t c = text_sur_char_len((const char *)one.data + i, one.len - i);
            unsigned char b = one.data[i];
            int letter = c > 1 || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
            if (letter && any)
                st = at_buf_putc(out, sep);
            if (letter && !st)
                st = c > 1 ? at_buf_append(out, one.data + i, c)
                           : at_buf_putc(out, upper ? (char)(b & ~0x20) : (char)(b | 0x20));
            any |= letter;
            i += c;
        }
        at_buf_free(&one);
        return st;
    }
    size_t w0 = text_sur_name_word(s, n);
    int female = key->gender ? key->gender == 1 : text_sur_looks_female(s, w0 ? w0 : n);
    at_status st = AT_OK;
    int lead = 1;
    for (size_t i = 0; i < n && !st;) {
        size_t w = text_sur_name_word(s + i, n - i);
        if (!w) { /* a separator, whole: "’" is three bytes */
            size_t c = text_sur_char_len(s + i, n - i);
            st = at_buf_append(out, s + i, c);
            i += c;
            continue;
        }
        size_t j = i + w;
        while (j < n && !text_sur_name_word(s + j, n - j))
            j += text_sur_char_len(s + j, n - j);
        if (!first && j < n && text_sur_is_particle(s + i, w))
            st = at_buf_append(out, s + i, w);
        else
            st = put_name_word(out, s + i, w, key, first, female, lead);
        lead = 0;
        i += w;
    }
    return st;
}

/* An address: a keyed number and street, the next street when that is the
 * address itself. */
static at_status put_address(at_buf *out, const char *s, size_t n, const sur_ctx *key)
{
    uint64_t v = keyed_u64(key, "atelier-text-adresse", s, n);
    int num = (int)(v % 120) + 1;
    size_t i = (size_t)((v >> 8) % text_sur_street_n);
    char a[96];
    for (size_t k = 0; k < text_sur_street_n; k++, i = (i + 1) % text_sur_street_n) {
        snprintf(a, sizeof a, "%d %s", num, text_sur_street[i]);
        if (!is_input(a, s, n))
            break;
    }
    return at_buf_puts(out, a);
}

static const char *const sur_employer[] = {"Société Alvéole",       "Entreprise Berthelin",
                                           "Établissements Corvel", "Société Durandal",
                                           "Coopérative Estuaire",  "Transports Fauveau"};

/* Letters and digits of s replaced by keyed ones (case and layout kept):
 * plates, account, insurance and record numbers. */
static at_status put_alnum(at_buf *out, const sur_ctx *key, const char *domain, const char *s, size_t n)
{
    char tmp[256];
    if (n >= sizeof tmp)
        return at_buf_puts(out, "[ID]");
    uint64_t v = keyed_u64(key, domain, s, n), w = v ^ 0x9E3779B97F4A7C15ull;
    memcpy(tmp, s, n);
    for (size_t i = 0; i < n; i++) {
        char c = tmp[i];
        int r = (int)(v % 26);
        v = v / 26 ? v / 26 : (w = w * 6364136223846793005ull + 1442695040888963407ull) >> 8;
        if (c >= '0' && c <= '9')
            tmp[i] = (char)('0' + r % 10);
        else if (c >= 'A' && c <= 'Z')
            tmp[i] = (char)('A' + r);
        else if (c >= 'a' && c <= 'z')
            tmp[i] = (char)('a' + r);
    }
    return at_buf_append(out, tmp, n);
}

static at_status put_surrogate(at_buf *out, const char *s, size_t n, int label, const sur_ctx *key)
{
    uint64_t v;
    int upper = all_caps(s, n);
    switch (label) {
    case AT_PHI_NOM:
    case AT_PHI_PRENOM:
        return put_name(out, s, n, key, label == AT_PHI_PRENOM);
    case AT_PHI_VILLE: {
        v = keyed_u64(key, "atelier-text-ville", s, n);
        const char *c = draw_other(text_sur_city, text_sur_city_n, v % text_sur_city_n, 1, s, n);
        at_status st = fix_elision(out, c);
        return st ? st : put_cased(out, c, upper);
    }
    case AT_PHI_ADRESSE:
        return put_address(out, s, n, key);
    case AT_PHI_HOPITAL: {
        v = keyed_u64(key, "atelier-text-hopital", s, n);
        const char *h = draw_other(text_sur_hosp, text_sur_hosp_n, v % text_sur_hosp_n, 1, s, n);
        at_status st = fix_article(out, h);
        return st ? st : at_buf_puts(out, h);
    }
    case AT_PHI_MAIL:
        v = keyed_u64(key, "atelier-text-mail", s, n);
        return at_buf_printf(out, "%s.%s@exemple.fr", text_sur_first[v % 32], text_sur_last[(v >> 8) % 32]);
    case AT_PHI_DATE:
    case AT_PHI_DATE_NAISSANCE: {
        size_t before = out->len;
        at_status st = AT_OK;
        if (text_date_put(out, s, n, key->days, key->have_ref ? &key->ref : NULL, &st))
            return st;
        out->len = before;
        if (out->data)
            out->data[before] = 0;
        return at_buf_puts(out, placeholders[label]);
    }
    case AT_PHI_SECU:
        return put_nir(out, key, s, n);
    case AT_PHI_TEL:
        return put_phone(out, key, s, n);
    case AT_PHI_ZIP:
        return put_digits(out, key, "atelier-text-zip", s, n, 2, 0, AT_PHI_ZIP);
    case AT_PHI_RPPS:
    case AT_PHI_FINESS:
        return put_digits(out, key, label == AT_PHI_RPPS ? "atelier-text-rpps" : "atelier-text-finess", s, n,
                          0, 1, label);
    case AT_PHI_AGE:
        return at_buf_puts(out, placeholders[AT_PHI_AGE]);
    case AT_PHI_EMPLOYEUR:
        v = keyed_u64(key, "atelier-text-employeur", s, n);
        return at_buf_puts(
            out, draw_other(sur_employer, COUNT_OF(sur_employer), v % COUNT_OF(sur_employer), 1, s, n));
    case AT_PHI_URL:
        v = keyed_u64(key, "atelier-text-url", s, n);
        return s[0] == '@' ? at_buf_printf(out, "@utilisateur%04u", (unsigned)(v % 10000))
                           : at_buf_printf(out, "www.exemple-%04u.fr", (unsigned)(v % 10000));
    case AT_PHI_COMPTE:
    case AT_PHI_IMMAT:
    case AT_PHI_ID:
        return put_alnum(out, key,
                         label == AT_PHI_COMPTE  ? "atelier-text-compte"
                         : label == AT_PHI_IMMAT ? "atelier-text-immat"
                                                 : "atelier-text-id",
                         s, n);
    default:
        return put_digits(out, key, label == AT_PHI_IPP ? "atelier-text-ipp" : "atelier-text-nda", s, n, 0, 0,
                          label);
    }
}

/* The folded word that ends at byte e of text (letters and an inner '.'),
 * into f; its start, or e when there is none. */
static size_t word_before(const char *text, size_t e, char *f, size_t cap)
{
    size_t a = e;
    while (a > 0 && e - a < 24 &&
           ((text[a - 1] >= 'a' && text[a - 1] <= 'z') || (text[a - 1] >= 'A' && text[a - 1] <= 'Z') ||
            (unsigned char)text[a - 1] >= 0x80))
        a--;
    if (a == e || at_text_fold(text + a, e - a, f, cap) < 0)
        f[0] = 0;
    return a;
}

/* The gender the text gives the person of first-name span i: a title
 * before the name (Monsieur, M., Mr / Madame, Mme, Mlle), or "né"/"née"
 * after it; other spans of the same name (DURAND Anne, Anne DURAND) are
 * stepped over. 1 female, 2 male, 0 none. */
static int gender_cue(const char *text, size_t len, const at_text_spans *spans, size_t i)
{
    char f[96];
    /* before: over spaces and the name's other parts */
    size_t p = spans->v[i].start, k = i;
    for (int hop = 0; hop < 3; hop++) {
        while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == '.'))
            p--;
        if (k > 0 && spans->v[k - 1].start + spans->v[k - 1].len == p &&
            (spans->v[k - 1].label == AT_PHI_NOM || spans->v[k - 1].label == AT_PHI_PRENOM)) {
            k--;
            p = spans->v[k].start;
            continue;
        }
        break;
    }
    word_before(text, p, f, sizeof f);
    if (!strcmp(f, "mme") || !strcmp(f, "madame") || !strcmp(f, "mlle") || !strcmp(f, "mademoiselle"))
        return 1;
    if (!strcmp(f, "m") || !strcmp(f, "mr") || !strcmp(f, "monsieur"))
        return 2;
    /* after: over the name's other parts, spaces and a comma */
    size_t e = spans->v[i].start + spans->v[i].len;
    k = i;
    for (int hop = 0; hop < 3; hop++) {
        size_t q = e;
        while (q < len && (text[q] == ' ' || text[q] == ','))
            q++;
        if (k + 1 < spans->n && spans->v[k + 1].start == q &&
            (spans->v[k + 1].label == AT_PHI_NOM || spans->v[k + 1].label == AT_PHI_PRENOM)) {
            k++;
            e = spans->v[k].start + spans->v[k].len;
            continue;
        }
        e = q;
        break;
    }
    if (e + 4 <= len &&
        !memcmp(text + e,
                "n\xC3\xA9"
                "e",
                4) &&
        (e + 4 == len || text[e + 4] == ' '))
        return 1;
    if (e + 3 <= len && !memcmp(text + e, "n\xC3\xA9", 3) && (e + 3 == len || text[e + 3] == ' '))
        return 2;
    return 0;
}

/* The reference of the year-less dates before the document's first full
 * date (birth dates aside): that date, the nearest after them. */
static void first_full_date(const char *text, size_t len, const at_text_spans *spans, sur_ctx *c)
{
    for (size_t i = 0; i < spans->n && !c->have_ref; i++)
        if (spans->v[i].label == AT_PHI_DATE && spans->v[i].start <= len &&
            spans->v[i].len <= len - spans->v[i].start)
            c->have_ref = text_date_full_days(text + spans->v[i].start, spans->v[i].len, &c->ref);
}

/* The unit written after an age over 89, " ans", " an" or " a)" (the
 * placeholder says it), as bytes of p (n of them, at most lim up to the
 * next span): 0 when none. */
size_t text_age_unit_len(const char *p, size_t n, size_t lim)
{
    if (lim < n)
        n = lim;
    size_t i = 0;
    while (i < n && i < 2 && (p[i] == ' ' || p[i] == '\t'))
        i++;
    static const char *const units[] = {"ans", "an", "a"};
    for (size_t u = 0; u < 3; u++) {
        size_t k = strlen(units[u]);
        if (i + k > n)
            continue;
        /* (in any case but the lone "a": "97 ANS" in a letter in capitals) */
        size_t same = 0;
        while (same < k &&
               (p[i + same] == units[u][same] || (u < 2 && (p[i + same] | 0x20) == units[u][same])))
            same++;
        if (same < k)
            continue;
        unsigned char next = i + k < n ? (unsigned char)p[i + k] : 0;
        int letter = (next | 0x20) >= 'a' && (next | 0x20) <= 'z';
        if (letter || next >= 0x80 || next == '\'' || next == '-')
            continue;
        int colon = next == ':' || (next == ' ' && i + k + 1 < n && p[i + k + 1] == ':');
        if (u == 2 &&
            !(next == 0 || next == ')' || next == ',' || next == ';' || next == '\n' || next == ']' || colon))
            continue; /* "92 a reçu": a verb */
        return i + k;
    }
    return 0;
}

at_status at_text_deid_apply(const char *text, size_t len, const at_text_spans *spans, at_text_mode mode,
                             const at_key *key, const char *patient_id, at_buf *out)
{
    if (mode == AT_TEXT_PSEUDONYMISE && !key)
        return at_error_set(AT_ERR_ARG, "text deid: pseudonymisation needs a key");
    sur_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.key = key;
    if (mode == AT_TEXT_PSEUDONYMISE) {
        ctx.days = at_text_date_shift_days(key, patient_id);
        if (patient_id) {
            at_keyed_hash(key, "atelier-text-patient", patient_id, strlen(patient_id), ctx.pid,
                          sizeof ctx.pid);
            ctx.have_pid = 1;
        }
        first_full_date(text, len, spans, &ctx);
    }
    size_t pos = 0;
    at_status st = AT_OK;
    for (size_t i = 0; i < spans->n && !st; i++) {
        const at_text_span *sp = &spans->v[i];
        if (sp->start < pos || sp->start + sp->len > len || sp->label <= 0 || sp->label >= AT_PHI_COUNT)
            return at_error_set(AT_ERR_ARG, "text deid: span %zu is out of order or out of range", i);
        size_t from = sp->start; /* a weekday before a date is shifted with it */
        if (mode == AT_TEXT_PSEUDONYMISE && sp->label == AT_PHI_DATE)
            from = text_weekday_before(text, pos, sp->start);
        st = at_buf_append(out, text + pos, from - pos);
        if (!st && mode == AT_TEXT_PSEUDONYMISE && sp->label == AT_PHI_PRENOM)
            ctx.gender = gender_cue(text, len, spans, i);
        size_t flen = sp->start + sp->len - from;
        if (!st && mode == AT_TEXT_PSEUDONYMISE && sp->label == AT_PHI_DATE &&
            text_date_full_days(text + from, flen, &ctx.ref))
            ctx.have_ref = 1; /* the nearest full date before the next ones */
        if (!st)
            st = mode == AT_TEXT_REDACT ? at_buf_puts(out, placeholders[sp->label])
                                        : put_surrogate(out, text + from, flen, sp->label, &ctx);
        pos = sp->start + sp->len;
        if (sp->label == AT_PHI_AGE) /* "92 ans" -> "90 ans ou plus", not "... ou plus ans" */
            pos += text_age_unit_len(text + pos, len - pos,
                                     i + 1 < spans->n ? spans->v[i + 1].start - pos : len - pos);
    }
    if (!st)
        st = at_buf_append(out, text + pos, len - pos);
    return st;
}
