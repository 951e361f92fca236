/* The profile engine: walks the main dataset and every item of every
 * sequence (explicit stack, no C recursion), applies the action of each
 * element (Table E.1-1, the by-VR rules, the allow-list), scans every text
 * value it keeps for what identifies, cleans the pixel data's containers,
 * then adds the de-identification attributes and rebuilds the File Meta. */
#include "deid/allow_table.h"
#include "deid/internal.h"
#include "deid/pixels.h"
#include "deid/vocab.h"

#include <stdio.h>
#include <string.h>

#define VR_SQ AT_VR('S', 'Q')
#define AT_DEID_MAX_SCRUB_BYTES ((uint32_t)1 << 20) /* longer text under a clean action is emptied */
#define VR_UI AT_VR('U', 'I')
#define VR_UN AT_VR('U', 'N')

#define MAX_CHARSETS 16 /* distinct Specific Character Sets kept for nested items */

typedef struct {
    const at_deid_config *cfg;
    char pseudonym[20];
    int day_shift;
    const at_deid_identifiers *ids; /* own_ids, or the memo's */
    at_deid_identifiers own_ids;
    int have_ids; /* own_ids to free */
    at_deid_stats stats;
    /* copies of the (0008,0005) elements met (the tree's move when compacted) */
    at_dcm_element charsets[MAX_CHARSETS];
    int ncharsets;
} deid_ctx;

typedef struct {
    at_dcm_dataset *ds;
    int depth;   /* sequences above ds (0: the main dataset) */
    int charset; /* index in deid_ctx.charsets, -1 for the default repertoire */
} frame;

typedef struct {
    frame *v;
    size_t n, cap;
} frame_stack;

static at_status push(frame_stack *s, at_dcm_dataset *ds, int depth, int charset)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        frame *v = at_realloc(s->v, cap * sizeof *v);
        if (!v)
            return AT_ERR_NOMEM;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n].ds = ds;
    s->v[s->n].depth = depth;
    s->v[s->n].charset = charset;
    s->n++;
    return AT_OK;
}

static int is_free_text(at_vr vr)
{
    return vr == AT_VR('L', 'T') || vr == AT_VR('S', 'T') || vr == AT_VR('U', 'T') || vr == AT_VR('U', 'C') ||
           vr == AT_VR('P', 'N');
}

static int is_sequence(const at_dcm_element *el)
{
    return el->vr == VR_SQ || el->items != NULL;
}

static int is_text(at_vr vr)
{
    return is_free_text(vr) || vr == AT_VR('L', 'O') || vr == AT_VR('S', 'H');
}

/* A dummy consistent with the VR; for binary VRs the value is zeroed in place. */
static at_status set_dummy(deid_ctx *c, at_dcm_element *el)
{
    at_vr vr = el->vr;
    const char *s = NULL;
    char buf[80];
    if (vr == AT_VR('P', 'N'))
        s = "ANONYMOUS";
    else if (vr == AT_VR('D', 'A') || vr == AT_VR('D', 'T')) {
        s = vr == AT_VR('D', 'A') ? "19000101" : "19000101000000";
        if (c->cfg->options & AT_DEID_OPT_MODIFIED_DATES) {
            char *v = at_deid_element_string(el);
            if (!v)
                return AT_ERR_NOMEM;
            if (strlen(v) >= 8 && !strchr(v, '\\') &&
                at_deid_shift_date(v, c->day_shift, buf, sizeof buf) == AT_OK)
                s = buf;
            at_free(v);
            at_error_clear();
        }
    } else if (vr == AT_VR('T', 'M'))
        s = "000000";
    else if (vr == AT_VR('A', 'S'))
        s = "000Y";
    else if (vr == AT_VR('I', 'S') || vr == AT_VR('D', 'S'))
        s = "0";
    else if (vr == AT_VR('A', 'E') || vr == AT_VR('C', 'S'))
        s = "ANONYMOUS";
    else if (vr == AT_VR('U', 'R'))
        s = "urn:atelier:anonymized";
    else if (vr == VR_UI) {
        char *v = at_deid_element_string(el);
        if (!v)
            return AT_ERR_NOMEM;
        at_deid_uid(c->cfg->key, v, buf);
        at_free(v);
        s = buf;
    } else if (is_text(vr))
        s = "ANONYMIZED";
    if (s)
        return at_deid_element_set(el, s);
    /* binary (US, SS, UL, FL, FD, AT, OB, OW, UN, ...): zeros of the same
     * non-zero length */
    if (!el->value || !el->length) {
        unsigned char *z = at_calloc(1, 8);
        if (!z)
            return AT_ERR_NOMEM;
        at_free(el->value);
        el->value = z;
        el->length = vr == AT_VR('U', 'S') || vr == AT_VR('S', 'S') ? 2 : vr == AT_VR('F', 'D') ? 8 : 4;
    } else
        memset(el->value, 0, el->length);
    return AT_OK;
}

