/* Disclosure control of tables (CSV, TSV), in the manner of SACRO/ACRO's
 * threshold rule and OpenSAFELY's practice:
 *   - primary: a count under the project's threshold (10 by default) in a
 *     column of counts fails the file;
 *   - secondary: a small or suppressed cell in a row or column that has a
 *     total is recoverable by differencing (the total minus the others):
 *     named, and a suppressed cell whose value follows from the totals
 *     fails the file;
 *   - row-level data (a column of patient identifiers) fails the file.
 * The rounding transformation (at_airlock_round_table) suppresses the
 * small counts, recomputes the totals from what is shown and rounds every
 * count to the nearest base. Columns of counts are recognised: whole
 * non-negative numbers (suppression marks allowed), not a year, an age, a
 * grade, a cycle or an index. Findings give rows and columns, never a
 * value. */
#include "internal.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CELL_MAX (64u * 1024)
#define REDACTED "[REDACTED]"

typedef struct {
    at_csv csv;
    size_t rows, cols;   /* data rows (without the header), columns */
    unsigned char *cnt;  /* cols: a column of counts */
    unsigned char *trow; /* rows: a total row */
    long tcol;           /* the total column, or -1 */
    long idcol;          /* a column naming patients, or -1 */
    long long *val;      /* rows x cols: the count, -1 when empty, -2 when suppressed, -3 otherwise */
} table;

static const char *cell(const table *t, size_t row, size_t col)
{
    return t->csv.cells[(row + 1) * t->csv.ncols + col];
}

/* Lower case ASCII, accents of é and è and spaces kept out: a header or a
 * label compared with a few words. */
static void fold(const char *s, char *out, size_t cap)
{
    size_t k = 0;
    for (; *s && k + 1 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == 0xC3 && (s[1] == '\xa9' || s[1] == '\xa8' || s[1] == '\xaa')) { /* é è ê */
            out[k++] = 'e';
            s++;
        } else if (c == 0xC3 && s[1] == '\xa2') { /* â */
            out[k++] = 'a';
            s++;
        } else if (isalnum(c) || c == '_') {
            out[k++] = (char)tolower(c);
        } else if (c == ' ' || c == '-') {
            out[k++] = '_';
        }
    }
    while (k && out[k - 1] == '_')
        k--;
    out[k] = '\0';
}

static int word_in(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(w, *list))
            return 1;
    return 0;
}

static const char *const total_words[] = {"total", "totals", "totaux", "all",    "overall", "ensemble",
                                          "sum",   "somme",  "tous",   "toutes", "global",  NULL};
static const char *const not_counts[] = {
    "year", "annee", "age",  "age_min", "age_max", "cycle", "cycles", "week", "semaine", "month", "mois",
    "day",  "jour",  "dose", "grade",   "stade",   "stage", "rank",   "rang", "order",   "ordre", "index",
    "id",   "code",  "line", "ligne",   "fold",    "epoch", "step",   "seed", NULL};
static const char *const id_words[] = {"patient_id",
                                       "patientid",
                                       "id_patient",
                                       "patient",
                                       "ipp",
                                       "nip",
                                       "nda",
                                       "nir",
                                       "subject",
                                       "subject_id",
                                       "id_sujet",
                                       "sujet",
                                       "numero_patient",
                                       "num_patient",
                                       "patient_number",
                                       "mrn",
                                       NULL};

