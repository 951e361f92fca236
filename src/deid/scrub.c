/* The identifying values of a header (names, IDs, numbers, addresses,
 * phones, institutions, every date in its usual spellings), folded for the
 * scan of retained text (scan.c). Also the element string helpers. */
#include "deid/fold.h"
#include "deid/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MIN_IDENTIFIER_LEN 3 /* folded; name parts may be 2 letters (not particles) */
#define MAX_IDENTIFIERS 4096 /* per file: bounds the scan work (values past it are not collected) */
#define MAX_VALUE_BYTES 4096 /* longer values are not collected (free text, not identifiers) */

char *at_deid_element_string(const at_dcm_element *el)
{
    size_t n = el->value ? el->length : 0;
    while (n && (el->value[n - 1] == ' ' || el->value[n - 1] == '\0'))
        n--;
    return at_strndup(n ? (const char *)el->value : "", n);
}

at_status at_deid_element_set(at_dcm_element *el, const char *s)
{
    size_t n = strlen(s);
    if (n > 0xfffffff0u)
        return at_error_set(AT_ERR_LIMIT, "value too long");
    size_t padded = n + (n & 1);
    unsigned char *v = NULL;
    if (padded) {
        v = at_malloc(padded);
        if (!v)
            return AT_ERR_NOMEM;
        memcpy(v, s, n);
        if (n & 1)
            v[n] = (el->vr == AT_VR('U', 'I') || el->vr == AT_VR('O', 'B') || el->vr == AT_VR('U', 'N'))
                       ? '\0'
                       : ' ';
    }
    at_free(el->value);
    el->value = v;
    el->length = (uint32_t)padded;
    return AT_OK;
}

static char *string_of(const at_dcm_dataset *ds, at_tag tag)
{
    at_dcm_element *el = at_dcm_find(ds, tag);
    if (!el || !el->value)
        return NULL;
    char *s = at_deid_element_string(el);
    if (s && !*s) {
        at_free(s);
        return NULL;
    }
    return s;
}

char *at_deid_patient_identity(const at_dcm_dataset *ds)
{
    static const at_tag order[] = {AT_TAG(0x0010, 0x0020), AT_TAG(0x0010, 0x0010), AT_TAG(0x0020, 0x000D)};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        char *s = string_of(ds, order[i]);
        if (s) {
            char *tagged = at_malloc(strlen(s) + 3);
            if (tagged) /* the source is part of the identity: an ID never equals a name */
                snprintf(tagged, strlen(s) + 3, "%c:%s", (char)('0' + i), s);
            at_free(s);
            return tagged;
        }
    }
    return at_strdup("");
}

/* Add the compact folded form of s[0..n) (UTF-8) as an identifier. */
static at_status add_folded(at_deid_identifiers *ids, const char *s, size_t n, int kind)
{
    char f[512];
    size_t len = at_deid_fold_compact(s, n, f, sizeof f);
    size_t min = kind == AT_DEID_ID_NAME ? 2 : MIN_IDENTIFIER_LEN;
    if (len < min)
        return AT_OK;
    if (kind == AT_DEID_ID_NAME && len == 2) {
        static const char *const particles[] = {"de", "du", "la",  "le",  "di",  "da",  "el",
                                                "al", "y",  "van", "von", "der", "den", "st",
                                                "mc", "of", "et",  "dr",  "pr",  "jr",  "sr"};
        for (size_t i = 0; i < sizeof particles / sizeof *particles; i++)
            if (!strcmp(f, particles[i]))
                return AT_OK;
    }
    size_t same = 1;
    while (same < len && f[same] == f[0])
        same++;
    if (same == len)
        return AT_OK; /* "000000000", "xxx": a placeholder, not an identifier */
    for (size_t i = 0; i < ids->count; i++)
        if (ids->v[i].len == len && !memcmp(ids->v[i].text, f, len))
            return AT_OK;
    if (ids->count >= MAX_IDENTIFIERS)
        return AT_OK;
    if (ids->count == ids->cap) {
        size_t cap = ids->cap ? ids->cap * 2 : 64;
        at_deid_identifier *v = at_realloc(ids->v, cap * sizeof *v);
        if (!v)
            return AT_ERR_NOMEM;
        ids->v = v;
        ids->cap = cap;
    }
    char *copy = at_strndup(f, len);
    if (!copy)
        return AT_ERR_NOMEM;
    ids->v[ids->count].text = copy;
    ids->v[ids->count].len = len;
    ids->v[ids->count].kind = kind;
    ids->count++;
    return AT_OK;
}