/* Every value of a (possibly multi-valued) UI element mapped. */
static at_status map_uids(deid_ctx *c, at_dcm_element *el)
{
    char *v = at_deid_element_string(el);
    if (!v)
        return AT_ERR_NOMEM;
    at_buf out;
    at_buf_init(&out, (size_t)1 << 24);
    at_status st = AT_OK;
    char *p = v;
    for (;;) {
        char *sep = strchr(p, '\\');
        if (sep)
            *sep = '\0';
        /* trim spaces a careless writer left inside */
        while (*p == ' ')
            p++;
        size_t n = strlen(p);
        while (n && p[n - 1] == ' ')
            p[--n] = '\0';
        char mapped[65];
        if (n) {
            at_deid_uid(c->cfg->key, p, mapped);
            st = at_buf_puts(&out, mapped);
        }
        if (!st && sep)
            st = at_buf_putc(&out, '\\');
        if (st || !sep)
            break;
        p = sep + 1;
    }
    if (!st)
        st = at_deid_element_set(el, out.data ? (const char *)out.data : "");
    at_buf_free(&out);
    at_free(v);
    return st;
}

static at_status shift_dates(deid_ctx *c, at_dcm_element *el)
{
    if (el->vr == AT_VR('T', 'M') || !el->value || !el->length)
        return AT_OK; /* a day shift leaves times of day unchanged */
    char *v = at_deid_element_string(el);
    if (!v)
        return AT_ERR_NOMEM;
    at_buf out;
    at_buf_init(&out, (size_t)1 << 24);
    at_status st = AT_OK;
    char *p = v;
    int bad = 0;
    for (;;) {
        char *sep = strchr(p, '\\');
        if (sep)
            *sep = '\0';
        char shifted[80];
        if (*p) {
            if (strlen(p) < 8 || at_deid_shift_date(p, c->day_shift, shifted, sizeof shifted) != AT_OK)
                bad = 1;
            else
                st = at_buf_puts(&out, shifted);
        }
        if (bad || st)
            break;
        if (sep)
            st = at_buf_putc(&out, '\\');
        if (st || !sep)
            break;
        p = sep + 1;
    }
    at_error_clear();
    if (!st)
        st = bad ? set_dummy(c, el) : at_deid_element_set(el, out.data ? (const char *)out.data : "");
    at_buf_free(&out);
    at_free(v);
    return st;
}

/* VRs whose values are free text: masked in place where something identifies. */
static int is_maskable(at_vr vr)
{
    return is_text(vr);
}

/* Attributes whose values are codes of a scheme: scanned for the file's
 * identifiers only (a SNOMED code is a long digit run, not a phone). */
static int is_code_value(at_tag tag)
{
    return tag == AT_TAG(0x0008, 0x0100) || tag == AT_TAG(0x0008, 0x0119) || tag == AT_TAG(0x0008, 0x0120) ||
           tag == AT_TAG(0x0008, 0x0102) || tag == AT_TAG(0x0008, 0x0103);
}

