/* Internal: the learned sequence tagger of the de-identifier. An averaged
 * structured perceptron with first-order Viterbi decoding over the tokens
 * that are not trivially safe (capitalised, unknown or name-lexicon words
 * the rules left), with hashed features that generalise: word shape,
 * suffixes, lexicon kinds, the neighbouring words and their kinds, the
 * rules' labels around, punctuation, position in the line and document. */
#ifndef ATELIER_TEXT_TAGGER_H
#define ATELIER_TEXT_TAGGER_H

#include "deid_scan.h"

#include "atelier/run.h"
#include "atelier/text_model.h"

enum { TAG_O, TAG_PRENOM, TAG_NOM, TAG_VILLE, TAG_ADRESSE, TAG_HOPITAL, TAG_EMPLOYEUR, TAG_COUNT };
#define TAG_W 8             /* weights per feature row (TAG_COUNT padded) */
#define TAG_MAX_FEATS 56    /* features of one token */
#define TAG_CAND_LINE 4     /* tag_doc.cand of a word no other reason makes a candidate */
#define TAG_DEFAULT_BITS 16 /* 2^16 feature rows */
#define TAG_MAX_BITS 22

enum { TAG_KEEP_BITS = 1 << 15 };

typedef struct text_tagger {
    unsigned bits;
    float *w;                              /* (1 << bits) * TAG_W */
    float trans[TAG_COUNT + 1][TAG_COUNT]; /* [previous (TAG_COUNT: start)][current] */
    float o_bias;                          /* added to O's score when decoding: the operating point */
    uint64_t seed;                         /* of the training run (recorded in the file) */
    uint32_t docs, epochs;                 /* training documents and passes */
    /* words learned as safe: the folded words of the strings annotated
     * KEEP in the annotated training notes that the lexicons did not know
     * as words of the language or medical words and that no identifier of
     * those notes holds; each NUL-terminated, sorted; added to the
     * detector's lexicon as medical words when the model is set */
    char *keep;
    uint32_t nkeep, keep_len; /* words, bytes */
    uint64_t *keep_h;         /* their hashes (text_dict_hash_padded), sorted: looked up at tokenisation */
    /* bit (h >> 24) % TAG_KEEP_BITS of each hash h of keep_h: most words
     * not learned leave on a clear bit before the binary search */
    uint64_t keep_bits[TAG_KEEP_BITS / 64];
    /* the learned extension of entities (deid_extend.c): one weight per
     * hashed feature row ((1 << ext_bits) of them), NULL when the model
     * has none; a token beside an entity joins it when its score passes
     * ext_bias */
    float *ext_w;
    unsigned ext_bits;
    float ext_bias;
    /* and a number the passes left is offered alone to the same weights
     * first, and becomes an identifier when it scores above seed_bias */
    float seed_bias;
    /* and so is a word that may be a person's initials or a short code
     * ("M.", "JL", "SYF"), taken when it scores above init_bias */
    float init_bias;
    /* the training notes' vocabulary: the folded hashes (text_tok.fh) of
     * the words found outside every identifier, strictly increasing, and
     * the number of notes each was found so in (at most 255); none in a
     * model without it (its features leave the vocabulary out) */
    uint32_t *voc_h;
    uint8_t *voc_n;
    uint32_t nvoc;
} text_tagger;

/* The index of the first of the n increasing values v that is not below
 * x (n when none). */
static inline size_t tag_lower_bound(const uint32_t *v, size_t n, uint32_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (v[m] < x)
            lo = m + 1;
        else
            hi = m;
    }
    return lo;
}

/* The number of training notes that held the word of folded hash fh
 * outside every identifier (0: none, or no vocabulary). */
unsigned text_tagger_voc(const text_tagger *t, uint32_t fh);

/* 1 when the word of hash h is one the model learned as safe. */
int text_tagger_keeps(const text_tagger *t, uint64_t h);
/* The same, its bit tested inline first (the tokeniser asks for most words). */
static inline int text_tagger_keeps_fast(const text_tagger *t, uint64_t h)
{
    uint64_t b = (h >> 24) % TAG_KEEP_BITS;
    return (t->keep_bits[b >> 6] >> (b & 63) & 1) && text_tagger_keeps(t, h);
}
/* Set t's learned words from n folded words (any order, duplicates
 * allowed): sorted, made unique, their hashes computed. */
at_status text_tagger_set_keep(text_tagger *t, char **words, size_t n);

/* Hashed features: feature template tmpl of value v, the FNV-1a hash of
 * bytes (tagger.c and deid_extend.c share them). */
static inline uint32_t tag_mix(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x7FB5D329728EA185ull;
    x ^= x >> 27;
    x *= 0x81DADEF4BC2DD44Dull;
    x ^= x >> 33;
    return (uint32_t)x;
}

