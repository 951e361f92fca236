/* atelier deid: the door. DICOM PS3.15 Basic Application Level
 * Confidentiality Profile (Table E.1-1) with its options, keyed pseudonyms
 * (UIDs, patient identity, date shift), burned-in annotation quarantine and
 * a batch runner (folders in, pseudonymised tree out, report).
 * See docs/deid.md for the rules this code implements. */
#ifndef ATELIER_DEID_H
#define ATELIER_DEID_H

#include "atelier/core.h"
#include "atelier/dicom.h"
#include "atelier/run.h"
#include "atelier/walk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options (bit flags), named as on the command line. */
enum {
    AT_DEID_OPT_SAFE_PRIVATE = 1u << 0,            /* safe-private */
    AT_DEID_OPT_UIDS = 1u << 1,                    /* uids */
    AT_DEID_OPT_DEVICE_IDENTITY = 1u << 2,         /* device-identity */
    AT_DEID_OPT_INSTITUTION_IDENTITY = 1u << 3,    /* institution-identity */
    AT_DEID_OPT_PATIENT_CHARACTERISTICS = 1u << 4, /* patient-characteristics */
    AT_DEID_OPT_FULL_DATES = 1u << 5,              /* full-dates */
    AT_DEID_OPT_MODIFIED_DATES = 1u << 6,          /* modified-dates */
    AT_DEID_OPT_CLEAN_DESCRIPTORS = 1u << 7,       /* clean-descriptors */
    AT_DEID_OPT_CLEAN_STRUCTURED = 1u << 8,        /* (column kept; not offered) */
    AT_DEID_OPT_CLEAN_GRAPHICS = 1u << 9           /* clean-graphics */
};
#define AT_DEID_OPTION_COLUMNS 10

/* Option flag for a command-line name ("full-dates"), or 0 if unknown. */
unsigned at_deid_option_by_name(const char *name);
/* Command-line name of one option flag, or NULL. Static string. */
const char *at_deid_option_name(unsigned flag);
/* Check a set of options: full-dates and modified-dates exclude each other.
 * Returns AT_ERR_ARG with a message when invalid. */
at_status at_deid_options_check(unsigned options);

/* What happens to one element. */
typedef enum {
    AT_DEID_KEEP = 0,   /* unchanged (sequences: items cleaned recursively) */
    AT_DEID_REMOVE,     /* X */
    AT_DEID_EMPTY,      /* Z: zero length (sequences: no items) */
    AT_DEID_DUMMY,      /* D: dummy consistent with the VR */
    AT_DEID_UID,        /* U: keyed 2.25 UID (standard UIDs kept) */
    AT_DEID_PSEUDONYM,  /* Patient ID / Patient's Name: keyed pseudonym */
    AT_DEID_SHIFT,      /* C under modified-dates: dates shifted (TM kept) */
    AT_DEID_CLEAN_TEXT, /* C: identifying values of the header scrubbed */
    AT_DEID_CLEAN_AE    /* C on AE titles (device-identity): keyed pseudonym */
} at_deid_action;

/* Short name of an action ("remove", "empty", ...). Static string. */
const char *at_deid_action_name(at_deid_action a);

/* The action for an element with this tag and VR under options, from the
 * profile table and the by-VR rules (DA/DT/TM and UI handled whether listed
 * or not; private attributes, curves and overlays), then the allow-list: a
 * public attribute none of these cover is AT_DEID_REMOVE unless the
 * allow-list names it (docs/deid-allowlist.md). For private elements the
 * safe-private decision needs the creator: pass it (NULL when unknown).
 * If row_code is not NULL it receives the standard's code ("X/Z/D", "" if
 * the tag is not in Table E.1-1). */
at_deid_action at_deid_action_for(at_tag tag, at_vr vr, unsigned options, const char *private_creator,
                                  const char **row_code);

/* Profile-table row count and edition ("PS3.15 2024b Table E.1-1"). */
size_t at_deid_table_size(void);
const char *at_deid_table_edition_name(void);
/* Row i (i < at_deid_table_size()): tag, mask (0xffffffff exact), name,
 * standard code, option column actions as a string of '-', 'K', 'C' in the
 * order of the AT_DEID_OPT_ bits. Returns AT_ERR_ARG when out of range. */
at_status at_deid_table_row(size_t i, at_tag *tag, at_tag *mask, const char **name, const char **code,
                            const char **options);

/* 1 if (group, element, creator) is in the safe private table
 * (docs/deid.md, drawn from PS3.15 Table E.3.10-1). The value is not
 * checked: see at_deid_private_value_is_safe. */
int at_deid_private_is_safe(at_tag tag, const char *creator);
/* 1 if the private element (tag, creator) is in the safe private table AND
 * its value (len bytes, little endian, whatever its VR: UN from implicit VR
 * files too) matches the row's pattern. */
int at_deid_private_value_is_safe(at_tag tag, const char *creator, const unsigned char *value, uint32_t len);