/* Scan a retained string value (vr: its VR as decided) for what identifies
 * (the file's identifiers, the shapes, the detector) and mask it: free text
 * gets '*' over every source byte found (the value keeps its length and
 * encoding); a coded value (CS, AE, IS, DS, UR, ...) that holds an
 * identifier gets the dummy of its VR. Dates, times, UIDs and ages are left
 * to their own rules. A value past 1 MiB is emptied (bounded work). */
/* A string value with a NUL before its padding: what follows the NUL is
 * hidden from a reader that stops there, so it is not trusted: each value
 * (each line of a single-valued VR) ends at its first NUL. Returns 1 when
 * the value changed. */
static int cut_at_nul(at_dcm_element *el, at_vr vr)
{
    size_t n = el->length;
    while (n && (el->value[n - 1] == ' ' || el->value[n - 1] == '\0'))
        n--;
    if (!memchr(el->value, '\0', n))
        return 0;
    int single =
        vr == AT_VR('L', 'T') || vr == AT_VR('S', 'T') || vr == AT_VR('U', 'T') || vr == AT_VR('U', 'R');
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        size_t k = i;
        while (k < n && (single || el->value[k] != '\\'))
            k++;
        const unsigned char *z = memchr(el->value + i, '\0', k - i);
        size_t keep = z ? (size_t)(z - (el->value + i)) : k - i;
        memmove(el->value + w, el->value + i, keep);
        w += keep;
        if (k < n)
            el->value[w++] = '\\';
        i = k + 1;
    }
    unsigned char pad = vr == VR_UI ? '\0' : ' ';
    if (w & 1)
        el->value[w++] = pad;
    el->length = (uint32_t)w;
    return 1;
}

static at_status scan_value(deid_ctx *c, at_dcm_element *el, at_vr vr, const at_dcm_element *charset,
                            int tier)
{
    if (!el->value || !el->length || !at_vr_is_string(vr) || vr == AT_VR('D', 'A') || vr == AT_VR('D', 'T') ||
        vr == AT_VR('T', 'M') || vr == VR_UI || vr == AT_VR('A', 'S'))
        return AT_OK;
    if (cut_at_nul(el, vr))
        c->stats.text_masked++;
    if (!el->length)
        return AT_OK;
    if (el->length > AT_DEID_MAX_SCRUB_BYTES) {
        at_dcm_element_clear(el);
        c->stats.text_masked++;
        return AT_OK;
    }
    if (vr == AT_VR('I', 'S') || vr == AT_VR('D', 'S')) {
        /* numbers: only a run of 6 digits or more can be an ID or a phone
         * (instance numbers, positions and doses stay as they are) */
        size_t run = 0, longest = 0;
        for (uint32_t i = 0; i < el->length; i++) {
            run = el->value[i] >= '0' && el->value[i] <= '9' ? run + 1 : 0;
            if (run > longest)
                longest = run;
        }
        if (longest < 6)
            return AT_OK;
    }
    at_buf text;
    at_buf_init(&text, (size_t)8 * AT_DEID_MAX_SCRUB_BYTES);
    size_t *from = NULL, *to = NULL;
    at_status st = at_dcm_text_decode(charset, vr, el->value, el->length, &text, &from, &to);
    at_deid_ranges r = {0};
    if (!st) {
        unsigned flags = 0;
        int free_text = is_maskable(vr) && !is_code_value(el->tag);
        if (free_text)
            flags =
                AT_DEID_SCAN_SHAPES | ((c->cfg->options & AT_DEID_OPT_FULL_DATES) ? 0 : AT_DEID_SCAN_DATES);
        else if (!is_maskable(vr))
            flags = AT_DEID_SCAN_CODED;
        st = at_deid_scan_text(text.data ? (const char *)text.data : "", text.len, c->ids, flags,
                               free_text ? c->cfg->detect : NULL, c->cfg->detect_ud, c->cfg->options, &r);
        /* what is not known safe does not pass: the words the vocabulary does not know */
        size_t before = r.n;
        if (!st && tier && is_maskable(vr))
            st = at_deid_scan_words(text.data ? (const char *)text.data : "", text.len, tier, &r);
        if (!st && r.n > before)
            c->stats.words_masked++;
    }
    if (!st && r.n && (vr == AT_VR('I', 'S') || vr == AT_VR('D', 'S'))) {
        /* a number is an identifier only as a whole value, not digits inside 0.000000123 */
        const char *t = (const char *)text.data;
        size_t keep = 0;
        for (size_t i = 0; i < r.n; i++) {
            size_t a = r.start[i], b = r.end[i];
            while (a > 0 && (t[a - 1] == ' ' || t[a - 1] == '+' || t[a - 1] == '-'))
                a--;
            while (b < text.len && t[b] == ' ')
                b++;
            if ((a == 0 || t[a - 1] == '\\') && (b == text.len || t[b] == '\\'))
                keep++;
        }
        if (!keep)
            r.n = 0;
    }
    if (!st && r.n) {
        c->stats.text_masked++;
        if (is_maskable(vr)) {
            for (size_t i = 0; i < r.n; i++)
                for (size_t k = r.start[i]; k < r.end[i] && k < text.len; k++)
                    for (size_t b = from[k]; b < to[k] && b < el->length; b++)
                        el->value[b] = '*';
        } else
            st = set_dummy(c, el);
    }
    at_deid_ranges_free(&r);
    at_free(from);
    at_free(to);
    at_buf_free(&text);
    return st;
}

