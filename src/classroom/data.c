/* Course data: synthetic cohorts generated for a course (into its grading
 * project: staff only), datasets attached from elsewhere (synthetic only),
 * and assignments with their patient-level training and hidden splits. */
#include "internal.h"

#include "atelier/phantom.h"
#include "atelier/risk.h"
#include "atelier/synth.h"
#include "atelier/text.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA_PATIENTS_MAX 5000
#define CHEMO_MAX (256u << 20)

static at_status data_row(at_classroom *c, const char *by, const char *course, int64_t cid, const char *name,
                          const char *kind, int64_t seed, int patients, const char *snap)
{
    at_room_db *db = at_room_db_get(c->room);
    at_status st = at_room_db_begin(db);
    if (!st) {
        sqlite3_stmt *s = at_room_db_stmt(
            db, "INSERT INTO class_data(course_id, name, kind, seed, patients, snapshot, synthetic, created) "
                "VALUES (?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT(course_id, name) DO UPDATE SET kind = "
                "excluded.kind, "
                "seed = excluded.seed, patients = excluded.patients, snapshot = excluded.snapshot");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, cid);
            sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 3, kind, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 4, seed);
            sqlite3_bind_int(s, 5, patients);
            sqlite3_bind_text(s, 6, snap, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 7, at_room_now());
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "course data");
            sqlite3_reset(s);
        }
    }
    char details[300];
    snprintf(details, sizeof details,
             "{\"data\":\"%s\",\"kind\":\"%s\",\"seed\":%lld,\"patients\":%d,\"snapshot\":\"%s\"}", name,
             kind, (long long)seed, patients, snap);
    if (!st)
        st = at_room_db_audit(db, by, "course.data", course, details);
    if (!st)
        st = at_room_db_commit(c->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(c->room, db);
    return st;
}

static at_status course_ids(at_classroom *c, const char *course, int64_t *cid,
                            char grading[AT_ROOM_NAME_MAX + 1])
{
    at_room_db *db = at_room_db_get(c->room);
    at_status st = class_course_row(db, course, cid, grading, NULL);
    at_room_db_put(c->room, db);
    return st;
}

at_status at_course_generate(at_classroom *c, const char *by, const char *course, const char *kind,
                             const char *name, int patients, int64_t seed)
{
    int64_t cid = 0;
    char grading[AT_ROOM_NAME_MAX + 1];
    at_status st = course_ids(c, course, &cid, grading);
    if (st)
        return st;
    if (!at_room_name_valid(name))
        return at_error_set(AT_ERR_ARG, "course data: '%.64s' is not a valid name", name ? name : "");
    if (!kind || (strcmp(kind, "chemo") && strcmp(kind, "notes") && strcmp(kind, "headct")))
        return at_error_set(AT_ERR_ARG, "course data: the kind is chemo, notes or headct");
    int max = !strcmp(kind, "headct") ? 50 : DATA_PATIENTS_MAX;
    if (patients < 10 && strcmp(kind, "headct"))
        return at_error_set(AT_ERR_ARG, "course data: at least 10 patients (or notes)");
    if (patients < 1 || patients > max)
        return at_error_set(AT_ERR_ARG, "course data: %s takes 1 to %d patients", kind, max);
    if (seed < 0)
        return at_error_set(AT_ERR_ARG, "course data: the seed is a positive number");
    char *dir = class_scratch(c, "gen");
    if (!dir)
        return AT_ERR_IO;
    if (!strcmp(kind, "chemo")) {
        char *path = at_path_join(dir, "chemo.csv");
        at_synth_chemo_spec sp = {.out = path, .patients = (size_t)patients, .seed = (uint64_t)seed};
        at_synth_chemo_result res;
        st = path ? at_synth_chemo_run(&sp, NULL, &res) : AT_ERR_NOMEM;
        at_free(path);
    } else if (!strcmp(kind, "notes")) {
        /* BRAT standoff: what eval-deid and deid-model read, as a centre's annotations */
        at_synth_docs_spec sp = {
            .outdir = dir, .docs = (size_t)patients, .seed = (uint64_t)seed, .hospital = 1, .brat = 1};
        at_synth_docs_result res;
        st = at_synth_docs_run(&sp, NULL, &res);
    } else {
        char *out = at_path_join(dir, "cohort");
        at_synth_cohort_spec sp = {.outdir = out, .patients = patients};
        at_phantom_options_default(&sp.options, AT_PHANTOM_HEAD);
        sp.options.seed = (uint64_t)seed;
        sp.options.dicom = 0;
        at_synth_cohort_result res;
        st = out ? at_synth_cohort_run(&sp, NULL, &res) : AT_ERR_NOMEM;
        at_free(out);
    }
    char snap[AT_VAULT_SNAPSHOT_HEX] = "";
    /* generated here from a seed: synthetic by construction */
    if (!st)
        st = course_data_store(c, by, grading, name, 1, dir, snap);
    at_remove_tree(dir);
    at_free(dir);
    if (!st)
        st = data_row(c, by, course, cid, name, kind, seed, patients, snap);
    if (st)
        at_error_prefix(st, "course %s: data %s", course, name);
    return st;
}

