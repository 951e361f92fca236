/* Synthetic DICOM study: a fake patient with CT and MR series whose headers
 * carry the identifying attributes a real scanner writes, so the door has
 * something to remove. Deterministic from the seed. */
#include "atelier/synth.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SYNTH_UID_ROOT "1.2.826.0.1.3680043.10.1459.99" /* atelier root, synthetic arc */
#define MAX_SIZE 4096
#define MAX_SLICES 100000
#define MAX_SERIES 64

static const struct {
    const char *name, *sex, *birth, *address;
} identities[] = {
    {"DUPONT^JEANNE^MARIE", "F", "19630512", "12 RUE DES LILAS^^LYON^^69003^FRANCE"},
    {"MARTIN^PIERRE", "M", "19580321", "4 AVENUE FOCH^^NANTES^^44000^FRANCE"},
    {"BERNARD^SOPHIE", "F", "19710930", "27 BOULEVARD VOLTAIRE^^LILLE^^59000^FRANCE"},
    {"LEFEBVRE^JEAN^LOUIS", "M", "19490117", "3 PLACE BELLECOUR^^LYON^^69002^FRANCE"},
};

void at_synth_study_options_default(at_synth_study_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->series = 2;
    opt->slices = 4;
    opt->size = 64;
    opt->seed = 1;
}

static at_status check_options(const at_synth_study_options *o)
{
    if (o->series < 1 || o->series > MAX_SERIES || o->slices < 1 || o->slices > MAX_SLICES || o->size < 8 ||
        o->size > MAX_SIZE)
        return at_error_set(AT_ERR_ARG, "synthetic study: series 1..%d, slices 1..%d, size 8..%d", MAX_SERIES,
                            MAX_SLICES, MAX_SIZE);
    return AT_OK;
}

/* A study-level number derived from the seed (stable across slices). */
static uint64_t seed_number(uint64_t seed, uint64_t salt)
{
    at_rng r;
    at_rng_seed(&r, seed * 0x9e3779b97f4a7c15ull + salt);
    return at_rng_next(&r);
}

static void make_uid(char *out, size_t n, uint64_t seed, const char *kind, int a, int b)
{
    snprintf(out, n, "%s.%llu.%s.%d.%d", SYNTH_UID_ROOT,
             (unsigned long long)(seed_number(seed, 7) % 1000000000ull), kind, a, b);
}

typedef struct {
    at_dcm_dataset *ds;
    at_status st;
} builder;

static void put(builder *b, uint16_t g, uint16_t e, const char *vr, const char *value)
{
    if (!b->st)
        b->st = at_dcm_set_string(b->ds, AT_TAG(g, e), AT_VR(vr[0], vr[1]), value);
}

static void put_u16(builder *b, uint16_t g, uint16_t e, uint16_t v)
{
    if (!b->st)
        b->st = at_dcm_set_u16(b->ds, AT_TAG(g, e), v);
}

static void put_item(builder *b, uint16_t g, uint16_t e, builder *item)
{
    item->st = b->st;
    item->ds = NULL;
    if (!b->st)
        item->st = b->st = at_dcm_sequence_append(b->ds, AT_TAG(g, e), &item->ds);
}