/* 1 when every value of el is a number (digits, sign, dot, spaces). */
static int is_number_list(const at_dcm_element *el)
{
    for (uint32_t i = 0; i < el->length; i++) {
        unsigned char ch = el->value[i];
        if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == '+' || ch == '-' || ch == ' ' || ch == '\\' ||
              !ch))
            return 0;
    }
    return 1;
}

/* Patient's Age kept (patient-characteristics): 90 years and more become
 * 090Y (HIPAA Safe Harbor: ages over 89 are aggregated). */
static at_status cap_age(at_dcm_element *el)
{
    if (!el->value || el->length < 4)
        return AT_OK;
    const unsigned char *v = el->value;
    if (v[3] != 'Y' || v[0] < '0' || v[0] > '9' || v[1] < '0' || v[1] > '9' || v[2] < '0' || v[2] > '9')
        return AT_OK;
    int years = (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
    return years >= 90 ? at_deid_element_set(el, "090Y") : AT_OK;
}

static at_status clean_ae(deid_ctx *c, at_dcm_element *el)
{
    if (!el->value || !el->length)
        return AT_OK;
    char *v = at_deid_element_string(el);
    if (!v)
        return AT_ERR_NOMEM;
    char out[16];
    at_deid_ae_pseudonym(c->cfg->key, v, out);
    at_free(v);
    return at_deid_element_set(el, out);
}

/* Creator string of a private element's block, or NULL (borrowed into buf). */
static const char *private_creator(const at_dcm_dataset *ds, at_tag tag, char *buf, size_t n)
{
    uint16_t e = AT_TAG_ELEMENT(tag);
    if (e < 0x1000)
        return NULL;
    if (at_dcm_get_string(ds, AT_TAG(AT_TAG_GROUP(tag), e >> 8), buf, n) != AT_OK) {
        at_error_clear();
        return NULL;
    }
    return buf;
}

/* Public tags that the dictionary does not know but that may be kept when
 * read as UN (docs/deid.md, "Unknown attributes"). Empty in this release:
 * no attribute unknown to the dictionary is known to be safe. Add a tag only
 * after checking PS3.6 (it holds nothing identifying) and PS3.15. */
static const at_tag unknown_kept[] = {0 /* end */};

static int unknown_is_kept(at_tag tag)
{
    for (const at_tag *t = unknown_kept; *t; t++)
        if (*t == tag)
            return 1;
    return 0;
}

enum { UN_KEEP = 0, UN_REMOVE = 1 };

/* A public element of VR UN (an implicit VR file without a dictionary entry,
 * or declared UN by an explicit VR file): decide what the profile sees.
 * - tag unknown to the dictionary: removed (counted) unless unknown_kept;
 * - tag known as SQ: a value starting with an item tag is parsed as an
 *   implicit VR LE sequence (PS3.5 6.2.2), so the profile applies inside;
 *   a value that cannot be parsed is removed (counted);
 * - other known tags: *vr gets the dictionary VR for the decision; string
 *   VRs are relabelled (their bytes have no byte order).
 * Returns UN_KEEP or UN_REMOVE, or AT_ERR_NOMEM. */
static int resolve_un(deid_ctx *c, at_dcm_element *el, int depth, at_vr *vr)
{
    if (AT_TAG_ELEMENT(el->tag) == 0x0000 || el->encapsulated)
        return UN_KEEP; /* group lengths are dropped anyway; pixel data keeps its form */
    const at_dcm_dict_entry *e = at_dcm_dict_lookup(el->tag);
    if (!e) {
        if (unknown_is_kept(el->tag))
            return UN_KEEP;
        c->stats.unknown_removed++;
        return UN_REMOVE;
    }
    if (e->vr == VR_SQ) {
        if (!el->items && el->length) {
            static const unsigned char item[4] = {0xFE, 0xFF, 0x00, 0xE0};
            at_status st = el->length >= 8 && !memcmp(el->value, item, 4)
                               ? at_dcm_un_to_sequence(el, AT_DCM_MAX_DEPTH - depth, "UN value")
                               : AT_ERR_FORMAT;
            if (st == AT_ERR_NOMEM)
                return AT_ERR_NOMEM;
            at_error_clear();
            if (st) {
                c->stats.un_unparsable++;
                return UN_REMOVE;
            }
            c->stats.un_sequences++;
        }
        el->vr = VR_SQ;
        *vr = VR_SQ;
        return UN_KEEP;
    }
    if (el->items) { /* read as a sequence (undefined length) for a tag that is not one */
        c->stats.un_unparsable++;
        return UN_REMOVE;
    }
    *vr = e->vr; /* UN for the few attributes the standard defines as UN */
    if (at_vr_is_string(e->vr) && (el->length <= 0xFFFF || at_vr_has_long_length(e->vr)))
        el->vr = e->vr;
    return UN_KEEP;
}

/* The charset index for the items of ds: its own (0008,0005) when it has
 * one (copied: the element array moves as it is compacted), else inherited. */
static int frame_charset(deid_ctx *c, const at_dcm_dataset *ds, int inherited)
{
    const at_dcm_element *cs = at_dcm_find(ds, AT_TAG(0x0008, 0x0005));
    if (!cs)
        return inherited;
    for (int i = 0; i < c->ncharsets; i++)
        if (c->charsets[i].length == cs->length &&
            (!cs->length || !memcmp(c->charsets[i].value, cs->value, cs->length)))
            return i;
    if (c->ncharsets == MAX_CHARSETS)
        return inherited;
    at_dcm_element *copy = &c->charsets[c->ncharsets];
    memset(copy, 0, sizeof *copy);
    copy->tag = cs->tag;
    copy->vr = AT_VR('C', 'S');
    if (cs->length && cs->value) {
        copy->value = at_malloc(cs->length);
        if (!copy->value)
            return inherited; /* the default repertoire: scanning still runs, on bytes */
        memcpy(copy->value, cs->value, cs->length);
        copy->length = cs->length;
    }
    return c->ncharsets++;
}

/* One dataset: decide and apply each element's action, compacting the
 * element array in place; sequence items to clean are pushed. */
static at_status process_dataset(deid_ctx *c, frame fr, frame_stack *stack)
{
    at_dcm_dataset *ds = fr.ds;
    unsigned options = c->cfg->options;
    int charset = frame_charset(c, ds, fr.charset);
    const at_dcm_element *cs = charset >= 0 ? &c->charsets[charset] : NULL;
    /* private blocks holding a kept safe element (creator, element and value
     * matching the safe table) keep their creator */
    uint32_t kept_blocks[64];
    size_t kept_count = 0;
    if (options & AT_DEID_OPT_SAFE_PRIVATE) {
        for (size_t i = 0; i < ds->count; i++) {
            at_dcm_element *el = &ds->elements[i];
            at_tag t = el->tag;
            if (!(AT_TAG_GROUP(t) & 1) || AT_TAG_ELEMENT(t) < 0x1000 || el->items)
                continue;
            char creator[80];
            const char *cr = private_creator(ds, t, creator, sizeof creator);
            if (cr && at_deid_private_value_is_safe(t, cr, el->value, el->length) && kept_count < 64)
                kept_blocks[kept_count++] = AT_TAG(AT_TAG_GROUP(t), AT_TAG_ELEMENT(t) >> 8);
        }
    }
    size_t w = 0;
    /* a code item: local codes pseudonymised, ill-formed versions and identifiers removed */
    at_status st = at_deid_code_item(c->cfg->key, ds, &c->stats.codes_replaced);
    for (size_t i = 0; i < ds->count; i++) {
        at_dcm_element *el = &ds->elements[i];
        if (st) { /* after a failure, keep the array consistent for freeing */
            ds->elements[w++] = *el;
            continue;
        }
        at_deid_action a;
        const char *code = "";
        uint16_t g = AT_TAG_GROUP(el->tag), e = AT_TAG_ELEMENT(el->tag);
        at_vr vr = el->vr;
        if (vr == VR_UN && !(g & 1)) {
            int r = resolve_un(c, el, fr.depth, &vr);
            if (r == AT_ERR_NOMEM) {
                st = AT_ERR_NOMEM;
                ds->elements[w++] = *el;
                continue;
            }
            if (r == UN_REMOVE) {
                at_dcm_element_clear(el);
                continue;
            }
        }
        if (fr.depth == 0 && (el->tag == AT_TAG(0x0012, 0x0063) || el->tag == AT_TAG(0x0012, 0x0064))) {
            /* the method and its codes are written afresh by add_attributes:
             * not scanned (a second pass over the door's own output changes nothing) */
            at_dcm_element_clear(el);
            continue;
        }
        if ((g & 1) && e >= 0x0010 && e <= 0x00ff) {
            a = AT_DEID_REMOVE;
            for (size_t k = 0; k < kept_count; k++)
                if (kept_blocks[k] == el->tag)
                    a = AT_DEID_KEEP;
        } else if (g & 1) {
            char creator[80];
            const char *cr = private_creator(ds, el->tag, creator, sizeof creator);
            a = at_deid_action_for(el->tag, vr, options, cr, &code);
            if (a == AT_DEID_KEEP &&
                (el->items || !at_deid_private_value_is_safe(el->tag, cr, el->value, el->length)))
                a = AT_DEID_REMOVE; /* the value does not match the safe table's pattern */
        } else {
            a = at_deid_action_for(el->tag, vr, options, NULL, &code);
            if (a == AT_DEID_REMOVE && !*code && e != 0x0000 && !at_deid_allowlist_action(el->tag, options) &&
                vr != AT_VR('D', 'A') && vr != AT_VR('D', 'T') && vr != AT_VR('T', 'M') && g != 0x5000 &&
                (g < 0x5000 || g > 0x501e) && (g < 0x6000 || g > 0x601e))
                c->stats.not_allowed++;
        }
        int seq = is_sequence(el);
        switch (a) {
        case AT_DEID_REMOVE:
            at_dcm_element_clear(el);
            continue; /* dropped */
        case AT_DEID_EMPTY:
            at_dcm_element_clear(el);
            if (seq)
                el->vr = VR_SQ;
            break;
        case AT_DEID_KEEP:
        case AT_DEID_CLEAN_TEXT:
        case AT_DEID_DUMMY:
        case AT_DEID_UID:
            if (seq) {
                /* items are cleaned by the same rules, the allow-list included */
                for (size_t k = 0; k < el->item_count && !st; k++)
                    st = push(stack, el->items[k], fr.depth + 1, charset);
            } else if (a == AT_DEID_DUMMY)
                st = set_dummy(c, el);
            else if (a == AT_DEID_UID)
                st = el->vr == VR_UI ? (el->value ? map_uids(c, el) : AT_OK) : set_dummy(c, el);
            else if (!(g & 1)) {
                /* the allow-list's own rows (no option): only what is known safe */
                const at_deid_allow_row *row = *code ? NULL : at_deid_allow_find(el->tag);
                char allow = row && !row->option ? row->action : 0;
                if (el->tag == AT_TAG(0x0010, 0x1010))
                    st = cap_age(el);
                else if (!*code && at_deid_allowlist_action(el->tag, options) == 'N' && !is_number_list(el))
                    st = set_dummy(c, el);
                else if (el->tag == AT_TAG(0x0028, 0x2000)) {
                    int keep = 1;
                    st = at_deid_icc_clean(el, &c->stats, &keep);
                    if (!st && !keep) {
                        at_dcm_element_clear(el);
                        continue;
                    }
                } else {
                    if (allow == 'K' && vr == AT_VR('C', 'S') && el->tag != AT_TAG(0x0008, 0x0005) &&
                        el->value) {
                        if (cut_at_nul(el, vr))
                            c->stats.text_masked++;
                        st = at_deid_code_string(c->cfg->key, el, &c->stats.code_strings_replaced);
                    }
                    int tier = allow == 'W'   ? AT_DEID_TIER_GENERAL
                               : allow == 'K' ? AT_DEID_TIER_TECHNICAL
                                              : 0;
                    if (!st)
                        st = scan_value(c, el, vr, cs, tier);
                }
            }
            break;
        case AT_DEID_PSEUDONYM:
            if (seq) {
                at_dcm_element_clear(el);
            } else if (el->tag == AT_TAG(0x0010, 0x0010)) {
                char name[32];
                snprintf(name, sizeof name, "PAT^%s", c->pseudonym);
                st = at_deid_element_set(el, name);
            } else
                st = at_deid_element_set(el, c->pseudonym);
            break;
        case AT_DEID_SHIFT:
            if (!seq)
                st = shift_dates(c, el);
            break;
        case AT_DEID_CLEAN_AE:
            if (!seq)
                st = clean_ae(c, el);
            break;
        }
        ds->elements[w++] = *el;
    }
    ds->count = w;
    return st;
}

static at_status add_code(at_dcm_dataset *seq_owner, const char *value, const char *meaning)
{
    at_dcm_dataset *item;
    at_status st = at_dcm_sequence_append(seq_owner, AT_TAG(0x0012, 0x0064), &item);
    if (!st)
        st = at_dcm_set_string(item, AT_TAG(0x0008, 0x0100), AT_VR('S', 'H'), value);
    if (!st)
        st = at_dcm_set_string(item, AT_TAG(0x0008, 0x0102), AT_VR('S', 'H'), "DCM");
    if (!st)
        st = at_dcm_set_string(item, AT_TAG(0x0008, 0x0104), AT_VR('L', 'O'), meaning);
    return st;
}

/* CID 7050 codes for the options that have one, in code order. */
static const struct {
    unsigned flag;
    const char *code, *meaning;
} method_codes[] = {
    {AT_DEID_OPT_CLEAN_GRAPHICS, "113103", "Clean Graphics Option"},
    {AT_DEID_OPT_CLEAN_DESCRIPTORS, "113105", "Clean Descriptors Option"},
    {AT_DEID_OPT_FULL_DATES, "113106", "Retain Longitudinal Temporal Information Full Dates Option"},
    {AT_DEID_OPT_MODIFIED_DATES, "113107", "Retain Longitudinal Temporal Information Modified Dates Option"},
    {AT_DEID_OPT_PATIENT_CHARACTERISTICS, "113108", "Retain Patient Characteristics Option"},
    {AT_DEID_OPT_DEVICE_IDENTITY, "113109", "Retain Device Identity Option"},
    {AT_DEID_OPT_UIDS, "113110", "Retain UIDs Option"},
    {AT_DEID_OPT_SAFE_PRIVATE, "113111", "Retain Safe Private Option"},
    {AT_DEID_OPT_INSTITUTION_IDENTITY, "113112", "Retain Institution Identity Option"},
};

static at_status add_attributes(at_dcm_dataset *ds, unsigned options)
{
    at_status st = at_dcm_set_string(ds, AT_TAG(0x0012, 0x0062), AT_VR('C', 'S'), "YES");
    char method[256];
    int n = snprintf(method, sizeof method, "ATELIER %s PS3.15 BASIC PROFILE", ATELIER_VERSION);
    for (size_t i = 0; i < sizeof method_codes / sizeof *method_codes; i++)
        if (options & method_codes[i].flag)
            n += snprintf(method + n, sizeof method - (size_t)n, "\\%s",
                          at_deid_option_name(method_codes[i].flag));
    if (!st)
        st = at_dcm_set_string(ds, AT_TAG(0x0012, 0x0063), AT_VR('L', 'O'), method);
    at_dcm_remove(ds, AT_TAG(0x0012, 0x0064));
    if (!st)
        st = add_code(ds, "113100", "Basic Application Confidentiality Profile");
    for (size_t i = 0; i < sizeof method_codes / sizeof *method_codes && !st; i++)
        if (options & method_codes[i].flag)
            st = add_code(ds, method_codes[i].code, method_codes[i].meaning);
    const char *temporal = (options & AT_DEID_OPT_FULL_DATES)       ? "UNMODIFIED"
                           : (options & AT_DEID_OPT_MODIFIED_DATES) ? "MODIFIED"
                                                                    : "REMOVED";
    if (!st)
        st = at_dcm_set_string(ds, AT_TAG(0x0028, 0x0303), AT_VR('C', 'S'), temporal);
    return st;
}

at_status at_deid_apply(at_dcm_file *f, const at_deid_config *cfg)
{
    if (!f || !f->dataset || !cfg || !cfg->key)
        return at_error_set(AT_ERR_ARG, "at_deid_apply: missing file, dataset or key");
    at_status st = at_deid_options_check(cfg->options);
    if (st)
        return st;
    deid_ctx c;
    memset(&c, 0, sizeof c);
    c.cfg = cfg;
    char *identity = at_deid_patient_identity(f->dataset);
    if (!identity)
        return AT_ERR_NOMEM;
    at_deid_patient_pseudonym(cfg->key, identity, c.pseudonym);
    c.day_shift = at_deid_day_shift(cfg->key, identity);
    at_free(identity);
    int charset = frame_charset(&c, f->dataset, -1);
    /* the identifying values of the whole file, before anything changes:
     * every retained text is scanned for them */
    const at_dcm_element *cs = charset >= 0 ? &c.charsets[charset] : NULL;
    if (cfg->memo) {
        st = at_deid_identifiers_memo(f->dataset, cs, cfg->options, cfg->memo, &c.ids);
    } else {
        st = at_deid_identifiers_collect(f->dataset, cs, cfg->options, &c.own_ids);
        c.have_ids = !st;
        c.ids = &c.own_ids;
    }
    /* the pixel data's containers: JPEG COM/APPn segments removed */
    if (!st)
        st = at_deid_pixels_clean(f, &c.stats);
    if (!st && !c.stats.quarantine && !cfg->allow_documents && at_deid_is_document(f->dataset))
        c.stats.quarantine = "encapsulated document (PDF, CDA, ...): content replaced, the file needs review";
    frame_stack stack = {0};
    if (!st)
        st = push(&stack, f->dataset, 0, charset);
    while (!st && stack.n) {
        frame fr = stack.v[--stack.n];
        st = process_dataset(&c, fr, &stack);
    }
    at_free(stack.v);
    if (cfg->stats)
        *cfg->stats = c.stats;
    if (c.have_ids)
        at_deid_identifiers_free(&c.own_ids);
    for (int i = 0; i < c.ncharsets; i++)
        at_free(c.charsets[i].value);
    if (!st)
        st = add_attributes(f->dataset, cfg->options);
    if (!st)
        st = at_dcm_meta_rebuild(f);
    return st;
}