at_status at_course_attach(at_classroom *c, const char *by, const char *course, const char *project,
                           const char *dataset, const char *name)
{
    int64_t cid = 0;
    char grading[AT_ROOM_NAME_MAX + 1];
    at_status st = course_ids(c, course, &cid, grading);
    if (st)
        return st;
    if (!at_room_name_valid(name ? name : dataset))
        return at_error_set(AT_ERR_ARG, "course data: not a valid name");
    int synthetic = 0;
    st = course_data_is_synthetic(c, project, dataset, &synthetic);
    if (!st && !synthetic)
        st = at_error_set(
            AT_ERR_DENIED,
            "course %s accepts synthetic datasets only; dataset %s of project %s is not synthetic", course,
            dataset, project);
    if (st)
        return st;
    char *dir = class_scratch(c, "attach"), *dest = dir ? at_path_join(dir, "d") : NULL;
    char snap[AT_VAULT_SNAPSHOT_HEX] = "";
    st = dest ? course_data_materialise(c, project, dataset, "latest", dest) : AT_ERR_NOMEM;
    if (!st)
        st = course_data_store(c, by, grading, name ? name : dataset, synthetic, dest, snap);
    if (dir)
        at_remove_tree(dir);
    at_free(dest);
    at_free(dir);
    if (!st)
        st = data_row(c, by, course, cid, name ? name : dataset, "attached", 0, 0, snap);
    return st;
}

at_status at_course_data_list(at_classroom *c, const char *course, at_course_data **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    at_room_db *db = at_room_db_get(c->room);
    int64_t cid = 0;
    at_status st = class_course_row(db, course, &cid, NULL, NULL);
    sqlite3_stmt *s =
        st ? NULL
           : at_room_db_stmt(db, "SELECT name, kind, seed, patients, snapshot, created FROM class_data "
                                 "WHERE course_id = ? ORDER BY name");
    if (!st && !s)
        st = AT_ERR_IO;
    at_course_data *v = NULL;
    size_t n = 0, cap = 0;
    if (!st) {
        sqlite3_bind_int64(s, 1, cid);
        while (sqlite3_step(s) == SQLITE_ROW) {
            st = AT_GROW(v, cap, n + 1);
            if (st)
                break;
            at_course_data *d = &v[n++];
            memset(d, 0, sizeof *d);
            class_copy_col(s, 0, d->name, sizeof d->name);
            class_copy_col(s, 1, d->kind, sizeof d->kind);
            d->seed = sqlite3_column_int64(s, 2);
            d->patients = sqlite3_column_int(s, 3);
            class_copy_col(s, 4, d->snapshot, sizeof d->snapshot);
            d->created = (time_t)sqlite3_column_int64(s, 5);
        }
        sqlite3_reset(s);
    }
    at_room_db_put(c->room, db);
    if (st) {
        at_free(v);
        return st;
    }
    *out = v;
    *count = n;
    return AT_OK;
}

