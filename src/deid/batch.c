/* The batch runner: collect input files (recursive, sorted), de-identify
 * them on a pool of threads pulling from a shared counter, write each
 * output to a temporary file beside its target, then rename in input order
 * on the main thread (so duplicates resolve the same way whatever the
 * thread count), and write the report. Renames make every output appear
 * whole or not at all; cfg->sync adds durability (one syncfs first). */
#include "deid/fileio.h"
#include "deid/internal.h"
#include "deid/walk.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define REPORT_MAX ((size_t)1 << 30)

typedef at_deid_job job;
typedef at_deid_job_list job_list;

typedef struct {
    job_list *jobs;
    const char *outdir; /* where files are written: the output, or its staging folder */
    int staged;         /* a fresh output built in outdir.partial-PID, renamed into place at the end */
    const at_deid_spec *cfg;
    at_run *run;
    atomic_size_t next;
    size_t finished;      /* under lock */
    pthread_mutex_t lock; /* folder creation, progress, fatal */
    at_status fatal;
} run_state;

static void set_reason(job *j, int state, const char *reason)
{
    j->state = state;
    at_free(j->reason);
    j->reason = at_strdup(reason);
}

/* Sorting outputs by (path, input index); qsort has no context argument and
 * the batch runs one at a time per process for this step. */
static _Thread_local const job_list *sort_jobs;
static int cmp_out_path(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(sort_jobs->v[x].out_path, sort_jobs->v[y].out_path);
    return c ? c : (x > y) - (x < y);
}

/* De-identify input number idx (0-based) into a temporary output. Messages
 * and the report name it "input N" (1-based), never by its path: input
 * paths often hold patient names. Returns an error only when the run
 * cannot go on (out of memory, output not writable). */
