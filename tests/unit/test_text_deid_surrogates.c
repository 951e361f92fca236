/* Unit tests for the consistency of pseudonymisation surrogates: one phone
 * number in every writing, one day with or without its year, a part of a
 * name and the whole name; and no surrogate equal to its input. */
#include "support.h"

#include "atelier/text.h"
#include "text/deid_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static at_key test_key(void)
{
    at_key key;
    memset(key.bytes, 5, sizeof key.bytes);
    return key;
}

/* Pseudonymise t with detector d, patient pid (malloc'd). */
static char *pseudo_with(at_text_deid *d, const char *t, const char *pid)
{
    at_text_spans sp = {0};
    assert_int_equal(at_text_deid_detect(d, t, strlen(t), &sp), AT_OK);
    at_key key = test_key();
    at_buf out;
    at_buf_init(&out, 1 << 16);
    assert_int_equal(at_text_deid_apply(t, strlen(t), &sp, AT_TEXT_PSEUDONYMISE, &key, pid, &out), AT_OK);
    char *r = strdup((char *)out.data);
    at_buf_free(&out);
    at_text_spans_free(&sp);
    return r;
}

static char *pseudo(const char *t, const char *pid)
{
    at_text_deid *d;
    assert_int_equal(at_text_deid_new(NULL, &d), AT_OK);
    char *r = pseudo_with(d, t, pid);
    at_text_deid_free(d);
    return r;
}

/* The national digits of a French number as written in s (n bytes): the
 * digits after +33, 0033 and (0), behind a 0. */
static void national(const char *s, size_t n, char *nat, size_t cap)
{
    size_t k = 0, i = 0;
    if (s[0] == '+')
        i = 3; /* "+33" */
    else if (n >= 4 && !memcmp(s, "0033", 4))
        i = 4;
    nat[k++] = '0';
    for (; i < n && k + 1 < cap; i++) {
        if (s[i] == '(' && i + 2 < n && s[i + 1] == '0' && s[i + 2] == ')')
            i += 2;
        else if (isdigit((unsigned char)s[i]) && !(k == 1 && s[i] == '0'))
            nat[k++] = s[i];
    }
    nat[k] = 0;
}

/* One number written five ways gets the same surrogate digits in each,
 * each writing keeping its own layout and prefix. */
static void test_phone_one_number(void **state)
{
    (void)state;
    static const char *const forms[] = {"0298112233", "02 98 11 22 33", "+33 2 98 11 22 33",
                                        "+33 (0)2 98 11 22 33", "02.98.11.22.33"};
    const size_t nf = sizeof forms / sizeof *forms;
    char t[256] = "Tél ";
    for (size_t k = 0; k < nf; k++) {
        strcat(t, forms[k]);
        strcat(t, k + 1 < nf ? ", " : " fin.");
    }
    for (int pid = 0; pid < 3; pid++) {
        char id[8];
        snprintf(id, sizeof id, "P%d", pid);
        char *o = pseudo(t, id);
        const char *p = o + strlen("Tél ");
        char first[24] = "";
        for (size_t k = 0; k < nf; k++) {
            size_t n = strlen(forms[k]);
            for (size_t i = 0; i < n; i++) /* layout and prefix kept */
                if (!isdigit((unsigned char)forms[k][i]) || i < 2)
                    if (p[i] != forms[k][i])
                        fail_msg("'%s' -> '%.*s': layout changed", forms[k], (int)n, p);
            char nat[24];
            national(p, n, nat, sizeof nat);
            assert_int_equal(strlen(nat), 10);
            assert_int_equal(nat[1], '2'); /* the zone kept */
            assert_string_not_equal(nat, "0298112233");
            if (!k)
                snprintf(first, sizeof first, "%s", nat);
            else if (strcmp(nat, first))
                fail_msg("'%s' -> '%.*s', national %s, not %s", forms[k], (int)n, p, nat, first);
            p += n + 2;
        }
        free(o);
    }
}

/* The output of the date written after tag, up to stop. */
static void segment(const char *o, const char *tag, const char *stop, char *seg, size_t cap)
{
    const char *p = strstr(o, tag);
    assert_non_null(p);
    p += strlen(tag);
    const char *e = strstr(p, stop);
    assert_non_null(e);
    snprintf(seg, cap, "%.*s", (int)(e - p), p);
}

