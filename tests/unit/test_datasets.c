/* Unit tests for the vault inside the room (src/datasets), on a room
 * opened without its web service: the upload's chunk frame (accepted,
 * refused in every way, rebuilt), the vault.* settings, an import of a
 * synthetic DICOM study through the door and of synthetic files as they
 * are (materialised byte-identical), a second import added to the latest
 * snapshot, resume of an upload's received bytes, refusals (a student,
 * files without synthetic, the quota), an import the server stopped being
 * queued again at the next open and finishing, a cancel removing the raw
 * copy, lineage and its SVG (labels escaped), the gc forgetting a snapshot
 * the catalog never published. Runs under ASan and UBSan too. */
#include "support.h"

#include "atelier/datasets.h"
#include "atelier/synth.h"

#include <sqlite3.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char *base;
    char dir[600];
    at_room *room;
    at_jobs *jobs;
    at_datasets *d;
} fixture;

static void open_all(fixture *f)
{
    assert_int_equal(at_room_open(f->dir, &f->room), AT_OK);
    assert_int_equal(at_jobs_open(f->room, &f->jobs), AT_OK);
    assert_int_equal(at_datasets_open(f->room, f->jobs, &f->d), AT_OK);
}

static void close_all(fixture *f)
{
    at_datasets_close(f->d);
    at_jobs_close(f->jobs);
    at_room_close(f->room);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->base = test_mkdtemp();
    snprintf(f->dir, sizeof f->dir, "%s/room", f->base);
    at_room_init_result r;
    assert_int_equal(at_room_init(f->dir, "boss", &r), AT_OK);
    char p[700];
    snprintf(p, sizeof p, "%s/room.conf", f->dir);
    FILE *c = fopen(p, "a");
    fputs("jobs.executor = none\nvault.imports = 1\nvault.quota.project.small = 0.00001\n", c);
    fclose(c);
    open_all(f);
    char otp[AT_ROOM_OTP_MAX];
    assert_int_equal(at_room_user_create(f->room, "boss", "ana", 0, "", otp, NULL), AT_OK);
    assert_int_equal(at_room_user_create(f->room, "boss", "stu", 0, "", otp, NULL), AT_OK);
    assert_int_equal(at_room_user_create(f->room, "boss", "lea", 0, "", otp, NULL), AT_OK);
    assert_int_equal(at_room_project_create(f->room, "boss", "p", "a project"), AT_OK);
    assert_int_equal(at_room_project_create(f->room, "boss", "small", "a small one"), AT_OK);
    assert_int_equal(at_room_member_set(f->room, "boss", "p", "ana", AT_PROJECT_MEMBER), AT_OK);
    assert_int_equal(at_room_member_set(f->room, "boss", "small", "ana", AT_PROJECT_MEMBER), AT_OK);
    assert_int_equal(at_room_member_set(f->room, "boss", "p", "stu", AT_PROJECT_STUDENT), AT_OK);
    assert_int_equal(at_room_member_set(f->room, "boss", "p", "lea", AT_PROJECT_LEAD), AT_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    close_all(f);
    test_rmtree(f->base);
    free(f->base);
    free(f);
    return 0;
}

/* ---- the chunk frame ---- */

static void test_chunk_frame(void **state)
{
    (void)state;
    char frame[300];
    size_t hl = at_datasets_chunk_header(3, 4096, "abcdef", 6, frame);
    memcpy(frame + hl, "abcdef", 6);
    at_datasets_chunk c;
    assert_int_equal(at_datasets_chunk_parse(frame, hl + 6, &c), AT_OK);
    assert_true(c.file == 3 && c.offset == 4096 && c.length == 6 && !memcmp(c.data, "abcdef", 6));
    /* a changed byte of the data, a short frame, a long one */
    frame[hl] = 'X';
    assert_int_equal(at_datasets_chunk_parse(frame, hl + 6, &c), AT_ERR_FORMAT);
    frame[hl] = 'a';
    assert_int_equal(at_datasets_chunk_parse(frame, hl + 5, &c), AT_ERR_FORMAT);
    assert_int_equal(at_datasets_chunk_parse(frame, hl + 7, &c), AT_ERR_FORMAT);
    /* malformed headers */
    static const char *const bad[] = {"ATLCHUNK1 03 0 1 ",
                                      "ATLCHUNK1 -1 0 1 ",
                                      "ATLCHUNK1 0 0 0 ",
                                      "ATLCHUNK1 0 0 ",
                                      "ATLCHUNK2 0 0 1 ",
                                      "ATLCHUNK1 0  0 1 ",
                                      "ATLCHUNK1 99999999999999999999 0 1 ",
                                      "ATLCHUNK1 0 0 9999999999 "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char b[300];
        int n = snprintf(b, sizeof b, "%s%064d\nx", bad[i], 0);
        assert_true(at_datasets_chunk_parse(b, (size_t)n, &c) != AT_OK);
    }
    assert_int_equal(at_datasets_chunk_parse("ATLCHUNK1 0 0 1 abc\nx", 21, &c), AT_ERR_FORMAT);
    assert_int_equal(at_datasets_chunk_parse(NULL, 0, &c), AT_ERR_FORMAT);
    at_error_clear();
}

/* ---- helpers ---- */

/* upload every file of the spec from the given contents, all or the first
 * `upto` bytes of each */
static void upload(fixture *f, int64_t id, const char *user, const char *const *data,
                   const at_import_file *files, size_t n, uint64_t upto)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t end = files[i].size < upto ? files[i].size : upto;
        for (uint64_t off = 0; off < end;) {
            size_t len = end - off < 1000 ? (size_t)(end - off) : 1000;
            char *frame = malloc(200 + len);
            size_t hl = at_datasets_chunk_header(i, off, data[i] + off, len, frame);
            memcpy(frame + hl, data[i] + off, len);
            at_status st = at_datasets_import_chunk(f->d, user, id, frame, hl + len);
            if (st)
                fail_msg("chunk: %s", at_error_message());
            free(frame);
            off += len;
        }
    }
}