/* Words that are parts of addresses and institution names everywhere: not
 * identifiers on their own. */
static int common_word(const char *f)
{
    static const char *const words[] = {
        "rue",        "avenue",      "boulevard",  "chemin",    "place",         "allee",      "impasse",
        "route",      "quai",        "cedex",      "france",    "hopital",       "hospital",   "hopitaux",
        "centre",     "center",      "clinique",   "clinic",    "universitaire", "university", "institut",
        "institute",  "medical",     "regional",   "general",   "chu",           "chru",       "service",
        "department", "departement", "radiologie", "radiology", "radiotherapie", "imagerie",   "saint",
        "sainte",     "des",         "les",        "the",       "and",           "pour",       "sur",
        "bis",        "ter",         "lieu",       "dit",       "batiment",      "etage",      "cancer",
        "lutte",      "contre"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (!strcmp(f, words[i]))
            return 1;
    return 0;
}

/* Whole value, then its parts split on seps (parts that are common words skipped). */
static at_status add_value(at_deid_identifiers *ids, const char *v, size_t n, const char *seps, int kind)
{
    at_status st = add_folded(ids, v, n, kind);
    size_t i = 0;
    while (!st && i < n) {
        size_t k = i;
        while (k < n && !strchr(seps, v[k]))
            k++;
        if (k > i && (i > 0 || k < n)) {
            char f[512];
            at_deid_fold_compact(v + i, k - i, f, sizeof f);
            if (!common_word(f))
                st = add_folded(ids, v + i, k - i, kind);
        }
        i = k + 1;
    }
    return st;
}

/* Digit runs of 4 or more inside an ID ("FR-8842-11" gives 8842). */
static at_status add_digit_runs(at_deid_identifiers *ids, const char *v, size_t n)
{
    at_status st = AT_OK;
    for (size_t i = 0; i < n && !st;) {
        size_t k = i;
        while (k < n && v[k] >= '0' && v[k] <= '9')
            k++;
        if (k - i >= 4 && k - i < n)
            st = add_folded(ids, v + i, k - i, AT_DEID_ID_CODE);
        i = k > i ? k : i + 1;
    }
    return st;
}

static at_status add_phone(at_deid_identifiers *ids, const char *v, size_t n)
{
    char d[64];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof d; i++)
        if (v[i] >= '0' && v[i] <= '9')
            d[k++] = v[i];
    d[k] = '\0';
    if (k < 6)
        return add_value(ids, v, n, "\\", AT_DEID_ID_PHONE);
    at_status st = add_folded(ids, d, k, AT_DEID_ID_PHONE);
    char alt[80];
    if (!st && d[0] == '0' && d[1] != '0') { /* national: the international forms too */
        snprintf(alt, sizeof alt, "33%s", d + 1);
        st = add_folded(ids, alt, strlen(alt), AT_DEID_ID_PHONE);
        snprintf(alt, sizeof alt, "330%s", d + 1);
        if (!st)
            st = add_folded(ids, alt, strlen(alt), AT_DEID_ID_PHONE);
    } else if (!st && !strncmp(d, "33", 2) && k > 9) {
        snprintf(alt, sizeof alt, "0%s", d + 2);
        st = add_folded(ids, alt, strlen(alt), AT_DEID_ID_PHONE);
    } else if (!st && !strncmp(d, "0033", 4)) {
        snprintf(alt, sizeof alt, "0%s", d + 4);
        st = add_folded(ids, alt, strlen(alt), AT_DEID_ID_PHONE);
    }
    return st;
}

