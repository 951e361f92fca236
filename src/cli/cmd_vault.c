/* atelier vault: the vault's low-level tool (src/vault, include/atelier/vault.h).
 * In a room, data enter and leave the vault through the service (import,
 * dataset get, jobs); this command drives the storage engine directly on a
 * room folder, for tests and for operators: verify, gc, and put/get/ls to
 * exercise it without the service. */
#include "cli.h"

#include "atelier/run.h"
#include "atelier/vault.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cmd_vault(int argc, char **argv);

static void usage(FILE *out)
{
    fprintf(out, "usage: atelier vault <command> ROOM [arguments] [options]\n\n"
                 "The vault's low-level tool. In a room, data enter the vault only through the\n"
                 "door (atelier import) and are read by jobs and 'atelier dataset get'; this\n"
                 "command drives the storage engine of ROOM/vault directly, with the master key\n"
                 "ROOM/keys/master.key, for operators and tests. Datasets are named by their ids\n"
                 "(or a unique prefix of 4 or more hex digits), snapshots by id, prefix or 'latest'.\n\n"
                 "commands:\n"
                 "  init ROOM                     create ROOM/vault (and the master key if absent)\n"
                 "  create ROOM                   make a dataset; prints its id\n"
                 "  put ROOM DATASET[@PARENT] [SOURCE...] [--as PREFIX] [--remove PATH]... [--compress]\n"
                 "                                a new snapshot: the parent's files (none without\n"
                 "                                @PARENT), less each --remove, plus each SOURCE (a\n"
                 "                                folder's content, or a file by its name) under PREFIX;\n"
                 "                                prints the snapshot id and what was stored\n"
                 "  get ROOM DATASET@SNAP [PATH] -o DIR [--check]\n"
                 "                                materialise the snapshot (or the file or folder PATH)\n"
                 "                                into the new private folder DIR; --check also\n"
                 "                                recomputes every file's hash\n"
                 "  ls ROOM [DATASET[@SNAP]]      datasets; a dataset's snapshots; a snapshot's files\n"
                 "  forget ROOM DATASET@SNAP      drop a snapshot (its chunks go at the next gc)\n"
                 "  gc ROOM [DATASET]             remove chunks no snapshot references and leftovers\n"
                 "                                of interrupted writes (waits for running imports)\n"
                 "  shred ROOM DATASET --yes [--purge]\n"
                 "                                destroy the dataset's key: every snapshot of it\n"
                 "                                becomes unreadable, irreversibly; --purge also frees\n"
                 "                                its space\n"
                 "  verify ROOM [DATASET]         check every key, manifest and chunk; exit 1 on\n"
                 "                                corrupted or missing objects\n\n"
                 "options:\n"
                 "  --master-key FILE  the room master key (default ROOM/keys/master.key)\n"
                 "  --threads N        threads (default: the cores of this machine)\n"
                 "  --json             machine-readable output (put, ls, verify)\n"
                 "  -q, --quiet        no progress and no summary line (put prints the snapshot id)\n\n"
                 "Ctrl-C cancels a put (no snapshot appears; the chunks already stored stay for a\n"
                 "re-run), a get (nothing is left), a verify or a gc, with exit status 130.\n"
                 "The vault's design and formats: docs/vault.md.\n");
}

typedef struct {
    const char *cmd, *room, *master_key, *as, *out;
    char label[32];     /* "vault put": the command in messages */
    const char *pos[2]; /* DATASET[@SNAP], PATH */
    size_t npos;
    const char **sources;
    size_t nsources;
    const char **removes;
    size_t nremoves;
    int threads, json, quiet, compress, check, yes, purge;
} options;