static char *read_all(const char *path, size_t *len)
{
    unsigned char *b = NULL;
    if (at_file_read(path, 1 << 26, &b, len) != AT_OK)
        return NULL;
    char *c = malloc(*len + 1);
    memcpy(c, b, *len);
    c[*len] = 0;
    at_free(b);
    return c;
}

static int imports_empty(const fixture *f)
{
    char p[700];
    snprintf(p, sizeof p, "%s/imports", f->dir);
    char *out = NULL;
    test_run(&out, 1, "ls -A '%s'", p);
    int empty = !out || !out[0];
    free(out);
    return empty;
}

/* ---- imports ---- */

static void test_files_round_trip_and_refusals(void **state)
{
    fixture *f = *state;
    static const char *const data[] = {"stage,patients\nI,25\n", "{\"truth\":[1,2,3]}",
                                       "\x89PNG\r\n\x1a\nbinary\0bytes"};
    at_import_file files[3] = {{.size = 20, .ext = "csv", .path = "t/stages.csv"},
                               {.size = 17, .ext = "json", .path = "truth.json"},
                               {.size = 20, .ext = "png", .path = "t/pic.png"}};
    at_import_spec sp = {.project = "p",
                         .dataset = "syn",
                         .kind = "files",
                         .synthetic = 1,
                         .fingerprint = "0123456789abcdef",
                         .files = files,
                         .file_count = 3};
    int64_t id = 0;
    int resumed = 0;
    assert_int_equal(at_datasets_import_begin(f->d, "ana", &sp, &id, &resumed), AT_OK);
    assert_int_equal(resumed, 0);
    upload(f, id, "ana", data, files, 3, 10); /* part of each, then the rest as a resumed client would */
    int64_t again = 0;
    assert_int_equal(at_datasets_import_begin(f->d, "ana", &sp, &again, &resumed), AT_OK);
    assert_true(again == id && resumed == 1);
    uint64_t *rec = NULL;
    size_t n = 0;
    assert_int_equal(at_datasets_import_received(f->d, id, &rec, &n), AT_OK);
    assert_true(n == 3 && rec[0] == 10 && rec[1] == 10 && rec[2] == 10);
    at_free(rec);
    assert_int_equal(at_datasets_import_finish(f->d, "ana", id), AT_ERR_REFUSED); /* not all there */
    upload(f, id, "ana", data, files, 3, 1000); /* the first 10 again: ignored */
    assert_int_equal(at_datasets_import_chunk(f->d, "stu", id, "x", 1), AT_ERR_DENIED);
    assert_int_equal(at_datasets_import_chunk(f->d, "ana", id, "x", 1), AT_ERR_FORMAT);
    assert_int_equal(at_datasets_import_finish(f->d, "stu", id), AT_ERR_DENIED);
    assert_int_equal(at_datasets_import_finish(f->d, "ana", id), AT_OK);
    at_dataset_import imp;
    assert_int_equal(at_datasets_import_wait(f->d, id, 60, &imp), AT_OK);
    assert_int_equal(imp.state, AT_IMPORT_DONE);
    assert_true(imports_empty(f));
    assert_int_equal(at_datasets_is_synthetic(f->d, "p", "syn", NULL), 1);
    assert_int_equal(at_datasets_is_synthetic(f->d, "p", "syn", imp.snapshot), 1);
    assert_true(at_datasets_is_synthetic(f->d, "p", "nothing", NULL) < 0);
    /* materialised byte-identical */
    char dest[700], p[800];
    snprintf(dest, sizeof dest, "%s/got", f->base);
    assert_int_equal(at_datasets_materialise(f->d, "ana", "p", "syn", "latest", NULL, dest, NULL, NULL),
                     AT_OK);
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dest, files[i].path);
        size_t len = 0;
        char *c = read_all(p, &len);
        assert_non_null(c);
        assert_true(len == files[i].size && !memcmp(c, data[i], len));
        free(c);
    }
    test_rmtree(dest);
    /* refusals */
    sp.synthetic = 0;
    assert_int_equal(at_datasets_import_begin(f->d, "ana", &sp, &id, NULL),
                     AT_ERR_REFUSED); /* files, not synthetic */
    at_import_file one = {.size = 100000, .ext = "dcm"};
    at_import_spec real = {.project = "p",
                           .dataset = "ct",
                           .kind = "dicom",
                           .fingerprint = "00112233445566778899",
                           .files = &one,
                           .file_count = 1};
    assert_int_equal(at_datasets_import_begin(f->d, "stu", &real, &id, NULL), AT_ERR_DENIED);
    real.project = "small"; /* a quota of about 10 KB */
    assert_int_equal(at_datasets_import_begin(f->d, "ana", &real, &id, NULL), -30 /* AT_ERR_QUOTA */);
    assert_non_null(strstr(at_error_message(), "vault quota"));
    real.project = "p";
    real.dataset = "syn"; /* a real import into a synthetic dataset */
    assert_int_equal(at_datasets_import_begin(f->d, "ana", &real, &id, NULL), AT_ERR_REFUSED);
    real.dataset = "results";
    assert_int_equal(at_datasets_import_begin(f->d, "ana", &real, &id, NULL), AT_ERR_ARG);
    at_import_file named = {.size = 1, .ext = "dcm", .path = "MARTIN.dcm"}; /* a name through the door */
    real.dataset = "ct";
    real.files = &named;
    assert_int_equal(at_datasets_import_begin(f->d, "ana", &real, &id, NULL), AT_ERR_ARG);

    /* deletion: asked by the lead, confirmed by the DPO naming it; the data unreadable after */
    at_dataset x;
    assert_int_equal(at_datasets_get(f->d, "p", "syn", &x), AT_OK);
    assert_int_equal(at_datasets_shred(f->d, "boss", "p", "syn", "p/syn"), AT_ERR_REFUSED); /* nobody asked */
    assert_int_equal(at_datasets_delete_request(f->d, "lea", "p", "syn", ""), AT_ERR_ARG);
    assert_int_equal(at_datasets_delete_request(f->d, "lea", "p", "syn", "consent withdrawn"), AT_OK);
    assert_int_equal(at_datasets_delete_request(f->d, "lea", "p", "syn", "again"), AT_ERR_EXISTS);
    assert_int_equal(at_datasets_shred(f->d, "boss", "p", "syn", "p/other"), AT_ERR_ARG);
    assert_int_equal(at_datasets_shred(f->d, "boss", "p", "syn", "p/syn"), AT_OK);
    assert_true(at_datasets_is_synthetic(f->d, "p", "syn", NULL) < 0); /* gone from the catalog */
    at_vault_dataset_id vds;
    assert_int_equal(at_vault_dataset_parse(x.dataset_id, &vds), AT_OK);
    at_key mk;
    at_room_master_key(f->room, &mk);
    at_vault *v = NULL;
    char vdir[700];
    snprintf(vdir, sizeof vdir, "%s/vault", f->dir);
    assert_int_equal(at_vault_open(vdir, &mk, &v), AT_OK);
    assert_int_equal(at_vault_dataset_shredded(v, &vds), 1);
    at_vault_close(v);
    at_dataset_deletion *del = NULL;
    size_t nd = 0;
    assert_int_equal(at_datasets_deletions(f->d, "p", &del, &nd), AT_OK);
    assert_int_equal(nd, 1);
    assert_string_equal(del[0].state, "shredded");
    assert_string_equal(del[0].confirmed_by, "boss");
    at_free(del);
    at_error_clear();
}

