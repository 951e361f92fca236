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

/* The arrays after the pass lists, from p, for cap tokens: the scratch
 * list, the entities, the labels, the answers of deid_known_safe and the
 * tagger's room (of rooms tokens). */
static void lay_tail(text_scan *s, uint32_t *p, size_t cap, size_t rooms)
{
    s->scratch = p;
    s->ent = p + cap;
    s->lab = (uint8_t *)(p + 2 * cap + 1);
    s->safe = s->lab + cap + 1;
    s->tag_room = s->safe + cap + 1;
    s->tag_room_tokens = rooms;
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
    lay_tail(s, p, cap, cap);
    if (!s->block_lent)
        at_free(s->block);
    s->block = b;
    s->block_lent = room != NULL;
    return AT_OK;
}

/* The scan's lent block packed once its tokens are known: the lists moved
 * down after the s->n tokens, then the scratch list, the entities, the
 * labels, the answers of deid_known_safe and the tagger's room placed
 * after them for s->n tokens (the entities, labels and answers zero);
 * s->block_used set to the bytes it now takes, rounded up to 64. A group's
 * scans then lie one after the other in the caller's room with no unused
 * capacity between them (eval-deid's notes: about a quarter of it), so
 * that each pass's walk over them reads fewer pages and lines. A block
 * of the scan's own (not lent) is left as it is (block_used 0). */
void deid_scan_pack(text_scan *s)
{
    s->block_used = 0;
    if (!s->block_lent)
        return;
    size_t n = s->n;
    char *b = s->block;
    uint32_t *p = (uint32_t *)(b + n * sizeof(text_tok));
    for (int l = 0; l < TEXT_LIST_COUNT; l++) {
        /* (each list lies at or above where it goes: the earlier lists
         * and tokens take no more room than they did) */
        if (s->nlist[l] && p != s->list[l])
            memmove(p, s->list[l], s->nlist[l] * sizeof *p);
        s->list[l] = p;
        p += s->nlist[l];
    }
    lay_tail(s, p, n, n ? n : 1);
    size_t used = (size_t)(s->tag_room + 2 * s->tag_room_tokens - (uint8_t *)b);
    s->block_used = (used + 63) & ~(size_t)63;
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