static int parse_options(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->threads = cli_threads_default();
    o->cmd = argv[1];
    snprintf(o->label, sizeof o->label, "vault %s", argv[1]);
    o->sources = at_calloc((size_t)argc, sizeof *o->sources);
    o->removes = at_calloc((size_t)argc, sizeof *o->removes);
    if (!o->sources || !o->removes)
        return cli_fail(AT_ERR_NOMEM);
    int only_positional = 0, rc = CLI_OK;
    for (int i = 2; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i], *val = NULL;
        if (!only_positional && a[0] == '-' && a[1]) {
            if (!strcmp(a, "--")) {
                only_positional = 1;
            } else if (cli_take(o->label, argc, argv, &i, "--master-key", NULL, &o->master_key, &rc) ||
                       cli_take(o->label, argc, argv, &i, "--as", NULL, &o->as, &rc) ||
                       cli_take(o->label, argc, argv, &i, "-o", "--out", &o->out, &rc)) {
            } else if (cli_take(o->label, argc, argv, &i, "--remove", NULL, &val, &rc)) {
                if (val)
                    o->removes[o->nremoves++] = val;
            } else if (cli_take(o->label, argc, argv, &i, "--threads", NULL, &val, &rc)) {
                long v;
                if (rc == CLI_OK && (rc = cli_long(o->label, "--threads", val, 1, 64, &v)) == CLI_OK)
                    o->threads = (int)v;
            } else if (cli_flag(a, "--json", NULL)) {
                o->json = 1;
            } else if (cli_flag(a, "--quiet", "-q")) {
                o->quiet = 1;
            } else if (cli_flag(a, "--compress", NULL)) {
                o->compress = 1;
            } else if (cli_flag(a, "--check", NULL)) {
                o->check = 1;
            } else if (cli_flag(a, "--yes", NULL)) {
                o->yes = 1;
            } else if (cli_flag(a, "--purge", NULL)) {
                o->purge = 1;
            } else {
                rc = cli_unknown_option(o->label, a);
            }
        } else if (!o->room) {
            o->room = a;
        } else if (!strcmp(o->cmd, "put") && o->npos == 1) {
            o->sources[o->nsources++] = a;
        } else if (o->npos < 2) {
            o->pos[o->npos++] = a;
        } else {
            rc = cli_usage_error(o->label, "unexpected argument '%s'", a);
        }
    }
    if (rc == CLI_OK && !o->room)
        rc = cli_usage_error(o->label, "the room folder is missing");
    return rc;
}

static char *master_key_path(const options *o)
{
    if (o->master_key)
        return at_strdup(o->master_key);
    return at_path_join(o->room, "keys/master.key");
}

/* The master key: it must exist, except for init, which makes it. */
static at_status load_master(const options *o, int create, at_key *key)
{
    char *path = master_key_path(o);
    if (!path)
        return AT_ERR_NOMEM;
    struct stat sb;
    at_status st;
    if (stat(path, &sb) == 0) {
        st = at_key_load(path, key);
    } else if (!create) {
        st =
            at_error_set(AT_ERR_NOT_FOUND, "%s: no master key there (--master-key FILE names another)", path);
    } else if (!(st = at_key_create(path, key))) {
        fprintf(stderr,
                "atelier vault: made the room master key %s (keep it safe: without it the vault "
                "cannot be read)\n",
                path);
    }
    at_free(path);
    return st;
}

static at_status open_vault(const options *o, at_vault **v)
{
    at_key key;
    at_status st = load_master(o, 0, &key);
    char *dir = at_path_join(o->room, "vault");
    if (!st && !dir)
        st = AT_ERR_NOMEM;
    if (!st)
        st = at_vault_open(dir, &key, v);
    at_free(dir);
    memset(&key, 0, sizeof key);
    return st;
}

/* "DATASET[@SNAP]": the dataset (a unique id prefix) and the text after '@'. */
static at_status resolve_dataset(at_vault *v, const char *arg, at_vault_dataset_id *ds, const char **snap)
{
    const char *at = strchr(arg, '@');
    size_t len = at ? (size_t)(at - arg) : strlen(arg);
    if (snap)
        *snap = at ? at + 1 : NULL;
    if (len < 4 || len > 32)
        return at_error_set(AT_ERR_ARG, "a dataset is named by 4 to 32 hex digits of its id");
    at_vault_dataset_id *ids;
    size_t n, found = 0;
    at_status st = at_vault_dataset_list(v, &ids, &n);
    if (st)
        return st;
    for (size_t i = 0; i < n; i++) {
        char hex[AT_VAULT_DATASET_HEX];
        at_vault_dataset_hex(&ids[i], hex);
        if (!strncasecmp(hex, arg, len)) {
            *ds = ids[i];
            found++;
        }
    }
    at_free(ids);
    if (found == 1)
        return AT_OK;
    return at_error_set(found ? AT_ERR_ARG : AT_ERR_NOT_FOUND, "dataset %.*s: %s", (int)len, arg,
                        found ? "ambiguous" : "no such dataset in this vault");
}

static const char *base_name(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    const char *s = path + n;
    while (s > path && s[-1] != '/')
        s--;
    return s;
}

