/* atelier text: French clinical text. De-identification (detection of the
 * EDS-Pseudo labels plus RPPS/ADELI and FINESS, redaction or keyed
 * pseudonymisation), a generator of synthetic annotated documents with its
 * evaluation, a bounded CSV reader, and extraction of clinical mentions.
 * The re-hospitalisation risk model built on it is include/atelier/risk.h. */
#ifndef ATELIER_TEXT_H
#define ATELIER_TEXT_H

#include "atelier/core.h"
#include "atelier/run.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- labels ------------------------------------------------------------ */
typedef enum {
    AT_PHI_NONE = 0,
    AT_PHI_NOM,
    AT_PHI_PRENOM,
    AT_PHI_ADRESSE,
    AT_PHI_VILLE,
    AT_PHI_ZIP,
    AT_PHI_DATE,
    AT_PHI_DATE_NAISSANCE,
    AT_PHI_TEL,
    AT_PHI_MAIL,
    AT_PHI_SECU, /* NIR */
    AT_PHI_IPP,
    AT_PHI_NDA,
    AT_PHI_HOPITAL,
    AT_PHI_RPPS, /* RPPS and ADELI */
    AT_PHI_FINESS,
    AT_PHI_AGE,       /* an age over 89 ("92 ans"): written "90 ans ou plus" */
    AT_PHI_EMPLOYEUR, /* an employer */
    AT_PHI_COMPTE,    /* bank account (IBAN), mutual-insurance or insurance number */
    AT_PHI_IMMAT,     /* a vehicle plate */
    AT_PHI_URL,       /* a web address or a social-media handle */
    AT_PHI_ID,        /* another record, specimen or document number */
    AT_PHI_COUNT
} at_phi_label;

/* Upper-case label name ("NOM", "DATE_NAISSANCE", ...). Static string. */
const char *at_phi_label_name(int label);
/* Label from its name, or AT_PHI_NONE. */
int at_phi_label_from_name(const char *name);

typedef struct {
    size_t start, len; /* byte offsets into the UTF-8 text */
    int label;         /* at_phi_label */
} at_text_span;

/* A growable list of spans (owned; free with at_text_spans_free). */
typedef struct {
    at_text_span *v;
    size_t n, cap;
} at_text_spans;
at_status at_text_spans_push(at_text_spans *s, size_t start, size_t len, int label);
void at_text_spans_free(at_text_spans *s);

/* The n bytes at *s without the white space around them (spaces, tabs,
 * CR, LF): *s and *n moved in. */
void at_text_trim(const char **s, size_t *n);

/* ---- UTF-8 --------------------------------------------------------------- */
/* 0 when text is valid UTF-8 with no NUL byte; else -1 and *bad_offset. */
int at_text_utf8_check(const char *text, size_t len, size_t *bad_offset);
/* Fold s (n bytes) for dictionary look-up: lower case, accents removed,
 * through libutf8proc. Writes at most cap-1 bytes + NUL into out; returns
 * the length written or -1 when it does not fit or s is not UTF-8. */
int at_text_fold(const char *s, size_t n, char *out, size_t cap);

/* ---- de-identification ------------------------------------------------------ */
typedef struct at_text_deid at_text_deid;

/* The patient's own structured identity (--patient-info), all optional. */
typedef struct {
    char *last_name, *first_name, *birth_date, *ipp, *nir, *address, *city, *zip, *phone, *email, *patient_id;
} at_text_patient;

/* Load "key: value" lines (nom, prenom, date_naissance, ipp, nir, adresse,
 * ville, cp, tel, mail, id) from path into p (owned; at_text_patient_free). */
at_status at_text_patient_load(const char *path, at_text_patient *p);
void at_text_patient_free(at_text_patient *p);

/* The identities of several patients, each keyed by its id, else its ipp. */
typedef struct {
    at_text_patient *v;
    size_t n;
} at_text_patients;

/* Load --patient-info: a "key: value" file (one patient), a CSV whose
 * header names the same keys (one patient per row; delimiter ',', ';' or
 * tab) or a folder of "key: value" files (one patient each). With more
 * than one patient, each needs an id or ipp, and no two the same. Errors
 * name the file and line, never a value. */
at_status at_text_patients_load(const char *path, at_text_patients *out);
/* The same from a file's bytes (a table or one patient; name in errors). */
at_status at_text_patients_parse(const char *name, const char *data, size_t len, at_text_patients *out);
/* The patient whose key (id, else ipp) is key; NULL when none. */
const at_text_patient *at_text_patients_find(const at_text_patients *t, const char *key);
void at_text_patients_free(at_text_patients *t);

/* Create a detector with the dictionaries under dict_dir (NULL: the compiled-in
 * atelier's installed data, at_data_path("text")). Owned by caller
 * (at_text_deid_free). */
