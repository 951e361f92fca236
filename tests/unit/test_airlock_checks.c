/* The airlock's automated checks, each on a planted case (it must fire)
 * and on a clean one (it must stay silent): a table with a count of 4 (and
 * the secondary disclosure through its totals), a log line with a name and
 * an IPP, a DICOM file with a name (and the door's own output), a risk
 * model with a rare term (and one trained on a synthetic cohort), the
 * type allow-list and the size limit, pictures and documents for a human
 * look, neural-network weights for the DPO; the rounding transformation;
 * the risk model reader on every truncation. Synthetic data only, made
 * here. */
#include "support.h"

#include "atelier/airlock.h"
#include "atelier/deid.h"
#include "atelier/risk.h"
#include "atelier/synth.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static at_airlock_conf conf;
static at_text_deid *detector;

static int setup(void **state)
{
    (void)state;
    at_airlock_conf_defaults(&conf);
    snprintf(conf.types, sizeof conf.types, "csv,tsv,json,txt,log,png,svg,pdf,safetensors,atrisk,dicom");
    if (at_text_deid_new(NULL, &detector) != AT_OK)
        fail_msg("the text detector: %s", at_error_message());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    at_text_deid_free(detector);
    return 0;
}

static at_airlock_check_ctx ctx(int rounded)
{
    return (at_airlock_check_ctx){.conf = &conf, .threshold = 10, .detector = detector, .rounded = rounded};
}

/* The outcome of the check named name in a report ("" when absent). */
static const char *outcome_of(const at_airlock_checks *c, const char *name)
{
    static char out[16];
    out[0] = '\0';
    cJSON *j = cJSON_Parse(c->json);
    assert_non_null(j);
    cJSON *checks = cJSON_GetObjectItemCaseSensitive(j, "checks"), *e;
    cJSON_ArrayForEach(e, checks)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");
        if (cJSON_IsString(n) && !strcmp(n->valuestring, name))
            snprintf(out, sizeof out, "%s", cJSON_GetObjectItemCaseSensitive(e, "outcome")->valuestring);
    }
    cJSON_Delete(j);
    return out;
}

static int findings_of(const at_airlock_checks *c, const char *name)
{
    int n = -1;
    cJSON *j = cJSON_Parse(c->json), *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "checks"))
    {
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name");
        if (cJSON_IsString(nm) && !strcmp(nm->valuestring, name))
            n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(e, "findings"));
    }
    cJSON_Delete(j);
    return n;
}

static void run(const char *name, const void *data, size_t len, int rounded, at_airlock_checks *out)
{
    at_airlock_check_ctx c = ctx(rounded);
    if (at_airlock_check_file(&c, name, data, len, len, out) != AT_OK)
        fail_msg("%s: %s", name, at_error_message());
    /* never a value in the report: the report parses and names no cell */
    cJSON *j = cJSON_Parse(out->json);
    assert_non_null(j);
    cJSON_Delete(j);
}

