/* Unit tests for the vault (src/vault): round trips of the files the
 * pipelines use, dedup, tampering, keys, shredding, paths, parents,
 * cancellation, gc against a concurrent import, and the manifest parser
 * under failing allocations and malformed input. */
#include "support.h"

#include "atelier/image.h"
#include "atelier/run.h"
#include "atelier/synth.h"
#include "atelier/vault.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- fixtures ---- */

typedef struct {
    char *tmp, *vault, *src;
    at_key master;
    at_vault *v;
    at_vault_dataset_id ds;
} fixture;

static char *join(const char *a, const char *b)
{
    char *p = malloc(strlen(a) + strlen(b) + 2);
    sprintf(p, "%s/%s", a, b);
    return p;
}

static void write_bytes(const char *dir, const char *name, const void *data, size_t len, int mode)
{
    char *p = join(dir, name);
    char *slash = strrchr(p, '/');
    *slash = '\0';
    assert_int_equal(at_mkdir_p(p, 0755), AT_OK);
    *slash = '/';
    assert_int_equal(test_write_file(p, data, len), 0);
    chmod(p, (mode_t)mode);
    free(p);
}

static void write_random(const char *dir, const char *name, size_t len, uint64_t seed)
{
    unsigned char *b = malloc(len + 1);
    at_rng r;
    at_rng_seed(&r, seed);
    for (size_t i = 0; i < len; i += 8) {
        uint64_t x = at_rng_next(&r);
        memcpy(b + i, &x, len - i < 8 ? len - i : 8);
    }
    write_bytes(dir, name, b, len, 0644);
    free(b);
}

static void setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    assert_int_equal(at_crypto_init(), AT_OK);
    f->tmp = test_mkdtemp();
    assert_non_null(f->tmp);
    f->vault = join(f->tmp, "vault");
    f->src = join(f->tmp, "src");
    randombytes_buf(f->master.bytes, sizeof f->master.bytes);
    assert_int_equal(at_vault_init(f->vault, &f->master), AT_OK);
    assert_int_equal(at_vault_open(f->vault, &f->master, &f->v), AT_OK);
    assert_int_equal(at_vault_dataset_create(f->v, &f->ds), AT_OK);
}

static void teardown(fixture *f)
{
    at_vault_close(f->v);
    test_rmtree(f->tmp);
    free(f->tmp);
    free(f->vault);
    free(f->src);
}

static at_status put_tree(fixture *f, const at_vault_snapshot_id *parent, const char *src, const char *prefix,
                          at_vault_snapshot_id *id, at_vault_commit_stats *cs, int threads)
{
    at_vault_tx *tx;
    at_status st = at_vault_begin(f->v, &f->ds, parent, NULL, &tx);
    if (st)
        return st;
    if ((st = at_vault_add_tree(tx, src, prefix))) {
        at_vault_abort(tx);
        return st;
    }
    at_run run;
    at_run_init(&run);
    run.threads = threads;
    return at_vault_commit(tx, &run, NULL, NULL, id, cs);
}

static at_status get(fixture *f, const at_vault_snapshot_id *id, const char *sub, const char *dest, int check)
{
    at_run run;
    at_run_init(&run);
    run.threads = 2;
    at_vault_read_options ro = {.check_hashes = check};
    return at_vault_materialise(f->v, &f->ds, id, sub, dest, &ro, &run, NULL);
}

/* Byte-identical trees (regular files and folders only). */
static void assert_same_tree(const char *a, const char *b)
{
    char *out = NULL;
    int rc = test_run(&out, 1, "diff -r '%s' '%s'", a, b);
    if (rc != 0)
        fail_msg("trees differ: %s", out ? out : "");
    free(out);
}

static int exists(const char *p)
{
    struct stat sb;
    return lstat(p, &sb) == 0;
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* The i-th chunk object file of the dataset (any order) into path. */
static int nth_chunk(fixture *f, size_t nth, char *path, size_t cap)
{
    char hex[AT_VAULT_DATASET_HEX];
    at_vault_dataset_hex(&f->ds, hex);
    for (int i = 0; i < 256; i++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/datasets/%s/chunks/%02x", f->vault, hex, i);
        DIR *d = opendir(dir);
        for (struct dirent *e; d && (e = readdir(d));) {
            if (e->d_name[0] == '.')
                continue;
            if (nth-- == 0) {
                snprintf(path, cap, "%s/%s", dir, e->d_name);
                closedir(d);
                return 1;
            }
        }
        if (d)
            closedir(d);
    }
    return 0;
}

static void flip_byte(const char *path, long offset)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    off_t size = lseek(fd, 0, SEEK_END);
    off_t at = offset >= 0 ? offset : size + offset;
    unsigned char c;
    assert_int_equal(pread(fd, &c, 1, at), 1);
    c ^= 0x40;
    assert_int_equal(pwrite(fd, &c, 1, at), 1);
    close(fd);
}

