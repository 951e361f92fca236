/* atelier datasets: the vault inside the room. A project's datasets and
 * their snapshots in the catalog, imports through the door (DICOM or text
 * de-identification with the room's site key, run by the server), reading
 * (a snapshot materialised into a private folder), lineage as a graph
 * (snapshots, jobs, exports), storage quotas per project and the room's
 * garbage collector.
 *
 * The catalog's dataset table is the jobs module's (job_datasets: project,
 * name, vault id, kind, synthetic; job_snapshots: which snapshots are
 * visible, who made them); this module adds its own tables (module
 * "datasets"): each snapshot's door, synthetic flag, counts and the door's
 * report, and the imports with their upload state. Nothing identifying is
 * stored in the catalog: a dataset's file names are the door's
 * pseudonymised names (DICOM: UIDs; text: "doc-NNNNNN.EXT" given by the
 * upload), the report holds counts and options, never a value.
 *
 * An import: the client declares its files (sizes, extensions; never a
 * name, except for synthetic "files" imports whose paths the generator
 * made), uploads them in framed chunks (at_datasets_chunk_parse), resumes
 * after an interruption (the same fingerprint finds the import again and
 * its received bytes), then asks to finish: a worker of the server (at most
 * vault.imports settings at once) runs the door into a scratch folder and
 * commits the result as a new snapshot, visible in one catalog transaction
 * with the snapshot's row and the import's end. The raw upload is removed
 * whatever happens (done, failed, cancelled, found interrupted at start).
 * Imports are run by the server's own workers, not by the job queue (see
 * docs/room.md, "the vault"). */
#ifndef ATELIER_DATASETS_H
#define ATELIER_DATASETS_H

#include "atelier/jobs.h"
#include "atelier/room.h"
#include "atelier/run.h"
#include "atelier/vault.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- settings: the vault.* keys of room.conf ---- */
typedef struct {
    int imports;           /* imports de-identified at once (default 2) */
    double quota_gb;       /* storage per project, GiB (0: none; default 0) */
    double upload_max_gb;  /* bytes of one import's upload (default 64 GiB) */
    unsigned deid_options; /* DICOM door options for every project (default none) */
    int upload_idle_hours; /* an upload left unfinished this long is removed (default 48) */
} at_datasets_conf;
void at_datasets_conf_defaults(at_datasets_conf *c);
/* Read the vault.* keys of room.conf over the defaults:
 *   vault.imports = 2, vault.quota_gb = 100, vault.upload_max_gb = 64,
 *   vault.deid_options = uids,full-dates, vault.upload_idle_hours = 48,
 *   vault.quota.project.NAME = GiB, vault.deid_options.project.NAME = ...
 * An unknown vault.* key or a bad value: AT_ERR_FORMAT naming file and line. */
at_status at_datasets_conf_read(const char *path, at_datasets_conf *c);

/* ---- the service ---- */
typedef struct at_datasets at_datasets;
/* Open the datasets of an open room with its jobs (their tables and vault
 * handle): settings, tables (migrated), recovery (imports left running by
 * a dead server are queued again from their raw upload, a snapshot of an
 * imported dataset that the catalog never published is forgotten, stale
 * uploads and scratch removed) and the import workers. */
at_status at_datasets_open(at_room *room, at_jobs *jobs, at_datasets **out);
/* Stop the workers (an import in progress is cancelled: it is queued again
 * at the next open) and free. NULL is a no-op. */
void at_datasets_close(at_datasets *d);
const at_datasets_conf *at_datasets_config(const at_datasets *d);

/* ---- datasets and snapshots ---- */
typedef struct {
    char project[AT_ROOM_NAME_MAX + 1];
    char name[AT_ROOM_NAME_MAX + 1];
    char dataset_id[AT_VAULT_DATASET_HEX];
    char kind[16]; /* "data" (imports), "result", "code" */
    int synthetic; /* every snapshot came from a synthetic import */
    time_t created;
    size_t snapshots;
    char latest[AT_VAULT_SNAPSHOT_HEX]; /* "" when none */
    uint64_t files, bytes;              /* of the latest snapshot */
} at_dataset;

