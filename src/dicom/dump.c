/* Text dump in the manner of dcmdump: one line per element, items
 * indented, with length, VM and keyword. Iterative, bounded by
 * AT_DCM_MAX_DEPTH. Values are printed as stored (never transcoded);
 * control characters are escaped so a dump is always one line per element. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define DUMP_MAX_BINARY_VALUES 16

static int vr_single_valued_text(at_vr vr)
{
    return vr == AT_VR('L', 'T') || vr == AT_VR('S', 'T') || vr == AT_VR('U', 'T') || vr == AT_VR('U', 'R');
}

static uint64_t le(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Length of a text value without trailing padding (spaces and NULs). */
static size_t text_len(const at_dcm_element *el)
{
    size_t n = el->length;
    while (n && (el->value[n - 1] == ' ' || el->value[n - 1] == '\0'))
        n--;
    return n;
}

/* Value multiplicity as dcmdump counts it. */
static unsigned long element_vm(const at_dcm_element *el)
{
    if (!el->length)
        return 0;
    if (at_vr_is_string(el->vr)) {
        if (vr_single_valued_text(el->vr))
            return 1;
        unsigned long vm = 1;
        for (uint32_t i = 0; i < el->length; i++)
            vm += el->value[i] == '\\';
        return vm;
    }
    switch (el->vr) {
    case AT_VR('A', 'T'):
        return el->length / 4;
    case AT_VR('U', 'S'):
    case AT_VR('S', 'S'):
        return el->length / 2;
    case AT_VR('U', 'L'):
    case AT_VR('S', 'L'):
    case AT_VR('F', 'L'):
        return el->length / 4;
    case AT_VR('F', 'D'):
    case AT_VR('S', 'V'):
    case AT_VR('U', 'V'):
        return el->length / 8;
    default:
        return 1;
    }
}

/* Print bytes of a text value; control characters as \xNN. */
static at_status put_text(at_buf *b, const unsigned char *v, size_t n)
{
    at_status st = AT_OK;
    for (size_t i = 0; i < n && !st; i++) {
        unsigned char c = v[i];
        if (c < 0x20 || c == 0x7f)
            st = at_buf_printf(b, "\\x%02X", c);
        else
            st = at_buf_putc(b, c);
    }
    return st;
}

/* The value column of a non-sequence element. */
static at_status put_element_value(at_buf *b, const at_dcm_element *el)
{
    if (!el->length)
        return at_buf_puts(b, "(no value available)");
    if (at_vr_is_string(el->vr)) {
        at_status st = at_buf_putc(b, '[');
        if (!st)
            st = put_text(b, el->value, text_len(el));
        return st ? st : at_buf_putc(b, ']');
    }
    unsigned unit;
    switch (el->vr) {
    case AT_VR('U', 'S'):
    case AT_VR('S', 'S'):
    case AT_VR('O', 'W'):
        unit = 2;
        break;
    case AT_VR('A', 'T'):
    case AT_VR('U', 'L'):
    case AT_VR('S', 'L'):
    case AT_VR('F', 'L'):
    case AT_VR('O', 'F'):
    case AT_VR('O', 'L'):
        unit = 4;
        break;
    case AT_VR('F', 'D'):
    case AT_VR('O', 'D'):
    case AT_VR('S', 'V'):
    case AT_VR('U', 'V'):
    case AT_VR('O', 'V'):
        unit = 8;
        break;
    default:
        unit = 1;
        break;
    }
    size_t count = el->length / unit;
    if (count == 0)
        return at_buf_puts(b, "(invalid value length)");
    at_status st = AT_OK;
    for (size_t i = 0; i < count && !st; i++) {
        if (i == DUMP_MAX_BINARY_VALUES) {
            st = at_buf_puts(b, "...");
            break;
        }
        if (i)
            st = at_buf_putc(b, '\\');
        const unsigned char *p = el->value + i * unit;
        uint64_t v = le(p, unit);
        if (st)
            break;
        switch (el->vr) {
        case AT_VR('U', 'S'):
        case AT_VR('U', 'L'):
        case AT_VR('U', 'V'):
        case AT_VR('O', 'L'):
        case AT_VR('O', 'V'): /* decimal, as dcmdump prints them */
            st = at_buf_printf(b, "%llu", (unsigned long long)v);
            break;
        case AT_VR('S', 'S'):
            st = at_buf_printf(b, "%d", (int16_t)(uint16_t)v);
            break;
        case AT_VR('S', 'L'):
            st = at_buf_printf(b, "%d", (int32_t)(uint32_t)v);
            break;
        case AT_VR('S', 'V'):
            st = at_buf_printf(b, "%lld", (long long)(int64_t)v);
            break;
        case AT_VR('F', 'L'):
        case AT_VR('O', 'F'): {
            uint32_t u = (uint32_t)v;
            float x;
            memcpy(&x, &u, 4);
            st = at_buf_printf(b, "%.9g", (double)x);
            break;
        }
        case AT_VR('F', 'D'):
        case AT_VR('O', 'D'): {
            double x;
            memcpy(&x, &v, 8);
            st = at_buf_printf(b, "%.17g", x);
            break;
        }
        case AT_VR('A', 'T'):
            st = at_buf_printf(b, "(%04x,%04x)", (unsigned)(v & 0xffff), (unsigned)(v >> 16));
            break;
        default:
            st = at_buf_printf(b, "%0*llx", (int)unit * 2, (unsigned long long)v);
            break;
        }
    }
    return st;
}