static at_status fill_pixels(at_dcm_dataset *ds, int size, int slice, int slices, int mr)
{
    size_t n = (size_t)size * (size_t)size;
    uint16_t *px = at_malloc(n * 2);
    if (!px)
        return AT_ERR_NOMEM;
    double z = slices > 1 ? (double)slice / (slices - 1) - 0.5 : 0.0;
    double body = 0.42 * sqrt(1.0 - 0.5 * z * z);
    for (int y = 0; y < size; y++) {
        double fy = (y + 0.5) / size - 0.5;
        for (int x = 0; x < size; x++) {
            double fx = (x + 0.5) / size - 0.5;
            double r2 = (fx * fx) / (body * body) + (fy * fy) / (0.8 * body * 0.8 * body);
            double bone = ((fx - 0.0) * (fx - 0.0) + (fy - 0.22) * (fy - 0.22)) / (0.05 * 0.05);
            double lung = ((fabs(fx) - 0.18) * (fabs(fx) - 0.18)) / (0.11 * 0.11) + (fy * fy) / (0.2 * 0.2);
            int v;
            if (r2 > 1.0)
                v = mr ? 0 : 24; /* air: -1000 HU */
            else if (bone < 1.0)
                v = mr ? 150 : 1024 + 900;
            else if (lung < 1.0)
                v = mr ? 40 : 1024 - 820;
            else
                v = mr ? 600 + (x * 7 + y * 3) % 40 : 1024 + 40 + (x * 7 + y * 3) % 20;
            px[(size_t)y * size + x] = (uint16_t)v;
        }
    }
    at_status st = at_dcm_set_bytes(ds, AT_TAG(0x7fe0, 0x0010), AT_VR('O', 'W'), px, (uint32_t)(n * 2));
    at_free(px);
    return st;
}