/* ---- the allow-list (docs/deid.md, docs/deid-allowlist.md) ---- */
/* Public attributes that Table E.1-1 does not list pass only when the
 * allow-list names them. Row count, and row i: tag, action ('K' kept, 'N'
 * kept when a number else dummy, 'W' kept word by word with the general
 * vocabulary, 'C' coding-scheme rules, 'D' dummy, 'Z' empty), the option it needs (0: none), PS3.6 keyword
 * and the IOD module group. AT_ERR_ARG when out of range. */
size_t at_deid_allowlist_size(void);
at_status at_deid_allowlist_row(size_t i, at_tag *tag, char *action, unsigned *option, const char **keyword,
                                const char **module);
/* The allow-list's action for tag under options: 'K', 'N', 'W', 'C', 'D', 'Z', or 0 when
 * the attribute does not pass (absent, or the option of a K row is off). A
 * D or Z row whose option is on gives 'K' (kept, cleaned). */
char at_deid_allowlist_action(at_tag tag, unsigned options);

/* ---- a text detector handed in by the caller (clean-descriptors) ---- */
/* A span of a UTF-8 text found identifying; kind says what it is, so that
 * options can keep it (dates under full-dates, institutions under
 * institution-identity). */
enum { AT_DEID_SPAN_OTHER = 0, AT_DEID_SPAN_DATE = 1, AT_DEID_SPAN_INSTITUTION = 2 };
typedef struct {
    size_t start, len;
    int kind;
} at_deid_span;
/* Find identifying spans in text (valid UTF-8 or not: len bytes). Appends
 * to *spans (at_realloc'd; the door frees it) and *count. Must be
 * thread-safe for one ud. The door cannot link the French text module
 * (src/text sits above it): atelier-engine sets this to its detector. */
typedef at_status (*at_deid_detect_fn)(void *ud, const char *text, size_t len, at_deid_span **spans,
                                       size_t *count);

/* ---- pseudonyms ---- */
/* "2.25." + decimal of a 128-bit keyed hash of uid; standard UIDs
 * ("1.2.840.10008.") are copied unchanged. out must hold 65 bytes. */
void at_deid_uid(const at_key *key, const char *uid, char out[65]);
/* Patient pseudonym "ATL" + 16 base32 characters from a keyed hash of the
 * patient identity. out must hold 20 bytes. */
void at_deid_patient_pseudonym(const at_key *key, const char *identity, char out[20]);
/* Keyed per-patient day shift in [-1095, -1]. */
int at_deid_day_shift(const at_key *key, const char *identity);
/* Shift a DA (YYYYMMDD) or DT (YYYYMMDD[HH[MM[SS[.F]]]][&ZZXX]) value by days
 * into out (size n); the time and offset part of a DT is kept. Returns
 * AT_ERR_FORMAT for anything else (invalid date, ranges, text). */
at_status at_deid_shift_date(const char *value, int days, char *out, size_t n);

/* ---- one dataset ---- */
typedef struct {
    at_tag tag; /* top-level tag that changed */
    at_deid_action action;
} at_deid_change;

/* What the engine did beyond the table's actions (for the report). */
typedef struct {
    size_t unknown_removed; /* public elements of VR UN whose tag the dictionary does not know: removed */
    size_t un_sequences;    /* UN values of defined length parsed as sequences (PS3.5 6.2.2), then cleaned */
    size_t un_unparsable;   /* UN values of sequence attributes that could not be parsed: removed */
    size_t not_allowed;     /* public attributes neither in Table E.1-1 nor in the allow-list: removed */
    size_t text_masked;     /* retained text values in which something identifying was masked */
    size_t jpeg_segments;   /* JPEG COM/APPn segments (and data after EOI), JPEG 2000 COM segments and
                             * JP2 boxes (xml, uuid, jp2i, ...) removed from frames */
    size_t words_masked;    /* retained values in which words not known safe were masked */
    size_t codes_replaced;  /* code values and designators of local schemes pseudonymised, ill-formed
                             * versions, mapping resources, template and context identifiers removed */
    size_t
        code_strings_replaced;   /* code string values neither defined terms nor known words: pseudonymised */
    size_t icc_profiles_cleaned; /* ICC profiles whose text, dates and unknown tags were blanked */
    size_t icc_profiles_removed; /* ICC profiles that could not be parsed safely: removed */
    size_t container_parts_removed; /* RLE frames: segments cut where their image data ends
                                     * (trailers), gaps and stray offsets */
    const char *quarantine;         /* static reason when the file must go to quarantine/ (pixel data that
                                     * cannot be rewritten safely, an encapsulated document), else NULL */
} at_deid_stats;

/* A thread's memo of the identifying values of the last header it read:
 * the files of one series (same patient, study and dates) pay for their
 * collection once. Optional (at_deid_config.memo); one per thread, never
 * shared; it holds no value past the run that frees it. */
typedef struct at_deid_memo at_deid_memo;
at_deid_memo *at_deid_memo_new(void); /* NULL when out of memory */
void at_deid_memo_free(at_deid_memo *m);

