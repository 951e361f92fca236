/* Unit tests for the leaks of the second de-identification audit: surnames
 * with an apostrophe (' and ’), lower-case hyphenated forms of the patient's
 * name, a name carried to its other mentions in a document, "des" as a
 * particle, no-break spaces and lone CRs between name words, an IPP glued
 * to its label, a --patient-info file with a UTF-8 byte order mark. */
#include "support.h"

#include "atelier/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Redact t with a fresh detector for patient p (NULL: none); malloc'd. */
static char *redact_for(const at_text_patient *p, const char *t)
{
    at_text_deid *d;
    assert_int_equal(at_text_deid_new(NULL, &d), AT_OK);
    assert_int_equal(at_text_deid_set_patient(d, p), AT_OK);
    at_text_spans sp = {0};
    assert_int_equal(at_text_deid_detect(d, t, strlen(t), &sp), AT_OK);
    at_buf out;
    at_buf_init(&out, 1 << 16);
    assert_int_equal(at_text_deid_apply(t, strlen(t), &sp, AT_TEXT_REDACT, NULL, NULL, &out), AT_OK);
    assert_int_equal(at_buf_putc(&out, 0), AT_OK);
    char *r = strdup((const char *)out.data);
    at_buf_free(&out);
    at_text_spans_free(&sp);
    at_text_deid_free(d);
    return r;
}

static void expect(const at_text_patient *p, const char *in, const char *want)
{
    char *r = redact_for(p, in);
    if (strcmp(r, want))
        fail_msg("got \"%s\", want \"%s\"", r, want);
    free(r);
}

/* s with every ASCII apostrophe written ’ (U+2019); malloc'd. */
static char *typographic(const char *s)
{
    char *o = malloc(strlen(s) * 3 + 1), *w = o;
    assert_non_null(o);
    for (; *s; s++) {
        if (*s == '\'') {
            memcpy(w, "\xE2\x80\x99", 3);
            w += 3;
        } else {
            *w++ = *s;
        }
    }
    *w = 0;
    return o;
}

/* 1. A surname with an elided particle, typed with ' or ’, in any writing;
 * the elision alone is no name. */
static void test_patient_apostrophe(void **state)
{
    (void)state;
    const char *noms[] = {"d'Ormesson", "d\xE2\x80\x99Ormesson", "D'ORMESSON"};
    for (size_t i = 0; i < sizeof noms / sizeof *noms; i++) {
        at_text_patient p = {.last_name = (char *)noms[i]};
        expect(&p,
               "vu le dossier d'Ormesson. vu D'ORMESSON. vu d\xE2\x80\x99"
               "Ormesson. Ormesson. ormesson vu.",
               "vu le dossier [NOM]. vu [NOM]. vu [NOM]. [NOM]. [NOM] vu.");
        expect(&p,
               "prise d'un traitement, avis d\xE2\x80\x99"
               "expert, dose d'ORL.",
               "prise d'un traitement, avis d\xE2\x80\x99"
               "expert, dose d'ORL.");
    }
    at_text_patient o = {.last_name = "O'Brien", .first_name = "Dell'Acqua"};
    expect(&o,
           "Vu O'Brien et Dell\xE2\x80\x99"
           "Acqua, brien.",
           "Vu [NOM] et [PRENOM], [NOM].");
}

/* 2. Without patient info, ’ behaves as ' in elisions and inner
 * apostrophes: the same spans in both writings. */
static void test_typographic_apostrophe(void **state)
{
    (void)state;
    expect(NULL, "M. d\xE2\x80\x99Ormesson vu.", "M. [NOM] vu.");
    expect(NULL, "M. D\xE2\x80\x99Ormesson.", "M. [NOM].");
    const char *texts[] = {
        "Vu M. d'Ormesson le 1er mars. M. D'Ormesson revu.",
        "Hospitalis\xC3\xA9"
        "e \xC3\xA0 l'H\xC3\xB4pital Saint-Louis, puis au CHU d'Angers.",
        "Maladie d'Addison connue. Il s'agit d'une patiente qu'on revoit aujourd'hui.",
        "Originaire d'Angers, n\xC3\xA9"
        "e \xC3\xA0 Villeneuve-d'Ascq. Dr Dell'Acqua, IDE.",
        "Nom : d'Ormesson\nPr\xC3\xA9nom : Anne-Laure\nl'\xC3\xA9quipe d'HDJ.",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char *a = redact_for(NULL, texts[i]);
        char *ta = typographic(texts[i]);
        char *b = redact_for(NULL, ta);
        char *want = typographic(a);
        if (strcmp(b, want))
            fail_msg("case %zu: \"%s\", want \"%s\"", i, b, want);
        free(a);
        free(ta);
        free(b);
        free(want);
    }
}