/* ---- assignments ---- */

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Write rows of csv (header first) whose flag equals want into path. */
static at_status write_rows(const at_csv *csv, const unsigned char *flag, int want, const char *path,
                            int *rows)
{
    at_buf b;
    at_buf_init(&b, CHEMO_MAX);
    at_status st = AT_OK;
    *rows = 0;
    for (size_t r = 0; r < csv->nrows && !st; r++) {
        if (r > 0 && flag[r - 1] != want)
            continue;
        for (size_t k = 0; k < csv->ncols && !st; k++) {
            const char *cell = csv->cells[r * csv->ncols + k];
            if (k)
                st = at_buf_putc(&b, ',');
            if (!st)
                st = at_csv_put_field(&b, cell, strlen(cell));
        }
        if (!st)
            st = at_buf_putc(&b, '\n');
        if (r > 0)
            (*rows)++;
    }
    if (!st)
        st = at_file_write_atomic(path, b.data ? (const char *)b.data : "", b.len);
    at_buf_free(&b);
    return st;
}

typedef struct {
    int train, test, pub;
} split_counts;

/* Split dir/chemo.csv into train/train.csv, test/final.csv and
 * test/public.csv under out. */
static at_status make_splits(const char *cohort, const char *out, const at_assignment_spec *s,
                             split_counts *sc)
{
    char *in = at_path_join(cohort, "chemo.csv");
    unsigned char *data = NULL;
    size_t len = 0;
    at_status st = in ? at_file_read(in, CHEMO_MAX, &data, &len) : AT_ERR_NOMEM;
    at_free(in);
    if (st)
        return at_error_prefix(st, "the cohort has no chemo.csv");
    at_csv csv;
    memset(&csv, 0, sizeof csv);
    st = at_csv_parse((const char *)data, len, 1u << 20, &csv);
    at_free(data);
    if (st)
        return st;
    int idc = at_csv_column(&csv, "patient_id");
    if (idc < 0 || at_csv_column(&csv, "label") < 0 || at_csv_column(&csv, "text") < 0 || csv.nrows < 3) {
        at_csv_free(&csv);
        return at_error_set(AT_ERR_FORMAT, "the cohort's chemo.csv needs patient_id, text and label columns");
    }
    size_t rows = csv.nrows - 1, tp = 0, np = 0;
    unsigned char *is_test = at_calloc(rows ? rows : 1, 1), *is_pub = at_calloc(rows ? rows : 1, 1);
    const char **ids = at_calloc(rows ? rows : 1, sizeof *ids);
    if (!is_test || !is_pub || !ids)
        st = AT_ERR_NOMEM;
    if (!st)
        st = at_risk_split(&csv, NULL, s->test_fraction, (uint64_t)s->seed, is_test, &tp, &np);
    /* the public part: round(public_fraction x test patients) of them,
     * by a shuffle of their sorted ids seeded with seed + 1 */
    size_t nid = 0;
    for (size_t r = 0; !st && r < rows; r++)
        if (is_test[r])
            ids[nid++] = csv.cells[(r + 1) * csv.ncols + (size_t)idc];
    if (!st) {
        qsort(ids, nid, sizeof *ids, cmp_str);
        size_t u = 0;
        for (size_t i = 0; i < nid; i++)
            if (!u || strcmp(ids[u - 1], ids[i]))
                ids[u++] = ids[i];
        uint64_t x = (uint64_t)s->seed + 1;
        for (size_t i = u; i > 1; i--) {
            size_t j = (size_t)(splitmix(&x) % i);
            const char *t = ids[i - 1];
            ids[i - 1] = ids[j];
            ids[j] = t;
        }
        size_t npub = (size_t)(s->public_fraction * (double)u + 0.5);
        if (npub < 1)
            npub = 1;
        if (npub > u)
            npub = u;
        qsort(ids, npub, sizeof *ids, cmp_str);
        for (size_t r = 0; r < rows; r++) {
            const char *id = csv.cells[(r + 1) * csv.ncols + (size_t)idc];
            is_pub[r] = is_test[r] && bsearch(&id, ids, npub, sizeof *ids, cmp_str) != NULL;
        }
    }
    char *tr = at_path_join(out, "train"), *te = at_path_join(out, "test");
    char *trf = tr ? at_path_join(tr, "train.csv") : NULL, *fin = te ? at_path_join(te, "final.csv") : NULL,
         *pub = te ? at_path_join(te, "public.csv") : NULL;
    if (!st && (!trf || !fin || !pub))
        st = AT_ERR_NOMEM;
    if (!st)
        st = at_mkdir_p(tr, 0700);
    if (!st)
        st = at_mkdir_p(te, 0700);
    if (!st)
        st = write_rows(&csv, is_test, 0, trf, &sc->train);
    if (!st)
        st = write_rows(&csv, is_test, 1, fin, &sc->test);
    if (!st)
        st = write_rows(&csv, is_pub, 1, pub, &sc->pub);
    at_free(tr);
    at_free(te);
    at_free(trf);
    at_free(fin);
    at_free(pub);
    at_free(is_test);
    at_free(is_pub);
    at_free(ids);
    at_csv_free(&csv);
    return st;
}

