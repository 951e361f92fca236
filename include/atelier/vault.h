/* atelier vault: the room's encrypted, content-addressed, versioned store.
 *
 * A vault folder (DIR/vault of a room) holds datasets; a dataset is a
 * sequence of immutable snapshots. Files are cut into chunks by a
 * content-defined chunker (an edit in the middle of a file changes only the
 * chunks around it); each chunk is encrypted with the dataset's own key
 * (XChaCha20-Poly1305) and named by a keyed BLAKE2b hash of its plaintext,
 * so identical chunks are stored once per dataset. A snapshot's manifest
 * (paths, sizes, modes, chunk ids, whole-file BLAKE2b-256 hashes) is itself
 * an encrypted object, named by the snapshot id. Dataset keys are wrapped by
 * the room master key; destroying a dataset's wrapped key (shred) makes
 * every snapshot of it unreadable.
 *
 * This is the storage engine alone: it needs only core, libsodium and
 * zlib, and knows nothing of users, projects or the catalog. The catalog
 * (src/room) records which snapshot belongs to which dataset name, who made
 * it and when, and decides what is visible; the seam is at_vault_commit's
 * publish callback and at_vault_gc's live callback. docs/vault.md gives the
 * design and the on-disk format.
 *
 * Every function returns AT_OK or a negative status with a message naming
 * the dataset, snapshot or object (ids, never file contents). A vault
 * handle may be used by several threads at once: it holds no mutable state
 * (dataset keys are unwrapped per call). */
#ifndef ATELIER_VAULT_H
#define ATELIER_VAULT_H

#include "atelier/core.h"
#include "atelier/run.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- format and ceilings (docs/vault.md) ---- */
#define AT_VAULT_FORMAT 1                     /* vault/config "atelier-vault 1" */
#define AT_VAULT_CHUNK_MIN (256u * 1024)      /* content-defined chunking: smallest cut */
#define AT_VAULT_CHUNK_AVG (1024u * 1024)     /* normal size the cut aims at */
#define AT_VAULT_CHUNK_MAX (4u * 1024 * 1024) /* largest chunk (a forced cut) */
#define AT_VAULT_PATH_MAX 1024                /* bytes of a path inside a snapshot */
#define AT_VAULT_NAME_MAX 255                 /* bytes of one path component */
#define AT_VAULT_DEPTH_MAX 64                 /* components of a path */
#define AT_VAULT_FILES_MAX (16u << 20)        /* files in one snapshot */
#define AT_VAULT_MANIFEST_MAX (1u << 30)      /* bytes of one manifest */
#define AT_VAULT_FILE_SIZE_MAX (1ull << 44)   /* bytes of one file (16 TiB) */

/* ---- ids ---- */
typedef struct {
    unsigned char bytes[16]; /* random, made at dataset creation */
} at_vault_dataset_id;
typedef struct {
    unsigned char bytes[32]; /* keyed BLAKE2b-256 of the manifest */
} at_vault_snapshot_id;
#define AT_VAULT_DATASET_HEX 33  /* 32 hex digits and a NUL */
#define AT_VAULT_SNAPSHOT_HEX 65 /* 64 hex digits and a NUL */
void at_vault_dataset_hex(const at_vault_dataset_id *id, char out[AT_VAULT_DATASET_HEX]);
void at_vault_snapshot_hex(const at_vault_snapshot_id *id, char out[AT_VAULT_SNAPSHOT_HEX]);
/* Parse the full hex form (32 or 64 digits); AT_ERR_ARG otherwise. */
at_status at_vault_dataset_parse(const char *hex, at_vault_dataset_id *id);
at_status at_vault_snapshot_parse(const char *hex, at_vault_snapshot_id *id);

/* ---- the vault ---- */
typedef struct at_vault at_vault;

/* Create the vault folder dir (0700; its parents must exist) for the room
 * master key: dir/config, dir/datasets/. Idempotent with the same master
 * key; AT_ERR_CRYPTO when dir is a vault of another master key. */
at_status at_vault_init(const char *dir, const at_key *master);
/* Open an existing vault. A master key that is not the vault's is refused
 * (AT_ERR_CRYPTO, the message gives both key ids); an unknown format
 * version is AT_ERR_UNSUPPORTED. *out is owned by the caller
 * (at_vault_close). It keeps the key-wrapping key derived from the master
 * key (wiped at close), not the master key itself. */