at_status at_synth_dicom_slice(const at_synth_study_options *opt, int series, int slice, at_dcm_file **out)
{
    *out = NULL;
    at_status st = check_options(opt);
    if (st)
        return st;
    if (series < 0 || series >= opt->series || slice < 0 || slice >= opt->slices)
        return at_error_set(AT_ERR_ARG, "synthetic study: series %d slice %d out of range", series, slice);
    at_dcm_file *f = at_calloc(1, sizeof *f);
    if (!f)
        return AT_ERR_NOMEM;
    f->dataset = at_dcm_dataset_new();
    f->meta = at_dcm_dataset_new();
    f->has_preamble = 1;
    snprintf(f->transfer_syntax, sizeof f->transfer_syntax, "%s",
             opt->transfer_syntax ? opt->transfer_syntax : AT_TS_EXPLICIT_LE);
    if (!f->dataset || !f->meta) {
        at_dcm_file_free(f);
        return AT_ERR_NOMEM;
    }
    uint64_t seed = opt->seed;
    size_t who = (size_t)(seed_number(seed, 1) % (sizeof identities / sizeof *identities));
    int mr = series % 2 == 1;
    char buf[256], study_uid[96], series_uid[96], sop_uid[96], prev_uid[96], for_uid[96];
    make_uid(study_uid, sizeof study_uid, seed, "1", 0, 0);
    make_uid(series_uid, sizeof series_uid, seed, "2", series, 0);
    make_uid(sop_uid, sizeof sop_uid, seed, "3", series, slice + 1);
    make_uid(prev_uid, sizeof prev_uid, seed, "3", series, slice);
    make_uid(for_uid, sizeof for_uid, seed, "4", series, 0);
    /* study date: 2018-2023, from the seed */
    unsigned day = (unsigned)(seed_number(seed, 2) % 28) + 1,
             month = (unsigned)(seed_number(seed, 3) % 12) + 1;
    unsigned year = 2018 + (unsigned)(seed_number(seed, 4) % 6);
    char date[16], time[24], dt[40];
    snprintf(date, sizeof date, "%04u%02u%02u", year, month, day);
    snprintf(time, sizeof time, "%02d%02d%02d", 8 + series, 10 + slice % 50, slice % 60);
    snprintf(dt, sizeof dt, "%s%s", date, time);
    unsigned long long nir_serial = seed_number(seed, 5) % 1000000ull;
    char nir[32];
    /* French NIR-like: sex, year, month, department, commune, order, key (all fake) */
    snprintf(nir, sizeof nir, "%c%.2s%.2s75%03llu%03llu%02llu", identities[who].sex[0] == 'F' ? '2' : '1',
             identities[who].birth + 2, identities[who].birth + 4, nir_serial / 1000, nir_serial % 1000,
             (unsigned long long)(97 - nir_serial % 97));

    builder b = {f->dataset, AT_OK};
    put(&b, 0x0008, 0x0005, "CS", "ISO_IR 100");
    put(&b, 0x0008, 0x0008, "CS", "ORIGINAL\\PRIMARY\\AXIAL");
    put(&b, 0x0008, 0x0012, "DA", date);
    put(&b, 0x0008, 0x0013, "TM", time);
    put(&b, 0x0008, 0x0016, "UI", mr ? "1.2.840.10008.5.1.4.1.1.4" : "1.2.840.10008.5.1.4.1.1.2");
    put(&b, 0x0008, 0x0018, "UI", sop_uid);
    put(&b, 0x0008, 0x0020, "DA", date);
    put(&b, 0x0008, 0x0021, "DA", date);
    put(&b, 0x0008, 0x0022, "DA", date);
    put(&b, 0x0008, 0x0023, "DA", date);
    put(&b, 0x0008, 0x0030, "TM", "081500");
    put(&b, 0x0008, 0x0031, "TM", time);
    put(&b, 0x0008, 0x0032, "TM", time);
    put(&b, 0x0008, 0x0033, "TM", time);
    snprintf(buf, sizeof buf, "A%08llu", (unsigned long long)(seed_number(seed, 6) % 100000000ull));
    put(&b, 0x0008, 0x0050, "SH", buf);
    put(&b, 0x0008, 0x0060, "CS", mr ? "MR" : "CT");
    put(&b, 0x0008, 0x0070, "LO", "ATELIER SYNTH");
    put(&b, 0x0008, 0x0080, "LO", "CENTRE HOSPITALIER DE TEST");
    put(&b, 0x0008, 0x0081, "ST", "1 AVENUE DE LA SANTE, 69000 LYON");
    put(&b, 0x0008, 0x0090, "PN", "MOREAU^CLAIRE^^DR");
    put(&b, 0x0008, 0x1010, "SH", mr ? "MRTEST01" : "CTTEST01");
    snprintf(buf, sizeof buf, "THORAX %s (patient %s)", mr ? "IRM" : "TDM", identities[who].name);
    put(&b, 0x0008, 0x1030, "LO", buf);
    put(&b, 0x0008, 0x103e, "LO", mr ? "T2 AXIAL" : "THORAX 1.25 MM");
    put(&b, 0x0008, 0x1040, "LO", "RADIOLOGIE");
    put(&b, 0x0008, 0x1050, "PN", "PETIT^LUC^^DR");
    put(&b, 0x0008, 0x1070, "PN", "ROUX^EMMA");
    put(&b, 0x0008, 0x1090, "LO", mr ? "SYNTH MR 3T" : "SYNTH CT 64");
    builder item;
    put_item(&b, 0x0008, 0x1032, &item); /* Procedure Code Sequence */
    put(&item, 0x0008, 0x0100, "SH", mr ? "ZT2TH" : "ZCTTH");
    put(&item, 0x0008, 0x0102, "SH", "99SYNTH");
    put(&item, 0x0008, 0x0104, "LO", mr ? "IRM THORAX" : "SCANNER THORAX");
    b.st = item.st;
    put_item(&b, 0x0008, 0x1110, &item); /* Referenced Study Sequence */
    put(&item, 0x0008, 0x1150, "UI", "1.2.840.10008.3.1.2.3.1");
    put(&item, 0x0008, 0x1155, "UI", study_uid);
    b.st = item.st;
    if (slice > 0) {
        put_item(&b, 0x0008, 0x1140, &item); /* Referenced Image Sequence: previous slice */
        put(&item, 0x0008, 0x1150, "UI", mr ? "1.2.840.10008.5.1.4.1.1.4" : "1.2.840.10008.5.1.4.1.1.2");
        put(&item, 0x0008, 0x1155, "UI", prev_uid);
        b.st = item.st;
    }
    put(&b, 0x0010, 0x0010, "PN", identities[who].name);
    put(&b, 0x0010, 0x0020, "LO", nir);
    put(&b, 0x0010, 0x0021, "LO", "NIR");
    put(&b, 0x0010, 0x0030, "DA", identities[who].birth);
    put(&b, 0x0010, 0x0040, "CS", identities[who].sex);
    snprintf(buf, sizeof buf, "%03uY",
             year -
                 (unsigned)((identities[who].birth[0] - '0') * 1000 + (identities[who].birth[1] - '0') * 100 +
                            (identities[who].birth[2] - '0') * 10 + (identities[who].birth[3] - '0')));
    put(&b, 0x0010, 0x1010, "AS", buf);
    put(&b, 0x0010, 0x1020, "DS", "1.68");
    put(&b, 0x0010, 0x1030, "DS", "64");
    put(&b, 0x0010, 0x1040, "LO", identities[who].address);
    snprintf(buf, sizeof buf, "IPP%06llu", nir_serial);
    put(&b, 0x0010, 0x1000, "LO", buf);
    put(&b, 0x0010, 0x2154, "SH", "0472000000");
    put(&b, 0x0010, 0x4000, "LT", "Patiente suivie pour nodule, voir dossier");
    put(&b, 0x0018, 0x0015, "CS", "CHEST");
    put(&b, 0x0018, 0x0050, "DS", mr ? "4" : "1.25");
    if (!mr)
        put(&b, 0x0018, 0x0060, "DS", "120");
    else {
        put(&b, 0x0018, 0x0080, "DS", "4000");
        put(&b, 0x0018, 0x0081, "DS", "90");
        put(&b, 0x0018, 0x0087, "DS", "3");
    }
    snprintf(buf, sizeof buf, "SN%06llu", (unsigned long long)(seed_number(seed, 8) % 1000000ull));
    put(&b, 0x0018, 0x1000, "LO", buf);
    put(&b, 0x0018, 0x1020, "LO", "SYNTH 1.0");
    put(&b, 0x0018, 0x1030, "LO", mr ? "THORAX T2" : "THORAX STANDARD");
    put(&b, 0x0018, 0x5100, "CS", "HFS");
    put(&b, 0x0020, 0x000d, "UI", study_uid);
    put(&b, 0x0020, 0x000e, "UI", series_uid);
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)(seed_number(seed, 9) % 100000ull));
    put(&b, 0x0020, 0x0010, "SH", buf);
    snprintf(buf, sizeof buf, "%d", series + 1);
    put(&b, 0x0020, 0x0011, "IS", buf);
    snprintf(buf, sizeof buf, "%d", slice + 1);
    put(&b, 0x0020, 0x0013, "IS", buf);
    double spacing = 350.0 / opt->size;
    snprintf(buf, sizeof buf, "%.4f\\%.4f\\%.2f", -175.0, -175.0, -200.0 + slice * (mr ? 4.0 : 1.25));
    put(&b, 0x0020, 0x0032, "DS", buf);
    put(&b, 0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0");
    put(&b, 0x0020, 0x0052, "UI", for_uid);
    put(&b, 0x0020, 0x1040, "LO", "");
    snprintf(buf, sizeof buf, "%.2f", -200.0 + slice * (mr ? 4.0 : 1.25));
    put(&b, 0x0020, 0x1041, "DS", buf);
    put_u16(&b, 0x0028, 0x0002, 1);
    put(&b, 0x0028, 0x0004, "CS", "MONOCHROME2");
    put_u16(&b, 0x0028, 0x0010, (uint16_t)opt->size);
    put_u16(&b, 0x0028, 0x0011, (uint16_t)opt->size);
    snprintf(buf, sizeof buf, "%.6f\\%.6f", spacing, spacing);
    put(&b, 0x0028, 0x0030, "DS", buf);
    put_u16(&b, 0x0028, 0x0100, 16);
    put_u16(&b, 0x0028, 0x0101, 12);
    put_u16(&b, 0x0028, 0x0102, 11);
    put_u16(&b, 0x0028, 0x0103, 0);
    put(&b, 0x0028, 0x0301, "CS", "NO");
    put(&b, 0x0028, 0x1050, "DS", mr ? "300" : "40");
    put(&b, 0x0028, 0x1051, "DS", mr ? "600" : "400");
    if (!mr) {
        put(&b, 0x0028, 0x1052, "DS", "-1024");
        put(&b, 0x0028, 0x1053, "DS", "1");
        put(&b, 0x0028, 0x1054, "LO", "HU");
    }
    /* a private block that repeats identifying values, as some scanners do */
    put(&b, 0x0009, 0x0010, "LO", "ATELIER SYNTH PRIVATE");
    put(&b, 0x0009, 0x1001, "LO", identities[who].name);
    put(&b, 0x0009, 0x1002, "LO", nir);
    if (mr) { /* and a known-safe one (PS3.15 E.3.10): the b-value */
        put(&b, 0x0019, 0x0010, "LO", "SIEMENS MR HEADER");
        put(&b, 0x0019, 0x100c, "IS", "0");
    }
    st = b.st;
    if (!st)
        st = fill_pixels(f->dataset, opt->size, slice, opt->slices, mr);
    if (!st)
        st = at_dcm_meta_rebuild(f);
    if (st) {
        at_dcm_file_free(f);
        return st;
    }
    *out = f;
    return AT_OK;
}