static void test_table_small_count(void **state)
{
    (void)state;
    at_airlock_checks c;
    const char *planted = "stage,sex,patients\nI,F,25\nI,M,4\nII,F,31\nII,M,18\n";
    run("table.csv", planted, strlen(planted), 0, &c);
    assert_string_equal(c.type, "csv");
    assert_string_equal(outcome_of(&c, "disclosure"), "fail");
    assert_int_equal(findings_of(&c, "disclosure"), 1);
    assert_int_equal(c.outcome, AT_CHECK_FAIL);
    assert_false(c.hard); /* an exception may be asked */
    assert_false(test_contains(c.json, strlen(c.json), "\"4\""));
    at_airlock_checks_free(&c);
    const char *clean = "stage,sex,patients\nI,F,25\nI,M,14\nII,F,31\nII,M,18\n";
    run("table.csv", clean, strlen(clean), 0, &c);
    assert_string_equal(outcome_of(&c, "disclosure"), "pass");
    assert_string_equal(outcome_of(&c, "identifiers"), "pass");
    assert_int_equal(c.outcome, AT_CHECK_PASS);
    at_airlock_checks_free(&c);
    /* the same with ';' (a French spreadsheet) and as TSV */
    const char *semi = "stade;patients\nI;25\nII;4\n";
    run("t.csv", semi, strlen(semi), 0, &c);
    assert_string_equal(outcome_of(&c, "disclosure"), "fail");
    at_airlock_checks_free(&c);
    const char *tsv = "stade\tpatients\nI\t25\nII\t7\n";
    run("t.tsv", tsv, strlen(tsv), 0, &c);
    assert_string_equal(outcome_of(&c, "disclosure"), "fail");
    at_airlock_checks_free(&c);
    /* a project's own threshold */
    at_airlock_check_ctx c5 = ctx(0);
    c5.threshold = 3;
    assert_int_equal(at_airlock_check_file(&c5, "t.csv", (const unsigned char *)planted, strlen(planted),
                                           strlen(planted), &c),
                     AT_OK);
    assert_string_equal(outcome_of(&c, "disclosure"), "pass");
    at_airlock_checks_free(&c);
    /* years, ages and grades are not counts */
    const char *years = "year,age,grade,patients\n2021,4,3,25\n2022,6,2,40\n";
    run("t.csv", years, strlen(years), 0, &c);
    assert_string_equal(outcome_of(&c, "disclosure"), "pass");
    at_airlock_checks_free(&c);
}

static void test_table_secondary(void **state)
{
    (void)state;
    at_airlock_checks c;
    /* a suppressed cell that the total gives back: 60 - 25 - 31 = 4 */
    const char *recoverable = "stage,patients\nI,25\nII,*\nIII,31\nTotal,60\n";
    run("t.csv", recoverable, strlen(recoverable), 0, &c);
    assert_string_equal(outcome_of(&c, "disclosure"), "fail");
    assert_true(test_contains(c.json, strlen(c.json), "differencing"));
    at_airlock_checks_free(&c);
    /* the same with the total recomputed after suppression: nothing to learn */
    const char *recomputed = "stage,patients\nI,25\nII,*\nIII,31\nTotal,56\n";
    run("t.csv", recomputed, strlen(recomputed), 0, &c);
    assert_string_equal(outcome_of(&c, "disclosure"), "pass");
    assert_string_equal(outcome_of(&c, "totals"), "pass");
    at_airlock_checks_free(&c);
    /* a small count beside a total column found by its sums */
    const char *sums = "site,F,M,all\nA,25,4,29\nB,30,20,50\nC,12,15,27\n";
    run("t.csv", sums, strlen(sums), 0, &c);
    assert_string_equal(outcome_of(&c, "disclosure"), "fail");
    assert_true(test_contains(c.json, strlen(c.json), "small-with-total"));
    at_airlock_checks_free(&c);
    /* row-level data */
    const char *rows = "patient_id,probability\nP001,0.3\nP002,0.7\n";
    run("scores.csv", rows, strlen(rows), 0, &c);
    assert_string_equal(outcome_of(&c, "row-level"), "fail");
    at_airlock_checks_free(&c);
}