static inline uint32_t tag_feat(unsigned tmpl, uint64_t v)
{
    return tag_mix((uint64_t)tmpl << 56 ^ v * 0x9E3779B97F4A7C15ull ^ tmpl);
}

static inline uint64_t tag_bytes_hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

/* Shape class of token i (kind, case, digits, length; 1 past the end). */
unsigned tag_shape(const text_scan *s, size_t i);
/* A known word's identity (its folded hash), else its shape: what a
 * neighbour contributes without memorising names (inline: the extension
 * asks it of every token it offers and of their neighbours). */
static inline uint64_t tag_ident(const text_scan *s, size_t i)
{
    if (i >= s->n)
        return 7;
    const text_tok *k = &s->tok[i];
    if (k->kind == TOK_WORD &&
        ((k->lex & (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_KIN | LEX_STREET | LEX_ORG)) || k->dflags))
        return (uint64_t)k->fh << 8 | 1;
    return (uint64_t)tag_shape(s, i) << 1;
}

/* The at_phi_label of a tag and back (AT_PHI_NONE / TAG_O for the others). */
int tag_to_label(int tag);
int tag_of_label(int label);

/* Per-document context the features read (line numbers, table lines). */
typedef struct {
    uint32_t lines;          /* lines of the chunk (the last token's line + 1) */
    size_t lf_start, lf_end; /* the tokens of the line whose flags are cached */
    unsigned lf;             /* its flags (tagger.c) */
    uint8_t lower_doc;       /* 1: a note written in lower case (its sentences open in lower case):
                                an unknown word in lower case is read as a capitalised one elsewhere;
                                2: not known yet */
    uint8_t *cand; /* nonzero for the tokens the tagger decides (2: a capitalised word of the language with no
                      cue; TAG_CAND_LINE: another word of the line, read for its context) */
    uint8_t *best; /* the tagger's best non-O tag of each candidate (for the allow-list) */
    int lent;      /* 1: cand and best are the scan's room (text_scan.tag_room), not freed here */
    /* the model whose vocabulary the features read (NULL: the detector's
     * tagger's), and in training the note's own words outside the
     * identifiers (sorted folded hashes), which its count leaves out */
    const text_tagger *voc;
    const uint32_t *self;
    size_t nself;
} tag_doc;

/* 1 when the text of scan s is written in lower case: three sentences in
 * five or more (of four at least) open with a lower-case word. */
int tag_lower_case_text(const text_scan *s);
/* Fill c for scan s (allocations owned by c; tag_doc_free): the
 * candidates, and the line context of the features when features. */
at_status tag_doc_init(const text_scan *s, tag_doc *c, int features);
void tag_doc_free(tag_doc *c);
/* The features of token i (hashed; at most TAG_MAX_FEATS) into f: count. */
size_t tag_features(const text_scan *s, tag_doc *c, size_t i, uint32_t *f);
/* Viterbi over tokens a..b-1 (all candidates) with weights w and
 * transitions tr, O biased by o_bias: tags into out, and each token's
 * best non-O tag into best unless NULL. feats holds each token's features
 * (TAG_MAX_FEATS apart), nf their counts. */
void tag_viterbi(const float *w, unsigned bits, const float tr[TAG_COUNT + 1][TAG_COUNT], float o_bias,
                 const uint32_t *feats, const size_t *nf, size_t len, uint8_t *out, uint8_t *best);

/* The tagger's pass over a scanned chunk: candidates decided and marked
 * (after the rules; before the allow-list and the other mentions). */
at_status deid_pass_tagger(text_scan *s, tag_doc *c);
/* The allow-list pass (deid_allow.c): every word the rules and the tagger
 * left that is neither a known-safe word (Debian's dictionaries, the
 * medical vocabulary, their plural and feminine forms, drug and surgical
 * word endings) nor explained as safe by its context is marked, with the
 * tagger's best label for it (else by its lexicon kinds). */
void deid_pass_allow(text_scan *s, const tag_doc *c);
/* 1 when the line of token i lists drugs (two words of the medical
 * vocabulary or more) and holds no title, label, role nor name. */
int deid_drug_line(const text_scan *s, size_t i);
/* 1 when token i is an acronym (three to six capitals) no list holds in
 * an establishment's place: a town or "site" after it ("XYZ Toulon"), or
 * after a word of care and "au", "à l'", "du" ("suivie à l'XYZ"). */
int deid_acronym_place(const text_scan *s, size_t i);
/* 1 when word token i is a treatment by its context: what is said of it
 * after it ("X arrêté", "X poursuivi"), "sous X", "relais par X", an item
 * of a list after a treatment label ("Traitement : X, Y"). */
int deid_treatment_context(const text_scan *s, size_t i);
/* 1 when word token i is a known-safe word by itself (deid_safe.c):
 * the answer kept for the token (text_scan.safe) when asked before, else
 * deid_known_safe_ask's. */
