/* DICOM writer: Part 10 encoding in any of the four uncompressed transfer
 * syntaxes (the dataset of compressed ones as explicit LE), sequence and
 * item lengths as they were read (undefined -> delimiters) or computed by
 * back-patching. An explicit stack bounded by AT_DCM_MAX_DEPTH, no recursion. */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#define TAGF "(%04X,%04X)"
#define TAGA(t) AT_TAG_GROUP(t), AT_TAG_ELEMENT(t)
#define OUT_MAX ((size_t)SIZE_MAX / 2)

static void wr16(unsigned char *p, uint16_t v, int be)
{
    if (be) {
        p[0] = (unsigned char)(v >> 8);
        p[1] = (unsigned char)v;
    } else {
        p[0] = (unsigned char)v;
        p[1] = (unsigned char)(v >> 8);
    }
}

static void wr32(unsigned char *p, uint32_t v, int be)
{
    if (be) {
        wr16(p, (uint16_t)(v >> 16), 1);
        wr16(p + 2, (uint16_t)v, 1);
    } else {
        wr16(p, (uint16_t)v, 0);
        wr16(p + 2, (uint16_t)(v >> 16), 0);
    }
}

/* Item or delimiter tag with a 4-byte length. */
static at_status put_item(at_buf *b, at_tag tag, uint32_t len, int syntax)
{
    unsigned char h[8];
    int be = syntax == DCM_EXPLICIT_BE;
    wr16(h, AT_TAG_GROUP(tag), be);
    wr16(h + 2, AT_TAG_ELEMENT(tag), be);
    wr32(h + 4, len, be);
    return at_buf_append(b, h, 8);
}

/* Element header; *len_pos receives where the length field starts. */
static at_status put_header(at_buf *b, at_tag tag, at_vr vr, uint32_t len, int syntax, size_t *len_pos)
{
    unsigned char h[12];
    size_t n;
    int be = syntax == DCM_EXPLICIT_BE;
    wr16(h, AT_TAG_GROUP(tag), be);
    wr16(h + 2, AT_TAG_ELEMENT(tag), be);
    if (syntax == DCM_IMPLICIT_LE) {
        wr32(h + 4, len, 0);
        n = 8;
        if (len_pos)
            *len_pos = b->len + 4;
    } else {
        h[4] = (unsigned char)(vr >> 8);
        h[5] = (unsigned char)vr;
        if (at_vr_has_long_length(vr)) {
            h[6] = h[7] = 0;
            wr32(h + 8, len, be);
            n = 12;
            if (len_pos)
                *len_pos = b->len + 8;
        } else {
            if (len > 0xFFFF) {
                char vb[3];
                return at_error_set(AT_ERR_LIMIT,
                                    "element " TAGF ": %u bytes is too long for VR %s in explicit VR",
                                    TAGA(tag), len, at_vr_name(vr, vb));
            }
            wr16(h + 6, (uint16_t)len, be);
            n = 8;
            if (len_pos)
                *len_pos = b->len + 6;
        }
    }
    return at_buf_append(b, h, n);
}

static int is_sequence(const at_dcm_element *el)
{
    return el->vr == AT_VR('S', 'Q') || (el->item_count > 0 && !el->encapsulated);
}

/* Element with a plain value, swapped for big endian, padded to even length. */
#define STREAM_MIN_BYTES 65536

/* Move what b holds to af (streaming writes); b is emptied. */
static at_status flush_to(at_buf *b, at_atomic_file *af)
{
    at_status st = b->len ? at_atomic_write(af, b->data, b->len) : AT_OK;
    b->len = 0;
    return st;
}

/* Element with a plain value, swapped for big endian, padded to even
 * length. With af, a large value goes straight to the file (b is flushed
 * first; only done where no length is waiting to be patched). */