/* Pseudonymise t without patient info (key and patient fixed); malloc'd. */
static char *pseudo(const char *t)
{
    at_text_deid *d;
    assert_int_equal(at_text_deid_new(NULL, &d), AT_OK);
    at_text_spans sp = {0};
    assert_int_equal(at_text_deid_detect(d, t, strlen(t), &sp), AT_OK);
    at_key key;
    memset(key.bytes, 9, sizeof key.bytes);
    at_buf out;
    at_buf_init(&out, 1 << 16);
    assert_int_equal(at_text_deid_apply(t, strlen(t), &sp, AT_TEXT_PSEUDONYMISE, &key, "P1", &out), AT_OK);
    assert_int_equal(at_buf_putc(&out, 0), AT_OK);
    char *r = strdup((const char *)out.data);
    at_buf_free(&out);
    at_text_spans_free(&sp);
    at_text_deid_free(d);
    return r;
}

/* s with ’ written ' and U+202F, U+00A0 written ' ' (in place). */
static void plain(char *s)
{
    char *w = s;
    for (const char *r = s; *r;) {
        if (!strncmp(r, "\xE2\x80\x99", 3) || !strncmp(r, "\xE2\x80\xAF", 3)) {
            *w++ = r[2] == '\x99' ? '\'' : ' ';
            r += 3;
        } else if (!strncmp(r, "\xC2\xA0", 2)) {
            *w++ = ' ';
            r += 2;
        } else {
            *w++ = *r++;
        }
    }
    *w = 0;
}

/* 2 and 6, pseudonymised: a name written with ’ or no-break spaces gets
 * the surrogate of its ASCII writing, the separators kept whole. */