int deid_known_safe_ask(const text_scan *s, size_t i);
static inline int deid_known_safe(const text_scan *s, size_t i)
{
    return s->safe[i] ? s->safe[i] - 1 : deid_known_safe_ask(s, i);
}
/* The part of it that reads the form alone: a drug's or a medical word's
 * ending, an abbreviation's writing, a trial's name (what the tagger
 * leaves to the safe vocabulary in a capitalised word). */
int deid_safe_form(const text_scan *s, size_t i);
/* The writing of an abbreviation, a trial or brand name: capitals after
 * lower case ("CheckMate", "HbA1c") or two capitals then lower case
 * ("QTc"), names with a particle ("McBurney") aside. */
int deid_mixed_case(const char *w, size_t n);
/* Token i names a trial or study ("KEYNOTE-522", "essai PACIFIC"). */
int deid_study_name(const text_scan *s, size_t i);
/* The folded word f (n bytes) is written as a commune is ("noyal-sur-vilaine"). */
int deid_place_compound(const char *f, size_t n);

/* The learned extension of entities (deid_extend.c): after every other
 * pass, a word or a sign beside an entity, on its line, joins it when the
 * extension's weights score it above their bias, up to EXT_STEPS on each
 * side (a sign the extension ended on is given back): where the rules and
 * the tagger found part of a name and the writers of the annotated notes
 * labelled more ("Taxi-Ambulances des Weppes", "X - site de Y"). Before
 * it, numbers and words that may be initials no pass labelled are offered
 * alone to the same weights. base: the chunk's offset in the document
 * (for the training collector). */
#define EXT_STEPS 4
#define EXT_MAX_FEATS 24
#define EXT_DEFAULT_BITS 16
#define EXT_OFF 1e30f /* a bias no score passes: that part off */
void deid_pass_extend(text_scan *s, size_t base);
/* What training records (deid_extend_train.c): one sample per token
 * offered, its features, its gold answer and its update's weight. */
typedef struct text_ext_collect {
    const at_text_doc *doc; /* its gold spans and the strings that must stay */
    uint32_t *feat;         /* EXT_MAX_FEATS per sample */
    uint8_t *nf;
    int8_t *y;   /* +1: in a gold span; -1: not */
    uint8_t *wt; /* the update's weight: a string that must stay counts more */
    size_t n, cap;
    at_status st;
} text_ext_collect;
/* Token-level label-agnostic redaction counts of detector d on docs, and
 * the strings to keep it touched when lost is not NULL (tagger_train.c). */
at_status text_dev_counts(const at_text_deid *d, const at_text_doc *docs, size_t n, double *tp, double *fp,
                          double *fn, double *lost);
/* order[0..n) the numbers 0..n-1 in an order drawn from rng (a training
 * epoch's visit, tagger_train.c). */
void text_shuffled_order(uint32_t *order, size_t n, at_rng *rng);
/* Byte range [a, b) overlaps one of sp's spans (tagger_train.c). */
int text_spans_overlap(const at_text_spans *sp, size_t a, size_t b);
/* Train the extension of model m on the annotated documents of docs
 * (kind -1), as detector d (with m as its model) leaves them, and choose
 * its bias on dev's; m->ext_w set (none when no annotated document).
 * Without dev, fixed (may be NULL) gives the biases instead of 0: the
 * numbers alone's, the initials alone's, the extension's. */
at_status text_ext_train(const at_text_deid *d, text_tagger *m, const at_text_doc *docs, size_t n,
                         const at_text_doc *dev, size_t ndev, uint64_t seed, const float *fixed,
                         at_buf *report, at_run *run);

/* The model file (tagger_io.c): "ATDTAG04", bits, o_bias, seed, docs,
 * epochs, the transitions, the nonzero weight rows (index, TAG_COUNT i16),
 * the learned words, the second look; little-endian; the three earlier
 * versions still read. Read with bounds and refused when malformed. */
/* at_text_tagger_train with progress (phase "train", a step per epoch and
 * one for the operating point) and cancel through run (may be NULL);
 * out_path NULL writes no model; biases (may be NULL) receives the
 * model's: the operating point, the numbers alone's, the initials
 * alone's, the extension's. */
at_status text_tagger_train(const at_text_deid *d, const at_text_doc *docs, size_t n, const at_text_doc *dev,
                            size_t ndev, const at_text_tagger_options *opt, const char *out_path,
                            float biases[4], at_buf *report, at_run *run);
at_status text_tagger_load(const char *path, text_tagger **out);
at_status text_tagger_save(const text_tagger *t, const char *path);
at_status text_tagger_new(unsigned bits, text_tagger **out);
void text_tagger_free(text_tagger *t);

#endif