static at_status put_value(at_buf *b, const at_dcm_element *el, int syntax, at_atomic_file *af)
{
    at_vr vr = el->vr;
    if (!at_vr_is_known(vr))
        vr = AT_VR('U', 'N');
    uint32_t len = el->length;
    if (len >= 0xFFFFFFFEu)
        return at_error_set(AT_ERR_LIMIT, "element " TAGF ": value too long", TAGA(el->tag));
    unsigned unit = syntax == DCM_EXPLICIT_BE ? at_vr_swap_unit(vr) : 1;
    if (unit > 1 && len % unit)
        return at_error_set(AT_ERR_FORMAT, "element " TAGF ": length %u is not a multiple of %u",
                            TAGA(el->tag), len, unit);
    uint32_t padded = len + (len & 1);
    at_status st = put_header(b, el->tag, vr, padded, syntax, NULL);
    if (st)
        return st;
    if (af && len >= STREAM_MIN_BYTES) {
        if ((st = flush_to(b, af)))
            return st;
        if (unit == 1)
            st = at_atomic_write(af, el->value, len);
        for (uint32_t done = 0; unit > 1 && done < len && !st;) {
            unsigned char chunk[16384];
            uint32_t n = len - done < sizeof chunk ? len - done : (uint32_t)sizeof chunk;
            memcpy(chunk, el->value + done, n);
            dcm_swap(chunk, n, unit);
            st = at_atomic_write(af, chunk, n);
            done += n;
        }
    } else {
        size_t at = b->len;
        if (len && (st = at_buf_append(b, el->value, len)))
            return st;
        dcm_swap(b->data + at, len, unit);
    }
    if (!st && padded != len)
        st = at_buf_putc(b, dcm_vr_pad(vr));
    return st;
}

static at_status put_encapsulated(at_buf *b, const at_dcm_element *el, int syntax)
{
    at_status st = put_header(b, el->tag, AT_VR('O', 'B'), DCM_UNDEFINED, syntax, NULL);
    for (size_t i = 0; i < el->fragment_count && !st; i++) {
        const at_dcm_fragment *fr = &el->fragments[i];
        uint32_t padded = fr->len + (fr->len & 1);
        st = put_item(b, DCM_TAG_ITEM, padded, syntax);
        if (!st && fr->len)
            st = at_buf_append(b, fr->data, fr->len);
        if (!st && padded != fr->len)
            st = at_buf_putc(b, 0);
    }
    if (!st)
        st = put_item(b, DCM_TAG_SEQ_DELIM, 0, syntax);
    return st;
}

static void patch32(at_buf *b, size_t pos, uint32_t v, int syntax)
{
    wr32(b->data + pos, v, syntax == DCM_EXPLICIT_BE);
}

/* Encode ds in syntax onto b. Group length elements (gggg,0000) are left
 * out (they are retired outside group 0002 and would go stale), and so are
 * group 0002 elements at the top level (they belong to the File Meta). */