static void test_round(void **state)
{
    (void)state;
    at_status st_round;
    const char *t = "site,F,M,total\nA,25,4,29\nB,33,21,54\nTotal,58,25,83\n";
    unsigned char *out;
    size_t len;
    assert_int_equal(at_airlock_round_table((const unsigned char *)t, strlen(t), 10, 5, &out, &len), AT_OK);
    /* 4 suppressed; totals from what is shown (A: 25, M: 21, all: 79), then rounded to 5 */
    assert_string_equal((char *)out, "site,F,M,total\nA,25,[REDACTED],25\nB,35,20,55\nTotal,60,20,80\n");
    at_airlock_checks c;
    run("t.csv", out, len, 1, &c);
    assert_string_equal(outcome_of(&c, "disclosure"), "pass");
    assert_int_equal(c.outcome, AT_CHECK_PASS);
    at_airlock_checks_free(&c);
    at_free(out);
    assert_int_equal(at_airlock_round_table((const unsigned char *)"a,b\nx,y\n", 8, 10, 5, &out, &len),
                     AT_ERR_FORMAT);
    at_error_clear();
    /* found by fuzz_airlock: a blank first line made the input's delimiter
     * a comma and the rounded table's (no blank line) a tab, so the table
     * that left had a small count in a column the input did not count. The
     * rounding refuses a table that does not read back the same, or its
     * output passes. */
    static const char odd[] =
        "\nA\003st<<<<<2<0<<\003st<<<<<2<0<<<<<<<<<<<<<<"
        "<<<<otmdal,58,25,83z'''\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t"
        "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t"
        "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\014"
        "\t\t\t\t\t\t\t'\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t'''''''''"
        "''''''''''@''''''''''''''''''''''''''\n<<"
        "<<<<<<<<<<<<<<otmdal,58,25,83z'''\t\t\t\t\t\t\t"
        "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t'\t\t\t\t\t\t\t\t\t\t\t\t\t\t"
        "\t\t1\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t"
        "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t'\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t"
        "\t\t'''''''''''''''''''@''''''''''''''''''"
        "''''''''\n";
    st_round = at_airlock_round_table((const unsigned char *)odd, sizeof odd - 1, 10, 5, &out, &len);
    if (st_round == AT_OK) {
        run("t.csv", out, len, 1, &c);
        assert_string_not_equal(outcome_of(&c, "disclosure"), "fail");
        at_airlock_checks_free(&c);
        at_free(out);
    } else {
        assert_int_equal(st_round, AT_ERR_FORMAT);
        at_error_clear();
    }
}

static void test_log_identifiers(void **state)
{
    (void)state;
    at_airlock_checks c;
    const char *planted = "[atelier 2026-12-05T01:00:00Z] the job started\n"
                          "epoch 1 loss 0.412\n"
                          "reading note of Patient Jean DUPONT, IPP 80012345, for cycle 3\n"
                          "epoch 2 loss 0.301\n";
    run("log", planted, strlen(planted), 0, &c);
    assert_string_equal(c.type, "log");
    assert_string_equal(outcome_of(&c, "identifiers"), "fail");
    assert_true(findings_of(&c, "identifiers") >= 2);
    assert_true(test_contains(c.json, strlen(c.json), "\"line\":3"));
    assert_true(test_contains(c.json, strlen(c.json), "\"IPP\""));
    assert_false(test_contains(c.json, strlen(c.json), "DUPONT"));
    assert_false(test_contains(c.json, strlen(c.json), "80012345"));
    at_airlock_checks_free(&c);
    const char *clean =
        "[atelier 2026-12-05T01:00:00Z] the job started\nepoch 1 loss 0.412\nepoch 2 loss 0.301\n"
        "2026-12-05 01:02:03 step 40 dice 0.871\n[atelier 2026-12-05T01:05:00Z] the job ended\n";
    run("log", clean, strlen(clean), 0, &c);
    assert_string_equal(outcome_of(&c, "identifiers"), "pass");
    assert_int_equal(c.outcome, AT_CHECK_PASS);
    at_airlock_checks_free(&c);
    /* the same detector on text and JSON */
    const char *json = "{\"note\": \"vu par le Dr Martin\", \"auc\": 0.81}";
    run("metrics.json", json, strlen(json), 0, &c);
    assert_string_equal(outcome_of(&c, "identifiers"), "fail");
    at_airlock_checks_free(&c);
    const char *ok = "{\"auroc\": 0.81, \"auprc\": 0.42, \"patients\": 412}";
    run("metrics.json", ok, strlen(ok), 0, &c);
    assert_int_equal(c.outcome, AT_CHECK_PASS);
    at_airlock_checks_free(&c);
}

