/* DICOM data dictionary (generated at build time from DCMTK's dicom.dic) and
 * the value representations of the current standard. */
#include "internal.h"

#include <string.h>

#include "atelier_dicom_dict.h"

static const at_dcm_dict_entry private_creator = {0x00090010, 0x0001FF00,       AT_VR('L', 'O'),
                                                  "1",        "PrivateCreator", "Private Creator"};
/* Attributes of PS3.15 2024b Table E.1-1 that the DCMTK 2022b dictionary
 * lacks (VR, VM and keyword from PS3.6 2024b), sorted by tag: so that every
 * attribute the de-identification profile names is read with its VR, also
 * from implicit VR files. Extend it when the table is regenerated and
 * tests/unit/test_deid.c (every row has a VR) fails. */
static const at_dcm_dict_entry supplement[] = {
    {0x00120022, 0xFFFFFFFF, AT_VR('L', 'O'), "1", "IssuerOfClinicalTrialProtocolID",
     "Issuer of Clinical Trial Protocol ID"},
    {0x00120023, 0xFFFFFFFF, AT_VR('S', 'Q'), "1", "OtherClinicalTrialProtocolIDsSequence",
     "Other Clinical Trial Protocol IDs Sequence"},
    {0x00120032, 0xFFFFFFFF, AT_VR('L', 'O'), "1", "IssuerOfClinicalTrialSiteID",
     "Issuer of Clinical Trial Site ID"},
    {0x00120041, 0xFFFFFFFF, AT_VR('L', 'O'), "1", "IssuerOfClinicalTrialSubjectID",
     "Issuer of Clinical Trial Subject ID"},
    {0x00120043, 0xFFFFFFFF, AT_VR('L', 'O'), "1", "IssuerOfClinicalTrialSubjectReadingID",
     "Issuer of Clinical Trial Subject Reading ID"},
    {0x00120055, 0xFFFFFFFF, AT_VR('L', 'O'), "1", "IssuerOfClinicalTrialTimePointID",
     "Issuer of Clinical Trial Time Point ID"},
    {0x00120073, 0xFFFFFFFF, AT_VR('L', 'O'), "1", "IssuerOfClinicalTrialSeriesID",
     "Issuer of Clinical Trial Series ID"},
    {0x00181204, 0xFFFFFFFF, AT_VR('D', 'A'), "1", "DateOfManufacture", "Date of Manufacture"},
    {0x00181205, 0xFFFFFFFF, AT_VR('D', 'A'), "1", "DateOfInstallation", "Date of Installation"},
    {0x003A0329, 0xFFFFFFFF, AT_VR('S', 'T'), "1", "WaveformFilterDescription",
     "Waveform Filter Description"},
    {0x003A032B, 0xFFFFFFFF, AT_VR('S', 'T'), "1", "FilterLookupTableDescription",
     "Filter Lookup Table Description"},
    {0x30020121, 0xFFFFFFFF, AT_VR('L', 'O'), "1", "PositionAcquisitionTemplateName",
     "Position Acquisition Template Name"},
    {0x30020123, 0xFFFFFFFF, AT_VR('L', 'T'), "1", "PositionAcquisitionTemplateDescription",
     "Position Acquisition Template Description"},
    {0x3006002D, 0xFFFFFFFF, AT_VR('D', 'T'), "1", "ROIDateTime", "ROI DateTime"},
    {0x3006002E, 0xFFFFFFFF, AT_VR('D', 'T'), "1", "ROIObservationDateTime", "ROI Observation DateTime"},
    {0x3006004D, 0xFFFFFFFF, AT_VR('S', 'Q'), "1", "ROICreatorSequence", "ROI Creator Sequence"},
    {0x3006004E, 0xFFFFFFFF, AT_VR('S', 'Q'), "1", "ROIInterpreterSequence", "ROI Interpreter Sequence"},
};
#define SUPPLEMENT_COUNT (sizeof supplement / sizeof *supplement)

static const at_dcm_dict_entry group_length = {0x00000000, 0x0000FFFF,           AT_VR('U', 'L'),
                                               "1",        "GenericGroupLength", "Group Length"};

/* Dictionary entry for tag, or NULL. Exact entries by binary search, the
 * supplement, then the masked (repeating group) entries; private creators
 * and group lengths come from two built-in entries. Static storage. */
const at_dcm_dict_entry *at_dcm_dict_lookup(at_tag tag)
{
    uint16_t group = AT_TAG_GROUP(tag), elem = AT_TAG_ELEMENT(tag);
    if (group & 1) {
        if (elem >= 0x10 && elem <= 0xFF && group > 8)
            return &private_creator;
        if (elem == 0 && group > 8)
            return &group_length;
        return NULL;
    }
    size_t lo = 0, hi = AT_DCM_DICT_EXACT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        at_tag t = dcm_dict_entries[mid].tag;
        if (t == tag)
            return &dcm_dict_entries[mid];
        if (t < tag)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = 0; i < SUPPLEMENT_COUNT && supplement[i].tag <= tag; i++)
        if (supplement[i].tag == tag)
            return &supplement[i];
    for (size_t i = AT_DCM_DICT_EXACT; i < AT_DCM_DICT_EXACT + AT_DCM_DICT_MASKED; i++)
        if ((tag & dcm_dict_entries[i].mask) == dcm_dict_entries[i].tag)
            return &dcm_dict_entries[i];
    if (elem == 0)
        return &group_length;
    return NULL;
}