static const char *const months_fr[] = {"janvier", "fevrier", "mars",      "avril",   "mai",      "juin",
                                        "juillet", "aout",    "septembre", "octobre", "novembre", "decembre"};
static const char *const months_fr_short[] = {"janv", "fevr", "mars", "avr", "mai", "juin",
                                              "juil", "aout", "sept", "oct", "nov", "dec"};
static const char *const months_en[] = {"january",   "february", "march",    "april",
                                        "may",       "june",     "july",     "august",
                                        "september", "october",  "november", "december"};
static const char *const months_en_short[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                              "jul", "aug", "sep", "oct", "nov", "dec"};

/* A date (YYYYMMDD at the start of v) in the spellings text uses: numbers
 * in every order (separators are folded away: 12/03/2024, 12.03.2024 and
 * 12 03 2024 all give 12032024), without leading zeros, two-digit years,
 * French and English month names. */
static at_status add_date(at_deid_identifiers *ids, const char *v)
{
    for (int i = 0; i < 8; i++)
        if (v[i] < '0' || v[i] > '9')
            return AT_OK;
    int y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
    int m = (v[4] - '0') * 10 + (v[5] - '0'), d = (v[6] - '0') * 10 + (v[7] - '0');
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return AT_OK;
    char buf[16][40];
    int k = 0;
    snprintf(buf[k++], 40, "%04d%02d%02d", y, m, d);
    snprintf(buf[k++], 40, "%02d%02d%04d", d, m, y);
    snprintf(buf[k++], 40, "%02d%02d%02d", d, m, y % 100);
    snprintf(buf[k++], 40, "%d%d%04d", d, m, y);
    snprintf(buf[k++], 40, "%02d%02d%04d", m, d, y); /* US order */
    snprintf(buf[k++], 40, "%d%s%04d", d, months_fr[m - 1], y);
    snprintf(buf[k++], 40, "%d%s%04d", d, months_fr_short[m - 1], y);
    snprintf(buf[k++], 40, "%d%s%04d", d, months_en[m - 1], y);
    snprintf(buf[k++], 40, "%d%s%04d", d, months_en_short[m - 1], y);
    snprintf(buf[k++], 40, "%s%d%04d", months_en[m - 1], d, y);
    snprintf(buf[k++], 40, "%s%d%04d", months_en_short[m - 1], d, y);
    if (d == 1)
        snprintf(buf[k++], 40, "1er%s%04d", months_fr[m - 1], y);
    snprintf(buf[k++], 40, "%d%s", d, months_fr[m - 1]); /* "12 mars": no year */
    at_status st = AT_OK;
    for (int i = 0; i < k && !st; i++)
        st = add_folded(ids, buf[i], strlen(buf[i]), AT_DEID_ID_DATE);
    return st;
}