at_status at_vault_open(const char *dir, const at_key *master, at_vault **out);
void at_vault_close(at_vault *v);
/* The master key's public id: 16 hex digits of a keyed hash of a constant,
 * safe to print; it tells two keys apart and reveals nothing of the key. */
void at_vault_master_id(const at_key *master, char out[17]);

/* ---- datasets ---- */
/* Make a dataset: a random id, a random 256-bit dataset key wrapped by the
 * master key (XChaCha20-Poly1305, key id and version in the wrapped file),
 * its folders. Appears atomically (a crash leaves nothing visible). */
at_status at_vault_dataset_create(at_vault *v, at_vault_dataset_id *out);
/* The datasets of the vault, sorted by id; *ids owned by caller (at_free). */
at_status at_vault_dataset_list(at_vault *v, at_vault_dataset_id **ids, size_t *count);
/* 1 when the dataset was shredded (its key destroyed), 0 when its key is
 * present, AT_ERR_NOT_FOUND (negative) when there is no such dataset. */
int at_vault_dataset_shredded(at_vault *v, const at_vault_dataset_id *ds);
/* Crypto-shredding: record the shredding (a durable tombstone), overwrite
 * and remove the wrapped dataset key; every snapshot of the dataset is then
 * unreadable, by anyone, with any master key. purge also removes its
 * objects (chunks, manifests) to free the space. Waits for the dataset's
 * running imports (cancel through run). Irreversible. */
at_status at_vault_dataset_shred(at_vault *v, const at_vault_dataset_id *ds, int purge, at_run *run);

/* ---- manifests (exposed for listing, tests and fuzzing) ---- */
typedef struct {
    unsigned char id[32]; /* keyed BLAKE2b-256 of the chunk's plaintext */
    uint32_t len;         /* plaintext bytes, 1..AT_VAULT_CHUNK_MAX */
} at_vault_chunk_ref;
typedef struct {
    const char *path;       /* relative, '/'-separated, validated (at_vault_path_check) */
    uint32_t mode;          /* 0644 or 0755 */
    uint64_t size;          /* bytes; the sum of its chunks' lengths */
    unsigned char hash[32]; /* BLAKE2b-256 of the content (b2sum -l 256) */
    size_t first_chunk;     /* index into the manifest's chunks */
    size_t chunk_count;
} at_vault_file;
typedef struct {
    int64_t created; /* seconds since 1970 (UTC) */
    int has_parent;
    at_vault_snapshot_id parent; /* when has_parent */
    size_t file_count;           /* files sorted by path (bytes), unique */
    at_vault_file *files;
    size_t chunk_count;
    at_vault_chunk_ref *chunks;
    uint64_t bytes; /* sum of the files' sizes */
    char *arena;    /* internal: the paths */
} at_vault_manifest;

/* Check a path as stored in a snapshot: relative, '/'-separated, no empty,
 * '.' or '..' component, no control character (bytes below 0x20 or 0x7f),
 * at most AT_VAULT_PATH_MAX bytes, components of at most
 * AT_VAULT_NAME_MAX bytes, at most AT_VAULT_DEPTH_MAX components.
 * AT_ERR_ARG with a message saying what is wrong (the path is not echoed
 * when it holds a control character). */
at_status at_vault_path_check(const char *path);
/* Parse a manifest's plaintext (the decrypted object). Every count and
 * length is checked against what remains and the ceilings above before
 * anything is allocated; paths validated, sorted and unique; no file is
 * also a folder of another; chunk lengths add up to each file's size.
 * *out owned by caller (at_vault_manifest_free); NULL on failure. */
at_status at_vault_manifest_parse(const void *data, size_t len, at_vault_manifest **out);
/* Encode m (files sorted and valid, as parse would accept). *out owned by
 * caller (at_free). */
at_status at_vault_manifest_encode(const at_vault_manifest *m, unsigned char **out, size_t *len);
void at_vault_manifest_free(at_vault_manifest *m);
/* Index of the file at path in m, or -1. */
long at_vault_manifest_find(const at_vault_manifest *m, const char *path);

/* Check a stored object's frame (header, sizes, type) without the key:
 * what the fuzzer and verify's first pass see. type: 1 chunk, 2 manifest
 * (0 accepts both). */
at_status at_vault_object_check(const void *data, size_t len, int type);
/* Check a wrapped-key file's frame without the master key. */
at_status at_vault_keyfile_check(const void *data, size_t len);