at_status at_text_deid_new(const char *dict_dir, at_text_deid **out);
void at_text_deid_free(at_text_deid *d);
/* Use this patient's identity for matching (copied; NULL clears). */
at_status at_text_deid_set_patient(at_text_deid *d, const at_text_patient *p);

/* Detect identifiers in text (valid UTF-8, len bytes). Appends sorted,
 * non-overlapping spans to out. Thread-safe for a shared detector. */
at_status at_text_deid_detect(const at_text_deid *d, const char *text, size_t len, at_text_spans *out);
/* Detect in n documents: the spans of texts[k] (lens[k] bytes) appended
 * to outs[k], the same as n calls of at_text_deid_detect, faster on many
 * short documents (a few go through each pass together). On failure the
 * status of the first document that failed; the outs hold what was found
 * (the caller frees them). Thread-safe for a shared detector. */
at_status at_text_deid_detect_many(const at_text_deid *d, const char *const *texts, const size_t *lens,
                                   size_t n, at_text_spans *outs);

typedef enum { AT_TEXT_REDACT = 0, AT_TEXT_PSEUDONYMISE = 1 } at_text_mode;

/* Rewrite text replacing each span: typed placeholders ([NOM]) or keyed
 * surrogates of the same kind (consistent names, dates shifted by the
 * patient's keyed offset, formats kept). patient_id keys the date shift and
 * the surrogates: the same real value gives the same surrogate within one
 * patient's documents, unrelated ones across patients (NULL: one shift for
 * the run, surrogates keyed by the value alone). Output appended to out. */
at_status at_text_deid_apply(const char *text, size_t len, const at_text_spans *spans, at_text_mode mode,
                             const at_key *key, const char *patient_id, at_buf *out);

/* Date shift in days (in [-365, 365], never 0) for a patient under key. */
int at_text_date_shift_days(const at_key *key, const char *patient_id);

/* ---- a de-identification run over files and folders (src/text/deid_batch.c) ---- */
typedef struct {
    const char *const *inputs; /* files and folders (walked by at_walk_collect: hidden names and, in
                                * folders, .json standoff files left out) */
    size_t input_count;
    const char *outdir; /* a file keeps its name under it, a folder's documents their paths */
    at_text_mode mode;
    const at_key *key;    /* pseudonymise: required; redact: unused (may be NULL) */
    const char *key_path; /* the site key's file (may be NULL): refused inside outdir, skipped among inputs */
    const char
        *patient_info;     /* one patient (key: value), a CSV of patients or a folder of them (may be NULL) */
    int patient_dirs;      /* each first-level subfolder of an input folder is one patient */
    const char *column;    /* CSV files: the column to de-identify (NULL: CSV files are plain text) */
    const char *id_column; /* CSV: the patient id column (NULL: patient_id when the header has it) */
    int delimiter;         /* CSV: ',', ';' or '\t'; 0: read from the header line */
    int json;              /* also OUT.json with the spans of each document */
    const char *dict_dir;  /* NULL: the dictionaries found by at_text_deid_new */
    const char *model;     /* a tagger model file (text deid-model train); NULL: the default one */
    int no_model;          /* no tagger: the rules and the allow-list alone */
    int no_allow_list;     /* the allow-list pass (every word not known to be safe removed) off */
    /* no consistency across the run's documents (by default a run of
     * several documents is detected twice: the distinctive words labelled
     * in one document are labelled at their mentions in the others) */
    int no_run_consistency;
} at_text_deid_spec;

/* A document a run could not handle (the run went on). */
typedef struct {
    char *input;   /* its path */
    char *message; /* names the file and the place (line, byte), never a value */
} at_text_failure;

typedef struct {
    size_t documents; /* planned */
    size_t written;
    size_t failed; /* failures[0..failed) */
    at_text_failure *failures;
    size_t unmatched;  /* documents or rows whose patient is not in patient_info */
    size_t bytes;      /* read from the documents written */
    char *key_skipped; /* the key file met among the inputs and skipped (NULL: none) */
} at_text_deid_result;

/* De-identify the documents of spec into spec->outdir. The run is planned
 * first and refused (AT_ERR_REFUSED, nothing written) when outdir is an
 * input or inside one, when an output would overwrite an input, when two
 * inputs would share an output, or when the key lies inside outdir. A bad
 * document (not UTF-8, empty, a CSV without the column) is noted in
 * result->failures and the run goes on. Progress: phase "deidentify", a
 * step per document; the cancel flag is looked at before each document;
 * a cancelled or failed run returns its status and takes back every output
 * it wrote (outdir removed when it made it). Paths go through the run's
 * store. run may be NULL. result owned by the caller
 * (at_text_deid_result_free). */