/* The French detector as the door's (as the engine's deid --option clean-descriptors hands it). */
static at_status door_detect(void *ud, const char *text, size_t len, at_deid_span **spans, size_t *count)
{
    size_t bad;
    if (at_text_utf8_check(text, len, &bad) != 0)
        return AT_OK;
    at_text_spans s = {0};
    at_status st = at_text_deid_detect(ud, text, len, &s);
    if (!st && s.n) {
        at_deid_span *v = at_realloc(*spans, (*count + s.n) * sizeof *v);
        if (!v) {
            at_text_spans_free(&s);
            return AT_ERR_NOMEM;
        }
        *spans = v;
        for (size_t i = 0; i < s.n; i++)
            v[(*count)++] =
                (at_deid_span){.start = s.v[i].start, .len = s.v[i].len, .kind = AT_DEID_SPAN_OTHER};
    }
    at_text_spans_free(&s);
    return st;
}

static unsigned char *dicom_bytes(int door, size_t *len)
{
    at_synth_study_options o;
    at_synth_study_options_default(&o);
    o.seed = 7;
    at_dcm_file *f;
    assert_int_equal(at_synth_dicom_slice(&o, 0, 0, &f), AT_OK);
    if (door) {
        at_key k;
        memset(k.bytes, 5, sizeof k.bytes);
        at_deid_config cfg = {.key = &k, .detect = door_detect, .detect_ud = detector};
        assert_int_equal(at_deid_apply(f, &cfg), AT_OK);
    }
    unsigned char *out;
    assert_int_equal(at_dcm_write_memory(f, &out, len), AT_OK);
    at_dcm_file_free(f);
    return out;
}

static void test_dicom(void **state)
{
    (void)state;
    size_t len;
    unsigned char *planted = dicom_bytes(0, &len);
    at_airlock_checks c;
    run("slice.dcm", planted, len, 0, &c);
    assert_string_equal(c.type, "dicom");
    assert_string_equal(outcome_of(&c, "door-attributes"), "fail");
    assert_true(test_contains(c.json, strlen(c.json), "(0010,0010)")); /* Patient's Name, by its tag */
    assert_int_equal(c.outcome, AT_CHECK_FAIL);
    at_airlock_checks_free(&c);
    at_free(planted);
    unsigned char *clean = dicom_bytes(1, &len);
    run("slice.dcm", clean, len, 0, &c);
    if (c.outcome != AT_CHECK_PASS)
        fail_msg("the door's own output: %s", c.json);
    at_airlock_checks_free(&c);
    at_free(clean);
    /* DICOM is not on the default allow-list */
    at_airlock_conf d;
    at_airlock_conf_defaults(&d);
    at_airlock_check_ctx x = {.conf = &d, .threshold = 10, .detector = detector};
    clean = dicom_bytes(1, &len);
    assert_int_equal(at_airlock_check_file(&x, "slice.dcm", clean, len, len, &c), AT_OK);
    assert_string_equal(outcome_of(&c, "type"), "fail");
    assert_true(c.hard);
    at_airlock_checks_free(&c);
    at_free(clean);
}

/* A risk model file with the given terms (the trainer's format, ATRISK02). */
static unsigned char *model_with_terms(const char *const *terms, size_t n, size_t *len)
{
    const uint32_t h = 1u << 18, s = 9;
    size_t size = 8 + 8 + 8 + 4 + 8 + (size_t)h * 4 + ((size_t)h + s) * 8 + 4 + 4;
    for (size_t i = 0; i < n; i++)
        size += 6 + strlen(terms[i]);
    unsigned char *d = calloc(1, size), *p = d;
    memcpy(p, "ATRISK02", 8);
    p += 8;
    memcpy(p, &h, 4);
    memcpy(p + 4, &s, 4);
    p += 8 + 8 + 4 + 8 + (size_t)h * 4 + ((size_t)h + s) * 8;
    uint32_t nt = (uint32_t)n;
    memcpy(p, &nt, 4);
    p += 4;
    for (size_t i = 0; i < n; i++) {
        uint32_t j = (uint32_t)i * 7 + 1;
        uint16_t l = (uint16_t)strlen(terms[i]);
        memcpy(p, &j, 4);
        memcpy(p + 4, &l, 2);
        memcpy(p + 6, terms[i], l);
        p += 6 + l;
    }
    *len = size;
    return d;
}