typedef struct {
    unsigned options;
    const at_key *key;
    at_deid_memo *memo;       /* optional: this thread's memo (see above) */
    at_deid_stats *stats;     /* optional: receives the counts of this file */
    at_deid_detect_fn detect; /* optional: run on every retained text value (clean-descriptors) */
    void *detect_ud;
    int allow_documents; /* encapsulated documents not sent to quarantine (content still replaced) */
} at_deid_config;

/* De-identify f in place: the profile on the main dataset and every item of
 * every sequence, the allow-list (attributes the table does not list pass
 * only when it names them), retained text scanned and masked, JPEG COM/APPn
 * segments removed from encapsulated frames, pseudonyms, added attributes
 * (0012,0062/0063/0064, 0028,0303), File Meta rebuilt. A file that must go
 * to quarantine gets stats->quarantine (pass stats to know). Elements of VR UN: see at_deid_stats and
 * docs/deid.md (unknown tags removed, UN sequences parsed and cleaned). On
 * failure f may be partly changed and must be discarded. Owned memory stays
 * with f. */
at_status at_deid_apply(at_dcm_file *f, const at_deid_config *cfg);

/* Burned-in decision: 1 and a short static reason ("burned in annotation",
 * "modality US", "SOP class secondary capture") when the file is likely to
 * carry identifiers in its pixels, else 0. Call before at_deid_apply. */
int at_deid_burned_in_risk(const at_dcm_dataset *ds, const char **reason);

/* ---- batch ---- */
/* What to de-identify, where, and how (the paths go through the run's
 * store; the thread count, progress and cancel come from the run). */
typedef struct {
    const char *const *inputs; /* files or folders (walked by at_walk_collect) */
    size_t input_count;
    const char *outdir; /* may exist; may not be an input or inside one */
    unsigned options;   /* AT_DEID_OPT_* */
    const at_key *key;
    int allow_burned_in;      /* write risky files to the tree instead of quarantine/ */
    int sync;                 /* make outputs durable (syncfs) before renaming them */
    int report_input_paths;   /* name inputs by path in the report (may identify: off by default) */
    at_deid_detect_fn detect; /* optional text detector (see at_deid_config) */
    void *detect_ud;
    int allow_documents; /* encapsulated documents written to the tree (content still replaced) */
} at_deid_spec;

/* The configuration of at_deid_batch_run, the call before the run context. */
typedef struct {
    unsigned options;
    const at_key *key;
    int threads;              /* >= 1 */
    int allow_burned_in;      /* write risky files to the tree instead of quarantine/ */
    int sync;                 /* make outputs durable (syncfs) before renaming them */
    int report_input_paths;   /* name inputs by path in the report (may identify: off by default) */
    at_deid_detect_fn detect; /* optional text detector (see at_deid_config) */
    void *detect_ud;
    int allow_documents; /* encapsulated documents written to the tree (content still replaced) */
    at_progress_fn progress;
    void *progress_ud;
} at_deid_batch_config;

/* Entries of folder walks that are not input files (counted, never
 * opened): the core walker's counts (include/atelier/walk.h). */
typedef at_walk_skipped at_deid_skipped;

typedef struct {
    size_t files_seen, files_done, files_quarantined, files_rejected;
    at_deid_skipped skipped; /* entries of the folder walks that were not files */
    at_deid_stats elements;  /* summed over the files written */
    double seconds;
    char *report_json;     /* the report (owned; at_deid_batch_result_free) */
    size_t debris_removed; /* temporary files an interrupted run had left in outdir, removed first */
} at_deid_batch_result;

/* De-identify spec->inputs (files or folders, recursive) into outdir:
 * outdir/<patient>/<study>/<series>/<sop uid>.dcm, risky files under
 * outdir/quarantine/, report outdir/deid-report.json written atomically.
 * Rejected inputs are counted with a reason; the call still returns AT_OK
 * unless the run itself failed (outdir not writable, out of memory).
 * An outdir equal to an input folder or inside one is refused (AT_ERR_REFUSED)
 * before anything is written. Temporary files that an interrupted run left
 * in outdir (".deid.tmp.<pid>.*" of a process no longer running) are
 * removed first. Progress: phase "deidentify", one step per file. The
 * cancel flag is looked at before each file: a cancelled run returns
 * AT_ERR_CANCELLED and leaves no output (no temporary file, no report,
 * outdir removed when this run created it, else the folders it made).
 * The same failure handling for any other error. run may be NULL. */
at_status at_deid_run(const at_deid_spec *spec, at_run *run, at_deid_batch_result *result);
/* The same through a configuration (threads, progress) instead of a run:
 * kept for callers written before the run context. */
at_status at_deid_batch_run(const char *const *inputs, size_t input_count, const char *outdir,
                            const at_deid_batch_config *cfg, at_deid_batch_result *result);
void at_deid_batch_result_free(at_deid_batch_result *r);

#ifdef __cplusplus
}
#endif
#endif