at_status at_text_deid_run(const at_text_deid_spec *spec, at_run *run, at_text_deid_result *result);
void at_text_deid_result_free(at_text_deid_result *r);

/* ---- checks used by detection and by the generator -------------------------- */
int at_text_nir_valid(const char *digits15); /* 15 chars, 2A/2B allowed */
int at_text_nir_key(const char *first13);    /* the key (1..97) or -1 */
int at_text_luhn_valid(const char *digits, size_t n);
int at_text_luhn_digit(const char *digits, size_t n); /* check digit to append */

/* ---- annotated documents (src/synth writes them) and evaluation --------------------------------------- */
typedef struct {
    char *text;
    size_t len;
    at_text_spans gold;
    at_text_spans eponyms; /* eponym words (label 0) that must stay */
    int kind;              /* document kind index */
    int patient;           /* patient index within the run */
    char *patient_id;
} at_text_doc;

void at_text_docs_free(at_text_doc *docs, size_t n);

typedef struct {
    double tp[AT_PHI_COUNT], fp[AT_PHI_COUNT], fn[AT_PHI_COUNT]; /* token level, per label */
    double red_tp, red_fp, red_fn;                               /* label-agnostic (redaction) token counts */
    size_t docs, docs_fully_redacted;
    size_t eponym_total, eponym_fp;        /* eponyms wrongly redacted */
    size_t ambiguous_total, ambiguous_hit; /* names that are also common words */
    size_t bytes;
    double seconds; /* detection only, CPU time of the calling thread */
} at_text_deid_eval;

/* Run the detector over docs and accumulate token-level counts. */
at_status at_text_deid_evaluate(const at_text_deid *d, const at_text_doc *docs, size_t n,
                                at_text_deid_eval *ev);
/* The same, and the errors as tab-separated rows into errors (unless
 * NULL): "missed", "false" or "lost", the document (an annotated note's
 * path in its folder, else its number from 1), the label (KEEP for a
 * string to keep), the span's start and end in characters, its tokens
 * missed or false over its tokens ("-" for a string lost), its text (at
 * most 160 bytes; tabs and line breaks as spaces). The rows hold the
 * notes' text: they are written where the notes are read. */
at_status at_text_deid_evaluate_errors(const at_text_deid *d, const at_text_doc *docs, size_t n,
                                       at_text_deid_eval *ev, at_buf *errors);
/* Write the evaluation as JSON (json=1) or a table into out. */
at_status at_text_deid_eval_report(const at_text_deid_eval *ev, int json, at_buf *out);

/* ---- CSV (RFC 4180, bounded) ---------------------------------------------------- */
typedef struct {
    size_t nrows, ncols;
    char **cells; /* nrows*ncols, row-major; row 0 is the header */
    size_t *line; /* line number where each row starts */
    char delim;   /* the delimiter read: ',', ';' or '\t' */
} at_csv;
/* Parse data; errors name the line (never the content). max_cell bounds one
 * cell. The delimiter (',', ';' as French spreadsheets write, or a tab) is
 * the one the header line uses most, outside quotes (',' when none). Owned
 * by caller (at_csv_free). */
at_status at_csv_parse(const char *data, size_t len, size_t max_cell, at_csv *out);
/* The same with the delimiter given (',', ';' or '\t'; 0: detected). */
at_status at_csv_parse_delim(const char *data, size_t len, size_t max_cell, int delim, at_csv *out);
/* The delimiter of the header line: ',', ';' or '\t'. */
int at_csv_detect_delimiter(const char *data, size_t len);
void at_csv_free(at_csv *c);
int at_csv_column(const at_csv *c, const char *name); /* index or -1 */
/* Append one CSV field, quoted when needed (with ',' or delim as delimiter). */
at_status at_csv_put_field(at_buf *b, const char *s, size_t n);
at_status at_csv_put_field_delim(at_buf *b, const char *s, size_t n, int delim);

/* ---- structuring: extraction of clinical mentions ---------------------------------- */
typedef enum {
    AT_MENTION_DRUG = 1,
    AT_MENTION_DOSE,
    AT_MENTION_ROUTE,
    AT_MENTION_DATE,
    AT_MENTION_REGIMEN,
    AT_MENTION_TNM,
    AT_MENTION_PS,
    AT_MENTION_AE,
    AT_MENTION_AGE,       /* "78 ans" after "patient de", "homme de", "âgée de": value the years */
    AT_MENTION_ADMISSION, /* prior hospitalisations: "3 hospitalisations", "hospitalisé 3 fois"; value the
                             count */
    AT_MENTION_COUNT
} at_mention_type;
enum { AT_QUAL_NEGATED = 1, AT_QUAL_HYPOTHESIS = 2, AT_QUAL_FAMILY = 4, AT_QUAL_HISTORY = 8 };