/* Tags whose values identify (besides every PN and every date). */
static const struct {
    at_tag tag;
    int kind;
    unsigned kept_by; /* option under which the value is kept, so not an identifier */
} identifying_tags[] = {
    {AT_TAG(0x0008, 0x0050), AT_DEID_ID_CODE, 0},                                 /* Accession Number */
    {AT_TAG(0x0008, 0x0080), AT_DEID_ID_PLACE, AT_DEID_OPT_INSTITUTION_IDENTITY}, /* Institution Name */
    {AT_TAG(0x0008, 0x0081), AT_DEID_ID_PLACE, AT_DEID_OPT_INSTITUTION_IDENTITY}, /* Institution Address */
    {AT_TAG(0x0008, 0x0092), AT_DEID_ID_PLACE, 0}, /* Referring Physician's Address */
    {AT_TAG(0x0008, 0x0094), AT_DEID_ID_PHONE, 0}, /* Referring Physician's Telephone Numbers */
    {AT_TAG(0x0008, 0x1010), AT_DEID_ID_CODE, AT_DEID_OPT_DEVICE_IDENTITY}, /* Station Name */
    {AT_TAG(0x0008, 0x1040), AT_DEID_ID_PLACE,
     AT_DEID_OPT_INSTITUTION_IDENTITY},            /* Institutional Department Name */
    {AT_TAG(0x0010, 0x0020), AT_DEID_ID_CODE, 0},  /* Patient ID */
    {AT_TAG(0x0010, 0x0021), AT_DEID_ID_CODE, 0},  /* Issuer of Patient ID */
    {AT_TAG(0x0010, 0x1000), AT_DEID_ID_CODE, 0},  /* Other Patient IDs */
    {AT_TAG(0x0010, 0x1040), AT_DEID_ID_PLACE, 0}, /* Patient's Address */
    {AT_TAG(0x0010, 0x1090), AT_DEID_ID_CODE, 0},  /* Medical Record Locator */
    {AT_TAG(0x0010, 0x2150), AT_DEID_ID_PLACE, 0}, /* Country of Residence */
    {AT_TAG(0x0010, 0x2152), AT_DEID_ID_PLACE, 0}, /* Region of Residence */
    {AT_TAG(0x0010, 0x2154), AT_DEID_ID_PHONE, 0}, /* Patient's Telephone Numbers */
    {AT_TAG(0x0010, 0x2155), AT_DEID_ID_PHONE, 0}, /* Patient's Telecom Information */
    {AT_TAG(0x0010, 0x2180), AT_DEID_ID_CODE, 0},  /* Occupation */
    {AT_TAG(0x0010, 0x2299), AT_DEID_ID_PLACE, 0}, /* Responsible Organization */
    {AT_TAG(0x0018, 0x1000), AT_DEID_ID_CODE, AT_DEID_OPT_DEVICE_IDENTITY}, /* Device Serial Number */
    {AT_TAG(0x0020, 0x0010), AT_DEID_ID_CODE, 0},                           /* Study ID */
    {AT_TAG(0x0038, 0x0010), AT_DEID_ID_CODE, 0},                           /* Admission ID */
    {AT_TAG(0x0038, 0x0060), AT_DEID_ID_CODE, 0},                           /* Service Episode ID */
    {AT_TAG(0x0040, 0x0009), AT_DEID_ID_CODE, 0},                           /* Scheduled Procedure Step ID */
    {AT_TAG(0x0040, 0x0253), AT_DEID_ID_CODE, 0},                           /* Performed Procedure Step ID */
    {AT_TAG(0x0040, 0x1001), AT_DEID_ID_CODE, 0},                           /* Requested Procedure ID */
    {AT_TAG(0x0040, 0x1102), AT_DEID_ID_PLACE, 0},                          /* Person's Address */
    {AT_TAG(0x0040, 0x1103), AT_DEID_ID_PHONE, 0},                          /* Person's Telephone Numbers */
    {AT_TAG(0x0040, 0x1104), AT_DEID_ID_PHONE, 0},                          /* Person's Telecom Information */
    {AT_TAG(0x0040, 0x2016), AT_DEID_ID_CODE, 0}, /* Placer Order Number / Imaging Service Request */
    {AT_TAG(0x0040, 0x2017), AT_DEID_ID_CODE, 0}, /* Filler Order Number / Imaging Service Request */
    {AT_TAG(0x0040, 0xA07C), AT_DEID_ID_CODE, 0}, /* Custodial Organization (sequence items hold names) */
};

/* The kind of identifier el's value gives (AT_DEID_ID_), or 0 when it is
 * not collected: what an option keeps, values too long, non-string VRs. */
static int collect_kind(const at_dcm_element *el, unsigned options)
{
    at_vr vr = el->vr;
    int kind = 0;
    int date = vr == AT_VR('D', 'A') || vr == AT_VR('D', 'T');
    if (date) {
        if (options & AT_DEID_OPT_FULL_DATES)
            return 0;
        kind = AT_DEID_ID_DATE;
    } else if (vr == AT_VR('P', 'N'))
        kind = AT_DEID_ID_NAME;
    if (!date) {
        /* what an option keeps (K) or keeps cleaned (C) is not an identifier:
         * the option asked for it (a value is never masked by itself) */
        const char *code = "";
        at_deid_action a = at_deid_action_for(el->tag, vr, options, NULL, &code);
        if (*code && (a == AT_DEID_KEEP || a == AT_DEID_CLEAN_TEXT || a == AT_DEID_CLEAN_AE))
            return 0;
    }
    if (vr != AT_VR('P', 'N') && !date) {
        for (size_t t = 0; t < sizeof identifying_tags / sizeof *identifying_tags; t++)
            if (identifying_tags[t].tag == el->tag) {
                if (options & identifying_tags[t].kept_by)
                    return 0;
                kind = identifying_tags[t].kind;
                break;
            }
        if (!kind)
            return 0;
    }
    if (!el->value || !el->length || el->length > MAX_VALUE_BYTES ||
        !at_vr_is_string(vr == AT_VR('U', 'N') ? AT_VR('L', 'O') : vr))
        return 0;
    return kind;
}

