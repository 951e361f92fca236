/* DICOM files through the door again (src/deid): a file that leaves must
 * already be what the door makes. Every attribute the door would remove
 * (the profile's X, the attributes the allow-list does not pass, private
 * attributes not known safe), empty (Z) while it holds a value, or
 * pseudonymise (Patient's Name and ID that are not the door's "ATL..."
 * pseudonyms) is a finding; then the door runs on the file with the
 * French detector on its retained text, and every value it would mask,
 * every JPEG segment it would strip, and a burned-in risk are findings.
 * Findings name tags, never values. */
#include "internal.h"

#include "atelier/deid.h"
#include "atelier/deid_text.h"
#include "atelier/dicom.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The door's pseudonym: "ATL" and 16 base32 characters (Patient ID),
 * "PAT^" before it (Patient's Name); the PN padding allowed. */
static int is_door_pseudonym(const at_dcm_element *el)
{
    uint32_t n = el->length;
    const unsigned char *v = el->value;
    while (n && (v[n - 1] == ' ' || v[n - 1] == 0))
        n--;
    if (n == 0)
        return 1;
    if (n == 23 && !memcmp(v, "PAT^", 4)) {
        v += 4;
        n -= 4;
    }
    if (n != 19 || memcmp(v, "ATL", 3))
        return 0;
    for (uint32_t i = 3; i < n; i++) {
        unsigned char c = v[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')))
            return 0;
    }
    return 1;
}

static void creator_of(const at_dcm_dataset *ds, at_tag tag, char *out, size_t cap)
{
    out[0] = '\0';
    uint16_t e = AT_TAG_ELEMENT(tag);
    if (e < 0x1000)
        return;
    at_dcm_get_string(ds, AT_TAG(AT_TAG_GROUP(tag), e >> 8), out, cap);
    at_error_clear();
}

typedef struct {
    airlock_report *r; /* NULL: count only */
    size_t found;
} walk_state;

static void walk(walk_state *w, const at_dcm_dataset *ds, int depth)
{
    if (depth > AT_DCM_MAX_DEPTH)
        return;
    for (size_t i = 0; i < ds->count; i++) {
        const at_dcm_element *el = &ds->elements[i];
        at_tag tag = el->tag;
        if (AT_TAG_GROUP(tag) == 0x0002)
            continue;
        const char *what = NULL;
        if (AT_TAG_GROUP(tag) & 1) {
            if (AT_TAG_ELEMENT(tag) >= 0x0010 && AT_TAG_ELEMENT(tag) < 0x0100)
                continue; /* a private creator: judged with its elements */
            char creator[72];
            creator_of(ds, tag, creator, sizeof creator);
            if (!at_deid_private_value_is_safe(tag, creator, el->value, el->length))
                what = "private";
        } else {
            at_deid_action a = at_deid_action_for(tag, el->vr, 0, NULL, NULL);
            if (a == AT_DEID_REMOVE)
                what = "remove";
            else if (a == AT_DEID_EMPTY && (el->length || el->item_count))
                what = el->vr == AT_VR('D', 'A') || el->vr == AT_VR('D', 'T') || el->vr == AT_VR('T', 'M')
                           ? "date"
                           : "empty";
            else if (a == AT_DEID_PSEUDONYM && el->value && !is_door_pseudonym(el))
                what = "pseudonym";
        }
        if (what) {
            w->found++;
            if (w->r)
                airlock_finding(w->r, "\"tag\":\"(%04X,%04X)\",\"depth\":%d,\"door\":\"%s\"",
                                AT_TAG_GROUP(tag), AT_TAG_ELEMENT(tag), depth, what);
        }
        for (size_t k = 0; k < el->item_count; k++)
            if (el->items[k])
                walk(w, el->items[k], depth + 1);
    }
}

void airlock_check_dicom(airlock_report *r, const at_text_deid *d, const unsigned char *data, size_t len)
{
    at_dcm_file *f = NULL;
    at_dcm_read_options ro = {.name = "the file"};
    at_status st = at_dcm_read_memory(data, len, &ro, &f);
    if (st) {
        char s[400];
        snprintf(s, sizeof s, "not read as DICOM: %.300s", at_error_message());
        at_error_clear();
        airlock_check_begin(r, "door", AT_CHECK_FAIL, s);
        airlock_check_end(r);
        r->hard = 1;
        return;
    }
    /* 1. what the door would remove, empty or pseudonymise: counted, then named */
    char s[300];
    walk_state w = {0};
    walk(&w, f->dataset, 0);
    snprintf(s, sizeof s, "%zu attribute%s the door would remove, empty or pseudonymise", w.found,
             w.found == 1 ? "" : "s");
    airlock_check_begin(r, "door-attributes", w.found ? AT_CHECK_FAIL : AT_CHECK_PASS, s);
    if (w.found) {
        walk_state named = {.r = r};
        walk(&named, f->dataset, 0);
    }
    airlock_check_end(r);
    /* 2. the door itself on the file, with the detector on its text */
    const char *burned = NULL;
    int risky = at_deid_burned_in_risk(f->dataset, &burned);
    at_key key;
    randombytes_buf(key.bytes, sizeof key.bytes);
    at_deid_stats stats = {0};
    at_deid_config cfg = {.options = 0,
                          .key = &key,
                          .stats = &stats,
                          .detect = d ? at_deid_text_detect : NULL,
                          .detect_ud = (void *)d};
    st = at_deid_apply(f, &cfg);
    sodium_memzero(&key, sizeof key);
    at_dcm_file_free(f);
    if (st) {
        snprintf(s, sizeof s, "the door could not run on the file: %.200s", at_error_message());
        at_error_clear();
        airlock_check_begin(r, "door", AT_CHECK_FAIL, s);
        airlock_check_end(r);
        r->hard = 1;
        return;
    }
    size_t changes = stats.text_masked + stats.not_allowed + stats.unknown_removed + stats.jpeg_segments;
    at_check_outcome o = changes || stats.quarantine || risky ? AT_CHECK_FAIL : AT_CHECK_PASS;
    if (o == AT_CHECK_PASS)
        snprintf(s, sizeof s, "the door finds nothing to change: no identifying attribute, no text to mask%s",
                 d ? "" : " (without the text detector)");
    else
        snprintf(s, sizeof s,
                 "the door would change the file: %zu text value%s to mask, %zu attribute%s the allow-list "
                 "does not pass%s%s",
                 stats.text_masked, stats.text_masked == 1 ? "" : "s",
                 stats.not_allowed + stats.unknown_removed,
                 stats.not_allowed + stats.unknown_removed == 1 ? "" : "s",
                 stats.quarantine || risky ? "; pixels at risk: " : "",
                 stats.quarantine ? stats.quarantine
                 : risky          ? burned
                                  : "");
    airlock_check_begin(r, "door", o, s);
    if (stats.text_masked)
        airlock_finding(r, "\"masked_values\":%zu", stats.text_masked);
    if (stats.not_allowed + stats.unknown_removed)
        airlock_finding(r, "\"not_allowed\":%zu", stats.not_allowed + stats.unknown_removed);
    if (stats.jpeg_segments)
        airlock_finding(r, "\"jpeg_segments\":%zu", stats.jpeg_segments);
    airlock_check_end(r);
}