/* The notes of cohort (doc-N.txt with doc-N.ann) split by document into
 * out/train, out/test/final (the hidden documents) and out/test/public
 * (public_fraction of them), a shuffle of the sorted names seeded with
 * seed. */
static at_status split_notes(const char *cohort, const char *out, const at_assignment_spec *s,
                             split_counts *sc)
{
    DIR *d = opendir(cohort);
    if (!d)
        return at_error_set(AT_ERR_IO, "the cohort cannot be read");
    char **names = NULL;
    size_t n = 0, cap = 0;
    at_status st = AT_OK;
    struct dirent *e;
    while (!st && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".txt") || e->d_name[0] == '.')
            continue;
        st = AT_GROW(names, cap, n + 1);
        if (st)
            break;
        if (!(names[n] = at_strndup(e->d_name, len - 4)))
            st = AT_ERR_NOMEM;
        else
            n++;
    }
    closedir(d);
    if (!st && n < 4)
        st = at_error_set(AT_ERR_FORMAT, "the cohort has fewer than 4 annotated notes");
    if (!st) {
        qsort(names, n, sizeof *names, cmp_str);
        uint64_t x = (uint64_t)s->seed;
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)(splitmix(&x) % i);
            char *t = names[i - 1];
            names[i - 1] = names[j];
            names[j] = t;
        }
    }
    size_t ntest = (size_t)(s->test_fraction * (double)n + 0.5), npub;
    if (ntest < 2)
        ntest = 2;
    npub = (size_t)(s->public_fraction * (double)ntest + 0.5);
    if (npub < 1)
        npub = 1;
    if (npub > ntest)
        npub = ntest;
    static const char *const dirs[3] = {"train", "test/final", "test/public"};
    for (int k = 0; !st && k < 3; k++) {
        char *p = at_path_join(out, dirs[k]);
        st = p ? at_mkdir_p(p, 0700) : AT_ERR_NOMEM;
        at_free(p);
    }
    for (size_t i = 0; !st && i < n; i++) {
        /* the first ntest of the shuffle are hidden, the first npub public */
        const char *dest[2] = {i < ntest ? "test/final" : "train", i < npub ? "test/public" : NULL};
        for (int k = 0; !st && k < 2; k++) {
            if (!dest[k])
                continue;
            for (int ext = 0; !st && ext < 2; ext++) {
                char rel[300], from_rel[300];
                snprintf(from_rel, sizeof from_rel, "%s%s", names[i], ext ? ".ann" : ".txt");
                snprintf(rel, sizeof rel, "%s/%s", dest[k], from_rel);
                char *from = at_path_join(cohort, from_rel), *to = at_path_join(out, rel);
                unsigned char *data = NULL;
                size_t len = 0;
                st = from && to ? at_file_read(from, 64u << 20, &data, &len) : AT_ERR_NOMEM;
                if (!st)
                    st = at_file_write_atomic(to, data, len);
                at_free(data);
                at_free(from);
                at_free(to);
            }
        }
        if (i < ntest)
            sc->test++;
        else
            sc->train++;
        if (i < npub)
            sc->pub++;
    }
    for (size_t i = 0; i < n; i++)
        at_free(names[i]);
    at_free(names);
    return st;
}