static at_status process_job(run_state *rs, job *j, size_t idx, char **last_dir, at_deid_memo *memo)
{
    at_dcm_file *f = NULL;
    at_deid_input in;
    char name[32];
    snprintf(name, sizeof name, "input %zu", idx + 1);
    at_status st = at_deid_input_open(j->path, name, &in, &f);
    if (st) {
        set_reason(j, 2, at_error_message());
        at_error_clear();
        return AT_OK;
    }
    char sop[72];
    if (at_dcm_get_string(f->dataset, AT_TAG(0x0008, 0x0018), sop, sizeof sop) != AT_OK || !*sop) {
        set_reason(j, 2, "not a DICOM instance: no SOP Instance UID (0008,0018)");
        at_error_clear();
        at_dcm_file_free(f);
        at_deid_input_close(&in);
        return AT_OK;
    }
    const char *risk = NULL;
    int risky = at_deid_burned_in_risk(f->dataset, &risk) && !rs->cfg->allow_burned_in;
    /* folder names from the original identity, before the profile runs */
    char *identity = at_deid_patient_identity(f->dataset);
    char study[72] = "", series[72] = "";
    if (at_dcm_get_string(f->dataset, AT_TAG(0x0020, 0x000D), study, sizeof study) != AT_OK)
        study[0] = '\0';
    if (at_dcm_get_string(f->dataset, AT_TAG(0x0020, 0x000E), series, sizeof series) != AT_OK)
        series[0] = '\0';
    at_error_clear();
    if (!identity) {
        at_dcm_file_free(f);
        at_deid_input_close(&in);
        return AT_ERR_NOMEM;
    }
    char patient_dir[20], study_dir[16], series_dir[16];
    at_deid_patient_pseudonym(rs->cfg->key, identity, patient_dir);
    at_free(identity);
    at_deid_folder_name(rs->cfg->key, "atelier/deid/study-folder", "ST", study, study_dir);
    at_deid_folder_name(rs->cfg->key, "atelier/deid/series-folder", "SE", series, series_dir);

    at_deid_config dc = {.options = rs->cfg->options,
                         .key = rs->cfg->key,
                         .memo = memo,
                         .stats = &j->stats,
                         .detect = rs->cfg->detect,
                         .detect_ud = rs->cfg->detect_ud,
                         .allow_documents = rs->cfg->allow_documents};
    st = at_deid_apply(f, &dc);
    if (st) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s: de-identification failed: %s", name, at_error_message());
        set_reason(j, 2, msg);
        at_error_clear();
        at_dcm_file_free(f);
        at_deid_input_close(&in);
        return st == AT_ERR_NOMEM ? st : AT_OK;
    }
    if (j->stats.quarantine) { /* pixel containers, documents: whatever --allow-burned-in says */
        risky = 1;
        risk = j->stats.quarantine;
    }
    char newsop[72];
    if (at_dcm_get_string(f->dataset, AT_TAG(0x0008, 0x0018), newsop, sizeof newsop) != AT_OK) {
        at_dcm_file_free(f);
        at_deid_input_close(&in);
        return at_error_set(AT_ERR_FORMAT, "%s: SOP Instance UID lost", name);
    }
    /* Native pixel data last in a little-endian dataset is written straight
     * from the tree (writev) instead of being copied into the encoded
     * buffer: the largest value is copied once fewer. */
    at_dcm_dataset *ds = f->dataset;
    at_dcm_element pixel;
    unsigned char pixel_header[12];
    size_t pixel_header_len = 0;
    int explicit_le = !strcmp(f->transfer_syntax, AT_TS_EXPLICIT_LE);
    if (!in.pixel_len && (explicit_le || !strcmp(f->transfer_syntax, AT_TS_IMPLICIT_LE)) && ds->count) {
        at_dcm_element *last = &ds->elements[ds->count - 1];
        if (last->tag == AT_TAG(0x7fe0, 0x0010) && !last->encapsulated && !last->items &&
            !last->undefined_length && last->value && last->length && !(last->length & 1) &&
            (last->vr == AT_VR('O', 'W') || last->vr == AT_VR('O', 'B'))) {
            pixel = *last;
            ds->count--;
            unsigned char *h = pixel_header;
            h[0] = 0xe0, h[1] = 0x7f, h[2] = 0x10, h[3] = 0x00;
            size_t p = 4;
            if (explicit_le) {
                h[4] = (unsigned char)(pixel.vr >> 8), h[5] = (unsigned char)(pixel.vr & 0xff),
                h[6] = h[7] = 0;
                p = 8;
            }
            for (int k = 0; k < 4; k++)
                h[p + k] = (unsigned char)(pixel.length >> (8 * k));
            pixel_header_len = p + 4;
        }
    }
    unsigned char *bytes = NULL;
    size_t len = 0;
    st = at_dcm_write_memory(f, &bytes, &len);
    if (pixel_header_len)
        ds->elements[ds->count++] = pixel; /* back in the tree, freed with it */
    if (st) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s: cannot encode: %s", name, at_error_message());
        set_reason(j, 2, msg);
        at_error_clear();
        at_dcm_file_free(f);
        at_deid_input_close(&in);
        return AT_OK;
    }
    char rel_dir[96];
    snprintf(rel_dir, sizeof rel_dir, "%s%s/%s/%s", risky ? "quarantine/" : "", patient_dir, study_dir,
             series_dir);
    char *dir = at_path_join(rs->outdir, rel_dir);
    char fname[80];
    snprintf(fname, sizeof fname, "%s.dcm", newsop);
    st = dir ? AT_OK : AT_ERR_NOMEM;
    if (!st && (!*last_dir || strcmp(*last_dir, dir))) {
        pthread_mutex_lock(&rs->lock);
        st = at_mkdir_p(dir, 0755);
        pthread_mutex_unlock(&rs->lock);
        if (!st) {
            at_free(*last_dir);
            *last_dir = at_strdup(dir);
        }
    }
    if (!st) {
        struct iovec iov[3] = {{bytes, len}, {pixel_header, pixel_header_len}, {NULL, 0}};
        int n = 1;
        if (in.pixel_len) { /* fast path: the pixel value comes from the input file */
            iov[1].iov_base = in.pixel_header;
            iov[1].iov_len = in.pixel_header_len;
            n = 2;
        } else if (pixel_header_len) {
            iov[2].iov_base = pixel.value;
            iov[2].iov_len = pixel.length;
            n = 3;
        }
        j->out_path = at_path_join(dir, fname);
        j->out_rel = at_path_join(rel_dir, fname);
        if (!j->out_path || !j->out_rel)
            st = AT_ERR_NOMEM;
        /* in a fresh output's staging folder the file takes its name at once */
        if (!st)
            st = at_deid_write_out(dir, rs->staged ? j->out_path : NULL, iov, n, in.pixel_len ? &in : NULL,
                                   rs->cfg->sync, &j->tmp_path);
        if (!st)
            j->named = !j->tmp_path;
    }
    at_free(bytes);
    at_free(dir);
    at_dcm_file_free(f);
    at_deid_input_close(&in);
    if (st)
        return st;
    if (risky)
        set_reason(j, 1, risk);
    return AT_OK;
}