static int do_put(const options *o, at_vault *v, cli_run *r)
{
    if (o->npos < 1)
        return cli_usage_error(o->label, "put needs DATASET[@PARENT]");
    if (!o->nsources && !o->nremoves)
        return cli_usage_error(o->label, "nothing to add or remove");
    at_vault_dataset_id ds;
    const char *snap;
    at_status st = resolve_dataset(v, o->pos[0], &ds, &snap);
    at_vault_snapshot_id parent;
    if (!st && snap)
        st = at_vault_snapshot_resolve(v, &ds, snap, &parent);
    at_vault_write_options wo = {.compress = o->compress};
    at_vault_tx *tx = NULL;
    if (!st)
        st = at_vault_begin(v, &ds, snap ? &parent : NULL, &wo, &tx);
    for (size_t i = 0; !st && i < o->nremoves; i++)
        st = at_vault_remove(tx, o->removes[i]);
    for (size_t i = 0; !st && i < o->nsources; i++) {
        const char *src = o->sources[i];
        if (at_path_is_dir(src)) {
            st = at_vault_add_tree(tx, src, o->as);
        } else {
            const char *name = base_name(src);
            char *path = o->as && *o->as ? at_path_join(o->as, name) : at_strdup(name);
            st = path ? at_vault_add_file(tx, src, path) : AT_ERR_NOMEM;
            at_free(path);
        }
    }
    if (st) {
        at_vault_abort(tx);
        return cli_run_end(r, st, NULL);
    }
    at_vault_snapshot_id id;
    at_vault_commit_stats cs;
    st = at_vault_commit(tx, &r->run, NULL, NULL, &id, &cs);
    if (st)
        return cli_run_end(r, st, "no snapshot was made; the chunks already stored stay for a re-run");
    cli_run_end(r, st, NULL);
    char hex[AT_VAULT_SNAPSHOT_HEX];
    at_vault_snapshot_hex(&id, hex);
    double mb = (double)cs.bytes_imported / 1e6;
    if (o->json)
        printf("{\"snapshot\": \"%s\", \"files\": %llu, \"bytes\": %llu, \"files_imported\": %llu, "
               "\"bytes_imported\": %llu, \"files_removed\": %llu, \"chunks\": %llu, \"chunks_new\": %llu, "
               "\"chunks_dedup\": %llu, \"bytes_new\": %llu, \"bytes_stored\": %llu, \"seconds\": %.3f}\n",
               hex, (unsigned long long)cs.files, (unsigned long long)cs.bytes,
               (unsigned long long)cs.files_imported, (unsigned long long)cs.bytes_imported,
               (unsigned long long)cs.files_removed, (unsigned long long)cs.chunks,
               (unsigned long long)cs.chunks_new, (unsigned long long)cs.chunks_dedup,
               (unsigned long long)cs.bytes_new, (unsigned long long)cs.bytes_stored, cs.seconds);
    else if (o->quiet)
        printf("%s\n", hex); /* the one thing a script needs */
    else
        printf("snapshot %s: %llu files, %llu bytes; imported %llu files (%.1f MB, %.0f MB/s): %llu chunks, "
               "%llu new, %llu already stored; %llu bytes written\n",
               hex, (unsigned long long)cs.files, (unsigned long long)cs.bytes,
               (unsigned long long)cs.files_imported, mb, cs.seconds > 0 ? mb / cs.seconds : 0,
               (unsigned long long)cs.chunks, (unsigned long long)cs.chunks_new,
               (unsigned long long)cs.chunks_dedup, (unsigned long long)cs.bytes_stored);
    return CLI_OK;
}