/* "dd/mm" of y-m-d shifted by days. */
static void shifted_dm(int y, int m, int d, int days, char *buf, size_t cap)
{
    long yy;
    int mm, dd;
    at_civil_from_days(at_days_from_civil(y, m, d) + days, &yy, &mm, &dd);
    snprintf(buf, cap, "%02d/%02d", dd, mm);
}

/* A day without its year shifts to the same day as with it (the year taken
 * from the nearest full date before it, else after it, so that a shift
 * over 29 February agrees), and intervals to the full dates survive. */
static void test_date_yearless_same_day(void **state)
{
    (void)state;
    const char *a = "Vu le 12/03/2024, revu le 12/03 et le 20/03 ; écrit 12 mars 2024 ou 12 mars.";
    const char *b = "Revu le 05/01 et le 29/02 ; bilan le 28/12/2023.";
    at_key key = test_key();
    int crossed = 0;
    for (int k = 0; k < 16; k++) {
        char pid[8], seg[2][48], want[16];
        snprintf(pid, sizeof pid, "P%d", k);
        int days = at_text_date_shift_days(&key, pid);
        crossed += days < -12 || days > 54; /* over 29/02/2024 from 12/03/2024 or 05/01/2024 */
        char *o = pseudo(a, pid);
        segment(o, "Vu le ", ",", seg[0], sizeof seg[0]);
        segment(o, "revu le ", " et", seg[1], sizeof seg[1]);
        shifted_dm(2024, 3, 12, days, want, sizeof want);
        assert_memory_equal(seg[0], want, 5);
        assert_string_equal(seg[1], want);
        segment(o, "et le ", " ;", seg[1], sizeof seg[1]);
        shifted_dm(2024, 3, 20, days, want, sizeof want); /* 8 days after */
        assert_string_equal(seg[1], want);
        segment(o, "écrit ", " ou", seg[0], sizeof seg[0]);
        segment(o, " ou ", ".", seg[1], sizeof seg[1]);
        if (strncmp(seg[0], seg[1], strlen(seg[1])) || seg[0][strlen(seg[1])] != ' ')
            fail_msg("%s: '%s' and '%s' differ in day", pid, seg[0], seg[1]);
        free(o);
        o = pseudo(b, pid); /* no full date before: the one after, 2023-12-28 */
        segment(o, "Revu le ", " et", seg[0], sizeof seg[0]);
        shifted_dm(2024, 1, 5, days, want, sizeof want);
        assert_string_equal(seg[0], want);
        segment(o, "et le ", " ;", seg[0], sizeof seg[0]);
        shifted_dm(2024, 2, 29, days, want, sizeof want);
        assert_string_equal(seg[0], want);
        free(o);
    }
    assert_true(crossed > 0); /* the case that needs the right year */
}

/* A date filled in a form's boxes is shifted as the others and written
 * without its fillers: no placeholder, none of its digits' boxes left. */
static void test_form_box_dates(void **state)
{
    (void)state;
    const char *a =
        "Date de RCP : [1][8] / [0][2] / [2][0][2][6] ; DDN : |0 7|0 3|1 9 4 1| ; vu le 18/02/2026.";
    at_key key = test_key();
    for (int k = 0; k < 4; k++) {
        char pid[8], seg[2][48];
        snprintf(pid, sizeof pid, "P%d", k);
        char *o = pseudo(a, pid);
        assert_null(strstr(o, "[DATE"));
        assert_null(strstr(o, "[1][8]"));
        segment(o, "Date de RCP : [", "] ;", seg[0], sizeof seg[0]); /* (its outer boxes stay) */
        segment(o, "vu le ", ".", seg[1], sizeof seg[1]);
        assert_string_equal(seg[0], seg[1]); /* the same day as the same date written plainly */
        free(o);
    }
    (void)key;
}

/* A date typed with spaces is shifted as the same date written with
 * slashes, its spaces kept; a day and a month alone with the same days. */
