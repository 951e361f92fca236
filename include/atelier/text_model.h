/* atelier text: the learned side of French de-identification. The tagger
 * model that works beside the rules (its default ships as
 * data/text/deid-tagger.bin), its training on synthetic notes or on a
 * centre's annotated notes (BRAT standoff), the evaluation on any annotated
 * folder (the synthetic notes it is trained on are synth's:
 * at_synth_hospital_docs, at_synth_tagger_docs). */
#ifndef ATELIER_TEXT_MODEL_H
#define ATELIER_TEXT_MODEL_H

#include "atelier/run.h"
#include "atelier/text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The default model's file name under the dictionaries' folder. */
#define AT_TEXT_TAGGER_DEFAULT "deid-tagger.bin"

/* Use the tagger model at path (replacing the default); NULL: no tagger
 * (the rules and the allow-list alone). Errors name the file and offset. */
at_status at_text_deid_set_model(at_text_deid *d, const char *path);
/* 1 when a tagger model is in use. */
int at_text_deid_has_model(const at_text_deid *d);
/* The allow-list pass (recall floor) on (1, the default) or off (0). */
void at_text_deid_set_allow_list(at_text_deid *d, int on);
/* The words of a run of documents (a centre's folder: an acronym or an
 * unusual name labelled in one of its documents), each with its label
 * (AT_PHI_*): their mentions are labelled in every document detected
 * after (copied; folded on the way; at most 4096; n 0 clears). Held in
 * memory only: they are patient data. */
at_status at_text_deid_set_run_words(at_text_deid *d, const char *const *words, const int *labels, size_t n);

typedef struct {
    uint64_t seed;        /* shuffling of the documents (default 1) */
    unsigned epochs;      /* passes over the documents (default 8) */
    unsigned bits;        /* 2^bits hashed feature rows (default 16) */
    double recall_weight; /* 0 (default): the operating point gains most on dev (a token found against two
                             false, a string lost against four found); else the beta of the F-beta it
                             maximises */
    const char *init;     /* a model to fine-tune (its weights as the start), or NULL */
    /* 1: without dev notes, the operating point and the extension's biases
     * are these (a refit's: chosen on dev by an earlier training), not 0 */
    int fixed_biases;
    float o_bias, seed_bias, init_bias, ext_bias;
    const char *phase; /* the progress's phase, NULL: "train" */
} at_text_tagger_options;

/* Train the tagger on docs (gold spans) with detector d's rules and
 * lexicons (d's own model is not used), choose the operating point (the
 * bias of the O tag) on dev (ndev docs; none: the bias is 0), write the
 * model to out_path atomically, and a summary (no document text) to
 * report. The same docs, options and lexicons give the same bytes. */
at_status at_text_tagger_train(const at_text_deid *d, const at_text_doc *docs, size_t n,
                               const at_text_doc *dev, size_t ndev, const at_text_tagger_options *opt,
                               const char *out_path, at_buf *report);

/* ---- training as a run (src/text/tagger_run.c) ---- */
typedef struct {
    const char *out;         /* the model file, written atomically */
    const char *annotations; /* a folder of BRAT annotated notes (may be NULL): every fifth note, when
                              * there are five or more, chooses the operating point, the others train */
    const char *dict_dir;    /* NULL: the dictionaries found by at_text_deid_new */
    /* training notes made by the caller (at_synth_tagger_docs), may be NULL */
    const at_text_doc *synthetic;
    size_t synthetic_count;
    /* notes that choose the operating point besides the annotated ones, may be NULL */
    const at_text_doc *synthetic_dev;
    size_t synthetic_dev_count;
    /* each annotated training note counts this many times (0: once): the
     * centre's notes weighted up against many synthetic ones */
    unsigned annotations_weight;
    /* every annotations_dev-th annotated note chooses the operating point
     * instead of training (0: 5; -1: none, all train) */
    int annotations_dev;
    /* 1: once the operating point and the extension's biases are chosen on
     * the dev notes, train again on every note (the dev notes too) with
     * them: the dev notes are not lost to training (costs a second run) */
    int refit;
    at_text_tagger_options options;
} at_text_deid_model_spec;
typedef struct {
    size_t train_docs, dev_docs; /* the notes that trained (the last training's), that chose the biases */
    size_t unknown_labels;       /* annotations with a label atelier does not know, skipped */
    char *report;                /* the training summary (never document text); owned (at_free) */
} at_text_deid_model_result;
/* Train the tagger (at_text_tagger_train) on spec's synthetic notes and
 * annotated folder, with the rules and lexicons of dict_dir. Progress:
 * phase "train", a step per epoch and one for the operating point;
 * cancel looked at between epochs; a failed or cancelled run writes
 * nothing. run may be NULL. result->report owned by the caller. */
at_status at_text_deid_model_run(const at_text_deid_model_spec *spec, at_run *run,
                                 at_text_deid_model_result *result);

/* Annotated notes in BRAT standoff: every NAME.txt of dir (recursively,
 * sorted by path) with NAME.ann beside it, whose text-bound lines
 * "T1<TAB>LABEL START END<TAB>text" give character offsets (code points)
 * into NAME.txt (discontinuous "START END;START END" fragments each a
 * span). Labels are atelier's (NOM, PRENOM, ... ID); other labels are
 * counted in *unknown_labels and skipped; other line kinds (A, R, #...)
 * are ignored. A .txt without .ann has no identifier. Errors name the file
 * and line. Owned by caller (at_text_docs_free). */
at_status at_text_brat_load(const char *dir, at_text_doc **docs, size_t *n, size_t *unknown_labels);
/* Write spans of text as BRAT .ann lines (character offsets) into out. */
at_status at_text_brat_write(const char *text, size_t len, const at_text_spans *spans, at_buf *out);

#ifdef __cplusplus
}
#endif
#endif