/* -1 empty, -2 a suppression mark, -3 not a count; else the count. */
static long long parse_cell(const char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    if (!n)
        return -1;
    if (n == 1 && (*s == '*' || *s == 'x' || *s == 'X'))
        return -2;
    char f[48];
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%.*s", (int)(n < 47 ? n : 47), s);
    fold(tmp, f, sizeof f);
    if (!strcmp(f, "redacted") || !strcmp(f, "suppressed") || !strcmp(f, "supprime") ||
        !strcmp(f, "masque") || !strcmp(f, "c") ||
        (s[0] == '<' && n <= 6 && n >= 2 && isdigit((unsigned char)s[1])))
        return -2;
    if (n > 12) /* beyond 10^12: not a count (and sums stay far from overflow) */
        return -3;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -3;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* a + b for non-negative counts, saturating (a table of millions of rows). */
static long long add(long long a, long long b)
{
    return a > LLONG_MAX - b ? LLONG_MAX : a + b;
}

static void table_free(table *t)
{
    at_csv_free(&t->csv);
    at_free(t->cnt);
    at_free(t->trow);
    at_free(t->val);
    memset(t, 0, sizeof *t);
}

static at_status table_read(const char *text, size_t len, table *t)
{
    memset(t, 0, sizeof *t);
    at_status st = at_csv_parse(text, len, CELL_MAX, &t->csv);
    if (st)
        return st;
    if (t->csv.nrows < 2 || t->csv.ncols < 1) {
        at_csv_free(&t->csv);
        return at_error_set(AT_ERR_FORMAT, "not a table: a header and at least one row are needed");
    }
    t->rows = t->csv.nrows - 1;
    t->cols = t->csv.ncols;
    t->tcol = t->idcol = -1;
    t->cnt = at_calloc(t->cols, 1);
    t->trow = at_calloc(t->rows, 1);
    t->val = at_calloc(t->rows * t->cols, sizeof *t->val);
    if (!t->cnt || !t->trow || !t->val) {
        table_free(t);
        return AT_ERR_NOMEM;
    }
    for (size_t r = 0; r < t->rows; r++)
        for (size_t c = 0; c < t->cols; c++)
            t->val[r * t->cols + c] = parse_cell(cell(t, r, c));
    /* total rows: a label cell naming a total */
    for (size_t r = 0; r < t->rows; r++)
        for (size_t c = 0; c < t->cols; c++) {
            char f[64];
            if (t->val[r * t->cols + c] != -3)
                continue;
            fold(cell(t, r, c), f, sizeof f);
            if (word_in(f, total_words))
                t->trow[r] = 1;
        }
    /* columns of counts, the total column, a column of identifiers */
    for (size_t c = 0; c < t->cols; c++) {
        char h[64];
        fold(t->csv.cells[c], h, sizeof h);
        if (word_in(h, id_words))
            t->idcol = t->idcol < 0 ? (long)c : t->idcol;
        if (word_in(h, not_counts) || word_in(h, id_words))
            continue;
        size_t counts = 0, other = 0;
        for (size_t r = 0; r < t->rows; r++) {
            long long v = t->val[r * t->cols + c];
            counts += v >= 0;
            other += v == -3;
        }
        if (counts && !other) {
            t->cnt[c] = 1;
            if (word_in(h, total_words) && t->tcol < 0)
                t->tcol = (long)c;
        }
    }
    /* a total found by its sums: the last row (or count column) equal to
     * the sum of the others, with at least two others */
    size_t ncount = 0;
    for (size_t c = 0; c < t->cols; c++)
        ncount += t->cnt[c];
    int any_trow = 0;
    for (size_t r = 0; r < t->rows; r++)
        any_trow |= t->trow[r];
    if (!any_trow && t->rows >= 3 && ncount) {
        size_t last = t->rows - 1;
        int sums = 1;
        for (size_t c = 0; c < t->cols && sums; c++) {
            if (!t->cnt[c])
                continue;
            long long s = 0, v = t->val[last * t->cols + c];
            for (size_t r = 0; r < last; r++)
                s = add(s, t->val[r * t->cols + c] > 0 ? t->val[r * t->cols + c] : 0);
            sums = v >= 0 && v == s && s > 0;
        }
        if (sums)
            t->trow[last] = 1;
    }
    if (t->tcol < 0 && ncount >= 3) {
        long last = -1;
        for (size_t c = 0; c < t->cols; c++)
            if (t->cnt[c])
                last = (long)c;
        int sums = 1, nonzero = 0;
        for (size_t r = 0; r < t->rows && sums; r++) {
            long long s = 0, v = t->val[r * t->cols + (size_t)last];
            for (size_t c = 0; c < (size_t)last; c++)
                if (t->cnt[c])
                    s = add(s, t->val[r * t->cols + c] > 0 ? t->val[r * t->cols + c] : 0);
            sums = v >= 0 && v == s;
            nonzero |= s > 0;
        }
        if (sums && nonzero)
            t->tcol = last;
    }
    return AT_OK;
}

/* The difference total - the sum of the row's (or column's) other shown
 * cells, when exactly one cell of it is suppressed; -1 otherwise. */
static long long recoverable(const table *t, long row, long col)
{
    long long total = -1, sum = 0;
    int suppressed = 0;
    if (row >= 0) { /* along the row, against the total column */
        if (t->tcol < 0)
            return -1;
        total = t->val[(size_t)row * t->cols + (size_t)t->tcol];
        for (size_t c = 0; c < t->cols; c++) {
            if (!t->cnt[c] || (long)c == t->tcol)
                continue;
            long long v = t->val[(size_t)row * t->cols + c];
            suppressed += v == -2;
            sum = add(sum, v > 0 ? v : 0);
        }
    } else { /* down the column, against the total row */
        for (size_t r = 0; r < t->rows; r++) {
            long long v = t->val[r * t->cols + (size_t)col];
            if (t->trow[r]) {
                total = v;
                continue;
            }
            suppressed += v == -2;
            sum = add(sum, v > 0 ? v : 0);
        }
    }
    return suppressed == 1 && total >= 0 ? total - sum : -1;
}

void airlock_check_table(airlock_report *r, const at_airlock_check_ctx *ctx, const char *text, size_t len)
{
    table t;
    char s[400];
    if (table_read(text, len, &t) != AT_OK) {
        snprintf(s, sizeof s, "not read as a table (%.300s): a person judges it", at_error_message());
        at_error_clear();
        airlock_check_begin(r, "disclosure", AT_CHECK_REVIEW, s);
        airlock_check_end(r);
        return;
    }
    int threshold = ctx->threshold > 0 ? ctx->threshold : ctx->conf->threshold;
    size_t ncount = 0, small = 0, diffs = 0, recov = 0;
    for (size_t c = 0; c < t.cols; c++)
        ncount += t.cnt[c];
    if (t.idcol >= 0) {
        airlock_check_begin(r, "row-level", AT_CHECK_FAIL,
                            "a column names patients: row-level data does not leave the room (aggregate it)");
        airlock_finding(r, "\"column\":%ld", t.idcol + 1);
        airlock_check_end(r);
    }
    if (!ncount) {
        airlock_check_begin(r, "disclosure", AT_CHECK_REVIEW,
                            "no column of counts recognised: a person judges the table (means, rates and "
                            "percentages need the counts they come from)");
        airlock_check_end(r);
        table_free(&t);
        return;
    }
    for (size_t row = 0; row < t.rows; row++)
        for (size_t c = 0; c < t.cols; c++) {
            long long v = t.val[row * t.cols + c];
            if (!t.cnt[c])
                continue;
            if (v > 0 && v < threshold) {
                small++;
                int row_total = t.tcol >= 0 && (long)c != t.tcol && !t.trow[row];
                int col_total = 0;
                for (size_t k = 0; k < t.rows; k++)
                    col_total |= t.trow[k] && k != row;
                diffs += row_total || col_total;
            } else if (v == -2 && !ctx->rounded) {
                long long d1 =
                    t.tcol >= 0 && (long)c != t.tcol && !t.trow[row] ? recoverable(&t, (long)row, -1) : -1;
                long long d2 = !t.trow[row] ? recoverable(&t, -1, (long)c) : -1;
                recov += d1 > 0 || d2 > 0;
            }
        }
    at_check_outcome o = small || recov ? AT_CHECK_FAIL : AT_CHECK_PASS;
    if (small)
        snprintf(s, sizeof s,
                 "%zu count%s under the threshold of %d in %zu column%s of counts%s; the rounding "
                 "transformation suppresses them, recomputes the totals and rounds to %d",
                 small, small == 1 ? "" : "s", threshold, ncount, ncount == 1 ? "" : "s",
                 diffs ? " (and the totals give them back by differencing)" : "", ctx->conf->round_base);
    else if (recov)
        snprintf(s, sizeof s,
                 "%zu suppressed cell%s recoverable by differencing: the total minus the other cells gives "
                 "%s (recompute the totals after suppressing, or round)",
                 recov, recov == 1 ? "" : "s", recov == 1 ? "it" : "them");
    else
        snprintf(s, sizeof s, "every count is %d or more (%zu column%s of counts, threshold %d%s)", threshold,
                 ncount, ncount == 1 ? "" : "s", threshold, ctx->rounded ? ", rounded" : "");
    airlock_check_begin(r, "disclosure", o, s);
    for (size_t row = 0; row < t.rows; row++)
        for (size_t c = 0; c < t.cols; c++) {
            long long v = t.val[row * t.cols + c];
            if (!t.cnt[c])
                continue;
            size_t line = t.csv.line[row + 1];
            if (v > 0 && v < threshold) {
                int secondary = (t.tcol >= 0 && (long)c != t.tcol && !t.trow[row]);
                for (size_t k = 0; k < t.rows; k++)
                    secondary |= t.trow[k] && k != row;
                airlock_finding(r, "\"row\":%zu,\"column\":%zu,\"line\":%zu,\"kind\":\"%s\"", row + 1, c + 1,
                                line, secondary ? "small-with-total" : "small");
            } else if (v == -2 && !ctx->rounded) {
                long long d1 =
                    t.tcol >= 0 && (long)c != t.tcol && !t.trow[row] ? recoverable(&t, (long)row, -1) : -1;
                long long d2 = !t.trow[row] ? recoverable(&t, -1, (long)c) : -1;
                if (d1 > 0 || d2 > 0)
                    airlock_finding(r, "\"row\":%zu,\"column\":%zu,\"line\":%zu,\"kind\":\"differencing\"",
                                    row + 1, c + 1, line);
            }
        }
    airlock_check_end(r);
    if (t.tcol >= 0 || ncount) {
        int any_trow = 0;
        for (size_t k = 0; k < t.rows; k++)
            any_trow |= t.trow[k];
        if (t.tcol >= 0 || any_trow) {
            snprintf(s, sizeof s,
                     "the table has totals (%s%s%s): earlier releases of the project may difference "
                     "with them; the reviewers compare",
                     any_trow ? "a total row" : "", any_trow && t.tcol >= 0 ? ", " : "",
                     t.tcol >= 0 ? "a total column" : "");
            airlock_check_begin(r, "totals", AT_CHECK_PASS, s);
            for (size_t k = 0; k < t.rows; k++)
                if (t.trow[k])
                    airlock_finding(r, "\"row\":%zu,\"kind\":\"total-row\"", k + 1);
            if (t.tcol >= 0)
                airlock_finding(r, "\"column\":%ld,\"kind\":\"total-column\"", t.tcol + 1);
            airlock_check_end(r);
        }
    }
    table_free(&t);
}

static long long round_to(long long v, int base)
{
    return v > LLONG_MAX - base ? v / base * base : (v + base / 2) / base * base;
}

at_status at_airlock_round_table(const unsigned char *csv, size_t len, int threshold, int base,
                                 unsigned char **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    if (threshold < 1 || base < 1)
        return at_error_set(AT_ERR_ARG, "round: threshold and base must be at least 1");
    size_t bad;
    if (at_text_utf8_check((const char *)csv, len, &bad) != 0)
        return at_error_set(AT_ERR_FORMAT, "round: not UTF-8 text (byte %zu)", bad);
    table t;
    at_status st = table_read((const char *)csv, len, &t);
    if (st)
        return st;
    size_t ncount = 0;
    for (size_t c = 0; c < t.cols; c++)
        ncount += t.cnt[c];
    if (!ncount) {
        table_free(&t);
        return at_error_set(AT_ERR_FORMAT, "round: no column of counts in the table");
    }
    long long *v = t.val;
    size_t C = t.cols;
    /* 1. suppress the small counts of the cells (totals are recomputed) */
    for (size_t r = 0; r < t.rows; r++)
        for (size_t c = 0; c < C; c++)
            if (t.cnt[c] && !t.trow[r] && (long)c != t.tcol && v[r * C + c] > 0 && v[r * C + c] < threshold)
                v[r * C + c] = -2;
    /* 2. the totals from what is shown */
    if (t.tcol >= 0)
        for (size_t r = 0; r < t.rows; r++) {
            if (t.trow[r])
                continue;
            long long s = 0;
            for (size_t c = 0; c < C; c++)
                if (t.cnt[c] && (long)c != t.tcol && v[r * C + c] > 0)
                    s = add(s, v[r * C + c]);
            v[r * C + (size_t)t.tcol] = s;
        }
    for (size_t r = 0; r < t.rows; r++) {
        if (!t.trow[r])
            continue;
        for (size_t c = 0; c < C; c++) {
            if (!t.cnt[c])
                continue;
            long long s = 0;
            for (size_t k = 0; k < t.rows; k++)
                if (!t.trow[k] && v[k * C + c] > 0)
                    s = add(s, v[k * C + c]);
            v[r * C + c] = s;
        }
    }
    /* 3. every count rounded; one that rounds under the threshold is suppressed too */
    for (size_t r = 0; r < t.rows; r++)
        for (size_t c = 0; c < C; c++)
            if (t.cnt[c] && v[r * C + c] >= 0) {
                long long x = round_to(v[r * C + c], base);
                v[r * C + c] = x > 0 && x < threshold ? -2 : x;
            }
    at_buf b;
    at_buf_init(&b, len * 2 + 4096);
    int delim = t.csv.delim ? t.csv.delim : ',';
    for (size_t r = 0; r <= t.rows && !st; r++) {
        for (size_t c = 0; c < C && !st; c++) {
            if (c)
                st = at_buf_putc(&b, delim);
            char num[32];
            const char *s = t.csv.cells[r * C + c];
            if (r > 0 && t.cnt[c]) {
                long long x = v[(r - 1) * C + c];
                if (x == -2)
                    s = REDACTED;
                else if (x >= 0) {
                    snprintf(num, sizeof num, "%lld", x);
                    s = num;
                }
            }
            if (!st)
                st = at_csv_put_field_delim(&b, s, strlen(s), delim);
        }
        if (!st)
            st = at_buf_putc(&b, '\n');
    }
    if (st) {
        table_free(&t);
        at_buf_free(&b);
        return st;
    }
    /* what leaves is read by the same rules: it must read back as the same
     * table (delimiter, shape, columns of counts), or a blank line or a
     * stray character before the header could make another table of it,
     * with a small count in a column this one did not count */
    table back;
    st = table_read((const char *)b.data, b.len, &back);
    int same = !st && back.csv.delim == t.csv.delim && back.rows == t.rows && back.cols == t.cols &&
               !memcmp(back.cnt, t.cnt, t.cols);
    if (!st)
        table_free(&back);
    at_error_clear();
    table_free(&t);
    if (!same) {
        at_buf_free(&b);
        return at_error_set(AT_ERR_FORMAT, "round: the rounded table does not read back as the same table "
                                           "(its delimiter or layout is ambiguous): a person rounds it");
    }
    *out = at_buf_steal(&b, outlen);
    return *out ? AT_OK : AT_ERR_NOMEM;
}