at_status at_synth_study_run(const at_synth_study_spec *spec, at_run *run, at_synth_study_result *result)
{
    memset(result, 0, sizeof *result);
    if (!spec || !spec->outdir)
        return at_error_set(AT_ERR_ARG, "at_synth_study_run: missing argument");
    if (!run)
        run = at_run_default();
    const at_synth_study_options *opt = &spec->options;
    at_status st = check_options(opt);
    char *outdir = NULL;
    at_run_outputs outs = {0};
    if (!st)
        st = at_run_path(run, spec->outdir, 1, &outdir);
    if (!st)
        st = at_run_outputs_begin(&outs, outdir, 0755);
    uint64_t total = (uint64_t)opt->series * (uint64_t)opt->slices;
    if (!st)
        at_run_progress(run, "write", 0, total);
    for (int s = 0; s < opt->series && !st; s++) {
        char sub[64];
        snprintf(sub, sizeof sub, "S%d_%s", s + 1, s % 2 ? "MR" : "CT");
        char *dir = at_path_join(outdir, sub);
        st = dir ? at_mkdir_p(dir, 0755) : AT_ERR_NOMEM;
        for (int i = 0; i < opt->slices && !st; i++) {
            if ((st = at_run_check(run, "synth study")))
                break;
            at_dcm_file *f;
            st = at_synth_dicom_slice(opt, s, i, &f);
            if (st)
                break;
            char name[32];
            snprintf(name, sizeof name, "IM%04d.dcm", i + 1);
            char *path = at_path_join(dir, name);
            st = path ? at_dcm_write_file(f, path) : AT_ERR_NOMEM;
            if (!st)
                st = at_run_outputs_add(&outs, path);
            at_free(path);
            at_dcm_file_free(f);
            if (!st)
                at_run_progress(run, "write", ++result->files, total);
        }
        at_free(dir);
    }
    if (st && outs.root) { /* no partial study */
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", at_error_message());
        at_run_outputs_take_back(&outs);
        at_error_set(st, "%s", msg);
        result->files = 0;
    }
    at_run_outputs_free(&outs);
    at_free(outdir);
    return st;
}

at_status at_synth_dicom_study(const char *outdir, const at_synth_study_options *opt, size_t *files)
{
    at_synth_study_spec spec = {.outdir = outdir, .options = *opt};
    at_synth_study_result res;
    at_status st = at_synth_study_run(&spec, NULL, &res);
    if (files)
        *files = res.files;
    return st;
}