static void *worker(void *arg)
{
    run_state *rs = arg;
    char *last_dir = NULL;                   /* folder this thread created last */
    at_deid_memo *memo = at_deid_memo_new(); /* NULL: collected file by file */
    for (;;) {
        size_t i = atomic_fetch_add(&rs->next, 1);
        if (i >= rs->jobs->n)
            break;
        /* the cancel flag is looked at before every file: a file takes
         * milliseconds, so a cancelled run stops well within a second */
        at_status st = at_run_check(rs->run, "deid");
        if (!st)
            st = process_job(rs, &rs->jobs->v[i], i, &last_dir, memo);
        pthread_mutex_lock(&rs->lock);
        if (st && !rs->fatal) {
            rs->fatal = st;
            /* keep the message for the caller */
            set_reason(&rs->jobs->v[i], 2, at_error_message());
        }
        if (!st)
            at_run_progress(rs->run, "deidentify", ++rs->finished, rs->jobs->n);
        pthread_mutex_unlock(&rs->lock);
        if (st)
            atomic_store(&rs->next, rs->jobs->n); /* stop the others */
    }
    at_free(last_dir);
    at_deid_memo_free(memo);
    return NULL;
}

static at_status build_report(const job_list *l, const at_deid_spec *cfg, at_deid_batch_result *r, at_buf *b)
{
    at_status st = at_buf_printf(
        b, "{\"tool\":\"atelier deid\",\"version\":\"%s\",\"profile\":\"basic\",\"table\":", ATELIER_VERSION);
    if (!st)
        st = at_buf_json_string(b, at_deid_table_edition_name(), strlen(at_deid_table_edition_name()));
    if (!st)
        st = at_buf_puts(b, ",\"options\":[");
    int first = 1;
    for (unsigned bit = 1; bit && !st; bit <<= 1)
        if ((cfg->options & bit) && at_deid_option_name(bit)) {
            st = at_buf_printf(b, "%s\"%s\"", first ? "" : ",", at_deid_option_name(bit));
            first = 0;
        }
    if (!st)
        st = at_buf_printf(b,
                           "],\"allow_burned_in\":%s,\"files_seen\":%zu,\"files_done\":%zu,"
                           "\"files_quarantined\":%zu,\"files_rejected\":%zu",
                           cfg->allow_burned_in ? "true" : "false", r->files_seen, r->files_done,
                           r->files_quarantined, r->files_rejected);
    if (!st)
        st = at_buf_printf(b,
                           ",\"elements_unknown_removed\":%zu,\"un_sequences_cleaned\":%zu,"
                           "\"un_unparsable_removed\":%zu,\"elements_not_allowed_removed\":%zu,"
                           "\"text_values_masked\":%zu,\"jpeg_segments_removed\":%zu,"
                           "\"values_with_unknown_words_masked\":%zu,\"codes_replaced\":%zu,"
                           "\"code_strings_replaced\":%zu,\"icc_profiles_cleaned\":%zu,"
                           "\"icc_profiles_removed\":%zu,\"container_parts_removed\":%zu",
                           r->elements.unknown_removed, r->elements.un_sequences, r->elements.un_unparsable,
                           r->elements.not_allowed, r->elements.text_masked, r->elements.jpeg_segments,
                           r->elements.words_masked, r->elements.codes_replaced,
                           r->elements.code_strings_replaced, r->elements.icc_profiles_cleaned,
                           r->elements.icc_profiles_removed, r->elements.container_parts_removed);
    if (!st)
        st = at_buf_printf(b,
                           ",\"skipped_not_regular\":%zu,\"skipped_dangling_links\":%zu,"
                           "\"skipped_folder_links\":%zu,\"skipped_vanished\":%zu",
                           r->skipped.not_regular, r->skipped.dangling_links, r->skipped.folder_links,
                           r->skipped.vanished);
    /* quarantined files by their output path (pseudonymised folders), rejected
     * ones by their number in the input order; input paths (which often hold
     * patient names) only when asked for */
    static const char *const lists[] = {"quarantined", "rejected"};
    for (int s = 1; s <= 2 && !st; s++) {
        st = at_buf_printf(b, ",\"%s\":[", lists[s - 1]);
        first = 1;
        for (size_t i = 0; i < l->n && !st; i++) {
            const job *j = &l->v[i];
            if (j->state != s)
                continue;
            if (s == 1) {
                st = at_buf_puts(b, first ? "{\"output\":" : ",{\"output\":");
                const char *o = j->out_rel ? j->out_rel : "";
                if (!st)
                    st = at_buf_json_string(b, o, strlen(o));
                if (!st)
                    st = at_buf_printf(b, ",\"input\":%zu", i + 1);
            } else {
                st = at_buf_printf(b, "%s{\"input\":%zu", first ? "" : ",", i + 1);
            }
            if (!st && cfg->report_input_paths) {
                st = at_buf_puts(b, ",\"file\":");
                if (!st)
                    st = at_buf_json_string(b, j->rel, strlen(j->rel));
            }
            if (!st)
                st = at_buf_puts(b, ",\"reason\":");
            const char *reason = j->reason ? j->reason : "";
            if (!st)
                st = at_buf_json_string(b, reason, strlen(reason));
            if (!st)
                st = at_buf_putc(b, '}');
            first = 0;
        }
        if (!st)
            st = at_buf_putc(b, ']');
    }
    if (!st)
        st = at_buf_puts(b, "}\n");
    return st;
}