/* A small tree of every kind of file the pipelines read and write. */
static void make_pipeline_files(const char *src)
{
    /* DICOM: a synthetic CT/MR study */
    at_synth_study_options so;
    at_synth_study_options_default(&so);
    so.slices = 3;
    so.size = 96;
    so.seed = 7;
    char *dcm = join(src, "dicom");
    assert_int_equal(at_synth_dicom_study(dcm, &so, NULL), AT_OK);
    free(dcm);
    /* NIfTI, gzipped */
    at_grid g;
    at_grid_init(&g, 40, 36, 20, 1.0, 1.0, 2.5);
    at_volume *vol;
    assert_int_equal(at_volume_new(&g, 0.0f, &vol), AT_OK);
    for (size_t i = 0; i < at_grid_voxels(&g); i++)
        vol->data[i] = (float)((i * 2654435761u) % 4096) - 1024.0f;
    char *nii = join(src, "nifti");
    assert_int_equal(at_mkdir_p(nii, 0755), AT_OK);
    char *niip = join(nii, "ct.nii.gz");
    assert_int_equal(at_nifti_write(vol, niip), AT_OK);
    at_volume_free(vol);
    free(niip);
    free(nii);
    /* safetensors: 8-byte header length, JSON header, raw tensor */
    const char *hdr = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4,4],\"data_offsets\":[0,64]}}";
    size_t hl = strlen(hdr);
    unsigned char st[8 + 128 + 64];
    memset(st, 0, sizeof st);
    for (int i = 0; i < 8; i++)
        st[i] = (unsigned char)(hl >> (8 * i));
    memcpy(st + 8, hdr, hl);
    for (int i = 0; i < 16; i++) {
        float x = (float)i * 0.25f;
        memcpy(st + 8 + hl + 4 * i, &x, 4);
    }
    write_bytes(src, "model/unet.safetensors", st, 8 + hl + 64, 0644);
    const char *csv = "patient,age,toxicity\nP001,63,0\nP002,71,1\n";
    write_bytes(src, "tables/cohort.csv", csv, strlen(csv), 0644);
    const char *json = "{\"epochs\": 3, \"lr\": 0.001, \"note\": \"\\u00e9t\\u00e9\"}\n";
    write_bytes(src, "config.json", json, strlen(json), 0644);
    const char *txt =
        "Compte rendu synth\xc3\xa9tique : \xc3\xa9tat g\xc3\xa9n\xc3\xa9ral conserv\xc3\xa9.\r\n";
    write_bytes(src, "notes/cr 1.txt", txt, strlen(txt), 0644);
    write_bytes(src, "empty", "", 0, 0644);
    const char *sh = "#!/bin/sh\necho ok\n";
    write_bytes(src, "bin/run.sh", sh, strlen(sh), 0755);
    write_random(src, "big/random.bin", 9u << 20, 42); /* several chunks */
}

/* ---- tests ---- */

static void test_round_trip_of_pipeline_files(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    make_pipeline_files(f.src);
    at_vault_snapshot_id id;
    at_vault_commit_stats cs;
    assert_int_equal(put_tree(&f, NULL, f.src, NULL, &id, &cs, 2), AT_OK);
    assert_int_equal(cs.files, 14);
    assert_true(cs.chunks >= 15); /* the 9 MiB file is cut in several */
    char *out = join(f.tmp, "out");
    assert_int_equal(get(&f, &id, NULL, out, 1), AT_OK);
    assert_same_tree(f.src, out);
    /* private: folders 0700, files 0400, the script 0500 */
    struct stat sb;
    assert_int_equal(stat(out, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0700);
    char *p = join(out, "tables/cohort.csv");
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0400);
    free(p);
    p = join(out, "bin/run.sh");
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0500);
    free(p);
    p = join(out, "dicom");
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0700);
    free(p);
    /* the manifest's hashes are BLAKE2b-256 of the files */
    at_vault_manifest *m;
    assert_int_equal(at_vault_manifest_load(f.v, &f.ds, &id, &m), AT_OK);
    long i = at_vault_manifest_find(m, "tables/cohort.csv");
    assert_true(i >= 0);
    unsigned char h[32];
    const char *csv = "patient,age,toxicity\nP001,63,0\nP002,71,1\n";
    crypto_generichash(h, 32, (const unsigned char *)csv, strlen(csv), NULL, 0);
    assert_memory_equal(h, m->files[i].hash, 32);
    assert_int_equal(m->files[at_vault_manifest_find(m, "bin/run.sh")].mode, 0755);
    assert_true(at_vault_manifest_find(m, "empty") >= 0);
    at_vault_manifest_free(m);
    /* the same with one thread, and verify is clean */
    char *out1 = join(f.tmp, "out1");
    at_run run;
    at_run_init(&run);
    assert_int_equal(at_vault_materialise(f.v, &f.ds, &id, NULL, out1, NULL, &run, NULL), AT_OK);
    assert_same_tree(f.src, out1);
    at_vault_report rep;
    assert_int_equal(at_vault_verify(f.v, NULL, NULL, &rep), AT_OK);
    assert_true(at_vault_report_ok(&rep));
    assert_int_equal(rep.snapshots, 1);
    assert_int_equal(rep.chunks_ok, rep.chunks);
    assert_int_equal(rep.dangling_chunks, 0);
    at_vault_report_free(&rep);
    /* nothing of the contents is on disk in clear */
    char *cmd_out = NULL;
    assert_int_not_equal(test_run(&cmd_out, 1, "grep -r -l 'toxicity' '%s'", f.vault), 0);
    free(cmd_out);
    free(out);
    free(out1);
    teardown(&f);
}

static void test_one_path_and_a_subtree(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    make_pipeline_files(f.src);
    at_vault_snapshot_id id;
    assert_int_equal(put_tree(&f, NULL, f.src, "in", &id, NULL, 1), AT_OK);
    char *out = join(f.tmp, "one");
    assert_int_equal(get(&f, &id, "in/config.json", out, 0), AT_OK);
    assert_int_equal(count_entries(out), 1);
    char *a = join(out, "in/config.json"), *b = join(f.src, "config.json");
    size_t la, lb;
    unsigned char *da = test_read_file(a, &la), *db = test_read_file(b, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, la);
    free(da);
    free(db);
    free(a);
    free(b);
    char *sub = join(f.tmp, "sub");
    assert_int_equal(get(&f, &id, "in/dicom", sub, 1), AT_OK);
    char *sa = join(sub, "in/dicom"), *sb = join(f.src, "dicom");
    assert_same_tree(sa, sb);
    free(sa);
    free(sb);
    /* a prefix of a name is not a folder */
    char *none = join(f.tmp, "none");
    assert_int_equal(get(&f, &id, "in/dic", none, 0), AT_ERR_NOT_FOUND);
    assert_false(exists(none));
    /* dest must be new */
    assert_int_equal(get(&f, &id, NULL, out, 0), AT_ERR_REFUSED);
    free(none);
    free(sub);
    free(out);
    teardown(&f);
}

