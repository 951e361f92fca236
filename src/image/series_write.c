/* Volume -> single-frame DICOM series (CT Image Storage or MR Image
 * Storage), one file per slice along the volume's third axis, with the
 * type 1 and 2 attributes of the Patient, Study, Series, Frame of
 * Reference, Equipment, Image Plane, Image Pixel and CT/MR Image modules.
 * The series appears atomically: a temporary folder renamed into place. */
#include "atelier/dicom.h"
#include "atelier/image.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CT_IMAGE_STORAGE "1.2.840.10008.5.1.4.1.1.2"
#define MR_IMAGE_STORAGE "1.2.840.10008.5.1.4.1.1.4"

void at_uid_from_text(const char *domain, const char *text, char out[65])
{
    static const at_key zero; /* UIDs need uniqueness, not secrecy */
    unsigned char h[16];
    at_crypto_init();
    at_keyed_hash(&zero, domain, text, strlen(text), h, sizeof h);
    h[0] &= 0x7f; /* keep it below 2^127: at most 39 digits */
    /* big-endian 128-bit number to decimal */
    char digits[48];
    int nd = 0;
    unsigned char num[16];
    memcpy(num, h, 16);
    for (;;) {
        int zero_all = 1;
        unsigned rem = 0;
        for (int i = 0; i < 16; i++) {
            unsigned cur = (rem << 8) | num[i];
            num[i] = (unsigned char)(cur / 10);
            rem = cur % 10;
            if (num[i])
                zero_all = 0;
        }
        digits[nd++] = (char)('0' + rem);
        if (zero_all)
            break;
    }
    int o = snprintf(out, 65, "2.25.");
    for (int i = nd - 1; i >= 0 && o < 64; i--)
        out[o++] = digits[i];
    out[o] = '\0';
}

static at_status put_str(at_dcm_dataset *ds, uint16_t g, uint16_t e, const char *vr, const char *v)
{
    return at_dcm_set_string(ds, AT_TAG(g, e), AT_VR(vr[0], vr[1]), v ? v : "");
}

/* Format a decimal string (DS, at most 16 characters). */
static void ds_format(double x, char *buf)
{
    if (fabs(x) < 1e-9)
        x = 0;
    for (int prec = 10; prec > 1; prec--) {
        snprintf(buf, 17, "%.*g", prec, x);
        if (strlen(buf) <= 16)
            return;
    }
}

static at_status put_ds(at_dcm_dataset *ds, uint16_t g, uint16_t e, const double *v, int n)
{
    char buf[17 * 6 + 8], one[17];
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        ds_format(v[i], one);
        if (i)
            strcat(buf, "\\");
        strcat(buf, one);
    }
    return put_str(ds, g, e, "DS", buf);
}

/* How MR voxel values become stored 16-bit values: as they are when they
 * are integers in 0..65535, else through a linear map stored as Rescale
 * Intercept/Slope (a normalised or float MRI keeps its values to
 * 1/65535 of its range instead of being rounded and clipped). */
typedef struct {
    int rescale;
    double slope, intercept;
} mr_storage;

static mr_storage mr_storage_for(const at_volume *v)
{
    mr_storage m = {0, 1.0, 0.0};
    size_t n = at_grid_voxels(&v->grid);
    double lo = INFINITY, hi = -INFINITY;
    int integral = 1;
    for (size_t i = 0; i < n; i++) {
        double x = v->data[i];
        if (!isfinite(x))
            continue;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        if (integral && x != floor(x))
            integral = 0;
    }
    if (!(lo <= hi) || (integral && lo >= 0 && hi <= 65535))
        return m;
    m.rescale = 1;
    m.intercept = lo;
    m.slope = hi > lo ? (hi - lo) / 65535.0 : 1.0;
    return m;
}