/* After a failed or cancelled run: no temporary file, and no folder this
 * run made. When this run created outdir, it goes whole (everything in it
 * is this run's); otherwise the series folders of the outputs are removed
 * when empty, up to outdir. */
static void take_back(const job_list *jobs, const char *outdir, int outdir_created)
{
    for (size_t i = 0; i < jobs->n; i++)
        if (jobs->v[i].tmp_path)
            unlink(jobs->v[i].tmp_path);
    if (!outdir) /* refused before the output was resolved: nothing written */
        return;
    if (outdir_created) {
        at_remove_tree(outdir);
        return;
    }
    size_t base = strlen(outdir);
    for (size_t i = 0; i < jobs->n; i++) {
        char *d = jobs->v[i].out_path ? at_strdup(jobs->v[i].out_path) : NULL;
        char *slash;
        while (d && (slash = strrchr(d, '/')) && (size_t)(slash - d) > base) {
            *slash = '\0';
            if (rmdir(d) != 0)
                break;
        }
        at_free(d);
    }
}

/* Paths of the spec through the run's store (inputs for reading, outdir
 * for writing). *inputs and *outdir owned by the caller. */
static at_status resolve_paths(const at_deid_spec *spec, const at_run *run, char ***inputs, char **outdir)
{
    *inputs = at_calloc(spec->input_count + 1, sizeof **inputs);
    *outdir = NULL;
    if (!*inputs)
        return AT_ERR_NOMEM;
    at_status st = at_run_path(run, spec->outdir, 1, outdir);
    for (size_t i = 0; i < spec->input_count && !st; i++)
        st = at_run_path(run, spec->inputs[i], 0, &(*inputs)[i]);
    return st;
}

static void free_paths(char **inputs, size_t n, char *outdir)
{
    for (size_t i = 0; inputs && i < n; i++)
        at_free(inputs[i]);
    at_free(inputs);
    at_free(outdir);
}