static void test_spaced_dates_shifted(void **state)
{
    (void)state;
    const char *a = "coloscopie du 22 08 2025 asa 3, vue le 22/08/2025, revue le 26 08 et le 26/08\n";
    for (int k = 0; k < 4; k++) {
        char pid[8], seg[4][48];
        snprintf(pid, sizeof pid, "P%d", k);
        char *o = pseudo(a, pid);
        assert_null(strstr(o, "[DATE"));
        segment(o, "coloscopie du ", " asa", seg[0], sizeof seg[0]);
        segment(o, "vue le ", ",", seg[1], sizeof seg[1]);
        segment(o, "revue le ", " et", seg[2], sizeof seg[2]);
        segment(o, "et le ", "\n", seg[3], sizeof seg[3]);
        assert_string_not_equal(seg[0], "22 08 2025");
        for (char *c = seg[1]; *c; c++)
            *c = *c == '/' ? ' ' : *c;
        for (char *c = seg[3]; *c; c++)
            *c = *c == '/' ? ' ' : *c;
        assert_string_equal(seg[0], seg[1]);
        assert_string_equal(seg[2], seg[3]);
        free(o);
    }
    /* (a day said in words before its month: the day, not September) */
    const char *b = "vu le sept mai 2024, revu le 7 mai 2024.\n";
    for (int k = 0; k < 4; k++) {
        char pid[8], seg[2][48];
        snprintf(pid, sizeof pid, "P%d", k);
        char *o = pseudo(b, pid);
        assert_null(strstr(o, "[DATE"));
        segment(o, "vu le ", ",", seg[0], sizeof seg[0]);
        segment(o, "revu le ", ".", seg[1], sizeof seg[1]);
        assert_string_equal(seg[0], seg[1]);
        free(o);
    }
}

/* A weekday abbreviated before a date, French or a mail's English, is
 * shifted with it: the date moves by the patient's days, no weekday or
 * month of the input is left, no placeholder is written. */
static void test_weekday_dates(void **state)
{
    (void)state;
    const char *t = "Vu ven 20/02/2026 en HDJ.\nDate: Thu, 26 Nov 2026 21:14\nSent: Tue 3 Nov 2026 09:12\n";
    at_key key = test_key();
    for (int k = 0; k < 4; k++) {
        char pid[8], seg[48], want[16];
        snprintf(pid, sizeof pid, "W%d", k);
        int days = at_text_date_shift_days(&key, pid);
        char *o = pseudo(t, pid);
        assert_null(strstr(o, "[DATE]"));
        assert_null(strstr(o, "Thu"));
        assert_null(strstr(o, "Tue"));
        assert_null(strstr(o, "ven 20"));
        assert_null(strstr(o, "Nov 2026"));
        segment(o, "Vu ", " en", seg, sizeof seg);
        shifted_dm(2026, 2, 20, days, want, sizeof want);
        if (!strstr(seg, want))
            fail_msg("%s: '%s' has not %s", pid, seg, want);
        free(o);
        /* without a year, two digits stay two digits ("lundi 20/02") */
        o = pseudo("Vu le 12/02/2026. Revu lundi 20/02 au soir.", pid);
        segment(o, "Revu ", " au", seg, sizeof seg);
        if (!strstr(seg, want))
            fail_msg("%s: '%s' has not %s", pid, seg, want);
        free(o);
    }
}

/* A part of the patient's name has the surrogate of that part within the
 * whole: "Goff" alone as in "Le Goff", "Pierre" alone as in "Jean-Pierre",
 * whatever the case; the particle is kept. */
/* Initials get initials of the same length and case, the same for the
 * same initials throughout the note; a short surname gets a surname. */
static void test_initials_surrogates(void **state)
{
    (void)state;
    at_text_deid *d;
    assert_int_equal(at_text_deid_new(NULL, &d), AT_OK);
    const char *t = "Planning : AG le matin.\nL\xC3\xA9gende : AG = Agn\xC3\xA8s Gu\xC3\xA9rin\n"
                    "R\xC3\xA9"
                    "f. : HG/mlb\n";
    char *o = pseudo_with(d, t, "P1");
    char a1[8], a2[8], r1[8], r2[8];
    if (sscanf(o, "Planning : %7[A-Z] le matin.", a1) != 1 || !strstr(o, "gende : ") ||
        sscanf(strstr(o, "gende : ") + 8, "%7[A-Z] =", a2) != 1 ||
        sscanf(strstr(o, "f. : ") + 5, "%7[A-Z]/%7[a-z]", r1, r2) != 2)
        fail_msg("unexpected output '%s'", o);
    assert_int_equal(strlen(a1), 2);
    assert_string_equal(a1, a2);
    assert_string_not_equal(a1, "AG");
    assert_int_equal(strlen(r1), 2);
    assert_int_equal(strlen(r2), 3);
    assert_true(strcmp(r1, "HG") || strcmp(r2, "mlb"));
    free(o);
    at_text_deid_free(d);
}