/* One element's value (of kind, from collect_kind) into ids. */
static at_status collect_value(at_deid_identifiers *ids, const at_dcm_element *el,
                               const at_dcm_element *charset, int kind)
{
    at_vr vr = el->vr;
    at_buf b;
    at_buf_init(&b, (size_t)1 << 20);
    at_status st = at_dcm_text_decode(charset, vr, el->value, el->length, &b, NULL, NULL);
    if (!st)
        st = at_buf_putc(&b, '\0');
    if (st) {
        at_buf_free(&b);
        return st;
    }
    const char *v = (const char *)b.data;
    size_t n = b.len - 1;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\0'))
        n--;
    if (kind == AT_DEID_ID_DATE) {
        /* every value (a DT keeps its date part) */
        for (size_t i = 0; i < n && !st;) {
            size_t k = i;
            while (k < n && v[k] != '\\')
                k++;
            if (k - i >= 8)
                st = add_date(ids, v + i);
            i = k + 1;
        }
    } else if (kind == AT_DEID_ID_NAME)
        st = add_value(ids, v, n, "^=\\ -,.'", AT_DEID_ID_NAME);
    else if (kind == AT_DEID_ID_PHONE) {
        for (size_t i = 0; i < n && !st;) {
            size_t k = i;
            while (k < n && v[k] != '\\' && v[k] != '\n' && v[k] != '\r')
                k++;
            st = add_phone(ids, v + i, k - i);
            i = k + 1;
        }
    } else if (kind == AT_DEID_ID_PLACE)
        st = add_value(ids, v, n, "\\^,;\r\n -'", AT_DEID_ID_PLACE);
    else {
        st = add_value(ids, v, n, "\\", AT_DEID_ID_CODE);
        if (!st)
            st = add_digit_runs(ids, v, n);
    }
    at_buf_free(&b);
    return st;
}

/* The elements of the whole tree whose values are collected, in walk order
 * (an explicit stack), with their kinds. */
typedef struct {
    const at_dcm_element *el;
    int kind;
} candidate;
typedef struct {
    candidate *v;
    size_t n, cap;
} candidates;

static void candidates_free(candidates *c)
{
    at_free(c->v);
    memset(c, 0, sizeof *c);
}

static at_status candidates_find(const at_dcm_dataset *ds, unsigned options, candidates *out)
{
    memset(out, 0, sizeof *out);
    const at_dcm_dataset **stack = NULL;
    size_t cap = 0, top = 0;
    at_status st = AT_GROW(stack, cap, 1);
    if (!st)
        stack[top++] = ds;
    while (top && !st) {
        const at_dcm_dataset *cur = stack[--top];
        for (size_t i = 0; i < cur->count && !st; i++) {
            const at_dcm_element *el = &cur->elements[i];
            if (el->items) {
                st = AT_GROW(stack, cap, top + el->item_count);
                for (size_t k = 0; k < el->item_count && !st; k++)
                    stack[top++] = el->items[k];
                continue;
            }
            if ((AT_TAG_GROUP(el->tag) & 1) && el->vr != AT_VR('P', 'N'))
                continue; /* private values are removed or checked by pattern; their names still count */
            int kind = collect_kind(el, options);
            if (kind && !(st = AT_GROW(out->v, out->cap, out->n + 1)))
                out->v[out->n++] = (candidate){el, kind};
        }
    }
    at_free(stack);
    if (st)
        candidates_free(out);
    return st;
}