static void test_risk_model(void **state)
{
    (void)state;
    /* a model trained on a synthetic cohort: the trainer's own vocabulary */
    at_buf b;
    at_buf_init(&b, 64u << 20);
    assert_int_equal(at_synth_chemo_cohort(120, 3, &b), AT_OK);
    at_csv csv;
    assert_int_equal(at_csv_parse((const char *)b.data, b.len, 1u << 20, &csv), AT_OK);
    at_risk_options opt = {.C = 1.0, .threads = 1};
    at_risk_model *m;
    assert_int_equal(at_risk_train(&csv, &opt, &m), AT_OK);
    char *dir = test_mkdtemp(), path[600];
    snprintf(path, sizeof path, "%s/model.atrisk", dir);
    assert_int_equal(at_risk_save(m, path), AT_OK);
    at_risk_free(m);
    at_csv_free(&csv);
    at_buf_free(&b);
    size_t len;
    unsigned char *clean = test_read_file(path, &len);
    char *terms;
    size_t count;
    assert_int_equal(at_airlock_model_terms(clean, len, &terms, &count), AT_OK);
    assert_true(count > 10);
    at_free(terms);
    at_airlock_checks c;
    run("model.atrisk", clean, len, 0, &c);
    assert_string_equal(c.type, "atrisk");
    if (strcmp(outcome_of(&c, "vocabulary"), "pass"))
        fail_msg("a trained model's vocabulary: %s", c.json);
    assert_string_equal(outcome_of(&c, "term-patients"), "review"); /* 5 patients < the threshold of 10 */
    at_airlock_checks_free(&c);
    /* every truncation of the file is refused by the reader, never read past */
    for (size_t cut = 0; cut < len; cut += (cut < 64 ? 1 : 4093)) {
        assert_int_equal(at_airlock_model_terms(clean, cut, &terms, &count), AT_ERR_FORMAT);
        at_error_clear();
    }
    free(clean);
    test_rmtree(dir);
    free(dir);
    /* a rare term: one patient's IPP, one patient's name */
    static const char *const rare[] = {"neutropenie febrile", "ipp 80012345", "chimiotherapie", "dupont"};
    unsigned char *planted = model_with_terms(rare, 4, &len);
    run("model.atrisk", planted, len, 0, &c);
    assert_string_equal(outcome_of(&c, "vocabulary"), "fail");
    assert_int_equal(findings_of(&c, "vocabulary"), 2);
    assert_true(test_contains(c.json, strlen(c.json), "\"term\":2,\"kind\":\"digits\""));
    assert_true(test_contains(c.json, strlen(c.json), "\"term\":4,\"kind\":\"identifier\""));
    assert_false(test_contains(c.json, strlen(c.json), "dupont"));
    at_airlock_checks_free(&c);
    free(planted);
    static const char *const common[] = {"neutropenie febrile", "chimiotherapie", "grade 3",
                                         "hospitalisation"};
    unsigned char *fine = model_with_terms(common, 4, &len);
    run("model.atrisk", fine, len, 0, &c);
    assert_string_equal(outcome_of(&c, "vocabulary"), "pass");
    at_airlock_checks_free(&c);
    free(fine);
}

