/* Internal to src/vault: object frames, dataset keys, paths of the vault
 * folder, locks, the chunker and a set of object ids. */
#ifndef ATELIER_VAULT_INTERNAL_H
#define ATELIER_VAULT_INTERNAL_H

#include "atelier/vault.h"

#include <pthread.h>
#include <sodium.h>

/* ---- frames (format.c) ---- */
#define VAULT_OBJ_MAGIC "ATVO"
#define VAULT_OBJ_VERSION 1
#define VAULT_OBJ_HEADER 40 /* magic, version, type, flags, 0, plain_len, stored_len, nonce */
#define VAULT_TAG 16        /* Poly1305 */
#define VAULT_NONCE 24      /* XChaCha20 */
#define VAULT_OBJ_CHUNK 1
#define VAULT_OBJ_MANIFEST 2
#define VAULT_FLAG_DEFLATE 1u
#define VAULT_KEYFILE_MAGIC "ATVK"
#define VAULT_KEYFILE_VERSION 1
#define VAULT_KEYFILE_ALG_XCHACHA 1
#define VAULT_KEYFILE_SIZE 104 /* 32 header + 24 nonce + 32 key + 16 tag */
#define VAULT_KEYFILE_AAD 32
#define VAULT_MANIFEST_MAGIC "ATVM"
#define VAULT_MANIFEST_VERSION 1
#define VAULT_MASTER_ID 8
/* a buffer for any chunk object: header, compressed or plain body, tag */
#define VAULT_CHUNK_OBJECT_MAX (VAULT_OBJ_HEADER + AT_VAULT_CHUNK_MAX + VAULT_TAG)
/* chunk objects are read and written with O_DIRECT (no page cache) from
 * buffers aligned on and sized in multiples of VAULT_ALIGN */
#define VAULT_ALIGN 4096u
#define VAULT_ROUND(n) (((n) + VAULT_ALIGN - 1) / VAULT_ALIGN * VAULT_ALIGN)
#define VAULT_CHUNK_BUFFER VAULT_ROUND(VAULT_CHUNK_OBJECT_MAX)

typedef struct {
    unsigned type, flags;
    uint32_t plain_len, stored_len;
    const unsigned char *nonce;
} vault_header;

/* Parse and check the frame of an object of len bytes (type 0: any). */
at_status vault_header_parse(const unsigned char *data, size_t len, int type, vault_header *h);
uint32_t vault_get32(const unsigned char *p);
uint64_t vault_get64(const unsigned char *p);
void vault_put16(unsigned char *p, unsigned v);
void vault_put32(unsigned char *p, uint32_t v);
void vault_put64(unsigned char *p, uint64_t v);
/* Path check on a counted string (why: a static reason). */
int vault_path_valid(const char *p, size_t n, const char **why);

/* ---- dataset keys (keys.c) ---- */
typedef struct {
    at_vault_dataset_id ds;
    unsigned char enc[32];  /* XChaCha20-Poly1305 key of the objects */
    unsigned char name[32]; /* BLAKE2b key of the object ids */
    uint64_t gear[256];     /* the chunker's table, secret per dataset */
} vault_keys;

/* Unwrap ds's key with the vault's master key and derive the subkeys.
 * AT_ERR_NOT_FOUND when the dataset is absent, AT_ERR_CRYPTO when its key
 * is destroyed, wrapped by another master key or corrupted. */
at_status vault_keys_load(const at_vault *v, const at_vault_dataset_id *ds, vault_keys *k);
void vault_keys_wipe(vault_keys *k);
/* The wrapped form (a key file) of secret for dataset ds. */
at_status vault_key_wrap(const at_vault *v, const at_vault_dataset_id *ds, const unsigned char secret[32],
                         unsigned char out[VAULT_KEYFILE_SIZE]);
/* A new random dataset secret, wrapped. */
at_status vault_key_new(const at_vault *v, const at_vault_dataset_id *ds,
                        unsigned char out[VAULT_KEYFILE_SIZE]);
/* The master key's id (8 bytes), and the key that wraps dataset keys:
 * at_keyed_hash(master, "atelier vault key wrapping"), so the master key,
 * which the room uses for other ends too, never keys a cipher itself. */
void vault_master_id(const at_key *master, unsigned char id[VAULT_MASTER_ID]);
void vault_wrap_key(const at_key *master, unsigned char key[32]);

/* Object ids: keyed BLAKE2b-256 with a personalisation per kind. */
void vault_chunk_id(const vault_keys *k, const void *data, size_t len, unsigned char id[32]);
void vault_manifest_id(const vault_keys *k, const void *data, size_t len, unsigned char id[32]);
/* Seal body (stored_len bytes, already compressed when flags say so) into
 * out (VAULT_OBJ_HEADER + stored_len + VAULT_TAG bytes; out + header may
 * be body itself: in place). */
void vault_seal(const vault_keys *k, unsigned type, unsigned flags, const unsigned char id[32],
                uint32_t plain_len, const unsigned char *body, uint32_t stored_len, unsigned char *out);
/* Authenticate and decrypt an object in place: on success *body points into
 * data (h->stored_len bytes, still compressed when h->flags says so). */
at_status vault_open_object(const vault_keys *k, unsigned type, const unsigned char id[32],
                            unsigned char *data, size_t len, vault_header *h, unsigned char **body);

/* ---- the vault folder (store.c; its files in files.c, its snapshot index
 * in snapshots.c) ---- */
struct at_vault {
    char *dir;
    unsigned char wrap[32]; /* the key-wrapping key, derived from the master key */
    unsigned char master_id[VAULT_MASTER_ID];
};