/* ---- snapshots ---- */
typedef struct {
    at_vault_snapshot_id id;
    int has_parent;
    at_vault_snapshot_id parent;
    int64_t created;
    uint64_t files, bytes;
    uint32_t depth; /* how many of its ancestors are present */
} at_vault_snapshot_info;
/* The snapshots of a dataset (every manifest present), oldest first (by
 * creation time, then ancestry, then id: "latest" is the last). *out owned
 * by caller (at_free). */
at_status at_vault_snapshot_list(at_vault *v, const at_vault_dataset_id *ds, at_vault_snapshot_info **out,
                                 size_t *count);
/* Load and decrypt a snapshot's manifest (authenticated, id checked). */
at_status at_vault_manifest_load(at_vault *v, const at_vault_dataset_id *ds, const at_vault_snapshot_id *snap,
                                 at_vault_manifest **out);
/* Resolve a unique prefix (at least 4 hex digits) of a snapshot id, or
 * "latest" (the newest snapshot). AT_ERR_NOT_FOUND or AT_ERR_ARG
 * (ambiguous) otherwise. */
at_status at_vault_snapshot_resolve(at_vault *v, const at_vault_dataset_id *ds, const char *text,
                                    at_vault_snapshot_id *out);
/* Remove a snapshot's manifest (atomic); its chunks stay until gc. */
at_status at_vault_snapshot_forget(at_vault *v, const at_vault_dataset_id *ds,
                                   const at_vault_snapshot_id *snap);

/* ---- writing a snapshot ---- */
typedef struct {
    int compress; /* deflate (zlib level 1) a chunk when it saves at least 1/8 */
} at_vault_write_options;
typedef struct {
    uint64_t files;          /* files in the new snapshot */
    uint64_t bytes;          /* their total size */
    uint64_t files_imported; /* files read from sources by this commit */
    uint64_t bytes_imported;
    uint64_t files_removed; /* files of the parent not in the new snapshot */
    uint64_t chunks;        /* chunks cut from the imported files */
    uint64_t chunks_new;    /* ... written by this commit */
    uint64_t chunks_dedup;  /* ... already stored (in the dataset or earlier in this commit) */
    uint64_t bytes_new;     /* plaintext bytes of the new chunks */
    uint64_t bytes_stored;  /* bytes written to disk (encrypted objects, manifest included) */
    double seconds;
} at_vault_commit_stats;
typedef struct at_vault_tx at_vault_tx;

/* Begin a snapshot of dataset ds, as a child of parent (NULL: a first
 * snapshot, empty). Takes the dataset's shared lock until commit or abort
 * (a gc waits for it). opt may be NULL (no compression). */
at_status at_vault_begin(at_vault *v, const at_vault_dataset_id *ds, const at_vault_snapshot_id *parent,
                         const at_vault_write_options *opt, at_vault_tx **out);
/* Stage the regular file source (a symbolic link to one is followed) as
 * path in the snapshot, replacing what the parent or an earlier add had
 * there. Its content is read at commit. */
at_status at_vault_add_file(at_vault_tx *tx, const char *source, const char *path);
/* Stage every regular file under folder source as prefix/<relative path>
 * (prefix "" or NULL: the snapshot's root). A symbolic link, FIFO, socket
 * or device inside is refused (AT_ERR_UNSUPPORTED, naming it); empty
 * folders are not kept. */
at_status at_vault_add_tree(at_vault_tx *tx, const char *source, const char *prefix);
/* Remove the file path, or every file under folder path, from what the
 * snapshot holds so far (the parent and the earlier adds).
 * AT_ERR_NOT_FOUND when nothing is there. */
at_status at_vault_remove(at_vault_tx *tx, const char *path);
/* The catalog's seam: called once the snapshot's every object is durable,
 * with the dataset lock still held. Return AT_OK to make the snapshot
 * visible (the catalog's transaction commits inside), or an error: the
 * manifest is then removed again and commit returns that error. */
typedef at_status (*at_vault_publish_fn)(void *ud, const at_vault_dataset_id *ds,
                                         const at_vault_snapshot_id *snap, const at_vault_snapshot_id *parent,
                                         const at_vault_commit_stats *stats);