static int do_get(const options *o, at_vault *v, cli_run *r)
{
    if (o->npos < 1 || !o->out)
        return cli_usage_error(o->label, "get needs DATASET@SNAP and -o DIR");
    /* an empty folder is taken (docs/cli.md); anything else is refused */
    struct stat sb;
    if (lstat(o->out, &sb) == 0 && !(S_ISDIR(sb.st_mode) && rmdir(o->out) == 0)) {
        fprintf(stderr,
                "atelier %s: %s exists%s; nothing was written (a snapshot is materialised into a new "
                "folder)\n",
                o->label, o->out, S_ISDIR(sb.st_mode) ? " and is not empty" : "");
        return CLI_USAGE;
    }
    at_vault_dataset_id ds;
    const char *snap;
    at_status st = resolve_dataset(v, o->pos[0], &ds, &snap);
    if (!st && !snap)
        return cli_usage_error(o->label, "name the snapshot: DATASET@SNAP (or DATASET@latest)");
    at_vault_snapshot_id id;
    if (!st)
        st = at_vault_snapshot_resolve(v, &ds, snap, &id);
    at_vault_read_options ro = {.check_hashes = o->check};
    at_vault_read_stats rs;
    if (!st)
        st = at_vault_materialise(v, &ds, &id, o->npos > 1 ? o->pos[1] : NULL, o->out, &ro, &r->run, &rs);
    if (st)
        return cli_run_end(r, st, "nothing was kept (no output, no temporary folder)");
    cli_run_end(r, st, NULL);
    double mb = (double)rs.bytes / 1e6;
    if (!o->quiet)
        printf("%s: %llu files, %.1f MB (%.0f MB/s)\n", o->out, (unsigned long long)rs.files, mb,
               rs.seconds > 0 ? mb / rs.seconds : 0);
    return CLI_OK;
}