at_status at_assignment_create(at_classroom *c, const char *by, const char *course,
                               const at_assignment_spec *sp)
{
    int64_t cid = 0;
    char grading[AT_ROOM_NAME_MAX + 1];
    at_status st = course_ids(c, course, &cid, grading);
    if (st)
        return st;
    at_assignment_spec s = *sp;
    if (!s.task || !*s.task)
        s.task = "risk-auroc";
    if (!s.rule || !*s.rule)
        s.rule = "best";
    if (s.test_fraction <= 0)
        s.test_fraction = 0.3;
    if (s.public_fraction <= 0)
        s.public_fraction = 0.5;
    if (!s.name || !at_room_name_valid(s.name) || strlen(s.name) > 48)
        return at_error_set(AT_ERR_ARG, "assignment: a name of 1 to 48 of A-Z a-z 0-9 . _ -");
    if (s.title && *s.title && !at_room_text_valid(s.title))
        return at_error_set(AT_ERR_ARG, "assignment: the title is not valid text");
    int deid = !strcmp(s.task, "deid-f1"), sct = !strcmp(s.task, "sct-mae");
    if (strcmp(s.task, "risk-auroc") && !deid && !sct)
        return at_error_set(AT_ERR_ARG,
                            "assignment: task '%.32s' is not available (risk-auroc, deid-f1 and sct-mae are)",
                            s.task);
    if (strcmp(s.rule, "best") && strcmp(s.rule, "last"))
        return at_error_set(AT_ERR_ARG, "assignment: the grading rule is best or last");
    if (s.per_day < 1 || s.per_day > 1000)
        return at_error_set(AT_ERR_ARG, "assignment: submissions per day are 1 to 1000");
    if (s.test_fraction >= 0.9 || s.public_fraction > 1)
        return at_error_set(AT_ERR_ARG,
                            "assignment: the hidden fraction is below 0.9, the public one at most 1");
    if (s.deadline <= at_room_now())
        return at_error_set(AT_ERR_ARG, "assignment: the deadline is in the past");
    /* the data: a cohort of the course (synthetic by the course's rule) */
    at_course_data *d = NULL;
    size_t nd = 0;
    if ((st = at_course_data_list(c, course, &d, &nd)) != AT_OK)
        return st;
    const at_course_data *data = NULL;
    for (size_t i = 0; i < nd; i++)
        if (s.data && !strcmp(d[i].name, s.data))
            data = &d[i];
    if (!data) {
        at_free(d);
        return at_error_set(AT_ERR_NOT_FOUND, "assignment: course %s has no data named '%.64s'", course,
                            s.data ? s.data : "");
    }
    if (sct && strcmp(data->kind, "headct") && strcmp(data->kind, "attached")) {
        at_free(d);
        return at_error_set(AT_ERR_ARG, "assignment: sct-mae needs head pseudo-CT phantoms (kind headct)");
    }
    if (!deid && !sct && strcmp(data->kind, "chemo") && strcmp(data->kind, "attached")) {
        at_free(d);
        return at_error_set(AT_ERR_ARG, "assignment: risk-auroc needs a chemotherapy cohort (kind chemo)");
    }
    if (deid && strcmp(data->kind, "notes") && strcmp(data->kind, "attached")) {
        at_free(d);
        return at_error_set(AT_ERR_ARG, "assignment: deid-f1 needs annotated notes (kind notes)");
    }
    char snap[AT_VAULT_SNAPSHOT_HEX];
    snprintf(snap, sizeof snap, "%s", data->snapshot);
    at_free(d);
    char *dir = class_scratch(c, "split"), *cohort = dir ? at_path_join(dir, "cohort") : NULL;
    char train_name[AT_ROOM_NAME_MAX + 1], test_name[AT_ROOM_NAME_MAX + 1];
    snprintf(train_name, sizeof train_name, "%s-train", s.name);
    snprintf(test_name, sizeof test_name, "%s-test", s.name);
    split_counts sc = {0, 0, 0};
    char train_snap[AT_VAULT_SNAPSHOT_HEX] = "", test_snap[AT_VAULT_SNAPSHOT_HEX] = "";
    st = cohort ? course_data_materialise(c, grading, s.data, snap, cohort) : AT_ERR_NOMEM;
    if (!st) {
        if (sct) {
            class_split_counts cs = {0, 0, 0};
            st = class_split_sct(cohort, dir, s.test_fraction, s.public_fraction, s.seed, &cs);
            sc.train = cs.train;
            sc.test = cs.test;
            sc.pub = cs.pub;
        } else {
            st = deid ? split_notes(cohort, dir, &s, &sc) : make_splits(cohort, dir, &s, &sc);
        }
    }
    if (!st) {
        char *tr = at_path_join(dir, "train"), *te = at_path_join(dir, "test");
        st = tr && te ? AT_OK : AT_ERR_NOMEM;
        /* the training split is the course's (the students read it); the
         * hidden one the grading project's (staff only) */
        if (!st)
            st = course_data_store(c, by, course, train_name, 1, tr, train_snap);
        if (!st)
            st = course_data_store(c, by, grading, test_name, 1, te, test_snap);
        at_free(tr);
        at_free(te);
    }
    if (dir)
        at_remove_tree(dir);
    at_free(cohort);
    at_free(dir);
    if (st)
        return at_error_prefix(st, "assignment %s", s.name);
    at_room_db *db = at_room_db_get(c->room);
    st = at_room_db_begin(db);
    int64_t aid = 0;
    if (!st) {
        sqlite3_stmt *q = at_room_db_stmt(
            db, "INSERT INTO class_assignments(course_id, name, title, task, data_name, deadline, per_day, "
                "test_fraction, public_fraction, seed, rule, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?)");
        if (!q)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(q, 1, cid);
            sqlite3_bind_text(q, 2, s.name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 3, s.title ? s.title : "", -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 4, s.task, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 5, s.data, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(q, 6, s.deadline);
            sqlite3_bind_int(q, 7, s.per_day);
            sqlite3_bind_double(q, 8, s.test_fraction);
            sqlite3_bind_double(q, 9, s.public_fraction);
            sqlite3_bind_int64(q, 10, s.seed);
            sqlite3_bind_text(q, 11, s.rule, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(q, 12, at_room_now());
            int rc = sqlite3_step(q);
            sqlite3_reset(q);
            if (rc == SQLITE_CONSTRAINT)
                st = at_error_set(AT_ERR_EXISTS, "assignment %s exists already in course %s", s.name, course);
            else if (rc != SQLITE_DONE)
                st = at_room_db_error(db, "assignment");
            aid = at_room_db_last_id(db);
        }
    }
    for (int part = 0; part < 2 && !st; part++) {
        sqlite3_stmt *q = at_room_db_stmt(
            db,
            "INSERT INTO class_splits(assignment_id, part, project_id, dataset, snapshot, rows, public_rows) "
            "VALUES (?, ?, (SELECT id FROM projects WHERE name = ?), ?, ?, ?, ?)");
        if (!q) {
            st = AT_ERR_IO;
            break;
        }
        sqlite3_bind_int64(q, 1, aid);
        sqlite3_bind_text(q, 2, part ? "test" : "train", -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, part ? grading : course, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 4, part ? test_name : train_name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 5, part ? test_snap : train_snap, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(q, 6, part ? sc.test : sc.train);
        sqlite3_bind_int(q, 7, part ? sc.pub : 0);
        if (sqlite3_step(q) != SQLITE_DONE)
            st = at_room_db_error(db, "assignment split");
        sqlite3_reset(q);
    }
    char details[400];
    snprintf(details, sizeof details,
             "{\"assignment\":\"%s\",\"task\":\"%s\",\"data\":\"%s\",\"train_rows\":%d,\"test_rows\":%d,"
             "\"public_rows\":%d}",
             s.name, s.task, s.data, sc.train, sc.test, sc.pub);
    if (!st)
        st = at_room_db_audit(db, by, "course.assignment", course, details);
    if (!st)
        st = at_room_db_commit(c->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(c->room, db);
    return st;
}

static const char *const assignment_select =
    "SELECT a.id, a.name, a.title, a.task, a.data_name, a.deadline, a.per_day, a.test_fraction, "
    "a.public_fraction, a.seed, a.rule, a.created, "
    "(SELECT dataset FROM class_splits WHERE assignment_id = a.id AND part = 'train'), "
    "(SELECT rows FROM class_splits WHERE assignment_id = a.id AND part = 'train'), "
    "(SELECT rows FROM class_splits WHERE assignment_id = a.id AND part = 'test'), "
    "(SELECT public_rows FROM class_splits WHERE assignment_id = a.id AND part = 'test') "
    "FROM class_assignments a WHERE a.course_id = ?1 AND (?2 IS NULL OR a.name = ?2) ORDER BY a.deadline, "
    "a.name";

static void assignment_row(sqlite3_stmt *s, at_assignment *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(s, 0);
    class_copy_col(s, 1, a->name, sizeof a->name);
    class_copy_col(s, 2, a->title, sizeof a->title);
    class_copy_col(s, 3, a->task, sizeof a->task);
    class_copy_col(s, 4, a->data, sizeof a->data);
    a->deadline = (time_t)sqlite3_column_int64(s, 5);
    a->per_day = sqlite3_column_int(s, 6);
    a->test_fraction = sqlite3_column_double(s, 7);
    a->public_fraction = sqlite3_column_double(s, 8);
    a->seed = sqlite3_column_int64(s, 9);
    class_copy_col(s, 10, a->rule, sizeof a->rule);
    a->created = (time_t)sqlite3_column_int64(s, 11);
    class_copy_col(s, 12, a->train_dataset, sizeof a->train_dataset);
    a->train_rows = sqlite3_column_int(s, 13);
    a->test_rows = sqlite3_column_int(s, 14);
    a->public_rows = sqlite3_column_int(s, 15);
}

static at_status assignments(at_classroom *c, const char *course, const char *name, at_assignment **out,
                             size_t *count)
{
    *out = NULL;
    *count = 0;
    at_room_db *db = at_room_db_get(c->room);
    int64_t cid = 0;
    at_status st = class_course_row(db, course, &cid, NULL, NULL);
    sqlite3_stmt *s = st ? NULL : at_room_db_stmt(db, assignment_select);
    if (!st && !s)
        st = AT_ERR_IO;
    at_assignment *v = NULL;
    size_t n = 0, cap = 0;
    if (!st) {
        sqlite3_bind_int64(s, 1, cid);
        if (name)
            sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(s) == SQLITE_ROW) {
            st = AT_GROW(v, cap, n + 1);
            if (st)
                break;
            assignment_row(s, &v[n++]);
        }
        sqlite3_reset(s);
    }
    at_room_db_put(c->room, db);
    if (st) {
        at_free(v);
        return st;
    }
    *out = v;
    *count = n;
    return AT_OK;
}

at_status at_assignment_list(at_classroom *c, const char *course, at_assignment **out, size_t *count)
{
    return assignments(c, course, NULL, out, count);
}

at_status at_assignment_get(at_classroom *c, const char *course, const char *name, at_assignment *out)
{
    at_assignment *v = NULL;
    size_t n = 0;
    at_status st = assignments(c, course, name ? name : "", &v, &n);
    if (!st && !n)
        st = at_error_set(AT_ERR_NOT_FOUND, "course %s has no assignment %.64s", course, name ? name : "");
    if (!st)
        *out = v[0];
    at_free(v);
    return st;
}