static void test_dedup_counted(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    write_random(f.src, "a.bin", 3u << 20, 1);
    write_random(f.src, "copy/a.bin", 3u << 20, 1); /* the same content */
    unsigned char *zeros = calloc(1, 13u << 20);
    write_bytes(f.src, "zeros.raw", zeros, 13u << 20, 0644); /* repeats itself */
    free(zeros);
    at_vault_snapshot_id s1, s2, s3;
    at_vault_commit_stats cs;
    assert_int_equal(put_tree(&f, NULL, f.src, NULL, &s1, &cs, 2), AT_OK);
    assert_int_equal(cs.files, 3);
    assert_int_equal(cs.chunks, cs.chunks_new + cs.chunks_dedup);
    assert_true(cs.chunks_dedup >= 3); /* the copy's chunks, and the zeros' repeated chunks */
    assert_true(cs.bytes_stored < cs.bytes_imported - (3u << 20));
    /* the same files again: nothing new */
    assert_int_equal(put_tree(&f, &s1, f.src, "again", &s2, &cs, 2), AT_OK);
    assert_int_equal(cs.chunks_new, 0);
    assert_int_equal(cs.chunks_dedup, cs.chunks);
    /* an edit in the middle of a large file: only the chunks near it change */
    char *dir2 = join(f.tmp, "v2");
    write_random(dir2, "big.bin", 24u << 20, 9);
    at_vault_snapshot_id b1;
    assert_int_equal(put_tree(&f, NULL, dir2, NULL, &b1, &cs, 1), AT_OK);
    uint64_t before = cs.chunks;
    assert_true(before >= 8);
    char *p = join(dir2, "big.bin");
    size_t len;
    unsigned char *data = test_read_file(p, &len);
    unsigned char *edited = malloc(len + 100);
    memcpy(edited, data, len / 2);
    memset(edited + len / 2, 'x', 100);
    memcpy(edited + len / 2 + 100, data + len / 2, len - len / 2);
    assert_int_equal(test_write_file(p, edited, len + 100), 0);
    assert_int_equal(put_tree(&f, &b1, dir2, NULL, &s3, &cs, 1), AT_OK);
    assert_true(cs.chunks_new <= 2);
    assert_true(cs.chunks_dedup >= before - 2);
    free(data);
    free(edited);
    free(p);
    free(dir2);
    teardown(&f);
}

static void test_chunk_tampering_detected(void **state)
{
    (void)state;
    long offsets[] = {0, 5, 9, 20, 45, 3000, -1, -10};
    for (size_t k = 0; k < sizeof offsets / sizeof *offsets; k++) {
        fixture f;
        setup(&f);
        write_random(f.src, "x/data.bin", 600000, 5);
        write_random(f.src, "y.bin", 700000, 6);
        at_vault_snapshot_id id;
        assert_int_equal(put_tree(&f, NULL, f.src, NULL, &id, NULL, 1), AT_OK);
        char chunk[2048];
        assert_true(nth_chunk(&f, 0, chunk, sizeof chunk));
        chmod(chunk, 0600);
        flip_byte(chunk, offsets[k]);
        at_vault_report rep;
        assert_int_equal(at_vault_verify(f.v, NULL, NULL, &rep), AT_OK);
        assert_false(at_vault_report_ok(&rep));
        assert_int_equal(rep.corrupt_chunks, 1);
        char hex[AT_VAULT_SNAPSHOT_HEX];
        at_vault_snapshot_hex(&id, hex);
        const char *name = strrchr(chunk, '/') + 1;
        int named = 0;
        for (size_t i = 0; i < rep.line_count; i++)
            named |=
                strstr(rep.lines[i], name) && strstr(rep.lines[i], hex) && strstr(rep.lines[i], "corrupted");
        assert_true(named);
        at_vault_report_free(&rep);
        /* reading fails and leaves nothing */
        char *out = join(f.tmp, "out");
        at_status st = get(&f, &id, NULL, out, 0);
        assert_true(st == AT_ERR_CRYPTO || st == AT_ERR_FORMAT || st == AT_ERR_UNSUPPORTED);
        assert_false(exists(out));
        assert_int_equal(count_entries(f.tmp), 2); /* vault, src: no .part folder left */
        free(out);
        teardown(&f);
    }
}

static void test_manifest_tampering_and_missing_chunks(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    write_random(f.src, "a.bin", 500000, 1);
    write_random(f.src, "b.bin", 500000, 2);
    at_vault_snapshot_id s1, s2;
    assert_int_equal(put_tree(&f, NULL, f.src, NULL, &s1, NULL, 1), AT_OK);
    assert_int_equal(put_tree(&f, &s1, f.src, "copy", &s2, NULL, 1), AT_OK);
    /* a missing chunk is named with both snapshots that need it */
    char chunk[2048];
    assert_true(nth_chunk(&f, 0, chunk, sizeof chunk));
    assert_int_equal(unlink(chunk), 0);
    at_vault_report rep;
    assert_int_equal(at_vault_verify(f.v, &f.ds, NULL, &rep), AT_OK);
    assert_int_equal(rep.missing_chunks, 1);
    char h1[AT_VAULT_SNAPSHOT_HEX], h2[AT_VAULT_SNAPSHOT_HEX];
    at_vault_snapshot_hex(&s1, h1);
    at_vault_snapshot_hex(&s2, h2);
    int named = 0;
    for (size_t i = 0; i < rep.line_count; i++)
        named |= strstr(rep.lines[i], "missing") && strstr(rep.lines[i], h1) && strstr(rep.lines[i], h2) &&
                 strstr(rep.lines[i], strrchr(chunk, '/') + 1);
    assert_true(named);
    at_vault_report_free(&rep);
    /* one byte of a manifest */
    char hex[AT_VAULT_DATASET_HEX], path[2048];
    at_vault_dataset_hex(&f.ds, hex);
    snprintf(path, sizeof path, "%s/datasets/%s/snapshots/%s", f.vault, hex, h2);
    chmod(path, 0600);
    flip_byte(path, 60);
    assert_int_equal(at_vault_verify(f.v, &f.ds, NULL, &rep), AT_OK);
    assert_int_equal(rep.corrupt_manifests, 1);
    named = 0;
    for (size_t i = 0; i < rep.line_count; i++)
        named |= strstr(rep.lines[i], h2) && strstr(rep.lines[i], "authentication failed");
    assert_true(named);
    at_vault_report_free(&rep);
    at_vault_manifest *m;
    assert_int_equal(at_vault_manifest_load(f.v, &f.ds, &s2, &m), AT_ERR_CRYPTO);
    assert_null(m);
    /* gc refuses to guess what an unreadable manifest needs */
    assert_int_not_equal(at_vault_gc(f.v, &f.ds, NULL, NULL, NULL, NULL), AT_OK);
    /* a manifest renamed to another snapshot's id fails too */
    char p1[2048];
    snprintf(p1, sizeof p1, "%s/datasets/%s/snapshots/%s", f.vault, hex, h1);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(link(p1, path), 0);
    assert_int_equal(at_vault_manifest_load(f.v, &f.ds, &s2, &m), AT_ERR_CRYPTO);
    teardown(&f);
}