static at_status encode_dataset(at_buf *b, const at_dcm_dataset *ds, int syntax, int native_only,
                                at_atomic_file *af)
{
    struct {
        const at_dcm_dataset *ds;
        size_t ei, ii;
        int syntax, item_syntax, started, seq_undefined;
        size_t seq_len_pos, seq_start, item_len_pos, item_start;
    } stack[AT_DCM_MAX_DEPTH + 1];
    int sp = 0;
    memset(&stack[0], 0, sizeof stack[0]);
    stack[0].ds = ds;
    stack[0].syntax = syntax;
    at_status st;
    for (;;) {
        typeof(stack[0]) *f = &stack[sp];
        if (f->ei == f->ds->count) {
            if (sp == 0)
                return AT_OK;
            sp--;
            f = &stack[sp];
            const at_dcm_element *el = &f->ds->elements[f->ei];
            const at_dcm_dataset *item = el->items[f->ii];
            if (item->undefined_length) {
                if ((st = put_item(b, DCM_TAG_ITEM_DELIM, 0, f->item_syntax)))
                    return st;
            } else {
                size_t n = b->len - f->item_start;
                if (n >= DCM_UNDEFINED)
                    return at_error_set(AT_ERR_LIMIT, "item too long for a 32-bit length");
                patch32(b, f->item_len_pos, (uint32_t)n, f->item_syntax);
            }
            f->ii++;
            continue;
        }
        const at_dcm_element *el = &f->ds->elements[f->ei];
        if (!f->started) {
            if (AT_TAG_ELEMENT(el->tag) == 0 || AT_TAG_GROUP(el->tag) == 0xFFFE ||
                (sp == 0 && AT_TAG_GROUP(el->tag) == 0x0002)) {
                f->ei++;
                continue;
            }
            if (el->encapsulated) {
                if (native_only)
                    return at_error_set(AT_ERR_UNSUPPORTED,
                                        "encapsulated pixel data needs a compressed transfer syntax");
                if ((st = put_encapsulated(b, el, f->syntax)))
                    return st;
                f->ei++;
                continue;
            }
            if (!is_sequence(el)) {
                if ((st = put_value(b, el, f->syntax, sp == 0 ? af : NULL)))
                    return st;
                f->ei++;
                continue;
            }
            /* a sequence read as UN (PS3.5 6.2.2) is written as the SQ it is */
            /* implicit VR: a sequence the dictionary does not know (private) gets a
             * defined length, so that readers can skip it as UN */
            f->seq_undefined = el->undefined_length && !(f->syntax == DCM_IMPLICIT_LE &&
                                                         at_dcm_implicit_vr(el->tag) != AT_VR('S', 'Q'));
            if ((st = put_header(b, el->tag, AT_VR('S', 'Q'), f->seq_undefined ? DCM_UNDEFINED : 0, f->syntax,
                                 &f->seq_len_pos)))
                return st;
            f->seq_start = b->len;
            f->item_syntax = f->syntax;
            f->started = 1;
            f->ii = 0;
        }
        if (f->ii < el->item_count) {
            const at_dcm_dataset *item = el->items[f->ii];
            if (sp + 1 > AT_DCM_MAX_DEPTH)
                return at_error_set(AT_ERR_LIMIT, "dataset nested deeper than %d sequences",
                                    AT_DCM_MAX_DEPTH);
            f->item_len_pos = b->len + 4;
            if ((st = put_item(b, DCM_TAG_ITEM, item->undefined_length ? DCM_UNDEFINED : 0, f->item_syntax)))
                return st;
            f->item_start = b->len;
            int child_syntax = f->item_syntax;
            sp++;
            memset(&stack[sp], 0, sizeof stack[sp]);
            stack[sp].ds = item;
            stack[sp].syntax = child_syntax;
            continue;
        }
        if (f->seq_undefined) {
            if ((st = put_item(b, DCM_TAG_SEQ_DELIM, 0, f->item_syntax)))
                return st;
        } else {
            size_t n = b->len - f->seq_start;
            if (n >= DCM_UNDEFINED)
                return at_error_set(AT_ERR_LIMIT, "sequence too long for a 32-bit length");
            patch32(b, f->seq_len_pos, (uint32_t)n, f->syntax);
        }
        f->started = 0;
        f->ii = 0;
        f->ei++;
    }
}

static void *z_alloc(void *ud, unsigned items, unsigned size)
{
    (void)ud;
    return at_calloc(items, size);
}

static void z_free(void *ud, void *p)
{
    (void)ud;
    at_free(p);
}

/* Raw-deflate in[0..n) onto b, padded to even length. */
static at_status deflate_onto(at_buf *b, const unsigned char *in, size_t n)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = z_alloc;
    zs.zfree = z_free;
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return at_error_set(AT_ERR_NOMEM, "cannot start deflating");
    at_status st = AT_OK;
    size_t left = n;
    unsigned char chunk[65536];
    for (;;) {
        if (zs.avail_in == 0 && left) {
            size_t c = left > (1u << 30) ? (1u << 30) : left;
            zs.next_in = (unsigned char *)in + (n - left);
            zs.avail_in = (uInt)c;
            left -= c;
        }
        zs.next_out = chunk;
        zs.avail_out = sizeof chunk;
        int zr = deflate(&zs, left ? Z_NO_FLUSH : Z_FINISH);
        if (zr == Z_STREAM_ERROR || zr == Z_MEM_ERROR) {
            st = at_error_set(AT_ERR_NOMEM, "deflate failed");
            break;
        }
        if ((st = at_buf_append(b, chunk, sizeof chunk - zs.avail_out)))
            break;
        if (zr == Z_STREAM_END)
            break;
    }
    deflateEnd(&zs);
    if (!st && (b->len & 1))
        st = at_buf_putc(b, 0);
    return st;
}

/* Fill the File Meta elements atelier always writes: version, SOP class
 * and instance (from the dataset when absent), transfer syntax, and our
 * implementation UID and version name when absent or when force is set. */
