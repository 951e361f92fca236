/* DICOM reader: Part 10 files and bare datasets, all four uncompressed
 * transfer syntaxes (and the dataset of compressed ones), with an explicit
 * frame stack instead of recursion. Every length is checked against what
 * remains before use; errors name the file, the offset and the tag. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const unsigned char *data;
    size_t len;
    const char *name;
    const char *where; /* "offset" or "inflated offset" */
    size_t elements;
    int stop_before_pixels;
    int meta;        /* stop at the first tag outside group 0002 ... */
    size_t meta_end; /* ... or where (0002,0000) says the meta ends */
    int may_steal;   /* top-level Pixel Data may be left in place (read_file) */
    size_t steal_off, steal_len;
    unsigned steal_unit;
    int max_depth; /* sequences nested below the root (AT_DCM_MAX_DEPTH for files) */
} reader;

#define STEAL_MIN_BYTES 65536

enum { FRAME_DATASET, FRAME_SEQUENCE };

typedef struct {
    int kind;
    int syntax;
    size_t end;   /* SIZE_MAX: undefined length */
    size_t limit; /* end, or the enclosing frame's limit when undefined */
    size_t start;
    at_dcm_dataset *ds;
    at_dcm_element *el; /* sequence being filled (FRAME_SEQUENCE) */
    int unsorted;       /* elements arrived out of tag order (FRAME_DATASET) */
} frame;

#define UNDEF_END SIZE_MAX

int dcm_syntax_of(const char *ts, int *deflated)
{
    if (deflated)
        *deflated = !strcmp(ts, AT_TS_DEFLATED_LE);
    if (!strcmp(ts, AT_TS_IMPLICIT_LE))
        return DCM_IMPLICIT_LE;
    if (!strcmp(ts, AT_TS_EXPLICIT_BE))
        return DCM_EXPLICIT_BE;
    return DCM_EXPLICIT_LE;
}

void dcm_swap(unsigned char *data, size_t len, unsigned unit)
{
    if (unit < 2)
        return;
    for (size_t i = 0; i + unit <= len; i += unit)
        for (unsigned a = 0, b = unit - 1; a < b; a++, b--) {
            unsigned char t = data[i + a];
            data[i + a] = data[i + b];
            data[i + b] = t;
        }
}

static uint16_t rd16(const unsigned char *p, int be)
{
    return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const unsigned char *p, int be)
{
    return be ? ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3])
              : ((uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]);
}

static at_tag rdtag(const unsigned char *p, int be)
{
    return AT_TAG(rd16(p, be), rd16(p + 2, be));
}

#define TAGF "(%04X,%04X)"
#define TAGA(t) AT_TAG_GROUP(t), AT_TAG_ELEMENT(t)