static void test_pseudonymise_separators(void **state)
{
    (void)state;
    char *a = pseudo("M. d\xE2\x80\x99Ormesson vu. Mme Le\xE2\x80\xAFGoff et Mme Anne\xC2\xA0"
                     "de\xC2\xA0la\xC2\xA0"
                     "Fontaine vues.");
    char *b = pseudo("M. d'Ormesson vu. Mme Le Goff et Mme Anne de la Fontaine vues.");
    size_t bad;
    assert_int_equal(at_text_utf8_check(a, strlen(a), &bad), 0);
    assert_null(strstr(a, "Ormesson"));
    plain(a);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

/* 3. Lower-case hyphenated forms of the patient's name; a part that is a
 * common word still needs a capital ("petit-fils" of Petit stays). */
static void test_patient_hyphen_lower(void **state)
{
    (void)state;
    at_text_patient p = {.last_name = "Kerhervé", .first_name = "Soizic"};
    expect(&p, "vue kerhervé-durand, soizic-marie aussi ; durand-kerhervé. Le petit-fils kerhervé.",
           "vue [NOM], [PRENOM] aussi ; [NOM]. Le petit-fils [NOM].");
    at_text_patient q = {.last_name = "Petit", .first_name = "Rose"};
    expect(&q,
           "Son petit-fils et sa belle-fille, peau rose-orang\xC3\xA9"
           "e.",
           "Son petit-fils et sa belle-fille, peau rose-orang\xC3\xA9"
           "e.");
}

/* 4. A name found in context is carried to its other mentions in the
 * document: capitalised, or in any case when not a common word; a common
 * word capitalised inside a sentence or in capitals only; never a
 * particle, never an eponym. */
static void test_other_mentions(void **state)
{
    (void)state;
    expect(NULL, "Mme Aur\xC3\xA9lienne Trebouta. Aur\xC3\xA9lienne va bien, Trebouta aussi.",
           "Mme [PRENOM] [NOM]. [PRENOM] va bien, [NOM] aussi.");
    expect(NULL, "Appel de TREBOUTA. Vu par le Dr Trebouta ce jour, trebouta signe.",
           "Appel de [NOM]. Vu par le Dr [NOM] ce jour, [NOM] signe.");
    /* a common word opening a sentence stays ("Blanc de l'œil normal") */
    expect(NULL, "Vu par le Dr Blanc. Blanc de l'\xC5\x93il normal, le blanc aussi, vu avec Blanc et BLANC.",
           "Vu par le Dr [NOM]. Blanc de l'\xC5\x93il normal, le blanc aussi, vu avec [NOM] et [NOM].");
    expect(NULL, "M. Ghislain Van der Berg vu. Van garé, der Test.",
           "M. [PRENOM] [NOM] vu. Van garé, der Test.");
    expect(NULL, "Dr Hodgkin vu. Maladie de Hodgkin connue.", "Dr [NOM] vu. Maladie de Hodgkin connue.");
}

/* 5. "des" is a particle of a surname; a particle ending a run is not. */
static void test_particle_des(void **state)
{
    (void)state;
    expect(NULL, "M. des Essarts vu. Mme Anne des Essarts vue.", "M. [NOM] vu. Mme [PRENOM] [NOM] vue.");
    expect(NULL, "Prise des constantes. Service des Urgences.",
           "Prise des constantes. Service des Urgences.");
    /* particles that no name word follows stay out of the name, and so
     * out of its other mentions */
    expect(NULL, "Vu par le Dr Martin des Urgences, passage aux urgences.",
           "Vu par le Dr [NOM] des Urgences, passage aux urgences.");
    expect(NULL, "Dr Paul de Chirurgie vu.", "Dr [NOM] de Chirurgie vu.");
    at_text_patient p = {.last_name = "des Essarts"};
    expect(&p, "Bilan des lipides. Vu des Essarts.", "Bilan des lipides. Vu [NOM].");
}

/* 6. No-break spaces (U+00A0, U+202F) between name words are spaces. */
static void test_nbsp_in_names(void **state)
{
    (void)state;
    expect(NULL, "Mme Le\xE2\x80\xAFGoff vue.", "Mme [NOM] vue.");
    expect(NULL, "Mme Le\xC2\xA0Goff vue.", "Mme [NOM] vue.");
    expect(NULL,
           "Mme Anne\xE2\x80\xAF"
           "de\xE2\x80\xAFla\xE2\x80\xAF"
           "Fontaine vue.",
           "Mme [PRENOM]\xE2\x80\xAF[NOM] vue.");
}

/* 7. The patient's IPP glued to its label. */
static void test_patient_ipp_glued(void **state)
{
    (void)state;
    at_text_patient p = {.ipp = "80012345"};
    /* another number glued to the label is not the patient's IPP, but still a record number */
    expect(&p, "ipp80012345. IPP80012345 ; ipp80012346 ; 80012345.", "[IPP]. [IPP] ; [ID] ; [IPP].");
}

/* 8. A lone CR is a line break as LF is: no name across it, the CR kept
 * (the same spans as with LF). */
static void same_as_lf(const at_text_patient *p, const char *lf_text)
{
    char *crt = strdup(lf_text);
    assert_non_null(crt);
    for (char *c = crt; *c; c++)
        if (*c == '\n')
            *c = '\r';
    char *lf = redact_for(p, lf_text);
    char *cr = redact_for(p, crt);
    for (char *c = lf; *c; c++)
        if (*c == '\n')
            *c = '\r';
    if (strcmp(cr, lf))
        fail_msg("got \"%s\", want \"%s\"", cr, lf);
    assert_non_null(strchr(cr, '\r'));
    free(crt);
    free(lf);
    free(cr);
}

static void test_lone_cr(void **state)
{
    (void)state;
    at_text_patient p = {.last_name = "Van der Berg"};
    same_as_lf(&p, "M. Van der\nBerg.");
    same_as_lf(NULL, "Mme Aur\xC3\xA9lienne\nTrebouta vue.\nNom : Le\nGoff");
}

/* 9. A key: value file saved with a UTF-8 byte order mark. */
static void test_patient_bom(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    char path[512];
    snprintf(path, sizeof path, "%s/patient.txt", dir);
    const char *files[] = {"\xEF\xBB\xBFnom: Kerherv\xC3\xA9\r\nprenom: Soizic\r\n",
                           "\xEF\xBB\xBF# export\nnom: Kerherv\xC3\xA9\nprenom: Soizic\n"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        assert_int_equal(test_write_file(path, files[i], strlen(files[i])), 0);
        at_text_patient p;
        assert_int_equal(at_text_patient_load(path, &p), AT_OK);
        assert_string_equal(p.last_name, "Kerherv\xC3\xA9");
        assert_string_equal(p.first_name, "Soizic");
        at_text_patient_free(&p);
    }
    /* a BOM anywhere else is still an error */
    const char *bad = "nom: X\n\xEF\xBB\xBFprenom: Y\n";
    assert_int_equal(test_write_file(path, bad, strlen(bad)), 0);
    at_text_patient p;
    assert_int_equal(at_text_patient_load(path, &p), AT_ERR_FORMAT);
    test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patient_apostrophe),   cmocka_unit_test(test_typographic_apostrophe),
        cmocka_unit_test(test_patient_hyphen_lower), cmocka_unit_test(test_other_mentions),
        cmocka_unit_test(test_particle_des),         cmocka_unit_test(test_nbsp_in_names),
        cmocka_unit_test(test_patient_ipp_glued),    cmocka_unit_test(test_lone_cr),
        cmocka_unit_test(test_patient_bom),          cmocka_unit_test(test_pseudonymise_separators),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