/* Entry by keyword, binary search over the generated keyword index; NULL if none. */
const at_dcm_dict_entry *at_dcm_dict_by_keyword(const char *keyword)
{
    size_t lo = 0, hi = sizeof dcm_dict_by_keyword / sizeof *dcm_dict_by_keyword;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const at_dcm_dict_entry *e = &dcm_dict_entries[dcm_dict_by_keyword[mid]];
        int c = strcmp(e->keyword, keyword);
        if (c == 0)
            return e;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = 0; i < SUPPLEMENT_COUNT; i++)
        if (!strcmp(supplement[i].keyword, keyword))
            return &supplement[i];
    return NULL;
}

size_t at_dcm_dict_size(void)
{
    return AT_DCM_DICT_EXACT + AT_DCM_DICT_MASKED + SUPPLEMENT_COUNT;
}

/* Two-letter name of vr in buf ("??" for characters outside A-Z). */
const char *at_vr_name(at_vr vr, char buf[3])
{
    char a = (char)(vr >> 8), b = (char)(vr & 0xff);
    buf[0] = (a >= 'A' && a <= 'Z') ? a : '?';
    buf[1] = (b >= 'A' && b <= 'Z') ? b : '?';
    buf[2] = '\0';
    return buf;
}

static const char known_vrs[] = "AEASATCSDADSDTFLFDISLOLTOBODOFOLOVOWPNSHSLSQSSSTSVTMUCUIULUNURUSUTUV";

int at_vr_is_known(at_vr vr)
{
    for (size_t i = 0; i + 1 < sizeof known_vrs; i += 2)
        if (AT_VR(known_vrs[i], known_vrs[i + 1]) == vr)
            return 1;
    return 0;
}

at_vr at_vr_parse(const char *s)
{
    if (!s || !s[0] || !s[1])
        return AT_VR_NONE;
    at_vr vr = AT_VR((unsigned char)s[0], (unsigned char)s[1]);
    return at_vr_is_known(vr) ? vr : AT_VR_NONE;
}

int at_vr_has_long_length(at_vr vr)
{
    switch (vr) {
    case AT_VR('O', 'B'):
    case AT_VR('O', 'D'):
    case AT_VR('O', 'F'):
    case AT_VR('O', 'L'):
    case AT_VR('O', 'V'):
    case AT_VR('O', 'W'):
    case AT_VR('S', 'Q'):
    case AT_VR('S', 'V'):
    case AT_VR('U', 'C'):
    case AT_VR('U', 'N'):
    case AT_VR('U', 'R'):
    case AT_VR('U', 'T'):
    case AT_VR('U', 'V'):
        return 1;
    default:
        return 0;
    }
}

int at_vr_is_string(at_vr vr)
{
    switch (vr) {
    case AT_VR('A', 'E'):
    case AT_VR('A', 'S'):
    case AT_VR('C', 'S'):
    case AT_VR('D', 'A'):
    case AT_VR('D', 'S'):
    case AT_VR('D', 'T'):
    case AT_VR('I', 'S'):
    case AT_VR('L', 'O'):
    case AT_VR('L', 'T'):
    case AT_VR('P', 'N'):
    case AT_VR('S', 'H'):
    case AT_VR('S', 'T'):
    case AT_VR('T', 'M'):
    case AT_VR('U', 'C'):
    case AT_VR('U', 'I'):
    case AT_VR('U', 'R'):
    case AT_VR('U', 'T'):
        return 1;
    default:
        return 0;
    }
}

unsigned at_vr_swap_unit(at_vr vr)
{
    switch (vr) {
    case AT_VR('U', 'S'):
    case AT_VR('S', 'S'):
    case AT_VR('O', 'W'):
    case AT_VR('A', 'T'):
        return 2;
    case AT_VR('U', 'L'):
    case AT_VR('S', 'L'):
    case AT_VR('F', 'L'):
    case AT_VR('O', 'L'):
    case AT_VR('O', 'F'):
        return 4;
    case AT_VR('F', 'D'):
    case AT_VR('O', 'D'):
    case AT_VR('S', 'V'):
    case AT_VR('U', 'V'):
    case AT_VR('O', 'V'):
        return 8;
    default:
        return 1;
    }
}

at_vr at_dcm_implicit_vr(at_tag tag)
{
    const at_dcm_dict_entry *e = at_dcm_dict_lookup(tag);
    return e ? e->vr : AT_VR('U', 'N');
}

unsigned char dcm_vr_pad(at_vr vr)
{
    switch (vr) {
    case AT_VR('A', 'E'):
    case AT_VR('A', 'S'):
    case AT_VR('C', 'S'):
    case AT_VR('D', 'A'):
    case AT_VR('D', 'S'):
    case AT_VR('D', 'T'):
    case AT_VR('I', 'S'):
    case AT_VR('L', 'O'):
    case AT_VR('L', 'T'):
    case AT_VR('P', 'N'):
    case AT_VR('S', 'H'):
    case AT_VR('S', 'T'):
    case AT_VR('T', 'M'):
    case AT_VR('U', 'C'):
    case AT_VR('U', 'R'):
    case AT_VR('U', 'T'):
        return ' ';
    default:
        return 0;
    }
}