typedef struct {
    char id[AT_VAULT_SNAPSHOT_HEX];
    char parent[AT_VAULT_SNAPSHOT_HEX]; /* "" for a first snapshot */
    time_t created;
    char user[AT_ROOM_NAME_MAX + 1]; /* who made it ("" when unknown) */
    int64_t job;                     /* the job that made it, or 0 */
    int64_t import;                  /* the import that made it, or 0 */
    char door[16]; /* "dicom", "text", "files" (synthetic), "job", "code", "room" (course data) */
    int synthetic;
    uint64_t files, bytes, bytes_stored;
    char *report; /* the door's report (JSON: counts and options), owned; "{}" when none */
} at_dataset_snapshot;
void at_dataset_snapshots_free(at_dataset_snapshot *s, size_t n);

/* The datasets of a project (students: the synthetic ones only when
 * synthetic_only), by name. *out owned by the caller (at_free). */
at_status at_datasets_list(at_datasets *d, const char *project, int synthetic_only, at_dataset **out,
                           size_t *count);
at_status at_datasets_get(at_datasets *d, const char *project, const char *name, at_dataset *out);
/* The visible snapshots of a dataset, oldest first. */
at_status at_datasets_log(at_datasets *d, const char *project, const char *name, at_dataset_snapshot **out,
                          size_t *count);
/* Resolve "latest", a full id or a unique prefix (4+ hex digits) among the
 * dataset's visible snapshots. */
at_status at_datasets_resolve(at_datasets *d, const char *project, const char *name, const char *text,
                              char out[AT_VAULT_SNAPSHOT_HEX]);
/* 1 when the dataset (snapshot NULL) or that snapshot is flagged
 * synthetic, 0 when not, a negative status when there is none. The
 * classroom's test: a course may use synthetic data only. */
int at_datasets_is_synthetic(at_datasets *d, const char *project, const char *name, const char *snapshot);

typedef struct {
    char *path; /* owned */
    uint64_t size;
    uint32_t mode;
} at_dataset_file;
/* The files of a snapshot (the manifest's paths and sizes). */
at_status at_datasets_files(at_datasets *d, const char *project, const char *name, const char *snapshot,
                            at_dataset_file **out, size_t *count);
void at_dataset_files_free(at_dataset_file *f, size_t n);

/* Materialise snapshot (text as at_datasets_resolve) of project/name, all
 * of it or subpath, into dest (a new private folder: 0700 folders, 0400
 * files), audited as "dataset.get" by `by`. The call a job's runner and a
 * member's `dataset get` make. run may be NULL. */
at_status at_datasets_materialise(at_datasets *d, const char *by, const char *project, const char *name,
                                  const char *snapshot, const char *subpath, const char *dest, at_run *run,
                                  at_vault_read_stats *stats);

/* ---- storage quota ---- */
typedef struct {
    uint64_t used;    /* bytes of the project's datasets in the vault (encrypted, deduplicated) */
    uint64_t limit;   /* 0: none */
    uint64_t pending; /* bytes of unfinished uploads */
} at_datasets_usage;
at_status at_datasets_usage_of(at_datasets *d, const char *project, at_datasets_usage *out);

/* ---- imports ---- */
#define AT_IMPORT_FILES_MAX 100000
#define AT_IMPORT_CHUNK_MAX (8u << 20) /* bytes of one uploaded chunk's data */
typedef enum {
    AT_IMPORT_UPLOADING = 0,
    AT_IMPORT_QUEUED,
    AT_IMPORT_RUNNING,
    AT_IMPORT_DONE,
    AT_IMPORT_FAILED,
    AT_IMPORT_CANCELLED,
    AT_IMPORT_STATE_COUNT
} at_import_state;
const char *at_import_state_name(at_import_state s);

typedef struct {
    uint64_t size;
    char ext[16];                     /* "dcm", "txt", "csv", ... or "" (the door's name keeps it) */
    char path[AT_VAULT_PATH_MAX + 1]; /* synthetic "files" imports only: the path in the snapshot */
} at_import_file;