at_status at_deid_run(const at_deid_spec *spec, at_run *run, at_deid_batch_result *result)
{
    memset(result, 0, sizeof *result);
    if (!spec || !spec->key || !spec->outdir || (!spec->inputs && spec->input_count))
        return at_error_set(AT_ERR_ARG, "at_deid_run: missing argument");
    if (!run)
        run = at_run_default();
    at_status st = at_deid_options_check(spec->options);
    if (st)
        return st;
    double t0 = at_now_seconds();
    char **inputs = NULL, *outdir = NULL;
    st = resolve_paths(spec, run, &inputs, &outdir);
    /* an outdir equal to an input folder or inside one: outputs would be
     * read back as inputs */
    if (!st)
        st = at_path_refuse_inside(outdir, (const char *const *)inputs, spec->input_count);
    job_list jobs = {0};
    for (size_t i = 0; i < spec->input_count && !st; i++)
        st = at_deid_collect(&jobs, inputs[i], run);
    int outdir_created = !st && !at_path_is_dir(outdir);
    /* what an interrupted run left in this output tree goes first */
    if (!st && !outdir_created) {
        st = at_walk_remove_debris(outdir, ".deid.tmp.", &result->debris_removed);
        if (!st && result->debris_removed)
            at_run_log(run, AT_LOG_INFO, "removed %zu temporary files an interrupted run had left",
                       result->debris_removed);
    }
    /* a fresh output is built in OUT.partial-PID beside it and renamed into
     * place whole at the end (one rename instead of one per file; a crash
     * leaves no OUT, and the next run removes the partial folder) */
    char *stage = NULL;
    if (!st && outdir_created) {
        struct stat sb;
        size_t n = strlen(outdir);
        while (n > 1 && outdir[n - 1] == '/')
            n--;
        if (lstat(outdir, &sb) == 0)
            st = at_error_set(AT_ERR_IO, "%s: exists and is not a folder", outdir);
        else if (!(stage = at_malloc(n + 32)))
            st = AT_ERR_NOMEM;
        else {
            snprintf(stage, n + 32, "%.*s.partial-%ld", (int)n, outdir, (long)getpid());
            size_t removed = 0;
            st = at_walk_remove_partials(outdir, &removed);
            if (!st && removed)
                at_run_log(run, AT_LOG_INFO, "removed %zu partial outputs an interrupted run had left",
                           removed);
            if (!st && at_path_is_dir(stage))
                st = at_remove_tree(stage);
        }
    }
    if (!st)
        st = at_mkdir_p(stage ? stage : outdir, 0755);
    run_state rs = {
        .jobs = &jobs, .outdir = stage ? stage : outdir, .staged = stage != NULL, .cfg = spec, .run = run};
    atomic_init(&rs.next, 0);
    pthread_mutex_init(&rs.lock, NULL);
    if (!st) {
        at_run_progress(run, "deidentify", 0, jobs.n);
        int n = at_run_threads(run) > 256 ? 256 : at_run_threads(run);
        if ((size_t)n > jobs.n)
            n = jobs.n ? (int)jobs.n : 1;
        pthread_t tid[256];
        int started = 0;
        for (int t = 1; t < n; t++) {
            if (pthread_create(&tid[started], NULL, worker, &rs) != 0)
                break;
            started++;
        }
        worker(&rs);
        for (int t = 0; t < started; t++)
            pthread_join(tid[t], NULL);
        st = rs.fatal;
        if (st == AT_ERR_CANCELLED)
            at_error_set(st, "deid: cancelled after %zu of %zu files; nothing was kept", rs.finished, jobs.n);
    }
    pthread_mutex_destroy(&rs.lock);
    /* no rename once the run is cancelled */
    if (!st)
        st = at_run_check(run, "deid");
    /* with sync, temporaries are durable before any rename: after a crash an
     * output name holds a whole file or nothing */
    if (!st && spec->sync)
        st = at_deid_sync_dir(rs.outdir);
    /* rename in input order: the first input claiming an output name wins
     * (in a staging folder most files already hold their names: the first
     * one named keeps it unless an earlier input's file comes over it) */
    size_t *order = jobs.n ? at_malloc(jobs.n * sizeof *order) : NULL;
    size_t nout = 0;
    if (jobs.n && !order && !st)
        st = AT_ERR_NOMEM;
    for (size_t i = 0; order && i < jobs.n; i++)
        if (jobs.v[i].tmp_path || jobs.v[i].named)
            order[nout++] = i;
    sort_jobs = &jobs;
    if (order)
        qsort(order, nout, sizeof *order, cmp_out_path);
    for (size_t k = 0; k < nout; k++) {
        job *j = &jobs.v[order[k]];
        int dup = k > 0 && !strcmp(jobs.v[order[k - 1]].out_path, j->out_path);
        if (st || dup) {
            if (j->tmp_path) /* a named loser's file was replaced by the winner's */
                unlink(j->tmp_path);
            if (dup && !st)
                set_reason(j, 2, "duplicate SOP Instance UID: same output as an earlier input");
        } else if (j->tmp_path && rename(j->tmp_path, j->out_path) != 0) {
            st = at_error_set(AT_ERR_IO, "%s: rename failed: %s", j->out_path, strerror(errno));
            unlink(j->tmp_path);
        }
        at_free(j->tmp_path);
        j->tmp_path = NULL;
    }
    for (size_t i = 0; i < jobs.n; i++)
        if (jobs.v[i].tmp_path) { /* not renamed (allocation failure above) */
            unlink(jobs.v[i].tmp_path);
            at_free(jobs.v[i].tmp_path);
            jobs.v[i].tmp_path = NULL;
        }
    at_free(order);
    if (!st && spec->sync && !stage)
        st = at_deid_sync_dir(outdir);
    result->files_seen = jobs.n;
    result->skipped = jobs.skipped;
    for (size_t i = 0; i < jobs.n; i++) {
        if (jobs.v[i].state != 2 && jobs.v[i].out_path) {
            result->elements.unknown_removed += jobs.v[i].stats.unknown_removed;
            result->elements.un_sequences += jobs.v[i].stats.un_sequences;
            result->elements.un_unparsable += jobs.v[i].stats.un_unparsable;
            result->elements.not_allowed += jobs.v[i].stats.not_allowed;
            result->elements.text_masked += jobs.v[i].stats.text_masked;
            result->elements.jpeg_segments += jobs.v[i].stats.jpeg_segments;
            result->elements.words_masked += jobs.v[i].stats.words_masked;
            result->elements.codes_replaced += jobs.v[i].stats.codes_replaced;
            result->elements.code_strings_replaced += jobs.v[i].stats.code_strings_replaced;
            result->elements.icc_profiles_cleaned += jobs.v[i].stats.icc_profiles_cleaned;
            result->elements.icc_profiles_removed += jobs.v[i].stats.icc_profiles_removed;
            result->elements.container_parts_removed += jobs.v[i].stats.container_parts_removed;
        }
        if (jobs.v[i].state == 0 && jobs.v[i].out_path)
            result->files_done++;
        else if (jobs.v[i].state == 1)
            result->files_quarantined++;
        else if (jobs.v[i].state == 2)
            result->files_rejected++;
    }
    result->seconds = at_now_seconds() - t0;
    if (!st) {
        at_buf b;
        at_buf_init(&b, REPORT_MAX);
        st = build_report(&jobs, spec, result, &b);
        char *rp = st ? NULL : at_path_join(rs.outdir, "deid-report.json");
        if (!st && !rp)
            st = AT_ERR_NOMEM;
        if (!st)
            st = at_file_write_atomic(rp, b.data, b.len);
        at_free(rp);
        if (!st)
            result->report_json = (char *)at_buf_steal(&b, NULL);
        at_buf_free(&b);
    }
    if (!st && stage) {
        if (spec->sync)
            st = at_deid_sync_dir(stage);
        if (!st && rename(stage, outdir) != 0)
            st = at_error_set(AT_ERR_IO, "%s: cannot move the finished output into place: %s", outdir,
                              strerror(errno));
        if (!st && spec->sync)
            st = at_deid_sync_dir(outdir);
    }
    if (st) {
        at_status keep = st;
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", at_error_message());
        if (stage)
            at_remove_tree(stage);
        else
            take_back(&jobs, outdir, outdir_created);
        at_error_set(keep, "%s", msg);
        if (result->report_json) {
            at_free(result->report_json);
            result->report_json = NULL;
        }
    }
    at_free(stage);
    at_deid_job_list_free(&jobs);
    free_paths(inputs, spec->input_count, outdir);
    return st;
}

