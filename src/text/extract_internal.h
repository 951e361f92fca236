/* Internal to extraction: the tokens of a note (folded, with what
 * separates them and their keyword classes) and the rules over them.
 * ex_ names are extraction's internals ("ex" for extract); KW_ the keyword
 * classes of its dictionary. */
#ifndef ATELIER_TEXT_EXTRACT_INTERNAL_H
#define ATELIER_TEXT_EXTRACT_INTERNAL_H

#include "deid_internal.h"

/* What lies between a token and the one before it. */
enum { EX_BRK_SENT = 1, EX_BRK_COMMA = 2, EX_BRK_COLON = 4, EX_BRK_PAREN = 8 };

/* Keyword classes of a folded word (flags in the extractor's dictionary). */
enum {
    KW_DRUG = 1,           /* value: drug index + 1 */
    KW_REGIMEN = 2,        /* FOLFOX, R-CHOP ... */
    KW_AE = 4,             /* first word of an adverse-event term */
    KW_NEG_PRE = 8,        /* pas, absence, sans, aucun, ni, non */
    KW_NEG_POST = 16,      /* négatif, exclu, éliminé */
    KW_HYP_PRE = 32,       /* suspicion, probable, possible ... */
    KW_FAM = 64,           /* mère, père, familial ... */
    KW_HIST = 128,         /* antécédent, ATCD, ancien */
    KW_SCOPE_END = 256,    /* mais, cependant, toutefois ... end a qualifier's scope */
    KW_LIST = 512,         /* de, d, ni, ou, et: a list goes on after a comma */
    KW_PS = 1024,          /* oms, ecog, ps, performance */
    KW_AGE_CTX = 2048,     /* patient, homme, âgé ... before "de N ans" */
    KW_ADMIT = 4096,       /* hospitalisation(s), hospitalisé(e)(s) */
    KW_CYCLE = 8192,       /* cycle, cure */
    KW_NUMWORD = 16384,    /* un, deux ... dix: value the number */
    KW_STOP_GRADE = 32768, /* avec, sans, pas, et, ni, ou: a grade after them is not the term's */
    KW_REL = 65536,        /* hier, demain, aujourd, ce, il, dans: may start a relative date */
    KW_ROUTE = 131072,     /* iv, sc, im, per, voie ... */
    KW_OTHER = 262144      /* auc, acide, karnofsky: start a rule of their own */
};

/* A token (public as at_text_token, include/atelier/text.h). */
typedef at_text_token ex_tok;

typedef struct {
    char atc[16], inn[48];
} drug_entry;

struct at_text_extractor {
    text_dict dict; /* folded drug names and keywords */
    drug_entry *drugs;
    size_t ndrugs;
};

static inline int ex_is(const ex_tok *t, size_t n, size_t i, const char *w)
{
    return i < n && !strcmp(t[i].f, w);
}

/* Grade written after an event from token i ("grade 3", "de grade 3",
 * "G2", "(G2)", "grade III", "grade 2-3": the higher), within the event's
 * clause; 0 when none. *end receives the token after the grade. */
int ex_read_grade(const ex_tok *t, size_t n, size_t i, size_t *end);
/* The cues met since the start of the clause, carried forward over the
 * note so that each token is walked once however many mentions a clause
 * holds. Zeroed, it stands at the note's first token. */
typedef struct {
    size_t at;       /* the token it stands at */
    unsigned cue[2]; /* AT_QUAL_* of the clause's tokens before at: [0] the
                      * scope of an ungraded mention, [1] of a graded one */
    size_t steps;    /* tokens walked (the tests check it stays linear) */
} ex_scope;

/* Qualifiers of the mention [a, b): cues before it in its clause (the
 * scope stops at a sentence end, "mais" and its kin, and at a comma that
 * starts a new event rather than a list), and cues after it (at most 5
 * tokens). graded: the mention carries a grade (an absent event is not
 * graded). sc moves forward to a; a mention before sc restarts it from
 * the note's start (the same result, more work). */
unsigned ex_qualify(ex_scope *sc, const ex_tok *t, size_t n, size_t a, size_t b, int graded);
/* Unit of a dose at byte i ("mg/m²", "mg", "UI" ...), normalised into
 * unit; *end after it. 0 when none. */
int ex_unit_at(const char *text, size_t len, size_t i, char *unit, size_t cap, size_t *end);
/* TNM at byte s; end offset or 0. */
size_t ex_scan_tnm(const char *t, size_t len, size_t s);
/* days moved by n calendar months (the day clamped to the month's length). */
long ex_add_months(long days, int months);
/* Number of drugs of a regimen's folded name (0 when unknown). */
int ex_regimen_drugs(const char *folded);
/* Tokens of text (owned by caller, *n of them). */
at_status ex_tokenise(const at_text_extractor *x, const char *text, size_t len, ex_tok **out, size_t *n);
/* The mentions of text from its tokens (at_text_extract after
 * ex_tokenise; text at most the extractor's limit). */
at_status ex_extract_tokens(const at_text_extractor *x, const char *text, size_t len, const ex_tok *t,
                            size_t n, const char *doc_date, at_text_mentions *out);
/* The extractor's keywords into its dictionary. */
at_status ex_add_keywords(text_dict *d);

#endif