typedef struct {
    const char *project, *dataset;
    const char *kind;        /* "dicom", "text", or "files" (synthetic only: stored as generated) */
    int synthetic;           /* a synthetic cohort (atelier synth) */
    int fresh;               /* a snapshot of these files alone, not added to the latest */
    const char *fingerprint; /* the client's id of this upload (hex, 16..64 digits): an unfinished import
                              * of the same user, project, dataset and fingerprint is resumed */
    const at_import_file *files;
    size_t file_count;
} at_import_spec;

typedef struct {
    int64_t id;
    char project[AT_ROOM_NAME_MAX + 1], dataset[AT_ROOM_NAME_MAX + 1], user[AT_ROOM_NAME_MAX + 1];
    char kind[16];
    int synthetic, fresh;
    at_import_state state;
    size_t files;
    uint64_t bytes, received;
    char phase[32];
    uint64_t step, total;
    char snapshot[AT_VAULT_SNAPSHOT_HEX]; /* when done */
    char error[256];                      /* when failed: never a value */
    time_t created, updated;
} at_dataset_import;

/* Begin (or resume) an import for user. Refused: a student importing data
 * that is not synthetic, "files" without synthetic, a dataset name taken
 * by a result or code dataset, an import past the project's storage quota
 * (AT_ERR_QUOTA naming it). *resumed 1 when an unfinished import was
 * found again. */
at_status at_datasets_import_begin(at_datasets *d, const char *user, const at_import_spec *spec, int64_t *id,
                                   int *resumed);
/* Framed chunks of an upload (one or more frames one after another, see
 * at_datasets_chunk_parse) by the import's owner: each one's data must
 * start at or before the file's received length (what was received already
 * is ignored); the frames before a refused one are kept. */
at_status at_datasets_import_chunk(at_datasets *d, const char *user, int64_t id, const void *frames,
                                   size_t len);
at_status at_datasets_import_get(at_datasets *d, int64_t id, at_dataset_import *out);
/* Per-file received bytes (for a resume). *out owned (at_free). */
at_status at_datasets_import_received(at_datasets *d, int64_t id, uint64_t **out, size_t *count);
/* Every file received: queue it for the door. */
at_status at_datasets_import_finish(at_datasets *d, const char *user, int64_t id);
/* Stop an import (uploading or queued: at once; running: asked) and
 * remove its upload. */
at_status at_datasets_import_cancel(at_datasets *d, const char *user, int64_t id);
/* Wait until the import has ended (done, failed, cancelled) or timeout_s
 * passed (AT_ERR_LIMIT). */
at_status at_datasets_import_wait(at_datasets *d, int64_t id, double timeout_s, at_dataset_import *out);
/* A user's imports (project NULL: every project), newest first. */
at_status at_datasets_imports(at_datasets *d, const char *user, const char *project, at_dataset_import **out,
                              size_t *count);

/* The upload's chunk frame: a header line, then the data.
 *   "ATLCHUNK1 FILE OFFSET LENGTH BLAKE2B256HEX\n" DATA
 * FILE the file's index (0-based), OFFSET where the data goes, LENGTH the
 * data's bytes (1..AT_IMPORT_CHUNK_MAX, exactly what follows), the hash of
 * the data (64 lowercase hex digits). Numbers are decimal without sign or
 * leading zeros. The header is at most 160 bytes. Everything is checked
 * here (the fuzz target's subject); the hash too. */
typedef struct {
    uint64_t file, offset;
    size_t length;
    const unsigned char *data; /* inside the frame */
} at_datasets_chunk;
at_status at_datasets_chunk_parse(const void *frame, size_t len, at_datasets_chunk *out);
/* The first frame of a body of frames one after another (an upload sends
 * several small files' chunks in one request): the same checks, but bytes
 * may follow the frame; *used is the frame's size. */