static at_status fail(const reader *r, at_status code, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static at_status fail(const reader *r, at_status code, size_t off, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return at_error_set(code, "%s: %s %zu: %s", r->name, r->where, off, msg);
}

static at_status count_element(reader *r, size_t off)
{
    if (++r->elements > AT_DCM_MAX_ELEMENTS)
        return fail(r, AT_ERR_LIMIT, off, "more than %d elements", AT_DCM_MAX_ELEMENTS);
    return AT_OK;
}

/* Append tag to the frame's dataset while reading (amortised O(1)); a
 * dataset whose tags arrive out of order is sorted once when it ends
 * (finish_dataset), so a hostile order cannot make reading quadratic. */
static at_status add_element(reader *r, frame *f, at_tag tag, at_vr vr, size_t off, at_dcm_element **out)
{
    at_dcm_dataset *ds = f->ds;
    if (ds->count) {
        at_tag last = ds->elements[ds->count - 1].tag;
        if (last == tag)
            return fail(r, AT_ERR_FORMAT, off, "element " TAGF " appears twice", TAGA(tag));
        if (last > tag)
            f->unsorted = 1;
    }
    if (AT_GROW(ds->elements, ds->cap, ds->count + 1))
        return at_error_prefix(AT_ERR_NOMEM, "%s", r->name);
    at_dcm_element *el = &ds->elements[ds->count++];
    memset(el, 0, sizeof *el);
    el->tag = tag;
    el->vr = vr;
    *out = el;
    return AT_OK;
}

static int element_cmp(const void *a, const void *b)
{
    at_tag x = ((const at_dcm_element *)a)->tag, y = ((const at_dcm_element *)b)->tag;
    return x < y ? -1 : x > y;
}

/* Sort a dataset read out of order; a tag found twice is a format error. */
static at_status finish_dataset(reader *r, frame *f)
{
    if (!f->unsorted)
        return AT_OK;
    at_dcm_dataset *ds = f->ds;
    qsort(ds->elements, ds->count, sizeof *ds->elements, element_cmp);
    for (size_t i = 1; i < ds->count; i++)
        if (ds->elements[i].tag == ds->elements[i - 1].tag)
            return fail(r, AT_ERR_FORMAT, f->start,
                        "element " TAGF " appears twice in the dataset or item starting here",
                        TAGA(ds->elements[i].tag));
    f->unsorted = 0;
    return AT_OK;
}

/* Grow an array whose capacity is implicit (next power of two >= count). */
static void *grow_pow2(void *arr, size_t count, size_t size)
{
    if (count && (count & (count - 1)))
        return arr; /* not a power of two: room left */
    size_t cap = count ? count * 2 : 1;
    if (cap > SIZE_MAX / size)
        return NULL;
    return at_realloc(arr, cap * size);
}

/* Fragments of encapsulated pixel data starting at *pos (after the header). */
static at_status read_fragments(reader *r, at_dcm_element *el, size_t *pos, size_t limit, int be)
{
    size_t p = *pos;
    for (;;) {
        if (limit - p < 8)
            return fail(r, AT_ERR_FORMAT, p,
                        "encapsulated pixel data " TAGF ": truncated (no sequence delimiter)", TAGA(el->tag));
        at_tag tag = rdtag(r->data + p, be);
        uint32_t len = rd32(r->data + p + 4, be);
        if (tag == DCM_TAG_SEQ_DELIM) {
            *pos = p + 8;
            return AT_OK;
        }
        if (tag != DCM_TAG_ITEM)
            return fail(r, AT_ERR_FORMAT, p,
                        "encapsulated pixel data " TAGF ": expected an item tag, found " TAGF, TAGA(el->tag),
                        TAGA(tag));
        if (len == DCM_UNDEFINED || len > limit - p - 8)
            return fail(r, AT_ERR_FORMAT, p,
                        "encapsulated pixel data " TAGF ": fragment length %u exceeds remaining %zu bytes",
                        TAGA(el->tag), len, limit - p - 8);
        at_status st = count_element(r, p);
        if (st)
            return st;
        at_dcm_fragment *fr = grow_pow2(el->fragments, el->fragment_count, sizeof *fr);
        if (!fr)
            return at_error_prefix(AT_ERR_NOMEM, "%s", r->name);
        el->fragments = fr;
        at_dcm_fragment *f = &fr[el->fragment_count];
        f->data = NULL;
        f->len = len;
        if (len) {
            f->data = at_malloc(len);
            if (!f->data)
                return at_error_prefix(AT_ERR_NOMEM, "%s", r->name);
            memcpy(f->data, r->data + p + 8, len);
        }
        el->fragment_count++;
        p += 8 + (size_t)len;
    }
}

/* Parse a dataset from r->data[start..] in syntax into root; or, when
 * root_seq is set, the items of a sequence value of defined length (the
 * whole of r->data[start..]) into root_seq. *stop receives where parsing
 * stopped (end of data, meta end, or pixel data when skipped). */
static at_status parse(reader *r, size_t start, int syntax, at_dcm_dataset *root, at_dcm_element *root_seq,
                       size_t *stop)
{
    frame frames[2 * AT_DCM_MAX_DEPTH + 2];
    int sp = 0, depth = 0;
    if (root_seq) {
        frames[0] = (frame){FRAME_SEQUENCE, syntax, r->len, r->len, start, root, root_seq, 0};
        depth = 1;
    } else {
        frames[0] = (frame){FRAME_DATASET, syntax, r->len, r->len, start, root, NULL, 0};
    }
    size_t p = start;
    at_status st;
    for (;;) {
        frame *f = &frames[sp];
        int be = f->syntax == DCM_EXPLICIT_BE;
        size_t limit = f->limit;
        if (f->kind == FRAME_SEQUENCE) {
            if (f->end != UNDEF_END && p == f->end) {
                if (sp == 0)
                    break; /* root_seq: all items read */
                sp--, depth--;
                continue;
            }
            if (limit - p < 8)
                return fail(r, AT_ERR_FORMAT, p, "sequence " TAGF " starting at offset %zu: %s",
                            TAGA(f->el->tag), f->start,
                            f->end == UNDEF_END ? "data ends before its sequence delimiter"
                                                : "truncated item header");
            at_tag tag = rdtag(r->data + p, be);
            uint32_t len = rd32(r->data + p + 4, be);
            if (tag == DCM_TAG_SEQ_DELIM && f->end == UNDEF_END) {
                p += 8;
                sp--, depth--;
                continue;
            }
            if (tag != DCM_TAG_ITEM)
                return fail(r, AT_ERR_FORMAT, p, "sequence " TAGF ": expected an item tag, found " TAGF,
                            TAGA(f->el->tag), TAGA(tag));
            if (len != DCM_UNDEFINED && len > limit - p - 8)
                return fail(r, AT_ERR_FORMAT, p,
                            "sequence " TAGF ": item length %u exceeds remaining %zu bytes", TAGA(f->el->tag),
                            len, limit - p - 8);
            if ((st = count_element(r, p)))
                return st;
            at_dcm_dataset **items = grow_pow2(f->el->items, f->el->item_count, sizeof *items);
            if (!items)
                return at_error_prefix(AT_ERR_NOMEM, "%s", r->name);
            f->el->items = items;
            at_dcm_dataset *item = at_dcm_dataset_new();
            if (!item)
                return at_error_prefix(AT_ERR_NOMEM, "%s", r->name);
            items[f->el->item_count++] = item;
            item->undefined_length = len == DCM_UNDEFINED;
            frames[sp + 1] = (frame){FRAME_DATASET,
                                     f->syntax,
                                     len == DCM_UNDEFINED ? UNDEF_END : p + 8 + len,
                                     len == DCM_UNDEFINED ? limit : p + 8 + len,
                                     p,
                                     item,
                                     NULL,
                                     0};
            sp++;
            p += 8;
            continue;
        }
        /* FRAME_DATASET */
        if (p == limit && f->end != UNDEF_END) {
            if (sp == 0)
                break;
            if ((st = finish_dataset(r, f)))
                return st;
            sp--;
            continue;
        }
        if (limit - p < 4) {
            if (sp == 0 && r->meta)
                break;
            return fail(r, AT_ERR_FORMAT, p, "%s",
                        sp ? "truncated item (data ends inside it)" : "truncated element header");
        }
        size_t off = p;
        at_tag tag = rdtag(r->data + p, be);
        if (sp == 0 && r->meta && (AT_TAG_GROUP(tag) != 0x0002 || p >= r->meta_end))
            break;
        if (tag == DCM_TAG_ITEM_DELIM && f->end == UNDEF_END && sp > 0) {
            if (limit - p < 8)
                return fail(r, AT_ERR_FORMAT, p, "truncated item delimiter");
            p += 8;
            if ((st = finish_dataset(r, f)))
                return st;
            sp--;
            continue;
        }
        if (AT_TAG_GROUP(tag) == 0xFFFE)
            return fail(r, AT_ERR_FORMAT, p, "unexpected item tag " TAGF " in a dataset", TAGA(tag));
        if (sp == 0 && r->stop_before_pixels && tag >= DCM_TAG_PIXEL_DATA)
            break;
        at_vr vr;
        uint32_t len;
        size_t hdr;
        if (limit - p < 8)
            return fail(r, AT_ERR_FORMAT, p, "element " TAGF ": truncated header", TAGA(tag));
        if (f->syntax == DCM_IMPLICIT_LE) {
            vr = at_dcm_implicit_vr(tag);
            len = rd32(r->data + p + 4, 0);
            hdr = 8;
        } else {
            vr = AT_VR(r->data[p + 4], r->data[p + 5]);
            if (!at_vr_is_known(vr))
                return fail(r, AT_ERR_FORMAT, p, "element " TAGF ": unknown VR 0x%02X%02X", TAGA(tag),
                            r->data[p + 4], r->data[p + 5]);
            if (at_vr_has_long_length(vr)) {
                if (limit - p < 12)
                    return fail(r, AT_ERR_FORMAT, p, "element " TAGF ": truncated header", TAGA(tag));
                len = rd32(r->data + p + 8, be);
                hdr = 12;
            } else {
                len = rd16(r->data + p + 6, be);
                hdr = 8;
            }
        }
        p += hdr;
        if ((st = count_element(r, off)))
            return st;
        if (len == DCM_UNDEFINED) {
            at_dcm_element *el;
            if (tag == DCM_TAG_PIXEL_DATA && vr != AT_VR('S', 'Q')) {
                if ((st = add_element(r, f, tag, f->syntax == DCM_IMPLICIT_LE ? AT_VR('O', 'B') : vr, off,
                                      &el)))
                    return st;
                el->encapsulated = 1;
                el->undefined_length = 1;
                if ((st = read_fragments(r, el, &p, limit, be)))
                    return st;
                continue;
            }
            int item_syntax = f->syntax;
            if (f->syntax == DCM_IMPLICIT_LE)
                vr = AT_VR('S', 'Q'); /* undefined length in implicit VR: a sequence */
            else if (vr == AT_VR('U', 'N'))
                item_syntax = DCM_IMPLICIT_LE; /* PS3.5 6.2.2: UN sequence, implicit LE */
            else if (vr != AT_VR('S', 'Q'))
                return fail(r, AT_ERR_FORMAT, off, "element " TAGF " has undefined length", TAGA(tag));
            if (depth >= r->max_depth)
                return fail(r, AT_ERR_LIMIT, off, "sequence " TAGF " nested deeper than %d levels", TAGA(tag),
                            r->max_depth);
            if ((st = add_element(r, f, tag, vr, off, &el)))
                return st;
            el->undefined_length = 1;
            frames[++sp] = (frame){FRAME_SEQUENCE, item_syntax, UNDEF_END, limit, off, f->ds, el, 0};
            depth++;
            continue;
        }
        if (len > limit - p)
            return fail(r, AT_ERR_FORMAT, off, "element " TAGF " length %u exceeds remaining %zu bytes",
                        TAGA(tag), len, limit - p);
        if (vr == AT_VR('S', 'Q')) {
            at_dcm_element *el;
            if (depth >= r->max_depth)
                return fail(r, AT_ERR_LIMIT, off, "sequence " TAGF " nested deeper than %d levels", TAGA(tag),
                            r->max_depth);
            if ((st = add_element(r, f, tag, vr, off, &el)))
                return st;
            frames[++sp] = (frame){FRAME_SEQUENCE, f->syntax, p + len, p + len, off, f->ds, el, 0};
            depth++;
            continue;
        }
        if (len & 1)
            return fail(r, AT_ERR_FORMAT, off, "element " TAGF " has odd length %u", TAGA(tag), len);
        unsigned unit = be ? at_vr_swap_unit(vr) : 1;
        if (unit > 1 && len % unit)
            return fail(r, AT_ERR_FORMAT, off, "element " TAGF " length %u is not a multiple of %u",
                        TAGA(tag), len, unit);
        at_dcm_element *el;
        unsigned char *value = NULL;
        if (r->may_steal && sp == 0 && tag == DCM_TAG_PIXEL_DATA && len >= STEAL_MIN_BYTES) {
            /* left in the file buffer; at_dcm_read_file moves it into place */
            r->steal_off = p;
            r->steal_len = len;
            r->steal_unit = unit;
        } else if (len) {
            value = at_malloc(len);
            if (!value)
                return at_error_prefix(AT_ERR_NOMEM, "%s", r->name);
            memcpy(value, r->data + p, len);
            dcm_swap(value, len, unit);
        }
        if ((st = add_element(r, f, tag, vr, off, &el))) {
            at_free(value);
            return st;
        }
        el->value = value;
        el->length = len;
        p += len;
        if (r->meta && sp == 0 && tag == AT_TAG(0x0002, 0x0000) && len == 4) {
            uint32_t gl = rd32(value, 0);
            if (gl > r->len - p)
                return fail(r, AT_ERR_FORMAT, off,
                            "File Meta group length (0002,0000) %u exceeds remaining %zu bytes", gl,
                            r->len - p);
            r->meta_end = p + gl;
        }
    }
    if (!root_seq && (st = finish_dataset(r, &frames[0])))
        return st;
    if (stop)
        *stop = p;
    return AT_OK;
}

/* 1 if the first explicit VR element of p[0..n) read in this byte order
 * ends inside the data and is followed by the end or by an element with a
 * known VR and a greater tag (datasets are sorted), or has undefined length
 * and is followed by an item tag in this order; -1 when the order cannot
 * tell (a UN of undefined length). */
static int explicit_order_fits(const unsigned char *p, size_t n, int be)
{
    at_vr vr = AT_VR(p[4], p[5]);
    size_t hdr = at_vr_has_long_length(vr) ? 12 : 8;
    if (n < hdr)
        return 0;
    uint32_t len = hdr == 12 ? rd32(p + 8, be) : rd16(p + 6, be);
    if (len == DCM_UNDEFINED) { /* a sequence: its first item tag (or delimiter) is in this order */
        if (vr == AT_VR('U', 'N') || n - hdr < 4)
            return -1; /* a UN's items are little endian whatever the syntax */
        at_tag t = rdtag(p + hdr, be);
        return t == DCM_TAG_ITEM || t == DCM_TAG_SEQ_DELIM;
    }
    if (len > n - hdr)
        return 0;
    size_t end = hdr + len;
    if (end == n)
        return 1;
    if (n - end < 8 || !at_vr_is_known(AT_VR(p[end + 4], p[end + 5])))
        return 0;
    return rdtag(p + end, be) > rdtag(p, be);
}

/* Guess the encoding of a dataset without meta by peeking at its first
 * element: a valid VR at bytes 4-5 means explicit VR; the byte order is the
 * one in which the first element's length leads to a plausible second
 * element (else: a group whose first byte is 0 and second is not, read
 * swapped, means big endian). Otherwise implicit VR LE. */
static int peek_syntax(const unsigned char *p, size_t n)
{
    if (n < 8)
        return DCM_IMPLICIT_LE;
    at_vr vr = AT_VR(p[4], p[5]);
    if (!at_vr_is_known(vr))
        return DCM_IMPLICIT_LE;
    int le = explicit_order_fits(p, n, 0), be = explicit_order_fits(p, n, 1);
    if (be == 1 && le != 1)
        return DCM_EXPLICIT_BE;
    if (le == 1 && be != 1)
        return DCM_EXPLICIT_LE;
    if (p[0] == 0 && p[1] != 0)
        return DCM_EXPLICIT_BE;
    return DCM_EXPLICIT_LE;
}

static const char *syntax_uid(int syntax)
{
    return syntax == DCM_IMPLICIT_LE   ? AT_TS_IMPLICIT_LE
           : syntax == DCM_EXPLICIT_BE ? AT_TS_EXPLICIT_BE
                                       : AT_TS_EXPLICIT_LE;
}

/* Implicit VR: tags the dictionary gives as "US or SS" are SS when Pixel
 * Representation (0028,0103) is 1 (signed), as DCMTK and pydicom decide. */
static void resolve_us_or_ss(at_dcm_dataset *ds)
{
    static const at_tag xs[] = {AT_TAG(0x0018, 0x9810), AT_TAG(0x0022, 0x1452), AT_TAG(0x0028, 0x0071),
                                AT_TAG(0x0028, 0x0104), AT_TAG(0x0028, 0x0105), AT_TAG(0x0028, 0x0106),
                                AT_TAG(0x0028, 0x0107), AT_TAG(0x0028, 0x0108), AT_TAG(0x0028, 0x0109),
                                AT_TAG(0x0028, 0x0110), AT_TAG(0x0028, 0x0111), AT_TAG(0x0028, 0x0120),
                                AT_TAG(0x0028, 0x0121), AT_TAG(0x0040, 0x9211), AT_TAG(0x0040, 0x9216),
                                AT_TAG(0x0060, 0x3004), AT_TAG(0x0060, 0x3006)};
    uint16_t rep;
    if (at_dcm_get_u16(ds, AT_TAG(0x0028, 0x0103), &rep) != AT_OK || rep != 1)
        return;
    for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
        at_dcm_element *el = at_dcm_find(ds, xs[i]);
        if (el && el->vr == AT_VR('U', 'S'))
            el->vr = AT_VR('S', 'S');
    }
}

