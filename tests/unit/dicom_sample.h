/* Synthetic DICOM datasets for the unit tests (no real patient data). */
#ifndef ATELIER_TEST_DICOM_SAMPLE_H
#define ATELIER_TEST_DICOM_SAMPLE_H

#include "atelier/dicom.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    at_tag tag;
    at_vr vr;
    const char *text; /* string value, or NULL for bytes */
    unsigned char bytes[16];
    uint32_t len;
} sample_value;

/* One element of every VR, on tags whose dictionary VR is that VR (so that
 * implicit VR keeps it), values little-endian. */
static const sample_value sample_values[] = {
    {AT_TAG(0x0008, 0x0015), AT_VR('D', 'T'), "20240101120000", {0}, 0},
    {AT_TAG(0x0008, 0x0018), AT_VR('U', 'I'), "1.2.826.0.1.3680043.10.1459.99.1", {0}, 0},
    {AT_TAG(0x0008, 0x0020), AT_VR('D', 'A'), "20240101", {0}, 0},
    {AT_TAG(0x0008, 0x0030), AT_VR('T', 'M'), "120000.5", {0}, 0},
    {AT_TAG(0x0008, 0x0050), AT_VR('S', 'H'), "ACC123", {0}, 0},
    {AT_TAG(0x0008, 0x0054), AT_VR('A', 'E'), "ATELIER_AE", {0}, 0},
    {AT_TAG(0x0008, 0x0060), AT_VR('C', 'S'), "CT", {0}, 0},
    {AT_TAG(0x0008, 0x0070), AT_VR('L', 'O'), "Synthetic Maker", {0}, 0},
    {AT_TAG(0x0008, 0x0081), AT_VR('S', 'T'), "1 Synthetic Road", {0}, 0},
    {AT_TAG(0x0008, 0x0119), AT_VR('U', 'C'), "LONGCODE\\SECOND", {0}, 0},
    {AT_TAG(0x0008, 0x0120), AT_VR('U', 'R'), "urn:atelier:test", {0}, 0},
    {AT_TAG(0x0008, 0x9459), AT_VR('F', 'L'), NULL, {0x00, 0x00, 0xc0, 0x3f}, 4},
    {AT_TAG(0x0010, 0x0010), AT_VR('P', 'N'), "Doe^Jane=Ideo^Graphic", {0}, 0},
    {AT_TAG(0x0010, 0x1010), AT_VR('A', 'S'), "045Y", {0}, 0},
    {AT_TAG(0x0018, 0x0050), AT_VR('D', 'S'), "1.5\\-2.25", {0}, 0},
    {AT_TAG(0x0018, 0x1638), AT_VR('O', 'F'), NULL, {0, 0, 0x80, 0x3f, 0, 0, 0, 0x40}, 8},
    {AT_TAG(0x0018, 0x6020), AT_VR('S', 'L'), NULL, {0xfb, 0xff, 0xff, 0xff}, 4},
    {AT_TAG(0x0018, 0x9087), AT_VR('F', 'D'), NULL, {0, 0, 0, 0, 0, 0, 0x02, 0x40}, 8},
    {AT_TAG(0x0018, 0x9219), AT_VR('S', 'S'), NULL, {0xfd, 0xff, 0x07, 0x00}, 4},
    {AT_TAG(0x0020, 0x0013), AT_VR('I', 'S'), "42", {0}, 0},
    {AT_TAG(0x0020, 0x4000), AT_VR('L', 'T'), "free text\r\nline two", {0}, 0},
    {AT_TAG(0x0020, 0x9057), AT_VR('U', 'L'), NULL, {0x01, 0x02, 0x03, 0x04}, 4},
    {AT_TAG(0x0028, 0x0009), AT_VR('A', 'T'), NULL, {0x18, 0x00, 0x63, 0x10}, 4},
    {AT_TAG(0x0028, 0x0010), AT_VR('U', 'S'), NULL, {0x00, 0x02, 0x34, 0x12}, 4},
    {AT_TAG(0x0028, 0x1201), AT_VR('O', 'W'), NULL, {0x01, 0x02, 0x03, 0x04, 0x05, 0x06}, 6},
    {AT_TAG(0x0042, 0x0011), AT_VR('O', 'B'), NULL, {1, 2, 3, 4, 5}, 5},
    {AT_TAG(0x0066, 0x0022), AT_VR('O', 'D'), NULL, {1, 2, 3, 4, 5, 6, 7, 8}, 8},
    {AT_TAG(0x0066, 0x0040), AT_VR('O', 'L'), NULL, {1, 2, 3, 4, 5, 6, 7, 8}, 8},
    {AT_TAG(0x0072, 0x006D), AT_VR('U', 'N'), NULL, {9, 8, 7, 6}, 4},
    {AT_TAG(0x0072, 0x0081), AT_VR('O', 'V'), NULL, {1, 2, 3, 4, 5, 6, 7, 8}, 8},
    {AT_TAG(0x0072, 0x0082), AT_VR('S', 'V'), NULL, {0xf9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 8},
    {AT_TAG(0x0072, 0x0083), AT_VR('U', 'V'), NULL, {1, 2, 3, 4, 5, 6, 7, 8}, 8},
    {AT_TAG(0x0040, 0xA160), AT_VR('U', 'T'), NULL, {0}, 0}, /* odd-length text, set below */
};
#define SAMPLE_COUNT (sizeof sample_values / sizeof *sample_values)

/* A dataset holding every VR, nested sequences (defined and undefined
 * lengths), a private block, and (when encapsulated) encapsulated pixel
 * data with an empty offset table and two fragments. NULL on OOM. */
static at_dcm_dataset *sample_dataset(int encapsulated)
{
    at_dcm_dataset *ds = at_dcm_dataset_new();
    if (!ds)
        return NULL;
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        const sample_value *v = &sample_values[i];
        at_status st = v->text  ? at_dcm_set_string(ds, v->tag, v->vr, v->text)
                       : v->len ? at_dcm_set_bytes(ds, v->tag, v->vr, v->bytes, v->len)
                                : at_dcm_set_string(ds, v->tag, AT_VR('U', 'T'), "odd");
        if (st)
            goto fail;
    }
    if (at_dcm_set_string(ds, AT_TAG(0x0008, 0x0016), AT_VR('U', 'I'), "1.2.840.10008.5.1.4.1.1.7") ||
        at_dcm_set_string(ds, AT_TAG(0x0008, 0x0005), AT_VR('C', 'S'), "ISO_IR 100"))
        goto fail;
    /* private block: creator (0029,0010) and two elements */
    if (at_dcm_set_string(ds, AT_TAG(0x0029, 0x0010), AT_VR('L', 'O'), "ATELIER TEST") ||
        at_dcm_set_bytes(ds, AT_TAG(0x0029, 0x1001), AT_VR('U', 'N'), "\x01\x02\x03\x04", 4) ||
        at_dcm_set_bytes(ds, AT_TAG(0x0029, 0x1002), AT_VR('U', 'N'), "ab", 2))
        goto fail;
    /* nested sequences: 2 items in (0008,1115), inner (0008,1140) with one item,
     * and an empty sequence */
    at_dcm_dataset *item, *inner;
    if (at_dcm_sequence_append(ds, AT_TAG(0x0008, 0x1115), &item))
        goto fail;
    item->undefined_length = 1;
    if (at_dcm_set_string(item, AT_TAG(0x0020, 0x000E), AT_VR('U', 'I'), "1.2.3.4") ||
        at_dcm_sequence_append(item, AT_TAG(0x0008, 0x1140), &inner) ||
        at_dcm_set_string(inner, AT_TAG(0x0008, 0x1150), AT_VR('U', 'I'), "1.2.840.10008.5.1.4.1.1.2") ||
        at_dcm_sequence_append(ds, AT_TAG(0x0008, 0x1115), &item) ||
        at_dcm_set_string(item, AT_TAG(0x0020, 0x000E), AT_VR('U', 'I'), "1.2.3.5"))
        goto fail;
    at_dcm_find(ds, AT_TAG(0x0008, 0x1115))->undefined_length = 1;
    at_dcm_element *el;
    if (at_dcm_put(ds, AT_TAG(0x0008, 0x1111), AT_VR('S', 'Q'), &el))
        goto fail;
    if (encapsulated) {
        static const unsigned char f1[] = {0xff, 0xd8, 0x01, 0x02, 0x03, 0x04};
        static const unsigned char f2[] = {0x05, 0x06, 0xff, 0xd9};
        if (at_dcm_put(ds, AT_TAG(0x7FE0, 0x0010), AT_VR('O', 'B'), &el))
            goto fail;
        el->encapsulated = 1;
        el->undefined_length = 1;
        el->fragments = at_calloc(3, sizeof *el->fragments);
        if (!el->fragments)
            goto fail;
        el->fragment_count = 3;
        el->fragments[1].data = at_malloc(sizeof f1);
        el->fragments[2].data = at_malloc(sizeof f2);
        if (!el->fragments[1].data || !el->fragments[2].data)
            goto fail;
        memcpy(el->fragments[1].data, f1, sizeof f1);
        el->fragments[1].len = sizeof f1;
        memcpy(el->fragments[2].data, f2, sizeof f2);
        el->fragments[2].len = sizeof f2;
    } else {
        unsigned char px[8] = {1, 0, 2, 0, 3, 0, 4, 0};
        if (at_dcm_set_bytes(ds, AT_TAG(0x7FE0, 0x0010), AT_VR('O', 'W'), px, sizeof px))
            goto fail;
    }
    return ds;
fail:
    at_dcm_dataset_free(ds);
    return NULL;
}