static at_status slice_dataset(const at_volume *v, const at_series_write_options *o, int k, const char *study,
                               const char *series, const char *frame, const mr_storage *ms,
                               at_dcm_dataset *ds)
{
    int ct = !strcmp(o->modality, "CT");
    char sop[65], num[32];
    at_status st = AT_OK;
    snprintf(sop, sizeof sop, "%s.%d", series, k + 1);
    if (strlen(series) + 8 > 64) {
        char seed[96];
        snprintf(seed, sizeof seed, "%s/%d", series, k);
        at_uid_from_text("atelier-sop-instance", seed, sop);
    }
    const at_grid *g = &v->grid;
    double ipp[3], ijk[3] = {0, 0, k};
    at_grid_index_to_point(g, ijk, ipp);
    double iop[6];
    for (int q = 0; q < 3; q++) {
        iop[q] = g->direction[q * 3 + 0];
        iop[3 + q] = g->direction[q * 3 + 1];
    }
    double ps[2] = {g->spacing[1], g->spacing[0]};
    double loc = 0;
    {
        double n[3] = {g->direction[2], g->direction[5], g->direction[8]};
        loc = ipp[0] * n[0] + ipp[1] * n[1] + ipp[2] * n[2];
    }
#define CHK(x)                                                                                               \
    do {                                                                                                     \
        if (!st)                                                                                             \
            st = (x);                                                                                        \
    } while (0)
    CHK(put_str(ds, 0x0008, 0x0005, "CS", "ISO_IR 100"));
    CHK(put_str(ds, 0x0008, 0x0008, "CS",
                o->derived ? (ct ? "DERIVED\\SECONDARY\\AXIAL" : "DERIVED\\SECONDARY")
                           : (ct ? "ORIGINAL\\PRIMARY\\AXIAL" : "ORIGINAL\\PRIMARY")));
    CHK(put_str(ds, 0x0008, 0x0016, "UI", ct ? CT_IMAGE_STORAGE : MR_IMAGE_STORAGE));
    CHK(put_str(ds, 0x0008, 0x0018, "UI", sop));
    CHK(put_str(ds, 0x0008, 0x0020, "DA", o->study_date ? o->study_date : "20000101"));
    CHK(put_str(ds, 0x0008, 0x0021, "DA", o->study_date ? o->study_date : "20000101"));
    CHK(put_str(ds, 0x0008, 0x0030, "TM", o->study_time ? o->study_time : "120000"));
    CHK(put_str(ds, 0x0008, 0x0031, "TM", o->study_time ? o->study_time : "120000"));
    CHK(put_str(ds, 0x0008, 0x0050, "SH", o->accession_number));
    CHK(put_str(ds, 0x0008, 0x0060, "CS", ct ? "CT" : "MR"));
    CHK(put_str(ds, 0x0008, 0x0070, "LO", o->manufacturer ? o->manufacturer : "atelier"));
    CHK(put_str(ds, 0x0008, 0x0090, "PN", ""));
    CHK(put_str(ds, 0x0008, 0x103E, "LO", o->series_description));
    CHK(put_str(ds, 0x0010, 0x0010, "PN", o->patient_name));
    CHK(put_str(ds, 0x0010, 0x0020, "LO", o->patient_id));
    CHK(put_str(ds, 0x0010, 0x0030, "DA", o->patient_birth_date));
    CHK(put_str(ds, 0x0010, 0x0040, "CS", o->patient_sex));
    if (ct) {
        CHK(put_str(ds, 0x0018, 0x0060, "DS", o->derived ? "" : "120"));
    } else {
        CHK(put_str(ds, 0x0018, 0x0020, "CS", "GR"));
        CHK(put_str(ds, 0x0018, 0x0021, "CS", "SP"));
        CHK(put_str(ds, 0x0018, 0x0022, "CS", ""));
        CHK(put_str(ds, 0x0018, 0x0023, "CS", "3D"));
        CHK(put_str(ds, 0x0018, 0x0080, "DS", "8.2"));
        CHK(put_str(ds, 0x0018, 0x0081, "DS", "3.7"));
        CHK(put_str(ds, 0x0018, 0x0091, "IS", "1"));
    }
    CHK(put_ds(ds, 0x0018, 0x0050, &g->spacing[2], 1));
    CHK(put_str(ds, 0x0020, 0x000D, "UI", study));
    CHK(put_str(ds, 0x0020, 0x000E, "UI", series));
    CHK(put_str(ds, 0x0020, 0x0010, "SH", o->study_id));
    snprintf(num, sizeof num, "%d", o->series_number);
    CHK(put_str(ds, 0x0020, 0x0011, "IS", num));
    CHK(put_str(ds, 0x0020, 0x0012, "IS", "1"));
    snprintf(num, sizeof num, "%d", k + 1);
    CHK(put_str(ds, 0x0020, 0x0013, "IS", num));
    CHK(put_str(ds, 0x0020, 0x0020, "CS", ""));
    CHK(put_ds(ds, 0x0020, 0x0032, ipp, 3));
    CHK(put_ds(ds, 0x0020, 0x0037, iop, 6));
    CHK(put_str(ds, 0x0020, 0x0052, "UI", frame));
    CHK(put_str(ds, 0x0020, 0x1040, "LO", ""));
    CHK(put_ds(ds, 0x0020, 0x1041, &loc, 1));
    CHK(at_dcm_set_u16(ds, AT_TAG(0x0028, 0x0002), 1));
    CHK(put_str(ds, 0x0028, 0x0004, "CS", "MONOCHROME2"));
    CHK(at_dcm_set_u16(ds, AT_TAG(0x0028, 0x0010), (uint16_t)g->dim[1]));
    CHK(at_dcm_set_u16(ds, AT_TAG(0x0028, 0x0011), (uint16_t)g->dim[0]));
    CHK(put_ds(ds, 0x0028, 0x0030, ps, 2));
    CHK(at_dcm_set_u16(ds, AT_TAG(0x0028, 0x0100), 16));
    CHK(at_dcm_set_u16(ds, AT_TAG(0x0028, 0x0101), 16));
    CHK(at_dcm_set_u16(ds, AT_TAG(0x0028, 0x0102), 15));
    CHK(at_dcm_set_u16(ds, AT_TAG(0x0028, 0x0103), ct ? 1 : 0));
    if (ct) {
        CHK(put_str(ds, 0x0028, 0x1050, "DS", "40"));
        CHK(put_str(ds, 0x0028, 0x1051, "DS", "400"));
        CHK(put_str(ds, 0x0028, 0x1052, "DS", "0"));
        CHK(put_str(ds, 0x0028, 0x1053, "DS", "1"));
        CHK(put_str(ds, 0x0028, 0x1054, "LO", "HU"));
    } else if (ms->rescale) {
        CHK(put_ds(ds, 0x0028, 0x1052, &ms->intercept, 1));
        CHK(put_ds(ds, 0x0028, 0x1053, &ms->slope, 1));
        CHK(put_str(ds, 0x0028, 0x1054, "LO", "US"));
    }
    if (st)
        return st;
    size_t plane = (size_t)g->dim[0] * g->dim[1];
    unsigned char *px = at_malloc(plane * 2);
    if (!px)
        return AT_ERR_NOMEM;
    const float *src = v->data + (size_t)k * plane;
    for (size_t i = 0; i < plane; i++) {
        double x = src[i];
        if (!isfinite(x))
            x = ct ? -1024 : ms->intercept;
        if (!ct)
            x = (x - ms->intercept) / ms->slope;
        long r = lround(x);
        if (ct)
            r = r < -32768 ? -32768 : r > 32767 ? 32767 : r;
        else
            r = r < 0 ? 0 : r > 65535 ? 65535 : r;
        uint16_t u = (uint16_t)(ct ? (uint16_t)(int16_t)r : (uint16_t)r);
        px[2 * i] = (unsigned char)(u & 0xff);
        px[2 * i + 1] = (unsigned char)(u >> 8);
    }
    st = at_dcm_set_bytes(ds, AT_TAG(0x7FE0, 0x0010), AT_VR('O', 'W'), px, (uint32_t)(plane * 2));
    at_free(px);
    return st;
#undef CHK
}