static at_status collect_candidates(const candidates *c, const at_dcm_element *charset,
                                    at_deid_identifiers *ids)
{
    memset(ids, 0, sizeof *ids);
    at_status st = AT_OK;
    for (size_t i = 0; i < c->n && !st; i++)
        st = collect_value(ids, c->v[i].el, charset, c->v[i].kind);
    if (st)
        at_deid_identifiers_free(ids);
    return st;
}

at_status at_deid_identifiers_collect(const at_dcm_dataset *ds, const at_dcm_element *charset,
                                      unsigned options, at_deid_identifiers *ids)
{
    memset(ids, 0, sizeof *ids);
    candidates c;
    at_status st = candidates_find(ds, options, &c);
    if (!st)
        st = collect_candidates(&c, charset, ids);
    candidates_free(&c);
    return st;
}

/* The memo: what the collection read (options, character set, then each
 * collected element's tag, VR, length and bytes, in walk order) and what it
 * gave. Equal inputs give equal identifiers, so the files of one series
 * (same patient, study, dates) pay for the collection once. */
struct at_deid_memo {
    at_buf key;
    at_deid_identifiers ids;
    int valid;
};

at_deid_memo *at_deid_memo_new(void)
{
    at_deid_memo *m = at_calloc(1, sizeof *m);
    if (m)
        at_buf_init(&m->key, (size_t)64 << 20);
    return m;
}

void at_deid_memo_free(at_deid_memo *m)
{
    if (!m)
        return;
    at_buf_free(&m->key);
    at_deid_identifiers_free(&m->ids);
    at_free(m);
}

static at_status memo_key(const candidates *c, const at_dcm_element *charset, unsigned options, at_buf *key)
{
    unsigned char head[12];
    at_status st = at_buf_append(key, &options, sizeof options);
    uint32_t cl = charset && charset->value ? charset->length : 0;
    if (!st)
        st = at_buf_append(key, &cl, sizeof cl);
    if (!st && cl)
        st = at_buf_append(key, charset->value, cl);
    for (size_t i = 0; i < c->n && !st; i++) {
        const at_dcm_element *el = c->v[i].el;
        uint32_t tag = el->tag, len = el->length;
        uint16_t vr = (uint16_t)el->vr;
        memcpy(head, &tag, 4);
        memcpy(head + 4, &vr, 2);
        memcpy(head + 6, &len, 4);
        head[10] = (unsigned char)c->v[i].kind;
        head[11] = 0;
        st = at_buf_append(key, head, sizeof head);
        if (!st)
            st = at_buf_append(key, el->value, el->length);
    }
    return st;
}

at_status at_deid_identifiers_memo(const at_dcm_dataset *ds, const at_dcm_element *charset, unsigned options,
                                   at_deid_memo *memo, const at_deid_identifiers **ids)
{
    *ids = NULL;
    candidates c;
    at_status st = candidates_find(ds, options, &c);
    at_buf key;
    at_buf_init(&key, (size_t)64 << 20);
    if (!st)
        st = memo_key(&c, charset, options, &key);
    if (!st && memo->valid && key.len == memo->key.len &&
        (!key.len || !memcmp(key.data, memo->key.data, key.len))) {
        *ids = &memo->ids;
    } else if (!st) {
        at_deid_identifiers fresh;
        st = collect_candidates(&c, charset, &fresh);
        if (!st) {
            at_deid_identifiers_free(&memo->ids);
            at_buf_free(&memo->key);
            memo->key = key;
            at_buf_init(&key, (size_t)64 << 20);
            memo->ids = fresh;
            memo->valid = 1;
            *ids = &memo->ids;
        } else {
            memo->valid = 0;
        }
    }
    at_buf_free(&key);
    candidates_free(&c);
    return st;
}

void at_deid_identifiers_free(at_deid_identifiers *ids)
{
    for (size_t i = 0; i < ids->count; i++)
        at_free(ids->v[i].text);
    at_free(ids->v);
    memset(ids, 0, sizeof *ids);
}