static void test_name_parts(void **state)
{
    (void)state;
    at_text_patient p;
    memset(&p, 0, sizeof p);
    p.last_name = at_strdup("Le Goff");
    p.first_name = at_strdup("Jean-Pierre");
    at_text_deid *d;
    assert_int_equal(at_text_deid_new(NULL, &d), AT_OK);
    assert_int_equal(at_text_deid_set_patient(d, &p), AT_OK);
    const char *t = "M. Le Goff. Goff. Vu M. Jean-Pierre LE GOFF ; Pierre a appelé.";
    for (int k = 0; k < 3; k++) {
        char pid[8], w1[64], w2[64], f1[64], f2[64], wu[64], f3[64];
        snprintf(pid, sizeof pid, "P%d", k);
        char *o = pseudo_with(d, t, pid);
        if (sscanf(o, "M. Le %63[^.]. %63[^.]. Vu M. %63[^-]-%63s LE %63s ; %63s a appel", w1, w2, f1, f2, wu,
                   f3) != 6)
            fail_msg("unexpected output '%s'", o);
        assert_string_equal(w1, w2);
        for (char *c = w1; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        assert_string_equal(w1, wu);
        assert_string_equal(f2, f3);
        assert_string_not_equal(w2, "Goff");
        assert_string_not_equal(f2, "Pierre");
        free(o);
    }
    at_text_deid_free(d);
    at_text_patient_free(&p);
}

/* before + value + " vu." with value as one span of label, pseudonymised
 * for patient pid: the surrogate of value (malloc'd). */
static char *surrogate_of(const char *before, const char *value, int label, const char *pid)
{
    char t[256];
    snprintf(t, sizeof t, "%s%s vu.", before, value);
    at_text_spans sp = {0};
    assert_int_equal(at_text_spans_push(&sp, strlen(before), strlen(value), label), AT_OK);
    at_key key = test_key();
    at_buf out;
    at_buf_init(&out, 1 << 16);
    assert_int_equal(at_text_deid_apply(t, strlen(t), &sp, AT_TEXT_PSEUDONYMISE, &key, pid, &out), AT_OK);
    char *o = (char *)out.data;
    size_t bl = strlen(before), ol = strlen(o);
    assert_true(ol >= bl + 4 && !memcmp(o, before, bl) && !strcmp(o + ol - 4, " vu."));
    char *r = strndup(o + bl, ol - bl - 4);
    at_buf_free(&out);
    at_text_spans_free(&sp);
    return r;
}

/* value pseudonymised as label, as written and in capitals, differs from
 * value whatever the case. */
static void assert_replaced(const char *before, const char *value, int label, const char *pid)
{
    char up[128];
    size_t i = 0;
    for (; value[i] && i + 1 < sizeof up; i++)
        up[i] = (char)toupper((unsigned char)value[i]);
    up[i] = 0;
    for (int k = 0; k < 2; k++) {
        char *o = surrogate_of(before, k ? up : value, label, pid);
        if (!strcasecmp(o, value))
            fail_msg("a surrogate of label %d is its own input (entry %s)", label, value);
        free(o);
    }
}

/* No surrogate is its input: every entry of a surrogate list pseudonymised
 * as its kind comes out as another ("M. Balland vu." stayed as it was for
 * some keys); first names after Mme and M., initials, and addresses with
 * every number a surrogate can have. */
static void test_surrogate_never_input(void **state)
{
    (void)state;
    static const struct {
        int label;
        const char *before;
    } kinds[] = {{AT_PHI_NOM, "M. "},
                 {AT_PHI_PRENOM, "Mme "},
                 {AT_PHI_PRENOM, "M. "},
                 {AT_PHI_VILLE, "à "},
                 {AT_PHI_HOPITAL, ""}};
    static const char *const pids[] = {NULL, "P0", "P1", "P2", "P3"};
    for (size_t p = 0; p < sizeof pids / sizeof *pids; p++) {
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
            size_t n;
            const char *const *list = text_surrogate_list(kinds[k].label, &n);
            assert_non_null(list);
            for (size_t i = 0; i < n; i++)
                assert_replaced(kinds[k].before, list[i], kinds[k].label, pids[p]);
        }
        for (char c = 'A'; c <= 'Z'; c++)
            assert_replaced("M. ", (char[]){c, 0}, AT_PHI_PRENOM, pids[p]);
        size_t n;
        const char *const *streets = text_surrogate_list(AT_PHI_ADRESSE, &n);
        for (size_t i = 0; i < n; i++)
            for (int num = 1; num <= 120; num++) {
                char a[96];
                snprintf(a, sizeof a, "%d %s", num, streets[i]);
                assert_replaced("au ", a, AT_PHI_ADRESSE, pids[p]);
            }
    }
}