static void test_types_and_sizes(void **state)
{
    (void)state;
    at_airlock_checks c;
    run("tool.exe", "MZ\x90\x00", 4, 0, &c);
    assert_string_equal(outcome_of(&c, "type"), "fail");
    assert_true(c.hard);
    at_airlock_checks_free(&c);
    /* a name cannot make a model a table */
    run("model.csv", "ATRISK02", 8, 0, &c);
    assert_string_equal(c.type, "atrisk");
    at_airlock_checks_free(&c);
    /* past the size limit: not read, failed */
    at_airlock_check_ctx x = ctx(0);
    assert_int_equal(at_airlock_check_file(&x, "big.csv", NULL, 0, conf.file_max + 1, &c), AT_OK);
    assert_string_equal(outcome_of(&c, "size"), "fail");
    assert_true(c.hard);
    at_airlock_checks_free(&c);
    /* a PNG and a PDF: a person looks */
    static const unsigned char png[] = {
        0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0,   0,   0,   16, 0,
        0,    0,   16,  8,   2,    0,    0,    0,    0, 0, 0, 0,  0,   0,   0,   0,   'I', 'E', 'N', 'D'};
    run("fig.png", png, sizeof png, 0, &c);
    assert_string_equal(outcome_of(&c, "image"), "review");
    assert_int_equal(c.outcome, AT_CHECK_REVIEW);
    at_airlock_checks_free(&c);
    const char *pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
    run("paper.pdf", pdf, strlen(pdf), 0, &c);
    assert_string_equal(outcome_of(&c, "document"), "review");
    at_airlock_checks_free(&c);
    /* not UTF-8 where text is expected */
    run("t.txt", "ab\xff\xfe", 4, 0, &c);
    assert_string_equal(outcome_of(&c, "encoding"), "fail");
    at_airlock_checks_free(&c);
    /* neural-network weights: the DPO's approval */
    const char *hdr = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"__metadata__\":{"
                      "\"epochs\":\"3\"}}";
    size_t hn = strlen(hdr), n = 8 + hn + 8;
    unsigned char *st = calloc(1, n);
    uint64_t hl = hn;
    memcpy(st, &hl, 8);
    memcpy(st + 8, hdr, hn);
    run("unet.safetensors", st, n, 0, &c);
    assert_string_equal(outcome_of(&c, "weights"), "review");
    assert_true(c.needs_dpo);
    at_airlock_checks_free(&c);
    /* a lying header: offsets past the end */
    memcpy(st + 8 + hn - 40, "[0,99]", 6); /* not valid JSON any more, or offsets out of bounds */
    run("unet.safetensors", st, n, 0, &c);
    assert_string_equal(outcome_of(&c, "weights"), "fail");
    at_airlock_checks_free(&c);
    free(st);
}

static void test_conf(void **state)
{
    (void)state;
    char *dir = test_mkdtemp(), path[600];
    snprintf(path, sizeof path, "%s/room.conf", dir);
    const char *text =
        "listen = 127.0.0.1:1\njobs.executor = none\nairlock.threshold = 7\n"
        "airlock.threshold.onco = 20\nairlock.types = csv, png\nairlock.checkers = alice, bob\n"
        "airlock.file_max_mb = 2\n";
    test_write_file(path, text, strlen(text));
    at_airlock_conf c;
    at_airlock_conf_defaults(&c);
    assert_int_equal(at_airlock_conf_read(path, &c), AT_OK);
    assert_int_equal(c.threshold, 7);
    assert_int_equal(at_airlock_threshold(&c, "onco"), 20);
    assert_int_equal(at_airlock_threshold(&c, "other"), 7);
    assert_true(at_airlock_type_allowed(&c, "png"));
    assert_false(at_airlock_type_allowed(&c, "pdf"));
    assert_true(at_airlock_conf_is_checker(&c, "bob"));
    assert_false(at_airlock_conf_is_checker(&c, "bo"));
    assert_int_equal(c.file_max, 2u << 20);
    test_write_file(path, "airlock.reviewers = 1\n", 22);
    assert_int_equal(at_airlock_conf_read(path, &c), AT_ERR_FORMAT);
    assert_true(strstr(at_error_message(), "line 1") != NULL);
    test_write_file(path, "airlock.nope = 1\n", 17);
    assert_int_equal(at_airlock_conf_read(path, &c), AT_ERR_FORMAT);
    at_error_clear();
    /* no room.conf: the defaults; a room.conf that cannot be read: an error */
    unlink(path);
    at_airlock_conf_defaults(&c);
    assert_int_equal(at_airlock_conf_read(path, &c), AT_OK);
    assert_int_equal(c.threshold, 10);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_not_equal(at_airlock_conf_read(path, &c), AT_OK);
    at_error_clear();
    test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_small_count),
        cmocka_unit_test(test_table_secondary),
        cmocka_unit_test(test_round),
        cmocka_unit_test(test_log_identifiers),
        cmocka_unit_test(test_dicom),
        cmocka_unit_test(test_risk_model),
        cmocka_unit_test(test_types_and_sizes),
        cmocka_unit_test(test_conf),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
