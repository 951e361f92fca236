/* Profile lookup: from (tag, VR, options) to the action the engine applies.
 * Table E.1-1 rows first, then the wildcard rows (overlays, curves,
 * private), then the by-VR rules for attributes the table does not list
 * (dates, times, UIDs), then the allow-list: any other public attribute
 * passes only when the allow-list names it. */
#include "deid/profile_table.h"

#include <string.h>

static const struct {
    const char *name;
    unsigned flag;
} option_names[] = {
    {"safe-private", AT_DEID_OPT_SAFE_PRIVATE},
    {"uids", AT_DEID_OPT_UIDS},
    {"device-identity", AT_DEID_OPT_DEVICE_IDENTITY},
    {"institution-identity", AT_DEID_OPT_INSTITUTION_IDENTITY},
    {"patient-characteristics", AT_DEID_OPT_PATIENT_CHARACTERISTICS},
    {"full-dates", AT_DEID_OPT_FULL_DATES},
    {"modified-dates", AT_DEID_OPT_MODIFIED_DATES},
    {"clean-descriptors", AT_DEID_OPT_CLEAN_DESCRIPTORS},
    {"clean-graphics", AT_DEID_OPT_CLEAN_GRAPHICS},
};

unsigned at_deid_option_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof option_names / sizeof *option_names; i++)
        if (!strcmp(option_names[i].name, name))
            return option_names[i].flag;
    return 0;
}

const char *at_deid_option_name(unsigned flag)
{
    for (size_t i = 0; i < sizeof option_names / sizeof *option_names; i++)
        if (option_names[i].flag == flag)
            return option_names[i].name;
    return NULL;
}

at_status at_deid_options_check(unsigned options)
{
    if ((options & AT_DEID_OPT_FULL_DATES) && (options & AT_DEID_OPT_MODIFIED_DATES))
        return at_error_set(AT_ERR_ARG, "options full-dates and modified-dates exclude each other");
    return AT_OK;
}

const char *at_deid_action_name(at_deid_action a)
{
    switch (a) {
    case AT_DEID_KEEP:
        return "keep";
    case AT_DEID_REMOVE:
        return "remove";
    case AT_DEID_EMPTY:
        return "empty";
    case AT_DEID_DUMMY:
        return "dummy";
    case AT_DEID_UID:
        return "new uid";
    case AT_DEID_PSEUDONYM:
        return "pseudonym";
    case AT_DEID_SHIFT:
        return "date shift";
    case AT_DEID_CLEAN_TEXT:
        return "clean";
    case AT_DEID_CLEAN_AE:
        return "pseudonym (AE)";
    }
    return "?";
}

size_t at_deid_table_size(void)
{
    return at_deid_profile_row_count + at_deid_profile_wildcard_count;
}

const char *at_deid_table_edition_name(void)
{
    return at_deid_table_edition;
}

at_status at_deid_table_row(size_t i, at_tag *tag, at_tag *mask, const char **name, const char **code,
                            const char **options)
{
    const at_deid_profile_row *r;
    if (i < at_deid_profile_row_count)
        r = &at_deid_profile_rows[i];
    else if (i < at_deid_table_size())
        r = &at_deid_profile_wildcards[i - at_deid_profile_row_count];
    else
        return at_error_set(AT_ERR_ARG, "profile row %zu out of range", i);
    if (tag)
        *tag = r->tag;
    if (mask)
        *mask = r->mask;
    if (name)
        *name = r->name;
    if (code)
        *code = r->code;
    if (options)
        *options = r->options;
    return AT_OK;
}