void at_dcm_file_free(at_dcm_file *f)
{
    if (!f)
        return;
    at_dcm_dataset_free(f->meta);
    at_dcm_dataset_free(f->dataset);
    at_free(f);
}

/* Read a Part 10 file or bare dataset from memory (data not kept). *out
 * owned by the caller (at_dcm_file_free); NULL and a message on error. */
static at_status read_impl(const unsigned char *data, size_t len, const at_dcm_read_options *opt,
                           at_dcm_file **out, reader *steal)
{
    *out = NULL;
    reader r = {data,
                len,
                (opt && opt->name) ? opt->name : "<memory>",
                "offset",
                0,
                opt ? opt->stop_before_pixels : 0,
                0,
                SIZE_MAX,
                steal != NULL,
                0,
                0,
                1,
                AT_DCM_MAX_DEPTH};
    if (len > AT_DCM_MAX_FILE_BYTES)
        return at_error_set(AT_ERR_LIMIT, "%s: %zu bytes exceeds the %zu-byte limit", r.name, len,
                            AT_DCM_MAX_FILE_BYTES);
    if (len == 0)
        return at_error_set(AT_ERR_FORMAT, "%s: empty file", r.name);
    at_dcm_file *f = at_calloc(1, sizeof *f);
    if (!f)
        return at_error_prefix(AT_ERR_NOMEM, "%s", r.name);
    f->meta = at_dcm_dataset_new();
    f->dataset = at_dcm_dataset_new();
    at_status st = AT_OK;
    if (!f->meta || !f->dataset) {
        st = at_error_prefix(AT_ERR_NOMEM, "%s", r.name);
        goto fail;
    }
    size_t p = 0;
    if (len >= 132 && !memcmp(data + 128, "DICM", 4)) {
        f->has_preamble = 1;
        p = 132;
    } else if (len >= 4 && !memcmp(data, "DICM", 4)) {
        p = 4;
    } else if (len >= 128 && len < 132) {
        int zero = 1;
        for (size_t i = 0; i < 128 && zero; i++)
            zero = data[i] == 0;
        if (zero) {
            st = at_error_set(AT_ERR_FORMAT, "%s: offset 128: truncated after the preamble", r.name);
            goto fail;
        }
    }
    int have_meta = len - p >= 4 && data[p] == 0x02 && data[p + 1] == 0x00;
    if (p && !have_meta) {
        st =
            at_error_set(AT_ERR_FORMAT, "%s: offset %zu: no File Meta Information after \"DICM\"", r.name, p);
        goto fail;
    }
    char ts[65] = "";
    int syntax, deflated = 0;
    if (have_meta) {
        r.meta = 1;
        int meta_syntax =
            peek_syntax(data + p, len - p) == DCM_IMPLICIT_LE ? DCM_IMPLICIT_LE : DCM_EXPLICIT_LE;
        if ((st = parse(&r, p, meta_syntax, f->meta, NULL, &p)))
            goto fail;
        r.meta = 0;
        r.elements = 0;
        at_status ts_st = at_dcm_get_string(f->meta, DCM_TAG_TRANSFER_SYNTAX, ts, sizeof ts);
        if (ts_st == AT_ERR_LIMIT) {
            st = at_error_set(AT_ERR_FORMAT, "%s: transfer syntax UID longer than 64 characters", r.name);
            goto fail;
        }
    }
    if (ts[0]) {
        syntax = dcm_syntax_of(ts, &deflated);
    } else {
        syntax = peek_syntax(data + p, len - p);
        snprintf(ts, sizeof ts, "%s", syntax_uid(syntax));
    }
    memcpy(f->transfer_syntax, ts, sizeof ts);
    if (deflated) {
        unsigned char *inflated = NULL;
        size_t n = 0;
        if ((st = dcm_inflate(r.name, data, len, p, &inflated, &n)))
            goto fail;
        reader r2 = r;
        r2.may_steal = 0;
        r2.data = inflated;
        r2.len = n;
        r2.where = "inflated offset";
        st = parse(&r2, 0, DCM_EXPLICIT_LE, f->dataset, NULL, NULL);
        at_free(inflated);
        if (st)
            goto fail;
    } else if ((st = parse(&r, p, syntax, f->dataset, NULL, NULL))) {
        goto fail;
    }
    if (syntax == DCM_IMPLICIT_LE)
        resolve_us_or_ss(f->dataset);
    if (steal)
        *steal = r;
    *out = f;
    return AT_OK;
fail:
    at_dcm_file_free(f);
    return st;
}