static void test_chunk_swapped_for_another(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    write_random(f.src, "a.bin", 300000, 1);
    write_random(f.src, "b.bin", 300000, 2);
    at_vault_snapshot_id id;
    assert_int_equal(put_tree(&f, NULL, f.src, NULL, &id, NULL, 1), AT_OK);
    char c0[2048], c1[2048];
    assert_true(nth_chunk(&f, 0, c0, sizeof c0));
    assert_true(nth_chunk(&f, 1, c1, sizeof c1));
    assert_int_equal(unlink(c1), 0);
    assert_int_equal(link(c0, c1), 0); /* a genuine object under the wrong name */
    at_vault_report rep;
    assert_int_equal(at_vault_verify(f.v, NULL, NULL, &rep), AT_OK);
    assert_int_equal(rep.corrupt_chunks, 1);
    at_vault_report_free(&rep);
    char *out = join(f.tmp, "out");
    assert_int_equal(get(&f, &id, NULL, out, 0), AT_ERR_CRYPTO);
    free(out);
    teardown(&f);
}

static void test_wrong_master_key_refused(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    at_key other;
    randombytes_buf(other.bytes, sizeof other.bytes);
    at_vault *v2 = NULL;
    assert_int_equal(at_vault_open(f.vault, &other, &v2), AT_ERR_CRYPTO);
    assert_null(v2);
    char want[17], have[17];
    at_vault_master_id(&f.master, want);
    at_vault_master_id(&other, have);
    const char *msg = at_error_message();
    assert_non_null(strstr(msg, "wrong master key"));
    assert_non_null(strstr(msg, want));
    assert_non_null(strstr(msg, have));
    assert_int_equal(at_vault_init(f.vault, &other), AT_ERR_CRYPTO);
    assert_int_equal(at_vault_init(f.vault, &f.master), AT_OK); /* idempotent */
    /* a dataset folder carried into a vault of another master key */
    write_random(f.src, "a.bin", 1000, 1);
    at_vault_snapshot_id id;
    assert_int_equal(put_tree(&f, NULL, f.src, NULL, &id, NULL, 1), AT_OK);
    char *vault2 = join(f.tmp, "vault2");
    assert_int_equal(at_vault_init(vault2, &other), AT_OK);
    char hex[AT_VAULT_DATASET_HEX];
    at_vault_dataset_hex(&f.ds, hex);
    assert_int_equal(test_run(NULL, 1, "cp -a '%s/datasets/%s' '%s/datasets/'", f.vault, hex, vault2), 0);
    assert_int_equal(at_vault_open(vault2, &other, &v2), AT_OK);
    at_vault_manifest *m;
    assert_int_equal(at_vault_manifest_load(v2, &f.ds, &id, &m), AT_ERR_CRYPTO);
    assert_non_null(strstr(at_error_message(), "wrapped by master key"));
    at_vault_report rep;
    assert_int_equal(at_vault_verify(v2, NULL, NULL, &rep), AT_OK);
    assert_int_equal(rep.bad_keys, 1);
    assert_false(at_vault_report_ok(&rep));
    at_vault_report_free(&rep);
    at_vault_close(v2);
    /* a tampered wrapped key */
    char key[2048];
    snprintf(key, sizeof key, "%s/datasets/%s/key", f.vault, hex);
    chmod(key, 0600);
    flip_byte(key, 70);
    assert_int_equal(at_vault_manifest_load(f.v, &f.ds, &id, &m), AT_ERR_CRYPTO);
    assert_non_null(strstr(at_error_message(), "fails authentication"));
    free(vault2);
    teardown(&f);
}

static void test_crypto_shredding(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    at_vault_dataset_id keep = f.ds;
    write_random(f.src, "a.bin", 400000, 1);
    at_vault_snapshot_id kept;
    assert_int_equal(put_tree(&f, NULL, f.src, NULL, &kept, NULL, 1), AT_OK);
    assert_int_equal(at_vault_dataset_create(f.v, &f.ds), AT_OK);
    at_vault_snapshot_id s1, s2;
    assert_int_equal(put_tree(&f, NULL, f.src, NULL, &s1, NULL, 1), AT_OK);
    assert_int_equal(put_tree(&f, &s1, f.src, "b", &s2, NULL, 1), AT_OK);
    assert_int_equal(at_vault_dataset_shredded(f.v, &f.ds), 0);
    assert_int_equal(at_vault_dataset_shred(f.v, &f.ds, 0, NULL), AT_OK);
    assert_int_equal(at_vault_dataset_shredded(f.v, &f.ds), 1);
    char *out = join(f.tmp, "out");
    assert_int_equal(get(&f, &s2, NULL, out, 0), AT_ERR_CRYPTO);
    assert_non_null(strstr(at_error_message(), "crypto-shredded"));
    assert_false(exists(out));
    at_vault_tx *tx;
    assert_int_equal(at_vault_begin(f.v, &f.ds, NULL, NULL, &tx), AT_ERR_CRYPTO);
    char hex[AT_VAULT_DATASET_HEX], key[2048];
    at_vault_dataset_hex(&f.ds, hex);
    snprintf(key, sizeof key, "%s/datasets/%s/key", f.vault, hex);
    assert_false(exists(key));
    at_vault_report rep;
    assert_int_equal(at_vault_verify(f.v, NULL, NULL, &rep), AT_OK);
    assert_int_equal(rep.datasets, 2);
    assert_int_equal(rep.shredded_datasets, 1);
    assert_true(at_vault_report_ok(&rep)); /* unreadable by design, not damaged */
    int said = 0;
    for (size_t i = 0; i < rep.line_count; i++)
        said |= strstr(rep.lines[i], hex) && strstr(rep.lines[i], "crypto-shredded") &&
                strstr(rep.lines[i], "2 snapshots") && strstr(rep.lines[i], "unreadable");
    assert_true(said);
    at_vault_report_free(&rep);
    /* gc frees its space; the other dataset is untouched */
    at_vault_gc_stats gs;
    assert_int_equal(at_vault_gc(f.v, NULL, NULL, NULL, NULL, &gs), AT_OK);
    assert_int_equal(gs.snapshots_forgotten, 2);
    assert_true(gs.chunks_removed >= 1);
    f.ds = keep;
    assert_int_equal(get(&f, &kept, NULL, out, 0), AT_OK);
    assert_same_tree(f.src, out);
    free(out);
    teardown(&f);
}