/* text_number_word_may lets every number word through (by its first two
 * letters and length) and rules out other words unfolded. */
static void test_number_word_may(void **state)
{
    (void)state;
    static const char *const words[] = {"zero",     "un",    "une",    "premier", "deux",     "trois",
                                        "quatre",   "cinq",  "six",    "sept",    "huit",     "neuf",
                                        "dix",      "onze",  "douze",  "treize",  "quatorze", "quinze",
                                        "seize",    "vingt", "vingts", "trente",  "quarante", "cinquante",
                                        "soixante", "cent",  "cents",  "mille",   "mil",      NULL};
    for (const char *const *w = words; *w; w++) {
        assert_true(text_number_word(*w, strlen(*w)) >= 0);
        assert_int_equal(text_number_word_may((unsigned char)(*w)[0], (unsigned char)(*w)[1], strlen(*w)), 1);
        assert_int_equal(text_number_word_keys[text_pair_key((unsigned char)(*w)[0], (unsigned char)(*w)[1])],
                         1);
    }
    assert_int_equal(text_number_word_may('e', 't', 2), 1);
    static const char *const others[] = {"de", "des", "le", "trop", "sable", "cinquantaine", "dixieme", NULL};
    for (const char *const *w = others; *w; w++) {
        assert_int_equal(text_number_word(*w, strlen(*w)), -1);
        assert_int_equal(text_number_word_may((unsigned char)(*w)[0], (unsigned char)(*w)[1], strlen(*w)), 0);
    }
    assert_int_equal(text_number_word_may('D', 'e', 4), 0); /* lower-case letters only */
}

/* A name spelled out gets its surrogate spelled out the same way, the
 * same surrogate as the word said: no letter of the name is left. */
static void test_spelled_name(void **state)
{
    (void)state;
    const char *t = "patiente madame perrier nee mollard je repete mollard m o l l a r d\n";
    char *o = pseudo(t, "P1");
    assert_null(strstr(o, "mollard"));
    assert_null(strstr(o, "m o l l"));
    const char *said = strstr(o, "repete ");
    assert_non_null(said);
    said += 7;
    const char *sp = strchr(said, ' ');
    assert_non_null(sp);
    /* the word said, then its letters one space apart, in lower case */
    size_t wn = (size_t)(sp - said), k = 0;
    for (const char *q = sp + 1; *q && *q != '\n'; q++) {
        if (k % 2 == 1)
            assert_int_equal(*q, ' ');
        k++;
    }
    assert_int_equal((k + 1) / 2, wn);
    assert_int_equal(sp[1], said[0] | 0x20);
    free(o);
}

/* A scan's name with a misread letter gets the surrogate of the name as
 * meant, in one word and the same case, no digit of it kept
 * ("B0ILLOT" came out "Lebrun0ESNAULT"). */
static void test_ocr_name(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"B0ILLOT", "BOILLOT"}, {"FONTA1NE", "FONTAINE"}, {"LEMlEUX", "LEMIEUX"}, {"Mar1e", "Marie"}};
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        for (int label = AT_PHI_NOM; label <= AT_PHI_PRENOM; label++) {
            char *o = surrogate_of("M. ", pairs[k][0], label, "P7");
            char *c = surrogate_of("M. ", pairs[k][1], label, "P7");
            assert_string_equal(o, c);
            assert_null(strpbrk(o, "0123456789 "));
            int lower = 0;
            for (const char *q = o; *q; q++)
                lower |= islower((unsigned char)*q) != 0;
            if (lower == (isupper((unsigned char)pairs[k][1][1]) != 0))
                fail_msg("%s gave %s", pairs[k][0], o);
            free(o);
            free(c);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_one_number),
        cmocka_unit_test(test_date_yearless_same_day),
        cmocka_unit_test(test_initials_surrogates),
        cmocka_unit_test(test_name_parts),
        cmocka_unit_test(test_surrogate_never_input),
        cmocka_unit_test(test_number_word_may),
        cmocka_unit_test(test_spelled_name),
        cmocka_unit_test(test_weekday_dates),
        cmocka_unit_test(test_form_box_dates),
        cmocka_unit_test(test_spaced_dates_shifted),
        cmocka_unit_test(test_ocr_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
