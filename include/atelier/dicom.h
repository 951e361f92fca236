/* atelier dicom: data dictionary, Part 10 reader and writer, dataset tree.
 *
 * The tree is plain data: a dataset is an array of elements sorted by tag;
 * a sequence element holds items, each a dataset; encapsulated pixel data
 * holds fragments kept byte-exact. Values are stored in little-endian byte
 * order whatever the transfer syntax they came from, so callers never swap.
 * Nothing here recurses on the C stack over a file's nesting: reading and
 * writing use explicit stacks bounded by AT_DCM_MAX_DEPTH. */
#ifndef ATELIER_DICOM_H
#define ATELIER_DICOM_H

#include "atelier/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Documented ceilings for untrusted input. */
#define AT_DCM_MAX_FILE_BYTES ((size_t)4 << 30)       /* 4 GiB */
#define AT_DCM_MAX_INFLATED_BYTES ((size_t)1 << 30)   /* deflated dataset after inflation: 1 GiB */
#define AT_DCM_MAX_INFLATE_RATIO 256                  /* inflated / compressed bytes, ... */
#define AT_DCM_INFLATE_RATIO_FLOOR ((size_t)16 << 20) /* ... checked past 16 MiB inflated */
#define AT_DCM_MAX_DEPTH 64                           /* nested sequences */
#define AT_DCM_MAX_ELEMENTS 1000000                   /* per file, all depths */

typedef uint32_t at_tag;
#define AT_TAG(g, e) ((at_tag)(((uint32_t)(g) << 16) | (uint32_t)(e)))
#define AT_TAG_GROUP(t) ((uint16_t)((t) >> 16))
#define AT_TAG_ELEMENT(t) ((uint16_t)((t)&0xffff))

/* A VR as its two ASCII characters packed: AT_VR('P','N'). */
typedef uint16_t at_vr;
#define AT_VR(a, b) ((at_vr)(((unsigned)(a) << 8) | (unsigned)(b)))
#define AT_VR_NONE 0

/* Transfer syntaxes. */
#define AT_TS_IMPLICIT_LE "1.2.840.10008.1.2"
#define AT_TS_EXPLICIT_LE "1.2.840.10008.1.2.1"
#define AT_TS_DEFLATED_LE "1.2.840.10008.1.2.1.99"
#define AT_TS_EXPLICIT_BE "1.2.840.10008.1.2.2"

typedef struct at_dcm_dataset at_dcm_dataset;

typedef struct {
    unsigned char *data; /* owned */
    uint32_t len;
} at_dcm_fragment;

typedef struct {
    at_tag tag;
    at_vr vr;               /* as read (explicit) or from the dictionary (implicit); UN if unknown */
    int undefined_length;   /* read with 0xFFFFFFFF length (SQ, encapsulated, UN-as-SQ) */
    unsigned char *value;   /* owned, little-endian, NULL when empty or SQ/encapsulated */
    uint32_t length;        /* bytes in value */
    at_dcm_dataset **items; /* SQ items (owned), or NULL */
    size_t item_count;
    at_dcm_fragment *fragments; /* encapsulated pixel data: [0] is the basic offset table */
    size_t fragment_count;
    int encapsulated; /* 1 for encapsulated pixel data */
} at_dcm_element;

struct at_dcm_dataset {
    at_dcm_element *elements; /* owned, sorted by tag, unique tags */
    size_t count, cap;
    int undefined_length;                 /* as an item: read with undefined length (written back so) */
    struct at_dcm_dataset *internal_next; /* library-internal (iterative free); leave alone */
};

typedef struct {
    at_dcm_dataset *meta;     /* group 0002 (owned); may be empty for bare datasets */
    at_dcm_dataset *dataset;  /* the main dataset (owned) */
    char transfer_syntax[65]; /* of the main dataset */
    int has_preamble;
} at_dcm_file;

