/* atelier synth: synthetic patients for teaching and tests. Every identity,
 * UID and value here is invented at run time from a seed. */
#ifndef ATELIER_SYNTH_H
#define ATELIER_SYNTH_H

#include "atelier/core.h"
#include "atelier/dicom.h"
#include "atelier/phantom.h"
#include "atelier/run.h"
#include "atelier/text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- synthetic DICOM study (src/synth/study.c) ---- */
typedef struct {
    int series;                  /* series count; series alternate CT, MR (default 2) */
    int slices;                  /* slices per series (default 4) */
    int size;                    /* rows = columns (default 64) */
    uint64_t seed;               /* picks the fake identity, UIDs and dates */
    const char *transfer_syntax; /* NULL: explicit VR little endian */
} at_synth_study_options;

/* Defaults above. */
void at_synth_study_options_default(at_synth_study_options *opt);
/* One slice of the study in memory: realistic CT or MR header with a fake
 * identity (name, French NIR-like Patient ID, birth date, address),
 * physicians, institution, dates, sequences (Referenced Study Sequence,
 * Referenced Image Sequence to the previous slice, Procedure Code
 * Sequence), a private block that repeats identifying values, and 16-bit
 * pixels of a simple phantom. *out owned by the caller (at_dcm_file_free). */
at_status at_synth_dicom_slice(const at_synth_study_options *opt, int series, int slice, at_dcm_file **out);
/* Write the whole study under outdir (created): outdir/S<k>_<modality>/IM<nnnn>.dcm,
 * each file atomically. *files (may be NULL) receives the count written.
 * (at_synth_study_run with no run.) */
at_status at_synth_dicom_study(const char *outdir, const at_synth_study_options *opt, size_t *files);

/* ---- the generators as runs: progress, cancel and the store through the
 * run (run may be NULL); a cancelled (AT_ERR_CANCELLED) or failed run
 * takes back what it wrote ---- */
typedef struct {
    const char *outdir;
    at_synth_study_options options;
} at_synth_study_spec;
typedef struct {
    size_t files;
} at_synth_study_result;
/* The study as at_synth_dicom_study writes it; phase "write", a step per file. */
at_status at_synth_study_run(const at_synth_study_spec *spec, at_run *run, at_synth_study_result *result);

typedef struct {
    const char *outdir;
    size_t docs;
    uint64_t seed;
    int heldout;  /* the held-out pools (at_synth_docs) */
    int hospital; /* the hospital-style notes (at_synth_hospital_docs) instead of the first generator's */
    int brat;     /* doc-NNNNNN.ann in BRAT standoff (strings that must stay as KEEP) instead of .gold.json */
} at_synth_docs_spec;
typedef struct {
    size_t files;
} at_synth_docs_result;
/* outdir/doc-NNNNNN.txt and doc-NNNNNN.gold.json (kind, patient, the
 * offset, length and label of every identifier) or, with brat,
 * doc-NNNNNN.ann; phase "write", a step per document. */
at_status at_synth_docs_run(const at_synth_docs_spec *spec, at_run *run, at_synth_docs_result *result);

typedef struct {
    const char *out; /* the CSV */
    size_t patients;
    uint64_t seed;
} at_synth_chemo_spec;
typedef struct {
    size_t bytes;
} at_synth_chemo_result;
/* The cohort of at_synth_chemo_cohort written atomically to out. */
at_status at_synth_chemo_run(const at_synth_chemo_spec *spec, at_run *run, at_synth_chemo_result *result);

typedef struct {
    const char *outdir;
    at_phantom_options options;
    int patients; /* 1..10000 */
    int replace;  /* an outdir that holds something is replaced once the new cohort is whole (else refused) */
} at_synth_cohort_spec;
typedef struct {
    size_t patients;
    size_t debris_removed; /* "<outdir>.partial-<pid>" folders of interrupted runs removed first */
} at_synth_cohort_result;
/* The cohort of at_phantom_write_cohort, built in "<outdir>.partial-<pid>"
 * and renamed into place; phase "patients", a step per patient. */
at_status at_synth_cohort_run(const at_synth_cohort_spec *spec, at_run *run, at_synth_cohort_result *result);

/* ---- synthetic clinical text (src/synth/notes*.c, chemo_*.c) ---- */
/* Generate n annotated documents with seed. heldout selects the held-out
 * halves of the generator's name and commune pools and the held-out
 * templates. Owned by caller (at_text_docs_free). */
at_status at_synth_docs(size_t n, uint64_t seed, int heldout, at_text_doc **out);
/* Name of a document kind of at_synth_docs ("consultation", "rcp", ...). Static string. */
const char *at_synth_doc_kind_name(int kind);

/* Hospital-style synthetic annotated notes (src/synth/notes_hosp*.c):
 * letters, operative and pathology reports, RCP summaries, prescriptions,
 * nursing notes, discharge summaries, e-mails pasted into the record,
 * tables and OCR'd scans, each in several styles, with noise (case, OCR
 * errors, hyphenation, abbreviations, missing labels), relatives, staff
 * and colleagues, and every label. heldout: the held-out name pools and
 * seed stream. Owned by caller (at_text_docs_free). */
at_status at_synth_hospital_docs(size_t n, uint64_t seed, int heldout, at_text_doc **out);
/* Name of a kind of at_synth_hospital_docs ("courrier", "cro", ...). Static string. */
const char *at_synth_hospital_kind_name(int kind);
/* The de-identifier's synthetic training notes: n notes from seed, two
 * thirds hospital-style and one third the first generator's (seed*2+1),
 * interleaved. Owned by caller (at_text_docs_free). */
at_status at_synth_tagger_docs(size_t n, uint64_t seed, int heldout, at_text_doc **out);

/* Synthetic notes with gold mentions (label = type | qualifiers << 8 |
 * CTCAE grade << 12) for
 * measuring extraction; heldout selects the held-out drug and term halves. */
at_status at_synth_extract_docs(size_t n, uint64_t seed, int heldout, at_text_doc **out);

/* Synthetic chemotherapy cohort as CSV (patient_id,age,text,label), one row
 * per cycle, outcomes following the literature's risk factors. */
at_status at_synth_chemo_cohort(size_t patients, uint64_t seed, at_buf *csv);

#ifdef __cplusplus
}
#endif
#endif