static at_status study_files(const char *dir, char ***data, at_import_file **files, size_t *n)
{
    at_synth_study_options o;
    at_synth_study_options_default(&o);
    o.slices = 2;
    o.size = 32;
    size_t count = 0;
    at_status st = at_synth_dicom_study(dir, &o, &count);
    if (st)
        return st;
    char *out = NULL;
    test_run(&out, 0, "find '%s' -type f | sort", dir);
    *n = 0;
    *data = calloc(64, sizeof **data);
    *files = calloc(64, sizeof **files);
    for (char *line = strtok(out, "\n"); line && *n < 64; line = strtok(NULL, "\n")) {
        size_t len = 0;
        (*data)[*n] = read_all(line, &len);
        (*files)[*n].size = len;
        snprintf((*files)[*n].ext, sizeof(*files)[*n].ext, "dcm");
        (*n)++;
    }
    free(out);
    return AT_OK;
}

static void test_dicom_door_restart_cancel_lineage_gc(void **state)
{
    fixture *f = *state;
    char dir[700];
    snprintf(dir, sizeof dir, "%s/study", f->base);
    char **data = NULL;
    at_import_file *files = NULL;
    size_t n = 0;
    assert_int_equal(study_files(dir, &data, &files, &n), AT_OK);
    assert_true(n >= 2);
    at_import_spec sp = {.project = "p",
                         .dataset = "ct",
                         .kind = "dicom",
                         .fingerprint = "aaaaaaaaaaaaaaaa",
                         .files = files,
                         .file_count = n};
    int64_t id = 0;
    assert_int_equal(at_datasets_import_begin(f->d, "ana", &sp, &id, NULL), AT_OK);
    upload(f, id, "ana", (const char *const *)data, files, n, UINT64_MAX);
    assert_int_equal(at_datasets_import_finish(f->d, "ana", id), AT_OK);
    at_dataset_import imp;
    assert_int_equal(at_datasets_import_wait(f->d, id, 60, &imp), AT_OK);
    assert_int_equal(imp.state, AT_IMPORT_DONE);
    at_dataset_snapshot *log = NULL;
    size_t nl = 0;
    assert_int_equal(at_datasets_log(f->d, "p", "ct", &log, &nl), AT_OK);
    assert_int_equal(nl, 1);
    assert_string_equal(log[0].door, "dicom");
    assert_int_equal(log[0].files, n);
    assert_non_null(strstr(log[0].report, "\"files_done\":"));
    at_dataset_snapshots_free(log, nl);
    at_dataset_file *fl = NULL;
    size_t nf = 0;
    assert_int_equal(at_datasets_files(f->d, "p", "ct", "latest", &fl, &nf), AT_OK);
    assert_int_equal(nf, n);
    for (size_t i = 0; i < nf; i++)
        assert_non_null(strstr(fl[i].path, "2.25.")); /* the door's names: pseudonymised UIDs */
    at_dataset_files_free(fl, nf);

    /* an import queued when the service stops runs at the next open */
    sp.fingerprint = "bbbbbbbbbbbbbbbb";
    sp.files = files;
    sp.file_count = 1;
    assert_int_equal(at_datasets_import_begin(f->d, "ana", &sp, &id, NULL), AT_OK);
    upload(f, id, "ana", (const char *const *)data, files, 1, UINT64_MAX);
    at_datasets_close(f->d);
    f->d = NULL;
    /* as if a server had died while the door ran it */
    at_room_db *db = at_room_db_get(f->room);
    sqlite3_stmt *s = at_room_db_stmt(db, "UPDATE dataset_imports SET state = 2 WHERE id = ?");
    sqlite3_bind_int64(s, 1, id);
    assert_int_equal(sqlite3_step(s), SQLITE_DONE);
    sqlite3_reset(s);
    at_room_db_put(f->room, db);
    assert_int_equal(at_datasets_open(f->room, f->jobs, &f->d), AT_OK);
    assert_int_equal(at_datasets_import_wait(f->d, id, 60, &imp), AT_OK);
    assert_int_equal(imp.state, AT_IMPORT_DONE);
    assert_int_equal(at_datasets_log(f->d, "p", "ct", &log, &nl), AT_OK);
    assert_int_equal(nl, 2);
    assert_string_equal(log[1].parent, log[0].id); /* added to the latest */
    assert_int_equal(log[1].files, n);             /* the same file again: deduplicated, still n */
    at_dataset_snapshots_free(log, nl);
    assert_true(imports_empty(f));

    /* a cancel removes the raw copy */
    sp.fingerprint = "cccccccccccccccc";
    assert_int_equal(at_datasets_import_begin(f->d, "ana", &sp, &id, NULL), AT_OK);
    upload(f, id, "ana", (const char *const *)data, files, 1, 100);
    assert_false(imports_empty(f));
    assert_int_equal(at_datasets_import_cancel(f->d, "stu", id), AT_ERR_DENIED);
    assert_int_equal(at_datasets_import_cancel(f->d, "ana", id), AT_OK);
    assert_true(imports_empty(f));
    assert_int_equal(at_datasets_import_get(f->d, id, &imp), AT_OK);
    assert_int_equal(imp.state, AT_IMPORT_CANCELLED);

    /* lineage: the import that made the snapshot; the SVG escapes labels */
    at_lineage g;
    assert_int_equal(at_datasets_lineage(f->d, "p", "ct", NULL, &g), AT_OK);
    int saw_import = 0;
    for (size_t i = 0; i < g.node_count; i++)
        saw_import |= g.nodes[i].kind == AT_LINEAGE_IMPORT;
    assert_true(saw_import && g.edge_count >= 2);
    snprintf(g.nodes[0].label, sizeof g.nodes[0].label, "<script>&\"x\"");
    char *svg = NULL;
    assert_int_equal(at_lineage_svg(&g, &svg), AT_OK);
    assert_non_null(strstr(svg, "&lt;script&gt;&amp;&quot;x&quot;"));
    assert_null(strstr(svg, "<script>"));
    at_free(svg);
    at_lineage_free(&g);

    /* a manifest the catalog never published is forgotten by the gc */
    at_dataset x;
    assert_int_equal(at_datasets_get(f->d, "p", "ct", &x), AT_OK);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "ls %s/vault/datasets/%s/snapshots | head -1", f->dir, x.dataset_id);
    char *first = NULL;
    test_run(&first, 0, "%s", cmd);
    assert_non_null(first);
    first[strcspn(first, "\n")] = 0;
    snprintf(cmd, sizeof cmd, "cp %s/vault/datasets/%s/snapshots/%s %s/vault/datasets/%s/snapshots/%064d",
             f->dir, x.dataset_id, first, f->dir, x.dataset_id, 0);
    free(first);
    assert_int_equal(test_run(NULL, 1, "%s", cmd), 0);
    at_vault_gc_stats gs;
    assert_int_equal(at_datasets_gc(f->d, "boss", NULL, &gs), AT_OK);
    assert_int_equal(gs.snapshots_forgotten, 1);
    for (size_t i = 0; i < n; i++)
        free(data[i]);
    free(data);
    free(files);
}

static void test_conf(void **state)
{
    (void)state;
    char *dir = test_mkdtemp(), p[700];
    snprintf(p, sizeof p, "%s/room.conf", dir);
    at_datasets_conf c;
    at_datasets_conf_defaults(&c);
    const char *good =
        "listen = 1.2.3.4:5\nvault.imports = 3\nvault.quota_gb = 12.5\nvault.deid_options = uids\n";
    test_write_file(p, good, strlen(good));
    assert_int_equal(at_datasets_conf_read(p, &c), AT_OK);
    assert_true(c.imports == 3 && c.quota_gb == 12.5 && c.deid_options);
    static const char *const bad[] = {"vault.imports = 0\n", "vault.nothing = 1\n", "vault.quota_gb = -1\n",
                                      "vault.deid_options = full-dates,modified-dates\n",
                                      "vault.quota.project.a/b = 1\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        test_write_file(p, bad[i], strlen(bad[i]));
        assert_int_equal(at_datasets_conf_read(p, &c), AT_ERR_FORMAT);
    }
    at_error_clear();
    test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunk_frame),
        cmocka_unit_test(test_conf),
        cmocka_unit_test_setup_teardown(test_files_round_trip_and_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dicom_door_restart_cancel_lineage_gc, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