/* The batch as it was called before the run context: the same work. */
static void progress_adapter(void *ud, const at_run_event *ev)
{
    const at_deid_batch_config *cfg = ud;
    cfg->progress(cfg->progress_ud, ev->step, ev->total, NULL);
}

at_status at_deid_batch_run(const char *const *inputs, size_t input_count, const char *outdir,
                            const at_deid_batch_config *cfg, at_deid_batch_result *result)
{
    memset(result, 0, sizeof *result);
    if (!cfg)
        return at_error_set(AT_ERR_ARG, "at_deid_batch_run: missing argument");
    at_deid_spec spec = {.inputs = inputs,
                         .input_count = input_count,
                         .outdir = outdir,
                         .options = cfg->options,
                         .key = cfg->key,
                         .allow_burned_in = cfg->allow_burned_in,
                         .sync = cfg->sync,
                         .report_input_paths = cfg->report_input_paths,
                         .detect = cfg->detect,
                         .detect_ud = cfg->detect_ud,
                         .allow_documents = cfg->allow_documents};
    at_run run;
    at_run_init(&run);
    run.threads = cfg->threads;
    if (cfg->progress) {
        run.progress = progress_adapter;
        run.progress_ud = (void *)cfg;
    }
    return at_deid_run(&spec, &run, result);
}

void at_deid_batch_result_free(at_deid_batch_result *r)
{
    if (!r)
        return;
    at_free(r->report_json);
    r->report_json = NULL;
}