at_status at_series_write(const at_volume *v, const at_series_write_options *o, const char *dir)
{
    if (!o->modality || (strcmp(o->modality, "CT") && strcmp(o->modality, "MR")))
        return at_error_set(AT_ERR_ARG, "series writer: modality must be CT or MR");
    if (v->grid.dim[0] > 65535 || v->grid.dim[1] > 65535)
        return at_error_set(AT_ERR_LIMIT, "series writer: slices larger than 65535 pixels");
    struct stat sb;
    if (!stat(dir, &sb))
        return at_error_set(AT_ERR_ARG, "%s: already exists; the series is written to a new folder", dir);
    const char *seed = o->uid_seed ? o->uid_seed : "atelier";
    char study[65], series[65], frame[65];
    if (o->study_uid)
        snprintf(study, sizeof study, "%s", o->study_uid);
    else
        at_uid_from_text("atelier-study", seed, study);
    if (o->series_uid)
        snprintf(series, sizeof series, "%s", o->series_uid);
    else
        at_uid_from_text("atelier-series", seed, series);
    if (o->frame_of_reference_uid)
        snprintf(frame, sizeof frame, "%s", o->frame_of_reference_uid);
    else
        at_uid_from_text("atelier-frame-of-reference", seed, frame);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    char *tmp = at_malloc(n + 32);
    if (!tmp)
        return AT_ERR_NOMEM;
    snprintf(tmp, n + 32, "%.*s.partial-%ld", (int)n, dir, (long)getpid());
    const mr_storage ms = strcmp(o->modality, "CT") ? mr_storage_for(v) : (mr_storage){0, 1.0, 0.0};
    at_remove_tree(tmp);
    at_status st = at_mkdir_p(tmp, 0755);
    for (int k = 0; !st && k < v->grid.dim[2]; k++) {
        at_dcm_file *f = at_calloc(1, sizeof *f);
        if (!f) {
            st = AT_ERR_NOMEM;
            break;
        }
        f->dataset = at_dcm_dataset_new();
        f->has_preamble = 1;
        snprintf(f->transfer_syntax, sizeof f->transfer_syntax, "%s", AT_TS_EXPLICIT_LE);
        if (!f->dataset)
            st = AT_ERR_NOMEM;
        if (!st)
            st = slice_dataset(v, o, k, study, series, frame, &ms, f->dataset);
        if (!st)
            st = at_dcm_meta_rebuild(f);
        char name[32];
        snprintf(name, sizeof name, "%s%04d.dcm", strcmp(o->modality, "CT") ? "MR" : "CT", k + 1);
        char *path = st ? NULL : at_path_join(tmp, name);
        if (!st && !path)
            st = AT_ERR_NOMEM;
        if (!st)
            st = at_dcm_write_file(f, path);
        at_free(path);
        at_dcm_file_free(f);
    }
    if (!st && rename(tmp, dir) != 0)
        st = at_error_set(AT_ERR_IO, "%s: cannot move the finished series into place: %s", dir,
                          strerror(errno));
    if (st)
        at_remove_tree(tmp);
    at_free(tmp);
    return st;
}