static const at_deid_profile_row *find_exact(at_tag tag)
{
    size_t lo = 0, hi = at_deid_profile_row_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        at_tag t = at_deid_profile_rows[mid].tag;
        if (t == tag)
            return &at_deid_profile_rows[mid];
        if (t < tag)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int is_date_vr(at_vr vr)
{
    return vr == AT_VR('D', 'A') || vr == AT_VR('D', 'T') || vr == AT_VR('T', 'M');
}

static int is_text_vr(at_vr vr)
{
    return vr == AT_VR('L', 'O') || vr == AT_VR('S', 'H') || vr == AT_VR('L', 'T') || vr == AT_VR('S', 'T') ||
           vr == AT_VR('U', 'T') || vr == AT_VR('U', 'C') || vr == AT_VR('P', 'N');
}

/* Overlay (6000-601E even) and curve (5000-501E even) repeating groups. */
static int in_repeating_group(at_tag tag, uint16_t base)
{
    uint16_t g = AT_TAG_GROUP(tag);
    return g >= base && g <= base + 0x1e && !(g & 1);
}

/* The clean action of one option column for an element of this VR. What
 * cannot be cleaned for its VR is removed: a modified-dates row that is not
 * a date, and values of unknown VR (UN: an attribute the dictionary lacks,
 * read from implicit VR). */
static at_deid_action clean_action(int column, at_vr vr)
{
    if (vr == AT_VR('S', 'Q'))
        return column == 6 ? AT_DEID_KEEP : AT_DEID_CLEAN_TEXT; /* items cleaned, their free text scrubbed */
    if (vr == AT_VR('U', 'N'))
        return AT_DEID_REMOVE;
    if (column == 6) /* modified dates */
        return is_date_vr(vr) ? AT_DEID_SHIFT : AT_DEID_REMOVE;
    if (column == 2 && vr == AT_VR('A', 'E')) /* device identity: AE titles */
        return AT_DEID_CLEAN_AE;
    return is_text_vr(vr) ? AT_DEID_CLEAN_TEXT : AT_DEID_KEEP;
}

static at_deid_action resolve_row(const at_deid_profile_row *r, at_tag tag, at_vr vr, unsigned options)
{
    at_deid_action base;
    switch (r->basic) {
    case 'Z':
        base = AT_DEID_EMPTY;
        break;
    case 'D':
        base = AT_DEID_DUMMY;
        break;
    case 'U':
        base = AT_DEID_UID;
        break;
    default:
        base = AT_DEID_REMOVE;
        break;
    }
    if (tag == AT_TAG(0x0010, 0x0010) || tag == AT_TAG(0x0010, 0x0020))
        base = AT_DEID_PSEUDONYM;
    /* an option overrides the profile: keep beats clean beats the profile */
    int keep = 0, clean_col = -1;
    for (int c = 0; c < AT_DEID_OPTION_COLUMNS; c++) {
        if (!(options & (1u << c)))
            continue;
        if (r->options[c] == 'K')
            keep = 1;
        else if (r->options[c] == 'C' && (clean_col < 0 || c == 6))
            clean_col = c;
    }
    if (keep)
        return AT_DEID_KEEP;
    if (clean_col >= 0)
        return clean_action(clean_col, vr);
    return base;
}

at_deid_action at_deid_action_for(at_tag tag, at_vr vr, unsigned options, const char *private_creator,
                                  const char **row_code)
{
    if (row_code)
        *row_code = "";
    uint16_t group = AT_TAG_GROUP(tag), element = AT_TAG_ELEMENT(tag);
    if (element == 0x0000) /* group lengths: recomputed or dropped */
        return AT_DEID_REMOVE;
    if (group & 1) {
        const at_deid_profile_row *r = &at_deid_profile_wildcards[at_deid_profile_wildcard_count - 1];
        if (row_code)
            *row_code = r->code;
        if ((options & AT_DEID_OPT_SAFE_PRIVATE) && element >= 0x1000 && private_creator &&
            at_deid_private_is_safe(tag, private_creator))
            return AT_DEID_KEEP;
        return AT_DEID_REMOVE;
    }
    const at_deid_profile_row *r = find_exact(tag);
    if (!r) {
        for (size_t i = 0; i < at_deid_profile_wildcard_count; i++) {
            const at_deid_profile_row *w = &at_deid_profile_wildcards[i];
            if ((tag & w->mask) == w->tag && !(w->tag & 0x00010000u)) {
                if (in_repeating_group(tag, (uint16_t)(w->tag >> 16)))
                    r = w;
                break;
            }
        }
    }
    if (r) {
        if (row_code)
            *row_code = r->code;
        return resolve_row(r, tag, vr, options);
    }
    /* overlays and curves: the whole repeating group goes, unless cleaned graphics are kept */
    if (in_repeating_group(tag, 0x6000) || in_repeating_group(tag, 0x5000)) {
        if (!(options & AT_DEID_OPT_CLEAN_GRAPHICS))
            return AT_DEID_REMOVE;
        return is_text_vr(vr) ? AT_DEID_CLEAN_TEXT : vr == AT_VR('U', 'N') ? AT_DEID_REMOVE : AT_DEID_KEEP;
    }
    if (is_date_vr(vr)) {
        if (options & AT_DEID_OPT_FULL_DATES)
            return AT_DEID_KEEP;
        if (options & AT_DEID_OPT_MODIFIED_DATES)
            return AT_DEID_SHIFT;
        return AT_DEID_REMOVE;
    }
    if (vr == AT_VR('U', 'I'))
        return (options & AT_DEID_OPT_UIDS) ? AT_DEID_KEEP : AT_DEID_UID;
    /* what is not known to be safe does not pass */
    switch (at_deid_allowlist_action(tag, options)) {
    case 'K':
    case 'W':
    case 'C':
    case 'N':
        return AT_DEID_KEEP; /* the engine checks the value (number, words, codes) */
    case 'D':
        return AT_DEID_DUMMY;
    case 'Z':
        return AT_DEID_EMPTY;
    default:
        return AT_DEID_REMOVE;
    }
}
