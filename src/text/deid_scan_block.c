/* The scan's one block (deid_scan.h): its size for a number of tokens,
 * its allocation or a block lent by the caller, its growth and its
 * release. */
#include "deid_scan.h"

#include <string.h>

/* The bytes of the scan's block for cap tokens (deid_scan_reserve), rounded
 * up to 64. */
static size_t scan_block_bytes(size_t cap)
{
    size_t tb = cap * sizeof(text_tok), lb = cap * sizeof(uint32_t);
    size_t bytes = tb + (TEXT_LIST_COUNT + 1) * lb + (cap + 1) * sizeof(uint32_t) + 4 * (cap + 1);
    return (bytes + 63) & ~(size_t)63;
}

/* The tokens tokenise first makes room for in a text of len bytes (about
 * four bytes a token). */
size_t deid_scan_first_cap(size_t len)
{
    return len / 3 + 16;
}

size_t deid_scan_room(size_t len)
{
    return scan_block_bytes(deid_scan_first_cap(len));
}

/* (Re)allocate the scan's one block for cap tokens: the tokens, the pass
 * lists, the scratch list, the entities, the labels, the answers of
 * deid_known_safe and the tagger's room; the s->n tokens and the fill[l]
 * list entries made so far are copied over. room: a block lent for it
 * (scan_block_bytes(cap) bytes), NULL to allocate one. AT_ERR_NOMEM on
 * failure (the old block is then kept, freed by the caller). */
at_status deid_scan_reserve(text_scan *s, size_t cap, const size_t *fill, void *room)
{
    size_t tb = cap * sizeof(text_tok);
    char *b = room ? room : at_malloc(scan_block_bytes(cap));
    if (!b)
        return AT_ERR_NOMEM;
    if (s->n)
        memcpy(b, s->tok, s->n * sizeof(text_tok));
    s->tok = (text_tok *)b;
    uint32_t *p = (uint32_t *)(b + tb);
    for (int l = 0; l < TEXT_LIST_COUNT; l++, p += cap) {
        if (fill[l])
            memcpy(p, s->list[l], fill[l] * sizeof *p);
        s->list[l] = p;
    }
    s->scratch = p;
    p += cap;
    s->ent = p;
    s->lab = (uint8_t *)(p + cap + 1);
    s->safe = s->lab + cap + 1;
    s->tag_room = s->safe + cap + 1;
    s->tag_room_tokens = cap;
    if (!s->block_lent)
        at_free(s->block);
    s->block = b;
    s->block_lent = room != NULL;
    return AT_OK;
}

void deid_scan_free(text_scan *s)
{
    if (!s->block_lent)
        at_free(s->block);
    s->block = NULL;
    s->block_lent = 0;
    at_free(s->ocr_copy);
    s->ocr_copy = NULL;
}
