/* Which files go to quarantine/ besides those whose pixel containers cannot
 * be rewritten (pixels.c): burned-in text likely by the header's own words,
 * modality or SOP class, and encapsulated documents. */
#include "deid/internal.h"

#include <string.h>
#include <strings.h>

/* An encapsulated document (PDF, CDA, ...): its content is replaced by the
 * table (D), but the file still goes to quarantine unless allowed. */
int at_deid_is_document(const at_dcm_dataset *ds)
{
    if (at_dcm_find(ds, AT_TAG(0x0042, 0x0011)))
        return 1;
    char buf[72];
    if (at_dcm_get_string(ds, AT_TAG(0x0008, 0x0016), buf, sizeof buf) != AT_OK) {
        at_error_clear();
        return 0;
    }
    return !strncmp(buf, "1.2.840.10008.5.1.4.1.1.104.", 28);
}

/* A code string value of ds, spaces and NULs trimmed at both ends, into buf
 * (size n); "" when absent or too long. Careless writers send "yes ", " US". */
static const char *code_string(const at_dcm_dataset *ds, at_tag tag, char *buf, size_t n)
{
    if (at_dcm_get_string(ds, tag, buf, n) != AT_OK) {
        at_error_clear();
        buf[0] = '\0';
        return buf;
    }
    size_t len = strlen(buf);
    while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\0'))
        buf[--len] = '\0';
    size_t lead = strspn(buf, " ");
    return buf + lead;
}

int at_deid_burned_in_risk(const at_dcm_dataset *ds, const char **reason)
{
    char raw[72];
    /* compared without regard to case: a "yes" must not slip through */
    if (!strcasecmp(code_string(ds, AT_TAG(0x0028, 0x0301), raw, sizeof raw), "YES")) {
        *reason = "burned in annotation";
        return 1;
    }
    static const char *const modalities[] = {"US", "XC", "ES", "OT", "DOC", "GM", "SC", "IVUS"};
    const char *buf = code_string(ds, AT_TAG(0x0008, 0x0060), raw, sizeof raw);
    if (*buf)
        for (size_t i = 0; i < sizeof modalities / sizeof *modalities; i++)
            if (!strcasecmp(buf, modalities[i])) {
                *reason = "modality commonly carries burned-in text";
                return 1;
            }
    static const char *const classes[] = {
        "1.2.840.10008.5.1.4.1.1.7",     /* secondary capture family (prefix) */
        "1.2.840.10008.5.1.4.1.1.6.",    /* ultrasound */
        "1.2.840.10008.5.1.4.1.1.3.1",   /* ultrasound multi-frame */
        "1.2.840.10008.5.1.4.1.1.77.1.", /* visible light */
    };
    buf = code_string(ds, AT_TAG(0x0008, 0x0016), raw, sizeof raw);
    if (*buf)
        for (size_t i = 0; i < sizeof classes / sizeof *classes; i++)
            if (!strncmp(buf, classes[i], strlen(classes[i]))) {
                *reason = "SOP class commonly carries burned-in text";
                return 1;
            }
    *reason = NULL;
    return 0;
}