/* dir/datasets/<hex>[/tail]; owned by caller. */
char *vault_dataset_path(const at_vault *v, const at_vault_dataset_id *ds, const char *tail);
/* <dsdir>/chunks/<2 hex>/<64 hex> and <dsdir>/snapshots/<64 hex>. */
char *vault_chunk_path(const char *dsdir, const unsigned char id[32]);
char *vault_snapshot_path(const char *dsdir, const unsigned char id[32]);
/* Write data as a new object: a temporary file in dsdir/tmp, written,
 * fsynced, renamed to final (its folder is not fsynced: the caller does).
 * When data is aligned on VAULT_ALIGN and cap >= VAULT_ROUND(len) the write
 * bypasses the page cache (O_DIRECT; the bytes past len are written, then
 * cut off), falling back to a plain write where O_DIRECT is refused. */
at_status vault_write_object(const char *dsdir, const char *final, const void *data, size_t len, size_t cap);
/* The same in two steps, so that a writer can make many objects durable
 * together (their fsyncs then share one journal commit): start writes the
 * temporary file and keeps it open; finish fsyncs, closes and renames it;
 * discard removes it. */
typedef struct {
    int fd;
    char *tmp;
} vault_pending;
at_status vault_object_start(const char *dsdir, const void *data, size_t len, size_t cap, vault_pending *out);
at_status vault_object_finish(vault_pending *p, const char *final);
void vault_object_discard(vault_pending *p);
/* An allocation of size bytes aligned on VAULT_ALIGN: *base is what to free. */
unsigned char *vault_alloc_aligned(size_t size, void **base);
/* fsync a folder. */
at_status vault_fsync_dir(const char *dir);
/* Read a whole object file of at most max bytes into buf (cap bytes) or,
 * buf NULL, into a new allocation (*out). bypass, with an aligned buf and
 * cap: an object not in the page cache is read with O_DIRECT. */
at_status vault_read_file(const char *path, size_t max, unsigned char *buf, size_t cap, int bypass,
                          unsigned char **out, size_t *len);
/* The dataset lock (dsdir/lock, flock): shared for writers and readers
 * of many objects, exclusive for gc and shred. Waits, checking run's
 * cancel flag. *fd to pass to vault_unlock. */
at_status vault_lock(const char *dsdir, int exclusive, const at_run *run, int *fd);
void vault_unlock(int fd);
/* Write all of data to fd; errors name what. */
at_status vault_write_all(int fd, const void *data, size_t len, const char *what);
/* 1 when s is n lowercase hex digits and ends there. */
int vault_is_hex(const char *s, size_t n);
/* Names of 2*size hex digits in folder dir, parsed into a sorted array of
 * size-byte ids (*out owned by the caller); AT_ERR_NOT_FOUND when dir is
 * absent. */
at_status vault_list_hex_names(const char *dir, size_t size, unsigned char **out, size_t *count);
/* Remove the files in dir (depth 1: and in its subfolders); counts them. */
at_status vault_empty_folder(const char *dir, int depth, size_t *removed, uint64_t *bytes);
/* Snapshot ids present in dsdir/snapshots (sorted). */
at_status vault_list_snapshots(const char *dsdir, at_vault_snapshot_id **ids, size_t *count);
/* Load a manifest with keys at hand. */
at_status vault_manifest_load_keys(const vault_keys *k, const char *dsdir, const at_vault_snapshot_id *snap,
                                   at_vault_manifest **out);
/* Inflate src into dst (exactly dst_len bytes expected). */
at_status vault_inflate(const unsigned char *src, size_t src_len, unsigned char *dst, size_t dst_len);

/* ---- the import (import.c) ---- */
/* A file staged for a snapshot (write.c), filled by the import. */
typedef struct {
    char *source, *path;
    uint64_t size; /* at staging, for progress */
    uint32_t mode;
    size_t seq;
    int removed;
    /* filled by the import */
    uint64_t got;
    unsigned char hash[32];
    at_vault_chunk_ref *chunks;
    size_t nchunks, cap;
} vault_stage;
/* Read, cut, hash and store items on the run's threads (and two writer
 * threads); every new chunk durable when it returns AT_OK. Fills each
 * item's chunks, hash and size, and the chunk counts of stats. */
at_status vault_import(const vault_keys *keys, const char *dsdir, int compress, vault_stage **items, size_t n,
                       at_run *run, at_vault_commit_stats *stats);

/* ---- the chunker (chunker.c) ---- */
/* Length of the next chunk of p[0..n): FastCDC (gear hash, normalised
 * chunking). The caller passes n >= AT_VAULT_CHUNK_MAX unless the data
 * ends at n; the result is in [1, min(n, AT_VAULT_CHUNK_MAX)]. */
size_t vault_chunk_cut(const uint64_t gear[256], const unsigned char *p, size_t n);

/* ---- a set of 32-byte ids (idset.c), open addressing ---- */
typedef struct {
    unsigned char (*keys)[32];
    uint32_t *vals; /* per slot: 0 empty, else the payload + 1 */
    size_t cap, count;
} vault_idset;
void vault_idset_init(vault_idset *s);
void vault_idset_free(vault_idset *s);
/* Insert id (val when new): 1 when added, 0 when present, <0 on no memory. */
int vault_idset_add(vault_idset *s, const unsigned char id[32], uint32_t val);
/* Slot of id or -1. */
long vault_idset_find(const vault_idset *s, const unsigned char id[32]);

/* ---- errors across threads ---- */
typedef struct {
    pthread_mutex_t lock;
    at_status status;
    char message[512];
} vault_first_error;
void vault_error_init(vault_first_error *e);
/* Record the calling thread's error (the first one wins). */
void vault_error_record(vault_first_error *e, at_status st);
/* Set the recorded error in the calling thread; returns it. */
at_status vault_error_raise(vault_first_error *e);

#endif