at_status at_dcm_read_file(const char *path, const at_dcm_read_options *opt, at_dcm_file **out)
{
    *out = NULL;
    unsigned char *data;
    size_t len;
    at_status st = at_file_read(path, AT_DCM_MAX_FILE_BYTES, &data, &len);
    if (st)
        return st;
    at_dcm_read_options o = {path, 0};
    if (opt) {
        o = *opt;
        if (!o.name)
            o.name = path;
    }
    reader steal;
    memset(&steal, 0, sizeof steal);
    st = read_impl(data, len, &o, out, &steal);
    at_dcm_element *px = st ? NULL : at_dcm_find((*out)->dataset, DCM_TAG_PIXEL_DATA);
    if (px && steal.steal_len && !px->value && px->length == steal.steal_len) {
        /* hand the file buffer over as the pixel value: one move, no new buffer */
        memmove(data, data + steal.steal_off, steal.steal_len);
        dcm_swap(data, steal.steal_len, steal.steal_unit);
        unsigned char *shrunk = at_realloc(data, steal.steal_len);
        px->value = shrunk ? shrunk : data;
        at_error_clear();
        return AT_OK;
    }
    at_free(data);
    return st;
}

/* Read from memory (data is only read, never kept). */
at_status at_dcm_read_memory(const unsigned char *data, size_t len, const at_dcm_read_options *opt,
                             at_dcm_file **out)
{
    return read_impl(data, len, opt, out, NULL);
}