static at_status meta_fill(at_dcm_dataset *meta, const at_dcm_dataset *ds, const char *ts, int force)
{
    static const unsigned char version[2] = {0, 1};
    at_status st = AT_OK;
    if (!at_dcm_find(meta, AT_TAG(0x0002, 0x0001)))
        st = at_dcm_set_bytes(meta, AT_TAG(0x0002, 0x0001), AT_VR('O', 'B'), version, 2);
    static const struct {
        at_tag meta, data;
    } uids[] = {{AT_TAG(0x0002, 0x0002), AT_TAG(0x0008, 0x0016)},
                {AT_TAG(0x0002, 0x0003), AT_TAG(0x0008, 0x0018)}};
    for (size_t i = 0; i < 2 && !st; i++) {
        const at_dcm_element *src = at_dcm_find(ds, uids[i].data);
        if ((force || !at_dcm_find(meta, uids[i].meta)) && src && src->length)
            st = at_dcm_set_bytes(meta, uids[i].meta, AT_VR('U', 'I'), src->value, src->length);
    }
    if (!st)
        st = at_dcm_set_string(meta, DCM_TAG_TRANSFER_SYNTAX, AT_VR('U', 'I'), ts);
    if (!st && (force || !at_dcm_find(meta, AT_TAG(0x0002, 0x0012))))
        st = at_dcm_set_string(meta, AT_TAG(0x0002, 0x0012), AT_VR('U', 'I'), AT_IMPLEMENTATION_UID);
    if (!st && (force || !at_dcm_find(meta, AT_TAG(0x0002, 0x0013))))
        st = at_dcm_set_string(meta, AT_TAG(0x0002, 0x0013), AT_VR('S', 'H'), AT_IMPLEMENTATION_VERSION);
    return st;
}

/* Replace f->meta with a fresh File Meta for f->dataset. f unchanged on error. */
at_status at_dcm_meta_rebuild(at_dcm_file *f)
{
    at_dcm_dataset *meta = at_dcm_dataset_new();
    if (!meta)
        return AT_ERR_NOMEM;
    if (!f->transfer_syntax[0])
        snprintf(f->transfer_syntax, sizeof f->transfer_syntax, "%s", AT_TS_EXPLICIT_LE);
    at_status st = meta_fill(meta, f->dataset, f->transfer_syntax, 1);
    if (st) {
        at_dcm_dataset_free(meta);
        return st;
    }
    at_dcm_dataset_free(f->meta);
    f->meta = meta;
    return AT_OK;
}

static int ts_is_native(const char *ts)
{
    return !strcmp(ts, AT_TS_IMPLICIT_LE) || !strcmp(ts, AT_TS_EXPLICIT_LE) ||
           !strcmp(ts, AT_TS_EXPLICIT_BE) || !strcmp(ts, AT_TS_DEFLATED_LE);
}

/* A lower bound of the encoded size of ds's top level, to size the output
 * buffer once (pixel data dominates; nested items grow the buffer). */
static size_t estimate_size(const at_dcm_dataset *ds)
{
    size_t n = 4096;
    for (size_t i = 0; i < ds->count; i++) {
        const at_dcm_element *el = &ds->elements[i];
        n += 16 + el->length;
        for (size_t k = 0; k < el->fragment_count; k++)
            n += 9 + el->fragments[k].len;
    }
    return n;
}

/* Pre-allocate room for cap bytes in an empty buffer (a failure here is
 * harmless: the buffer grows as it goes). */
static void buf_presize(at_buf *b, size_t cap)
{
    if (b->data || cap > b->max)
        return;
    b->data = at_malloc(cap + 1);
    if (b->data) {
        b->cap = cap + 1;
        b->data[0] = '\0';
    } else {
        at_error_clear();
    }
}

/* Encode f as Part 10 into *out (caller frees with at_free); with af,
 * stream to af instead (*out gets nothing). With bare, the dataset alone:
 * no preamble, no "DICM", no File Meta (only the three syntaxes a reader
 * can tell from the bytes). */