static void print_time(int64_t t, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int do_ls(const options *o, at_vault *v)
{
    at_status st;
    if (o->npos == 0) {
        at_vault_dataset_id *ids;
        size_t n;
        if ((st = at_vault_dataset_list(v, &ids, &n)))
            return cli_fail(st);
        if (o->json)
            printf("[");
        for (size_t i = 0; i < n; i++) {
            char hex[AT_VAULT_DATASET_HEX];
            at_vault_dataset_hex(&ids[i], hex);
            int shredded = at_vault_dataset_shredded(v, &ids[i]) == 1;
            if (o->json)
                printf("%s{\"dataset\": \"%s\", \"shredded\": %s}", i ? ", " : "", hex,
                       shredded ? "true" : "false");
            else
                printf("%s%s\n", hex, shredded ? "  (shredded)" : "");
        }
        if (o->json)
            printf("]\n");
        at_free(ids);
        return CLI_OK;
    }
    at_vault_dataset_id ds;
    const char *snap;
    if ((st = resolve_dataset(v, o->pos[0], &ds, &snap)))
        return cli_fail(st);
    if (!snap) {
        at_vault_snapshot_info *info;
        size_t n;
        if ((st = at_vault_snapshot_list(v, &ds, &info, &n)))
            return cli_fail(st);
        if (o->json)
            printf("[");
        for (size_t i = 0; i < n; i++) {
            char hex[AT_VAULT_SNAPSHOT_HEX], par[AT_VAULT_SNAPSHOT_HEX] = "", when[32];
            at_vault_snapshot_hex(&info[i].id, hex);
            if (info[i].has_parent)
                at_vault_snapshot_hex(&info[i].parent, par);
            print_time(info[i].created, when, sizeof when);
            if (o->json)
                printf("%s{\"snapshot\": \"%s\", \"parent\": %s%s%s, \"created\": \"%s\", \"files\": %llu, "
                       "\"bytes\": %llu}",
                       i ? ", " : "", hex, *par ? "\"" : "", *par ? par : "null", *par ? "\"" : "", when,
                       (unsigned long long)info[i].files, (unsigned long long)info[i].bytes);
            else
                printf("%s  %s  parent %.12s  %llu files  %llu bytes\n", hex, when, *par ? par : "-",
                       (unsigned long long)info[i].files, (unsigned long long)info[i].bytes);
        }
        if (o->json)
            printf("]\n");
        at_free(info);
        return CLI_OK;
    }
    at_vault_snapshot_id id;
    at_vault_manifest *m;
    if ((st = at_vault_snapshot_resolve(v, &ds, snap, &id)) || (st = at_vault_manifest_load(v, &ds, &id, &m)))
        return cli_fail(st);
    const char *sub = o->npos > 1 ? o->pos[1] : NULL;
    size_t sl = sub ? strlen(sub) : 0;
    if (o->json)
        printf("[");
    int first = 1;
    for (size_t i = 0; i < m->file_count; i++) {
        const at_vault_file *f = &m->files[i];
        if (sub && !(!strncmp(f->path, sub, sl) && (f->path[sl] == '\0' || f->path[sl] == '/')))
            continue;
        char hash[65];
        for (int b = 0; b < 32; b++)
            snprintf(hash + 2 * b, 3, "%02x", f->hash[b]);
        if (o->json) {
            at_buf b;
            at_buf_init(&b, 4 * AT_VAULT_PATH_MAX + 16);
            at_buf_json_string(&b, f->path, strlen(f->path));
            printf(
                "%s{\"path\": %s, \"mode\": \"0%o\", \"size\": %llu, \"chunks\": %zu, \"blake2b\": \"%s\"}",
                first ? "" : ", ", b.data ? (const char *)b.data : "\"\"", f->mode,
                (unsigned long long)f->size, f->chunk_count, hash);
            at_buf_free(&b);
        } else {
            printf("0%o %12llu %s  %s\n", f->mode, (unsigned long long)f->size, hash, f->path);
        }
        first = 0;
    }
    if (o->json)
        printf("]\n");
    at_vault_manifest_free(m);
    return CLI_OK;
}

static int do_verify(const options *o, at_vault *v, cli_run *r)
{
    at_vault_dataset_id ds;
    at_status st = AT_OK;
    if (o->npos > 0 && (st = resolve_dataset(v, o->pos[0], &ds, NULL)))
        return cli_fail(st);
    at_vault_report rep;
    st = at_vault_verify(v, o->npos > 0 ? &ds : NULL, &r->run, &rep);
    if (st) {
        at_vault_report_free(&rep);
        return cli_run_end(r, st, NULL);
    }
    cli_run_end(r, st, NULL);
    int ok = at_vault_report_ok(&rep);
    if (o->json) {
        printf("{\"ok\": %s, \"datasets\": %zu, \"snapshots\": %zu, \"chunks\": %zu, \"chunks_ok\": %zu, "
               "\"bytes_checked\": %llu, \"corrupt_chunks\": %zu, \"missing_chunks\": %zu, "
               "\"corrupt_manifests\": %zu, \"bad_keys\": %zu, \"shredded_datasets\": %zu, "
               "\"dangling_chunks\": %zu, \"temporaries\": %zu, \"findings\": [",
               ok ? "true" : "false", rep.datasets, rep.snapshots, rep.chunks, rep.chunks_ok,
               (unsigned long long)rep.bytes_checked, rep.corrupt_chunks, rep.missing_chunks,
               rep.corrupt_manifests, rep.bad_keys, rep.shredded_datasets, rep.dangling_chunks,
               rep.temporaries);
        for (size_t i = 0; i < rep.line_count; i++) {
            at_buf b;
            at_buf_init(&b, 16384);
            at_buf_json_string(&b, rep.lines[i], strlen(rep.lines[i]));
            printf("%s%s", i ? ", " : "", b.data ? (const char *)b.data : "\"\"");
            at_buf_free(&b);
        }
        printf("]}\n");
    } else {
        for (size_t i = 0; i < rep.line_count; i++)
            printf("%s\n", rep.lines[i]);
        if (rep.lines_dropped)
            printf("(%zu more findings not shown)\n", rep.lines_dropped);
        if (!o->quiet)
            printf(
                "vault %s: %zu datasets, %zu snapshots, %zu chunks (%zu authenticated, %.1f MB); %zu "
                "corrupted, "
                "%zu missing chunks, %zu corrupted manifests, %zu unreadable keys, %zu shredded datasets\n",
                ok ? "verified" : "DAMAGED", rep.datasets, rep.snapshots, rep.chunks, rep.chunks_ok,
                (double)rep.bytes_checked / 1e6, rep.corrupt_chunks, rep.missing_chunks,
                rep.corrupt_manifests, rep.bad_keys, rep.shredded_datasets);
    }
    at_vault_report_free(&rep);
    return ok ? CLI_OK : CLI_FAIL;
}

static int do_gc(const options *o, at_vault *v, cli_run *r)
{
    at_vault_dataset_id ds;
    at_status st = AT_OK;
    if (o->npos > 0 && (st = resolve_dataset(v, o->pos[0], &ds, NULL)))
        return cli_fail(st);
    at_vault_gc_stats gs;
    st = at_vault_gc(v, o->npos > 0 ? &ds : NULL, NULL, NULL, &r->run, &gs);
    if (st)
        return cli_run_end(r, st, "what was removed stays removed; nothing else changed");
    cli_run_end(r, st, NULL);
    if (!o->quiet)
        printf("gc: %zu datasets, %zu snapshots live; removed %zu chunks (%.1f MB) and %zu temporaries; kept "
               "%zu "
               "chunks\n",
               gs.datasets, gs.snapshots_live, gs.chunks_removed, (double)gs.bytes_freed / 1e6,
               gs.temporaries_removed, gs.chunks_kept);
    return CLI_OK;
}

static int do_init(const options *o)
{
    at_key key;
    char *keys = at_path_join(o->room, "keys"), *dir = at_path_join(o->room, "vault");
    at_status st = keys && dir ? AT_OK : AT_ERR_NOMEM;
    if (!st)
        st = at_mkdir_p(o->room, 0700);
    if (!st && !o->master_key)
        st = at_mkdir_p(keys, 0700);
    if (!st)
        st = load_master(o, 1, &key);
    if (!st)
        st = at_vault_init(dir, &key);
    char id[17];
    at_vault_master_id(&key, id);
    memset(&key, 0, sizeof key);
    if (!st && !o->quiet)
        printf("vault %s ready (master key id %s)\n", dir, id);
    at_free(keys);
    at_free(dir);
    return st ? cli_fail(st) : CLI_OK;
}

static int run_command(const options *o)
{
    if (!strcmp(o->cmd, "init"))
        return do_init(o);
    at_vault *v;
    at_status st = open_vault(o, &v);
    if (st)
        return cli_fail(st);
    cli_run r; /* SIGINT and SIGTERM cancel the long commands; progress on a terminal */
    cli_run_start(&r, o->label, o->threads, o->quiet || o->json, !strcmp(o->cmd, "ls"));
    int rc;
    if (!strcmp(o->cmd, "create")) {
        at_vault_dataset_id ds;
        if ((st = at_vault_dataset_create(v, &ds))) {
            rc = cli_run_end(&r, st, NULL);
        } else {
            char hex[AT_VAULT_DATASET_HEX];
            at_vault_dataset_hex(&ds, hex);
            printf("%s\n", hex);
            rc = CLI_OK;
        }
    } else if (!strcmp(o->cmd, "put")) {
        rc = do_put(o, v, &r);
    } else if (!strcmp(o->cmd, "get")) {
        rc = do_get(o, v, &r);
    } else if (!strcmp(o->cmd, "ls")) {
        rc = do_ls(o, v);
    } else if (!strcmp(o->cmd, "verify")) {
        rc = do_verify(o, v, &r);
    } else if (!strcmp(o->cmd, "gc")) {
        rc = do_gc(o, v, &r);
    } else if (!strcmp(o->cmd, "forget")) {
        at_vault_dataset_id ds;
        const char *snap = NULL;
        at_vault_snapshot_id id;
        if (o->npos < 1)
            rc = cli_usage_error(o->label, "forget needs DATASET@SNAP");
        else if ((st = resolve_dataset(v, o->pos[0], &ds, &snap)))
            rc = cli_fail(st);
        else if (!snap)
            rc = cli_usage_error(o->label, "name the snapshot: DATASET@SNAP");
        else if ((st = at_vault_snapshot_resolve(v, &ds, snap, &id)) ||
                 (st = at_vault_snapshot_forget(v, &ds, &id)))
            rc = cli_fail(st);
        else
            rc = CLI_OK;
    } else if (!strcmp(o->cmd, "shred")) {
        at_vault_dataset_id ds;
        if (o->npos < 1)
            rc = cli_usage_error(o->label, "shred needs DATASET");
        else if (!o->yes)
            rc = cli_usage_error(o->label, "shredding is irreversible: add --yes");
        else if ((st = resolve_dataset(v, o->pos[0], &ds, NULL)))
            rc = cli_fail(st);
        else if ((st = at_vault_dataset_shred(v, &ds, o->purge, &r.run)))
            rc = cli_run_end(&r, st, "the dataset's key is as it was");
        else {
            char hex[AT_VAULT_DATASET_HEX];
            at_vault_dataset_hex(&ds, hex);
            if (!o->quiet)
                printf("dataset %s: key destroyed; its snapshots are unreadable%s\n", hex,
                       o->purge ? " and removed" : "");
            rc = CLI_OK;
        }
    } else {
        rc = cli_usage_error("vault", "'%s' is not a vault command", o->cmd);
    }
    cli_run_finish(&r);
    at_vault_close(v);
    return rc;
}

int cmd_vault(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    options o;
    int rc = parse_options(argc, argv, &o);
    if (rc == CLI_OK)
        rc = run_command(&o);
    at_free(o.sources);
    at_free(o.removes);
    return rc;
}