/* Parse el's value (a UN of defined length, PS3.5 6.2.2) as the items of an
 * implicit VR little endian sequence, at most max_depth sequences deep
 * counting this one. On success el holds the items (vr SQ, defined length,
 * value freed); on failure el is unchanged and the message names name, the
 * offset inside the value and the tag. Every length is bounded by the value. */
at_status at_dcm_un_to_sequence(at_dcm_element *el, int max_depth, const char *name)
{
    if (!el || el->items || el->encapsulated || el->undefined_length)
        return at_error_set(AT_ERR_ARG, "at_dcm_un_to_sequence: not a plain value");
    if (max_depth < 1 || max_depth > AT_DCM_MAX_DEPTH)
        return at_error_set(AT_ERR_LIMIT, "%s: UN element (%04X,%04X) would nest deeper than %d sequences",
                            name ? name : "<memory>", AT_TAG_GROUP(el->tag), AT_TAG_ELEMENT(el->tag),
                            AT_DCM_MAX_DEPTH);
    char where[48];
    snprintf(where, sizeof where, "(%04X,%04X) UN value offset", AT_TAG_GROUP(el->tag),
             AT_TAG_ELEMENT(el->tag));
    reader r = {el->value, el->length, name ? name : "<memory>", where, 0, 0, 0, SIZE_MAX, 0, 0, 0,
                1,         max_depth};
    at_dcm_element tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.tag = el->tag;
    tmp.vr = AT_VR('S', 'Q');
    at_status st = el->length ? parse(&r, 0, DCM_IMPLICIT_LE, NULL, &tmp, NULL) : AT_OK;
    if (st) {
        at_dcm_element_clear(&tmp);
        return st;
    }
    at_free(el->value);
    el->value = NULL;
    el->length = 0;
    el->vr = AT_VR('S', 'Q');
    el->items = tmp.items;
    el->item_count = tmp.item_count;
    return AT_OK;
}