static at_status write_impl(const at_dcm_file *f, int bare, unsigned char **out, size_t *len,
                            at_atomic_file *af)
{
    *out = NULL;
    *len = 0;
    const char *ts = f->transfer_syntax[0] ? f->transfer_syntax : AT_TS_EXPLICIT_LE;
    if (strlen(ts) > 64)
        return at_error_set(AT_ERR_ARG, "transfer syntax UID longer than 64 characters");
    if (bare && strcmp(ts, AT_TS_IMPLICIT_LE) && strcmp(ts, AT_TS_EXPLICIT_LE) &&
        strcmp(ts, AT_TS_EXPLICIT_BE))
        return at_error_set(AT_ERR_UNSUPPORTED,
                            "a bare dataset is written in implicit VR LE, explicit VR LE or explicit VR BE "
                            "only (without File Meta nothing says it is deflated or compressed)");
    at_dcm_dataset *meta = f->meta ? at_dcm_dataset_clone(f->meta) : at_dcm_dataset_new();
    if (!meta)
        return AT_ERR_NOMEM;
    static const at_dcm_dataset empty;
    const at_dcm_dataset *ds = f->dataset ? f->dataset : &empty;
    at_buf b, tmp;
    at_buf_init(&b, OUT_MAX);
    at_buf_init(&tmp, OUT_MAX);
    at_status st = meta_fill(meta, ds, ts, 0);
    if (st)
        goto done;
    int deflated;
    int syntax = dcm_syntax_of(ts, &deflated);
    if (deflated || !af)
        af = NULL; /* deflate needs the whole dataset; streaming is for plain syntaxes */
    buf_presize(deflated ? &tmp : &b, af ? 65536 : estimate_size(ds));
    static const unsigned char zero[128];
    if (bare) {
        st = encode_dataset(&b, ds, syntax, 1, af);
        if (!st && af)
            st = flush_to(&b, af);
        goto done;
    }
    if ((st = at_buf_append(&b, zero, sizeof zero)) || (st = at_buf_append(&b, "DICM", 4)))
        goto done;
    /* meta: group length first, then every other group 0002 element */
    size_t gl_value;
    if ((st = put_header(&b, AT_TAG(0x0002, 0x0000), AT_VR('U', 'L'), 4, DCM_EXPLICIT_LE, NULL)))
        goto done;
    gl_value = b.len;
    if ((st = at_buf_append(&b, zero, 4)))
        goto done;
    for (size_t i = 0; i < meta->count; i++) {
        const at_dcm_element *el = &meta->elements[i];
        if (AT_TAG_GROUP(el->tag) != 0x0002 || AT_TAG_ELEMENT(el->tag) == 0)
            continue;
        if (el->item_count || el->encapsulated) {
            st =
                at_error_set(AT_ERR_FORMAT, "File Meta element " TAGF " cannot be a sequence", TAGA(el->tag));
            goto done;
        }
        if ((st = put_value(&b, el, DCM_EXPLICIT_LE, NULL)))
            goto done;
    }
    size_t gl = b.len - gl_value - 4;
    if (gl >= DCM_UNDEFINED) {
        st = at_error_set(AT_ERR_LIMIT, "File Meta too long");
        goto done;
    }
    wr32(b.data + gl_value, (uint32_t)gl, 0);
    int native = ts_is_native(ts);
    if (deflated) {
        if ((st = encode_dataset(&tmp, ds, DCM_EXPLICIT_LE, 1, NULL)))
            goto done;
        st = deflate_onto(&b, tmp.data ? tmp.data : zero, tmp.len);
    } else {
        st = encode_dataset(&b, ds, syntax, native, af);
    }
    if (!st && af)
        st = flush_to(&b, af);
done:
    at_dcm_dataset_free(meta);
    at_buf_free(&tmp);
    if (st) {
        at_buf_free(&b);
        return st;
    }
    *out = at_buf_steal(&b, len);
    return AT_OK;
}

/* Encode f as Part 10 into *out (caller frees with at_free). */
at_status at_dcm_write_memory(const at_dcm_file *f, unsigned char **out, size_t *len)
{
    return write_impl(f, 0, out, len, NULL);
}

/* Encode f->dataset alone (a bare dataset) into *out (caller frees). */
at_status at_dcm_write_bare_memory(const at_dcm_file *f, unsigned char **out, size_t *len)
{
    return write_impl(f, 1, out, len, NULL);
}

/* Encode f (bare: the dataset alone) and write it to path atomically
 * (nothing left at path on error). Plain syntaxes stream large top-level
 * values straight to the file; deflated output is built in memory first. */
static at_status write_file(const at_dcm_file *f, int bare, const char *path)
{
    at_atomic_file *af;
    at_status st = at_atomic_open(path, &af);
    if (st)
        return st;
    unsigned char *data = NULL;
    size_t len = 0;
    st = write_impl(f, bare, &data, &len, af);
    if (!st && data)
        st = at_atomic_write(af, data, len);
    at_free(data);
    if (st) {
        at_atomic_abort(af);
        return at_error_prefix(st, "%s", path);
    }
    return at_atomic_commit(af);
}

at_status at_dcm_write_file(const at_dcm_file *f, const char *path)
{
    return write_file(f, 0, path);
}

at_status at_dcm_write_bare_file(const at_dcm_file *f, const char *path)
{
    return write_file(f, 1, path);
}