/* Pad the line to column 52 (as dcmdump does), then "# len, vm Keyword". */
static at_status put_tail(at_buf *b, size_t line_start, const char *len, unsigned long vm, const char *kw)
{
    size_t col = b->len - line_start;
    at_status st = AT_OK;
    while (col < 52 && !st) {
        st = at_buf_putc(b, ' ');
        col++;
    }
    if (!st)
        st = at_buf_printf(b, " # %4s, %lu %s\n", len, vm, kw);
    return st;
}

static const char *keyword_of(at_tag tag)
{
    const at_dcm_dict_entry *e = at_dcm_dict_lookup(tag);
    if (e)
        return e->keyword;
    return (AT_TAG_GROUP(tag) & 1) ? "PrivateTag" : "Unknown Tag & Data";
}

static at_status put_indent(at_buf *b, int depth)
{
    at_status st = AT_OK;
    for (int i = 0; i < depth && !st; i++)
        st = at_buf_puts(b, "  ");
    return st;
}

static at_status dump_fragments(at_buf *b, const at_dcm_element *el, int depth)
{
    at_status st = AT_OK;
    for (size_t i = 0; i < el->fragment_count && !st; i++) {
        size_t ls = b->len;
        const at_dcm_fragment *fr = &el->fragments[i];
        at_dcm_element tmp = {0};
        tmp.vr = AT_VR('O', 'B');
        tmp.value = fr->data;
        tmp.length = fr->len;
        char lb[16];
        snprintf(lb, sizeof lb, "%u", fr->len);
        if (!(st = put_indent(b, depth + 1)) && !(st = at_buf_puts(b, "(fffe,e000) pi ")) &&
            !(st = put_element_value(b, &tmp)))
            st = put_tail(b, ls, lb, 1, "Item");
    }
    if (!st) {
        size_t ls = b->len;
        if (!(st = put_indent(b, depth)) &&
            !(st = at_buf_puts(b, "(fffe,e0dd) na (SequenceDelimitationItem)")))
            st = put_tail(b, ls, "0", 0, "SequenceDelimitationItem");
    }
    return st;
}