/* ---- dictionary ---- */
typedef struct {
    at_tag tag;
    at_tag mask; /* for repeating groups: bits that must match (0xffffffff when exact) */
    at_vr vr;    /* first VR for multi-VR entries (e.g. US or SS -> US) */
    const char *vm;
    const char *keyword;
    const char *name;
} at_dcm_dict_entry;
/* Dictionary entry for tag, or NULL. Private tags: NULL except (gggg,0010-00ff) creators (LO). */
const at_dcm_dict_entry *at_dcm_dict_lookup(at_tag tag);
/* Entry by keyword ("PatientName"), or NULL. */
const at_dcm_dict_entry *at_dcm_dict_by_keyword(const char *keyword);
size_t at_dcm_dict_size(void);
/* "PN" etc. into buf[3]. */
const char *at_vr_name(at_vr vr, char buf[3]);
/* 1 if s (2 chars) names a VR of the current standard. */
int at_vr_is_known(at_vr vr);
/* Parse "PN" (two uppercase letters) into a VR; AT_VR_NONE if not a known VR. */
at_vr at_vr_parse(const char *s);
/* 1 if the VR uses the 4-byte length form in explicit VR (OB OD OF OL OV OW SQ SV UC UN UR UT UV). */
int at_vr_has_long_length(at_vr vr);
/* 1 for the VRs whose value is text (AE AS CS DA DS DT IS LO LT PN SH ST
 * TM UC UI UR UT): no byte order, printed as characters. */
int at_vr_is_string(at_vr vr);
/* Bytes per value unit swapped between byte orders (2, 4, 8), or 1 for none. */
unsigned at_vr_swap_unit(at_vr vr);
/* VR used for tag when no explicit VR is known: dictionary VR, UL for group
 * lengths, LO for private creators, UN otherwise. */
at_vr at_dcm_implicit_vr(at_tag tag);

/* ---- tree ---- */
at_dcm_dataset *at_dcm_dataset_new(void);     /* NULL on OOM */
void at_dcm_dataset_free(at_dcm_dataset *ds); /* frees all (iteratively) */
at_dcm_dataset *at_dcm_dataset_clone(const at_dcm_dataset *ds);
at_dcm_element *at_dcm_find(const at_dcm_dataset *ds, at_tag tag); /* NULL if absent */
/* Insert or replace; the element returned has no value yet. */
at_status at_dcm_put(at_dcm_dataset *ds, at_tag tag, at_vr vr, at_dcm_element **out);
/* (Element pointers stay valid until the next put/remove on the same dataset.) */
void at_dcm_remove(at_dcm_dataset *ds, at_tag tag);
/* Free an element's value, items and fragments (leaves tag/vr). */
void at_dcm_element_clear(at_dcm_element *el);
/* Set a value (copied). Strings are padded to even length with the VR's pad. */
at_status at_dcm_set_bytes(at_dcm_dataset *ds, at_tag tag, at_vr vr, const void *data, uint32_t len);
at_status at_dcm_set_string(at_dcm_dataset *ds, at_tag tag, at_vr vr, const char *value);
at_status at_dcm_set_u16(at_dcm_dataset *ds, at_tag tag, uint16_t v);
/* Append an empty item to a sequence element (created as SQ if absent). */
at_status at_dcm_sequence_append(at_dcm_dataset *ds, at_tag tag, at_dcm_dataset **item);
/* Copy a string value, trailing pad removed, into buf (size n). Returns
 * AT_ERR_NOT_FOUND if absent, AT_ERR_LIMIT if truncated. */
at_status at_dcm_get_string(const at_dcm_dataset *ds, at_tag tag, char *buf, size_t n);
at_status at_dcm_get_u16(const at_dcm_dataset *ds, at_tag tag, uint16_t *out);
at_status at_dcm_get_double(const at_dcm_dataset *ds, at_tag tag, size_t index,
                            double *out); /* DS, IS, FL, FD, US, SS, UL, SL */

