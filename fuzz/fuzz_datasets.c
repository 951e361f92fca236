/* libFuzzer target: what an importing client controls in an upload's
 * chunk frame (include/atelier/datasets.h). A frame the parser accepts
 * names bytes inside the input, of the announced length, whose hash the
 * header gives; its header rewritten by at_datasets_chunk_header parses
 * again to the same chunk; read as a body of frames, each frame lies
 * inside it and they follow each other. A valid frame is also built from the input's
 * bytes, so that the deeper checks (lengths, hash) are reached. */
#include "atelier/datasets.h"

#include <stdlib.h>
#include <string.h>

static void check(const uint8_t *data, size_t size)
{
    at_datasets_chunk c;
    if (at_datasets_chunk_parse(data, size, &c) != AT_OK)
        return;
    if (c.length == 0 || c.length > AT_IMPORT_CHUNK_MAX || c.data < data ||
        c.data + c.length != data + size || c.file >= AT_IMPORT_FILES_MAX)
        __builtin_trap();
    char head[200];
    size_t hl = at_datasets_chunk_header(c.file, c.offset, c.data, c.length, head);
    unsigned char *again = malloc(hl + c.length);
    if (!again)
        return;
    memcpy(again, head, hl);
    memcpy(again + hl, c.data, c.length);
    at_datasets_chunk d;
    if (at_datasets_chunk_parse(again, hl + c.length, &d) != AT_OK || d.file != c.file ||
        d.offset != c.offset || d.length != c.length || memcmp(d.data, c.data, c.length))
        __builtin_trap();
    free(again);
}

/* the same bytes as a body of frames one after another (a request's) */
static void check_body(const uint8_t *data, size_t size)
{
    size_t off = 0;
    while (off < size) {
        at_datasets_chunk c;
        size_t used = 0;
        if (at_datasets_chunk_next(data + off, size - off, &c, &used) != AT_OK)
            break;
        if (!used || used > size - off || c.data + c.length != data + off + used || !c.length)
            __builtin_trap();
        off += used;
    }
    at_error_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 16))
        return 0;
    check(data, size);
    check_body(data, size);
    at_error_clear();
    if (size >= 9) { /* a frame of the input's tail, numbers from its head */
        uint64_t file, offset;
        memcpy(&file, data, 4);
        memcpy(&offset, data + 1, 8);
        file &= 0xffffffffu;
        char head[200];
        size_t hl = at_datasets_chunk_header(file, offset, data + 9, size - 9, head);
        unsigned char *f = malloc(hl + size - 9 + 1);
        if (f) {
            memcpy(f, head, hl);
            memcpy(f + hl, data + 9, size - 9);
            check(f, hl + size - 9);
            free(f);
        }
        at_error_clear();
    }
    return 0;
}