at_status at_datasets_chunk_next(const void *frames, size_t len, at_datasets_chunk *out, size_t *used);
/* Write a frame's header for data into out (at least 160 bytes); its length. */
size_t at_datasets_chunk_header(uint64_t file, uint64_t offset, const void *data, size_t len, char *out);

/* ---- lineage ---- */
typedef enum {
    AT_LINEAGE_SNAPSHOT = 0,
    AT_LINEAGE_JOB,
    AT_LINEAGE_EXPORT,
    AT_LINEAGE_IMPORT
} at_lineage_kind;
typedef struct {
    at_lineage_kind kind;
    char id[AT_VAULT_SNAPSHOT_HEX + AT_ROOM_NAME_MAX +
            2];      /* "NAME@SNAP", job or request number, import number */
    char label[160]; /* shown */
    int depth;       /* < 0 upstream (its data), 0 the start, > 0 downstream (what it made) */
} at_lineage_node;
typedef struct {
    size_t from, to; /* node indices */
    char role[16];   /* "input", "code", "result", "export", "parent", "import" */
} at_lineage_edge;
typedef struct {
    at_lineage_node *nodes;
    size_t node_count;
    at_lineage_edge *edges;
    size_t edge_count;
    int truncated; /* more than AT_LINEAGE_NODES_MAX nodes */
} at_lineage;
#define AT_LINEAGE_NODES_MAX 400
/* The graph around project/name (every visible snapshot, or the one
 * snapshot named): upstream the jobs and imports that made it and their
 * inputs, downstream the jobs that read it, their results, and the export
 * requests that took those results out. */
at_status at_datasets_lineage(at_datasets *d, const char *project, const char *name, const char *snapshot,
                              at_lineage *out);
void at_lineage_free(at_lineage *g);
/* The graph drawn as SVG (layered by depth, every label escaped). *out
 * owned (at_free). */
at_status at_lineage_svg(const at_lineage *g, char **out);

/* ---- deletion: crypto-shredding, asked by the project's lead, confirmed
 * by the DPO ---- */
typedef struct {
    char project[AT_ROOM_NAME_MAX + 1], name[AT_ROOM_NAME_MAX + 1];
    char dataset_id[AT_VAULT_DATASET_HEX];
    char requested_by[AT_ROOM_NAME_MAX + 1], confirmed_by[AT_ROOM_NAME_MAX + 1];
    char reason[AT_ROOM_TEXT_MAX + 1];
    time_t requested, confirmed;
    char state[16]; /* "requested", "shredded" */
} at_dataset_deletion;
/* Ask for the deletion of project/name (a free text reason, required);
 * audited. One request per dataset at a time (AT_ERR_EXISTS). */
at_status at_datasets_delete_request(at_datasets *d, const char *by, const char *project, const char *name,
                                     const char *reason);
/* The DPO's confirmation: confirm must be "PROJECT/NAME" (AT_ERR_ARG
 * otherwise) and a deletion must have been asked for (AT_ERR_REFUSED).
 * The dataset's key is destroyed and its objects removed (the vault's
 * shredding: every snapshot unreadable, by anyone, irreversibly); the
 * dataset leaves the catalog, its deletion record and the audit stay;
 * lineage names its snapshots as shredded. Running imports into it are
 * cancelled first. */
at_status at_datasets_shred(at_datasets *d, const char *by, const char *project, const char *name,
                            const char *confirm);
/* Deletions asked for and done (project NULL: every project), newest
 * first. *out owned (at_free). */
at_status at_datasets_deletions(at_datasets *d, const char *project, at_dataset_deletion **out,
                                size_t *count);

/* ---- garbage collection ---- */
/* Collect every dataset of the room's vault: manifests the catalog does
 * not publish are forgotten (imported datasets only: a running job's result
 * is published by the jobs service after its runner committed it), then
 * chunks no snapshot references are removed. Safe against a concurrent
 * import (the vault's dataset locks). Audited by `by`. */
at_status at_datasets_gc(at_datasets *d, const char *by, at_run *run, at_vault_gc_stats *stats);

#ifdef __cplusplus
}
#endif
#endif