/* A Part 10 file around sample_dataset in transfer syntax ts. NULL on OOM. */
__attribute__((unused)) static at_dcm_file *sample_file(const char *ts, int encapsulated)
{
    at_dcm_file *f = at_calloc(1, sizeof *f);
    if (!f)
        return NULL;
    snprintf(f->transfer_syntax, sizeof f->transfer_syntax, "%s", ts);
    f->dataset = sample_dataset(encapsulated);
    if (!f->dataset || at_dcm_meta_rebuild(f)) {
        at_dcm_file_free(f);
        return NULL;
    }
    return f;
}

/* 1 if two trees hold the same elements, values, items and fragments
 * (recursive: test trees are shallow). VRs compared when check_vr. */
__attribute__((unused)) static int trees_equal(const at_dcm_dataset *a, const at_dcm_dataset *b, int check_vr)
{
    size_t i = 0, j = 0;
    for (;;) {
        while (i < a->count && AT_TAG_ELEMENT(a->elements[i].tag) == 0)
            i++;
        while (j < b->count && AT_TAG_ELEMENT(b->elements[j].tag) == 0)
            j++;
        if (i == a->count || j == b->count)
            return i == a->count && j == b->count;
        const at_dcm_element *x = &a->elements[i++], *y = &b->elements[j++];
        if (x->tag != y->tag || x->length != y->length || x->item_count != y->item_count ||
            x->fragment_count != y->fragment_count || x->encapsulated != y->encapsulated)
            return 0;
        if (check_vr && x->vr != y->vr)
            return 0;
        if (x->length && memcmp(x->value, y->value, x->length))
            return 0;
        for (size_t k = 0; k < x->fragment_count; k++)
            if (x->fragments[k].len != y->fragments[k].len ||
                (x->fragments[k].len &&
                 memcmp(x->fragments[k].data, y->fragments[k].data, x->fragments[k].len)))
                return 0;
        for (size_t k = 0; k < x->item_count; k++)
            if (!trees_equal(x->items[k], y->items[k], check_vr))
                return 0;
    }
}

#endif