/* Dump ds at depth (iterative over nesting). */
static at_status dump_dataset(at_buf *b, const at_dcm_dataset *ds)
{
    struct {
        const at_dcm_dataset *ds;
        size_t ei, ii;
        int started;
    } stack[AT_DCM_MAX_DEPTH + 1];
    int sp = 0;
    memset(&stack[0], 0, sizeof stack[0]);
    stack[0].ds = ds;
    at_status st = AT_OK;
    char vb[3], lb[24];
    while (!st) {
        typeof(stack[0]) *f = &stack[sp];
        int depth = sp * 2;
        if (f->ei == f->ds->count) {
            if (sp == 0)
                break;
            /* end of an item */
            size_t ls = b->len;
            if (!(st = put_indent(b, depth - 1)) &&
                !(st = at_buf_puts(b, f->ds->undefined_length
                                          ? "(fffe,e00d) na (ItemDelimitationItem)"
                                          : "(fffe,e00d) na (ItemDelimitationItem for re-encoding)")))
                st = put_tail(b, ls, "0", 0, "ItemDelimitationItem");
            sp--;
            stack[sp].ii++;
            continue;
        }
        const at_dcm_element *el = &f->ds->elements[f->ei];
        int seq = el->vr == AT_VR('S', 'Q') || (el->item_count && !el->encapsulated);
        if (!f->started) {
            size_t ls = b->len;
            if ((st = put_indent(b, depth)) ||
                (st = at_buf_printf(b, "(%04x,%04x) %s ", AT_TAG_GROUP(el->tag), AT_TAG_ELEMENT(el->tag),
                                    at_vr_name(el->vr, vb))))
                break;
            if (el->encapsulated) {
                if (!(st = at_buf_printf(b, "(PixelSequence #=%zu)", el->fragment_count)) &&
                    !(st = put_tail(b, ls, "u/l", 1, keyword_of(el->tag))))
                    st = dump_fragments(b, el, depth);
                f->ei++;
                continue;
            }
            if (!seq) {
                snprintf(lb, sizeof lb, "%u", el->length);
                if (!(st = put_element_value(b, el)))
                    st = put_tail(b, ls, lb, element_vm(el), keyword_of(el->tag));
                f->ei++;
                continue;
            }
            if ((st = at_buf_printf(b, "(Sequence with %s length #=%zu)",
                                    el->undefined_length ? "undefined" : "explicit", el->item_count)) ||
                (st = put_tail(b, ls, el->undefined_length ? "u/l" : "-", 1, keyword_of(el->tag))))
                break;
            f->started = 1;
            f->ii = 0;
        }
        if (f->ii < el->item_count) {
            const at_dcm_dataset *item = el->items[f->ii];
            if (sp + 1 > AT_DCM_MAX_DEPTH) {
                st = at_error_set(AT_ERR_LIMIT, "dataset nested deeper than %d sequences", AT_DCM_MAX_DEPTH);
                break;
            }
            size_t ls = b->len;
            if ((st = put_indent(b, depth + 1)) ||
                (st = at_buf_printf(b, "(fffe,e000) na (Item with %s length #=%zu)",
                                    item->undefined_length ? "undefined" : "explicit", item->count)) ||
                (st = put_tail(b, ls, item->undefined_length ? "u/l" : "-", 1, "Item")))
                break;
            sp++;
            memset(&stack[sp], 0, sizeof stack[sp]);
            stack[sp].ds = item;
            continue;
        }
        size_t ls = b->len;
        if (!(st = put_indent(b, depth)) &&
            !(st = at_buf_puts(b, el->undefined_length
                                      ? "(fffe,e0dd) na (SequenceDelimitationItem)"
                                      : "(fffe,e0dd) na (SequenceDelimitationItem for re-encod.)")))
            st = put_tail(b, ls, "0", 0, "SequenceDelimitationItem");
        f->started = 0;
        f->ei++;
    }
    return st;
}

/* Dump f (meta then dataset) onto out. */
at_status at_dcm_dump(const at_dcm_file *f, at_buf *out)
{
    at_status st = at_buf_printf(out, "# Dicom-File-Format\n\n# Dicom-Meta-Information-Header\n");
    if (!st && f->meta)
        st = dump_dataset(out, f->meta);
    if (!st)
        st = at_buf_printf(out, "\n# Dicom-Data-Set\n# Used TransferSyntax: %s\n", f->transfer_syntax);
    if (!st && f->dataset)
        st = dump_dataset(out, f->dataset);
    return st;
}