static void test_paths_validated(void **state)
{
    (void)state;
    const char *good[] = {"a",
                          "a/b.dcm",
                          "patient_001/ct_dicom/CT0001.dcm",
                          "notes/cr 1.txt",
                          "\xc3\xa9t\xc3\xa9/x",
                          ".hidden",
                          "a..b",
                          "..."};
    const char *bad[] = {"",   "/abs",      "a/../b", "..",           ".",        "a/./b",  "a//b",
                         "a/", "tab\there", "nl\n",   "bad\xff utf8", "\xc0\xaf", "del\x7f"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_int_equal(at_vault_path_check(good[i]), AT_OK);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(at_vault_path_check(bad[i]), AT_ERR_ARG);
    char longp[1100], deep[200], longname[300];
    memset(longp, 'a', sizeof longp - 1);
    longp[sizeof longp - 1] = '\0';
    for (int i = 0; i < 1099; i += 100)
        longp[i] = '/';
    longp[0] = 'a';
    assert_int_equal(at_vault_path_check(longp), AT_ERR_ARG);
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(at_vault_path_check(longname), AT_ERR_ARG);
    size_t n = 0;
    for (int i = 0; i < 65; i++) {
        deep[n++] = 'd';
        deep[n++] = '/';
    }
    deep[n - 1] = '\0';
    assert_int_equal(at_vault_path_check(deep), AT_ERR_ARG);
    deep[2 * 64 - 1] = '\0';
    assert_int_equal(at_vault_path_check(deep), AT_OK);
    /* through the transaction */
    fixture f;
    setup(&f);
    write_random(f.src, "ok.bin", 100, 1);
    char *file = join(f.src, "ok.bin");
    at_vault_tx *tx;
    assert_int_equal(at_vault_begin(f.v, &f.ds, NULL, NULL, &tx), AT_OK);
    assert_int_equal(at_vault_add_file(tx, file, "../escape"), AT_ERR_ARG);
    assert_int_equal(at_vault_add_file(tx, file, "/etc/x"), AT_ERR_ARG);
    assert_int_equal(at_vault_add_tree(tx, f.src, "a/../b"), AT_ERR_ARG);
    assert_int_equal(at_vault_remove(tx, "nothing"), AT_ERR_NOT_FOUND);
    /* a file and a folder of the same name */
    assert_int_equal(at_vault_add_file(tx, file, "a"), AT_OK);
    assert_int_equal(at_vault_add_file(tx, file, "a/b"), AT_OK);
    at_vault_snapshot_id id;
    assert_int_equal(at_vault_commit(tx, NULL, NULL, NULL, &id, NULL), AT_ERR_ARG);
    /* a symbolic link inside a tree */
    char *link_path = join(f.src, "link");
    assert_int_equal(symlink("/etc/passwd", link_path), 0);
    assert_int_equal(at_vault_begin(f.v, &f.ds, NULL, NULL, &tx), AT_OK);
    assert_int_equal(at_vault_add_tree(tx, f.src, NULL), AT_ERR_UNSUPPORTED);
    at_vault_abort(tx);
    at_vault_snapshot_info *info;
    size_t count;
    assert_int_equal(at_vault_snapshot_list(f.v, &f.ds, &info, &count), AT_OK);
    assert_int_equal(count, 0);
    at_free(info);
    free(link_path);
    free(file);
    teardown(&f);
}

static void test_parent_add_replace_remove(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    write_bytes(f.src, "a.txt", "one", 3, 0644);
    write_bytes(f.src, "b/c.txt", "two", 3, 0644);
    write_bytes(f.src, "b/d.txt", "three", 5, 0644);
    write_bytes(f.src, "b.txt", "four", 4, 0644);
    at_vault_snapshot_id s1, s2;
    assert_int_equal(put_tree(&f, NULL, f.src, NULL, &s1, NULL, 1), AT_OK);
    char *dir2 = join(f.tmp, "new");
    write_bytes(dir2, "a.txt", "ONE!", 4, 0644);
    write_bytes(dir2, "e.txt", "five", 4, 0644);
    char *a2 = join(dir2, "a.txt"), *e2 = join(dir2, "e.txt");
    at_vault_tx *tx;
    assert_int_equal(at_vault_begin(f.v, &f.ds, &s1, NULL, &tx), AT_OK);
    assert_int_equal(at_vault_remove(tx, "b"), AT_OK); /* the folder b, not b.txt */
    assert_int_equal(at_vault_add_file(tx, a2, "a.txt"), AT_OK);
    assert_int_equal(at_vault_add_file(tx, e2, "b/e.txt"), AT_OK);
    assert_int_equal(at_vault_add_file(tx, e2, "gone.txt"), AT_OK);
    assert_int_equal(at_vault_remove(tx, "gone.txt"), AT_OK);
    at_vault_commit_stats cs;
    assert_int_equal(at_vault_commit(tx, NULL, NULL, NULL, &s2, &cs), AT_OK);
    assert_int_equal(cs.files, 3);
    assert_int_equal(cs.files_removed, 2);
    assert_int_equal(cs.files_imported, 2);
    at_vault_manifest *m;
    assert_int_equal(at_vault_manifest_load(f.v, &f.ds, &s2, &m), AT_OK);
    assert_int_equal(m->file_count, 3);
    assert_string_equal(m->files[0].path, "a.txt");
    assert_int_equal(m->files[0].size, 4);
    assert_string_equal(m->files[1].path, "b.txt");
    assert_string_equal(m->files[2].path, "b/e.txt");
    assert_true(m->has_parent);
    assert_memory_equal(m->parent.bytes, s1.bytes, 32);
    at_vault_manifest_free(m);
    /* the parent is unchanged */
    assert_int_equal(at_vault_manifest_load(f.v, &f.ds, &s1, &m), AT_OK);
    assert_int_equal(m->file_count, 4);
    at_vault_manifest_free(m);
    /* list and resolve */
    at_vault_snapshot_info *info;
    size_t n;
    assert_int_equal(at_vault_snapshot_list(f.v, &f.ds, &info, &n), AT_OK);
    assert_int_equal(n, 2);
    at_free(info);
    char hex[AT_VAULT_SNAPSHOT_HEX], prefix[9];
    at_vault_snapshot_hex(&s2, hex);
    memcpy(prefix, hex, 8);
    prefix[8] = '\0';
    at_vault_snapshot_id r;
    assert_int_equal(at_vault_snapshot_resolve(f.v, &f.ds, prefix, &r), AT_OK);
    assert_memory_equal(r.bytes, s2.bytes, 32);
    assert_int_equal(at_vault_snapshot_resolve(f.v, &f.ds, "abc", &r), AT_ERR_ARG);
    free(a2);
    free(e2);
    free(dir2);
    teardown(&f);
}

typedef struct {
    volatile sig_atomic_t *flag;
    uint64_t after;
    int events;
} canceller;

static void cancel_on_progress(void *ud, const at_run_event *ev)
{
    canceller *c = ud;
    c->events++;
    if (ev->step >= c->after)
        *c->flag = 1;
}

static void test_cancel_leaves_nothing_and_import_resumes(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    for (int i = 0; i < 24; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%02d.bin", i);
        write_random(f.src, name, 1u << 20, (uint64_t)i + 100);
    }
    volatile sig_atomic_t flag = 0;
    canceller c = {&flag, 1, 0};
    at_run run;
    at_run_init(&run);
    run.cancel = &flag;
    run.progress = cancel_on_progress;
    run.progress_ud = &c;
    at_vault_tx *tx;
    assert_int_equal(at_vault_begin(f.v, &f.ds, NULL, NULL, &tx), AT_OK);
    assert_int_equal(at_vault_add_tree(tx, f.src, NULL), AT_OK);
    at_vault_snapshot_id id;
    assert_int_equal(at_vault_commit(tx, &run, NULL, NULL, &id, NULL), AT_ERR_CANCELLED);
    at_vault_snapshot_info *info;
    size_t n;
    assert_int_equal(at_vault_snapshot_list(f.v, &f.ds, &info, &n), AT_OK);
    assert_int_equal(n, 0); /* no snapshot */
    at_free(info);
    /* the import again: the chunks already stored are not written twice */
    at_vault_commit_stats cs;
    assert_int_equal(put_tree(&f, NULL, f.src, NULL, &id, &cs, 2), AT_OK);
    assert_true(cs.chunks >= 24);
    assert_true(cs.chunks_dedup >= 1);
    /* a cancelled materialisation leaves no folder, partial or hidden */
    flag = 0;
    c.after = 1;
    run.threads = 2;
    char *out = join(f.tmp, "out");
    assert_int_equal(at_vault_materialise(f.v, &f.ds, &id, NULL, out, NULL, &run, NULL), AT_ERR_CANCELLED);
    assert_false(exists(out));
    assert_int_equal(count_entries(f.tmp), 2);
    flag = 0;
    c.after = UINT64_MAX;
    assert_int_equal(at_vault_materialise(f.v, &f.ds, &id, NULL, out, NULL, &run, NULL), AT_OK);
    assert_same_tree(f.src, out);
    assert_true(c.events > 0);
    free(out);
    teardown(&f);
}

typedef struct {
    fixture *f;
    int done;
    at_status st;
    at_vault_gc_stats gs;
} gc_thread;

static void *run_gc(void *arg)
{
    gc_thread *g = arg;
    g->st = at_vault_gc(g->f->v, &g->f->ds, NULL, NULL, NULL, &g->gs);
    __atomic_store_n(&g->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void test_gc_and_a_concurrent_import(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    write_random(f.src, "a.bin", 500000, 1);
    write_random(f.src, "b.bin", 500000, 2);
    at_vault_snapshot_id s1, s2;
    assert_int_equal(put_tree(&f, NULL, f.src, NULL, &s1, NULL, 1), AT_OK);
    /* an import that relies on s1's chunks (dedup) while s1 is forgotten
     * and a gc starts: the gc waits for the import to publish */
    at_vault_tx *tx;
    assert_int_equal(at_vault_begin(f.v, &f.ds, NULL, NULL, &tx), AT_OK);
    assert_int_equal(at_vault_add_tree(tx, f.src, NULL), AT_OK);
    assert_int_equal(at_vault_snapshot_forget(f.v, &f.ds, &s1), AT_OK);
    gc_thread g = {.f = &f};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, run_gc, &g), 0);
    usleep(200 * 1000);
    assert_int_equal(__atomic_load_n(&g.done, __ATOMIC_SEQ_CST), 0); /* blocked on the lock */
    at_vault_commit_stats cs;
    assert_int_equal(at_vault_commit(tx, NULL, NULL, NULL, &s2, &cs), AT_OK);
    assert_int_equal(cs.chunks_new, 0); /* it counted on s1's chunks */
    pthread_join(t, NULL);
    assert_int_equal(g.st, AT_OK);
    assert_int_equal(g.gs.chunks_removed, 0);
    char *out = join(f.tmp, "out");
    assert_int_equal(get(&f, &s2, NULL, out, 1), AT_OK);
    assert_same_tree(f.src, out);
    /* a snapshot the catalog no longer lists goes, and its own chunks */
    char *dir2 = join(f.tmp, "other");
    write_random(dir2, "c.bin", 300000, 3);
    at_vault_snapshot_id s3;
    assert_int_equal(put_tree(&f, NULL, dir2, NULL, &s3, NULL, 1), AT_OK);
    /* leftovers of an interrupted write */
    char hex[AT_VAULT_DATASET_HEX], tmpf[2048];
    at_vault_dataset_hex(&f.ds, hex);
    snprintf(tmpf, sizeof tmpf, "%s/datasets/%s/tmp/leftover", f.vault, hex);
    assert_int_equal(test_write_file(tmpf, "x", 1), 0);
    at_vault_report rep;
    assert_int_equal(at_vault_verify(f.v, NULL, NULL, &rep), AT_OK);
    assert_int_equal(rep.temporaries, 1);
    at_vault_report_free(&rep);
    at_vault_gc_stats gs;
    assert_int_equal(at_vault_gc(f.v, &f.ds, NULL, NULL, NULL, &gs), AT_OK);
    assert_int_equal(gs.temporaries_removed, 1);
    assert_int_equal(gs.chunks_removed, 0);
    assert_int_equal(gs.snapshots_live, 2);
    /* (a file of 300 to 500 kB is one chunk or, now and then, two) */
    at_vault_manifest *m2, *m3;
    assert_int_equal(at_vault_manifest_load(f.v, &f.ds, &s2, &m2), AT_OK);
    assert_int_equal(at_vault_manifest_load(f.v, &f.ds, &s3, &m3), AT_OK);
    assert_int_equal(at_vault_snapshot_forget(f.v, &f.ds, &s3), AT_OK);
    assert_int_equal(at_vault_snapshot_forget(f.v, &f.ds, &s3), AT_ERR_NOT_FOUND);
    assert_int_equal(at_vault_gc(f.v, &f.ds, NULL, NULL, NULL, &gs), AT_OK);
    assert_int_equal(gs.chunks_removed, m3->chunk_count);
    assert_int_equal(gs.chunks_kept, m2->chunk_count);
    at_vault_manifest_free(m2);
    at_vault_manifest_free(m3);
    assert_int_equal(at_vault_verify(f.v, NULL, NULL, &rep), AT_OK);
    assert_true(at_vault_report_ok(&rep));
    assert_int_equal(rep.dangling_chunks, 0);
    at_vault_report_free(&rep);
    free(dir2);
    free(out);
    teardown(&f);
}

static int live_none(void *ud, const at_vault_dataset_id *ds, const at_vault_snapshot_id *snap)
{
    (void)ds;
    (void)snap;
    (*(int *)ud)++;
    return 0;
}

typedef struct {
    int calls;
    at_status answer;
    at_vault_snapshot_id seen;
} publisher;

static at_status publish(void *ud, const at_vault_dataset_id *ds, const at_vault_snapshot_id *snap,
                         const at_vault_snapshot_id *parent, const at_vault_commit_stats *st)
{
    (void)ds;
    (void)parent;
    publisher *p = ud;
    p->calls++;
    p->seen = *snap;
    assert_true(st->files > 0);
    if (p->answer)
        return at_error_set(p->answer, "quota of project P exceeded");
    return AT_OK;
}

static void test_publish_and_live_callbacks(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    write_random(f.src, "a.bin", 1000, 1);
    publisher p = {0, AT_ERR_LIMIT, {{0}}};
    at_vault_tx *tx;
    at_vault_snapshot_id id;
    assert_int_equal(at_vault_begin(f.v, &f.ds, NULL, NULL, &tx), AT_OK);
    assert_int_equal(at_vault_add_tree(tx, f.src, NULL), AT_OK);
    assert_int_equal(at_vault_commit(tx, NULL, publish, &p, &id, NULL), AT_ERR_LIMIT);
    assert_non_null(strstr(at_error_message(), "quota"));
    assert_int_equal(p.calls, 1);
    at_vault_snapshot_info *info;
    size_t n;
    assert_int_equal(at_vault_snapshot_list(f.v, &f.ds, &info, &n), AT_OK);
    assert_int_equal(n, 0); /* refused: never visible */
    at_free(info);
    p.answer = AT_OK;
    assert_int_equal(at_vault_begin(f.v, &f.ds, NULL, NULL, &tx), AT_OK);
    assert_int_equal(at_vault_add_tree(tx, f.src, NULL), AT_OK);
    assert_int_equal(at_vault_commit(tx, NULL, publish, &p, &id, NULL), AT_OK);
    assert_memory_equal(p.seen.bytes, id.bytes, 32);
    int asked = 0;
    at_vault_gc_stats gs;
    assert_int_equal(at_vault_gc(f.v, NULL, live_none, &asked, NULL, &gs), AT_OK);
    assert_int_equal(asked, 1);
    assert_int_equal(gs.snapshots_forgotten, 1);
    assert_int_equal(gs.chunks_removed, 1);
    teardown(&f);
}

static void test_compression(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    char *text = malloc(2u << 20);
    for (size_t i = 0; i < (2u << 20); i++)
        text[i] = "atelier vault "[i % 14];
    write_bytes(f.src, "repetitive.txt", text, 2u << 20, 0644);
    write_random(f.src, "random.bin", 1u << 20, 3);
    free(text);
    at_vault_tx *tx;
    at_vault_write_options wo = {.compress = 1};
    assert_int_equal(at_vault_begin(f.v, &f.ds, NULL, &wo, &tx), AT_OK);
    assert_int_equal(at_vault_add_tree(tx, f.src, NULL), AT_OK);
    at_vault_snapshot_id id;
    at_vault_commit_stats cs;
    assert_int_equal(at_vault_commit(tx, NULL, NULL, NULL, &id, &cs), AT_OK);
    assert_true(cs.bytes_stored < (1u << 20) + (1u << 18)); /* the text shrank, the random bytes did not */
    char *out = join(f.tmp, "out");
    assert_int_equal(get(&f, &id, NULL, out, 1), AT_OK);
    assert_same_tree(f.src, out);
    at_vault_report rep;
    assert_int_equal(at_vault_verify(f.v, NULL, NULL, &rep), AT_OK);
    assert_true(at_vault_report_ok(&rep));
    assert_int_equal(rep.bytes_checked, (2u << 20) + (1u << 20));
    at_vault_report_free(&rep);
    free(out);
    teardown(&f);
}

/* ---- the manifest parser ---- */

static unsigned char *sample_manifest(size_t *len)
{
    at_vault_file files[4];
    at_vault_chunk_ref chunks[5];
    memset(files, 0, sizeof files);
    memset(chunks, 0, sizeof chunks);
    const char *paths[] = {"a.dcm", "d/b.nii.gz", "d/c/x.csv", "e"};
    size_t counts[] = {1, 2, 2, 0}, c = 0;
    for (int i = 0; i < 4; i++) {
        files[i].path = paths[i];
        files[i].mode = i == 2 ? 0755 : 0644;
        files[i].first_chunk = c;
        files[i].chunk_count = counts[i];
        for (size_t k = 0; k < counts[i]; k++, c++) {
            memset(chunks[c].id, (int)(c + 1), 32);
            chunks[c].len = (uint32_t)(1000 + c);
            files[i].size += chunks[c].len;
        }
        memset(files[i].hash, 0xa0 + i, 32);
    }
    at_vault_manifest m = {.created = 1700000000,
                           .has_parent = 1,
                           .file_count = 4,
                           .files = files,
                           .chunk_count = c,
                           .chunks = chunks};
    memset(m.parent.bytes, 0x55, 32);
    unsigned char *out;
    assert_int_equal(at_vault_manifest_encode(&m, &out, len), AT_OK);
    return out;
}

static void test_manifest_parser_out_of_memory(void **state)
{
    (void)state;
    size_t len;
    unsigned char *data = sample_manifest(&len);
    int done = 0;
    long n;
    for (n = 1; n < 100 && !done; n++) {
        at_vault_manifest *m = (at_vault_manifest *)1;
        at_alloc_fail_after(n);
        at_status st = at_vault_manifest_parse(data, len, &m);
        at_alloc_fail_after(0);
        if (st == AT_OK) {
            assert_int_equal(m->file_count, 4);
            assert_string_equal(m->files[2].path, "d/c/x.csv");
            assert_int_equal(m->files[1].size, 2003);
            at_vault_manifest_free(m);
            done = 1;
        } else {
            assert_int_equal(st, AT_ERR_NOMEM);
            assert_null(m);
        }
    }
    assert_true(done);
    assert_true(n > 3); /* the walk met failing allocations */
    /* encoding under failing allocations too */
    at_vault_manifest *m;
    assert_int_equal(at_vault_manifest_parse(data, len, &m), AT_OK);
    at_alloc_fail_after(1);
    unsigned char *out = (unsigned char *)1;
    size_t olen;
    assert_int_equal(at_vault_manifest_encode(m, &out, &olen), AT_ERR_NOMEM);
    at_alloc_fail_after(0);
    assert_null(out);
    at_vault_manifest_free(m);
    at_free(data);
}

static void test_manifest_parser_malformed(void **state)
{
    (void)state;
    size_t len;
    unsigned char *data = sample_manifest(&len);
    at_vault_manifest *m;
    assert_int_equal(at_vault_manifest_parse(data, len, &m), AT_OK);
    unsigned char *again;
    size_t alen;
    assert_int_equal(at_vault_manifest_encode(m, &again, &alen), AT_OK);
    assert_int_equal(alen, len);
    assert_memory_equal(again, data, len);
    at_free(again);
    at_vault_manifest_free(m);
    /* every truncation and every extension is refused */
    for (size_t n = 0; n < len; n++) {
        assert_int_not_equal(at_vault_manifest_parse(data, n, &m), AT_OK);
        assert_null(m);
    }
    unsigned char *longer = malloc(len + 1);
    memcpy(longer, data, len);
    longer[len] = 0;
    assert_int_equal(at_vault_manifest_parse(longer, len + 1, &m), AT_ERR_FORMAT);
    free(longer);
    /* every single-byte change parses or fails cleanly */
    unsigned char *copy = malloc(len);
    for (size_t i = 0; i < len; i++)
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, data, len);
            copy[i] ^= (unsigned char)(1u << bit);
            if (at_vault_manifest_parse(copy, len, &m) == AT_OK)
                at_vault_manifest_free(m);
            else
                assert_null(m);
        }
    /* targeted: huge counts, out of order, a file that is a folder */
    memcpy(copy, data, len);
    copy[48] = 0xff;
    copy[49] = 0xff;
    copy[50] = 0xff;
    assert_int_equal(at_vault_manifest_parse(copy, len, &m), AT_ERR_FORMAT);
    free(copy);
    at_free(data);
    at_vault_file files[2] = {{.path = "b", .mode = 0644}, {.path = "a", .mode = 0644}};
    at_vault_chunk_ref none[1];
    at_vault_manifest bad = {.file_count = 2, .files = files, .chunks = none};
    unsigned char *enc;
    assert_int_equal(at_vault_manifest_encode(&bad, &enc, &len), AT_OK);
    assert_int_equal(at_vault_manifest_parse(enc, len, &m), AT_ERR_FORMAT);
    at_free(enc);
    files[0].path = "a";
    files[1].path = "a/b";
    assert_int_equal(at_vault_manifest_encode(&bad, &enc, &len), AT_OK);
    assert_int_equal(at_vault_manifest_parse(enc, len, &m), AT_ERR_FORMAT);
    at_free(enc);
    files[1].path = "../b";
    assert_int_equal(at_vault_manifest_encode(&bad, &enc, &len), AT_OK);
    assert_int_equal(at_vault_manifest_parse(enc, len, &m), AT_ERR_FORMAT);
    at_free(enc);
    /* frames */
    unsigned char junk[64] = "ATVO";
    assert_int_not_equal(at_vault_object_check(junk, sizeof junk, 0), AT_OK);
    assert_int_not_equal(at_vault_keyfile_check(junk, sizeof junk), AT_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_of_pipeline_files),
        cmocka_unit_test(test_one_path_and_a_subtree),
        cmocka_unit_test(test_dedup_counted),
        cmocka_unit_test(test_chunk_tampering_detected),
        cmocka_unit_test(test_manifest_tampering_and_missing_chunks),
        cmocka_unit_test(test_chunk_swapped_for_another),
        cmocka_unit_test(test_wrong_master_key_refused),
        cmocka_unit_test(test_crypto_shredding),
        cmocka_unit_test(test_paths_validated),
        cmocka_unit_test(test_parent_add_replace_remove),
        cmocka_unit_test(test_cancel_leaves_nothing_and_import_resumes),
        cmocka_unit_test(test_gc_and_a_concurrent_import),
        cmocka_unit_test(test_publish_and_live_callbacks),
        cmocka_unit_test(test_compression),
        cmocka_unit_test(test_manifest_parser_out_of_memory),
        cmocka_unit_test(test_manifest_parser_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