typedef struct {
    size_t start, len; /* byte offsets */
    int type;          /* at_mention_type */
    unsigned qual;     /* AT_QUAL_* */
    int grade, cycle;  /* CTCAE grade, cycle number (0 when none) */
    char value[64]; /* normalised: INN, "85 mg/m2", "IV", ISO date, "FOLFOX", "ECOG 1", AE term, "78", "3" */
    char code[16];  /* ATC code of a drug */
} at_text_mention;

typedef struct {
    at_text_mention *v;
    size_t n, cap;
} at_text_mentions;

const char *at_mention_type_name(int type);
typedef struct at_text_extractor at_text_extractor;
/* Load the drug dictionary (dict_dir NULL: at_data_path("text")). */
at_status at_text_extractor_new(const char *dict_dir, at_text_extractor **out);
void at_text_extractor_free(at_text_extractor *x);
/* Extract mentions of text (valid UTF-8). doc_date (YYYY-MM-DD or NULL: the
 * first full date of the text) resolves relative dates; AT_ERR_ARG when it
 * is not a day of the calendar. Appends to out. */
at_status at_text_extract(const at_text_extractor *x, const char *text, size_t len, const char *doc_date,
                          at_text_mentions *out);
void at_text_mentions_free(at_text_mentions *m);
/* One JSON object per line per mention (type, offsets, text, value, qualifiers). */
at_status at_text_mentions_jsonl(const char *text, const at_text_mentions *m, at_buf *out);

/* ---- the tokens extraction reads (for features built on it: src/risk) ---- */
/* A token of a note: a word, a number or a sign, folded for look-up. */
typedef struct {
    uint32_t s, e; /* byte offsets [s, e) in the text */
    char f[48];    /* folded: lower case, no accents (at most 40 bytes of the word) */
    uint8_t num;   /* all digits */
    uint8_t brk;   /* what lies between the previous token and this one (sentence end 1, comma 2, colon 4,
                    * parenthesis 8) */
    int sent;      /* sentence index */
    unsigned kw;   /* keyword classes of the extractor's dictionary (internal to extraction) */
    int kval;      /* the dictionary's value for the word */
} at_text_token;
/* The tokens of text (valid UTF-8) in order; *out owned by the caller
 * (at_free), *n of them. */
at_status at_text_tokenise(const at_text_extractor *x, const char *text, size_t len, at_text_token **out,
                           size_t *n);
/* The mentions of text from its tokens (at_text_extract after
 * at_text_tokenise, without tokenising twice). */
at_status at_text_extract_tokens(const at_text_extractor *x, const char *text, size_t len,
                                 const at_text_token *t, size_t n, const char *doc_date,
                                 at_text_mentions *out);
/* Drugs in a regimen given by its folded name ("r-chop": 5), 0 when unknown. */
int at_text_regimen_drugs(const char *folded);

/* ---- an extraction run over files and folders (src/text/extract_run.c) ---- */
typedef struct {
    const char *const *inputs; /* files and folders (walked as text deid walks them) */
    size_t input_count;
    int json;             /* JSON lines (one object per mention, with "file") instead of a table */
    const char *date;     /* YYYY-MM-DD resolving relative dates (NULL: each note's first full date) */
    const char *dict_dir; /* NULL: the dictionaries found by at_text_extractor_new */
    const char *out;      /* the table or lines into this file, written whole at the end (NULL: emit) */
    /* out NULL: each document's lines, in input order, as soon as they are made */
    at_status (*emit)(void *ud, const char *data, size_t len);
    void *emit_ud;
} at_text_extract_spec;

typedef struct {
    size_t documents, done, mentions;
    size_t failed; /* failures[0..failed) */
    at_text_failure *failures;
} at_text_extract_result;

/* Extract the mentions of every document of spec: a table (file, start,
 * length, type, value, code, grade, cycle, qualifiers; tab-separated) or
 * JSON lines. A bad document (not UTF-8, empty) is noted in
 * result->failures and the run goes on. Progress: phase "extract", a step
 * per document; the cancel flag is looked at before each document and
 * after the last; a cancelled run, or one whose every document failed,
 * writes no out file (what emit received stays with the caller). Paths go through the run's store. run may be
 * NULL. */
at_status at_text_extract_run(const at_text_extract_spec *spec, at_run *run, at_text_extract_result *result);
void at_text_extract_result_free(at_text_extract_result *r);

/* Exact span-and-type P/R/F1 per mention type and qualifier agreement,
 * as JSON (json=1) or a table, appended to report. */
at_status at_text_extract_evaluate(const at_text_extractor *x, const at_text_doc *docs, size_t n, int json,
                                   at_buf *report);

#ifdef __cplusplus
}
#endif
#endif