/* Read, cut, hash, encrypt and store the staged files (run's threads,
 * progress in bytes under phase "import", cancel), write the manifest, make
 * it durable and publish it: either the whole snapshot is visible or none
 * of it. publish NULL: the manifest's atomic rename is the publication (the
 * engine's own index). Frees tx in every case. On failure or cancel no
 * snapshot appears; chunks already stored stay (a re-run of the import
 * reuses them: dedup) until a gc removes them. */
at_status at_vault_commit(at_vault_tx *tx, at_run *run, at_vault_publish_fn publish, void *publish_ud,
                          at_vault_snapshot_id *out, at_vault_commit_stats *stats);
void at_vault_abort(at_vault_tx *tx);

/* ---- reading ---- */
typedef struct {
    int check_hashes; /* also recompute each file's BLAKE2b-256 (chunks are always authenticated) */
} at_vault_read_options;
typedef struct {
    uint64_t files, bytes, chunks;
    double seconds;
} at_vault_read_stats;
/* Materialise snapshot snap (all of it, or the file or folder subpath)
 * into dest, a new private folder: dest must not exist (AT_ERR_REFUSED,
 * before anything is written); it appears whole
 * (built beside it, renamed at the end) or not at all. Folders 0700, files
 * 0400 (0500 when the manifest says 0755); paths as in the snapshot. Uses
 * the run's threads; progress in bytes under phase "materialise"; a
 * cancelled or failed call leaves nothing. opt may be NULL. */
at_status at_vault_materialise(at_vault *v, const at_vault_dataset_id *ds, const at_vault_snapshot_id *snap,
                               const char *subpath, const char *dest, const at_vault_read_options *opt,
                               at_run *run, at_vault_read_stats *stats);

/* ---- integrity ---- */
typedef struct {
    size_t datasets, snapshots, chunks;    /* seen */
    size_t chunks_ok;                      /* authenticated and named right */
    uint64_t bytes_checked;                /* plaintext bytes authenticated */
    size_t corrupt_chunks, missing_chunks; /* errors */
    size_t corrupt_manifests, bad_keys;    /* errors */
    size_t shredded_datasets;              /* notes: unreadable by design */
    size_t dangling_chunks, temporaries;   /* notes: gc removes them */
    char **lines;                          /* one per finding, naming objects, never contents */
    size_t line_count;
    size_t lines_dropped; /* findings beyond the first 1000 lines */
} at_vault_report;
/* Check every dataset (or only ds): the wrapped key, every manifest
 * (authenticated, id checked, parsed), every chunk (read, authenticated,
 * plaintext hash equal to its name, length as the manifests say); chunks
 * corrupted or missing are named with the snapshots that need them;
 * chunks no snapshot references are counted (dangling). Uses the run's
 * threads; progress in chunks under phase "verify". Returns AT_OK when the
 * check ran (findings in rep, see at_vault_report_ok), an error when it
 * could not run. Free rep with at_vault_report_free. */
at_status at_vault_verify(at_vault *v, const at_vault_dataset_id *ds, at_run *run, at_vault_report *rep);
/* 1 when rep has no error (notes allowed). */
int at_vault_report_ok(const at_vault_report *rep);
void at_vault_report_free(at_vault_report *rep);

/* Whether snapshot snap of ds is live (1) or may be forgotten (0): the
 * catalog's answer in the room; NULL means every manifest present is live. */
typedef int (*at_vault_live_fn)(void *ud, const at_vault_dataset_id *ds, const at_vault_snapshot_id *snap);
typedef struct {
    size_t datasets, snapshots_live, snapshots_forgotten;
    size_t chunks_kept, chunks_removed, temporaries_removed;
    uint64_t bytes_freed;
} at_vault_gc_stats;
/* Garbage-collect dataset ds (NULL: every dataset): takes the dataset's
 * exclusive lock (waiting for running imports, cancel through run), removes
 * temporaries of interrupted writes, forgets the snapshots live says are
 * not live, and removes the chunks no remaining snapshot references. A
 * manifest that cannot be read stops the gc of that dataset (AT_ERR_CRYPTO
 * or AT_ERR_FORMAT) rather than guess what it needs. A shredded dataset's
 * leftover objects are removed. */
at_status at_vault_gc(at_vault *v, const at_vault_dataset_id *ds, at_vault_live_fn live, void *live_ud,
                      at_run *run, at_vault_gc_stats *stats);

#ifdef __cplusplus
}
#endif
#endif