/* ---- reading ---- */
typedef struct {
    const char *name;       /* for messages (file name); NULL -> "<memory>" */
    int stop_before_pixels; /* skip (7FE0,0010) */
} at_dcm_read_options;
/* Read a Part 10 file (with or without preamble) or a bare dataset
 * (implicit VR LE assumed unless explicit is detected). On error returns a
 * status and a one-line message naming the file and offset; *out is NULL. */
at_status at_dcm_read_file(const char *path, const at_dcm_read_options *opt, at_dcm_file **out);
at_status at_dcm_read_memory(const unsigned char *data, size_t len, const at_dcm_read_options *opt,
                             at_dcm_file **out);
void at_dcm_file_free(at_dcm_file *f);
/* Parse the value of el, a UN element of defined length, as the items of a
 * sequence in implicit VR little endian (PS3.5 6.2.2: UN may hold a
 * sequence), nested at most max_depth (1..AT_DCM_MAX_DEPTH) sequences deep
 * counting el itself. On success el becomes a sequence (vr SQ, items, value
 * freed); on error el is unchanged and the message names name, the offset
 * inside the value and the tag. Iterative, every length bounded. */
at_status at_dcm_un_to_sequence(at_dcm_element *el, int max_depth, const char *name);

/* ---- text ---- */
/* Decode a string value s[0..n) of VR vr to UTF-8 for scanning, under the
 * Specific Character Set element charset (NULL: the default repertoire;
 * ISO 2022 code extensions followed, state reset at each value, PN
 * component group and line as PS3.5 6.1.2.5.3 says). Appended to out. When
 * from and to are not NULL they receive arrays (at_free) giving, for each
 * byte appended, the source bytes [from, to) it came from: exact for ASCII,
 * UTF-8 and the single-byte sets; for multi-byte sets (ISO 2022, GB18030,
 * GBK) each byte maps to its whole value or component (masking then covers
 * the whole of it). Bytes that are not valid in the set become U+FFFD. */
at_status at_dcm_text_decode(const at_dcm_element *charset, at_vr vr, const unsigned char *s, size_t n,
                             at_buf *out, size_t **from, size_t **to);

/* ---- writing ---- */
/* Encode f as Part 10 (preamble, "DICM", meta in explicit LE with group
 * length recomputed, dataset in f->transfer_syntax). Caller frees *out. */
at_status at_dcm_write_memory(const at_dcm_file *f, unsigned char **out, size_t *len);
/* The same, written atomically to path (large top-level values such as
 * Pixel Data are streamed to the file, not buffered). */
at_status at_dcm_write_file(const at_dcm_file *f, const char *path);
/* The same for a bare dataset: f->dataset alone in f->transfer_syntax (no
 * preamble, "DICM" or File Meta; f->meta is ignored), which must be
 * implicit VR LE, explicit VR LE or explicit VR BE (AT_ERR_UNSUPPORTED
 * otherwise: without File Meta nothing says a dataset is deflated). Read
 * back by at_dcm_read_file, and by `dcmdump -f` (+ti, +te or +tb). */
at_status at_dcm_write_bare_memory(const at_dcm_file *f, unsigned char **out, size_t *len);
at_status at_dcm_write_bare_file(const at_dcm_file *f, const char *path);
/* Rebuild the File Meta for f->dataset: SOP class/instance from the dataset,
 * transfer syntax f->transfer_syntax, our implementation UID and version. */
at_status at_dcm_meta_rebuild(at_dcm_file *f);
#define AT_IMPLEMENTATION_UID "1.2.826.0.1.3680043.10.1459.1" /* atelier root, see docs */
#define AT_IMPLEMENTATION_VERSION "ATELIER_010"

/* ---- display ---- */
/* dcmdump-like text dump of f into out. */
at_status at_dcm_dump(const at_dcm_file *f, at_buf *out);
/* DICOM JSON model (PS3.18 Annex F) of a dataset. */
at_status at_dcm_to_json(const at_dcm_dataset *ds, at_buf *out);

#ifdef __cplusplus
}
#endif
#endif
