/* A bounded RFC 4180 CSV reader and field writer, with ',', ';' (French
 * spreadsheets) or tab delimiters, detected from the header line. Errors
 * name the line and never the content. */
#include "atelier/text.h"

#include <string.h>

#define CSV_MAX_COLS 4096
#define CSV_MAX_ROWS 50000000u

typedef struct {
    char **cells;
    size_t *line;
    size_t n, cap, ncols, nrows, rows_cap;
} csv_state;

static at_status push_cell(csv_state *s, at_buf *cell)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        char **c = at_realloc(s->cells, cap * sizeof *c);
        if (!c)
            return AT_ERR_NOMEM;
        s->cells = c;
        s->cap = cap;
    }
    size_t len = cell->len;
    char *v = cell->data ? (char *)at_buf_steal(cell, &len) : at_strdup("");
    if (!v)
        return AT_ERR_NOMEM;
    s->cells[s->n++] = v;
    return AT_OK;
}

void at_csv_free(at_csv *c)
{
    if (c->cells)
        for (size_t i = 0; i < c->nrows * c->ncols; i++)
            at_free(c->cells[i]);
    at_free(c->cells);
    at_free(c->line);
    memset(c, 0, sizeof *c);
}

int at_csv_detect_delimiter(const char *data, size_t len)
{
    size_t i = len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0;
    size_t comma = 0, semi = 0, tab = 0;
    int quoted = 0;
    /* blank lines before the header are skipped, as the parser skips them */
    while (i < len && (data[i] == '\n' || data[i] == '\r'))
        i++;
    /* the header line, outside quotes */
    for (; i < len && (quoted || (data[i] != '\n' && data[i] != '\r')); i++) {
        char c = data[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted) {
            comma += c == ',';
            semi += c == ';';
            tab += c == '\t';
        }
    }
    if (semi > comma && semi >= tab)
        return ';';
    if (tab > comma && tab > semi)
        return '\t';
    return ',';
}

at_status at_csv_parse(const char *data, size_t len, size_t max_cell, at_csv *out)
{
    return at_csv_parse_delim(data, len, max_cell, 0, out);
}

at_status at_csv_parse_delim(const char *data, size_t len, size_t max_cell, int delim, at_csv *out)
{
    memset(out, 0, sizeof *out);
    if (delim != 0 && delim != ',' && delim != ';' && delim != '\t')
        return at_error_set(AT_ERR_ARG, "CSV delimiter must be ',', ';' or a tab");
    csv_state s;
    memset(&s, 0, sizeof s);
    at_buf cell;
    at_buf_init(&cell, max_cell);
    size_t i = 0, line = 1, row_start_line = 1, cols = 0;
    at_status st = AT_OK;
    size_t bad;
    if (at_text_utf8_check(data, len, &bad))
        return at_error_set(AT_ERR_FORMAT, "byte %zu: not UTF-8 text", bad);
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        i = 3;
    if (i >= len)
        return at_error_set(AT_ERR_FORMAT, "empty CSV");
    const char sep = (char)(delim ? delim : at_csv_detect_delimiter(data, len));
    while (i <= len && !st) {
        /* one field; blank lines between rows are skipped */
        at_buf_free(&cell);
        at_buf_init(&cell, max_cell);
        if (cols == 0 && i < len && (data[i] == '\n' || data[i] == '\r')) {
            if (data[i] == '\n')
                line++;
            i++;
            row_start_line = line;
            continue;
        }
        if (cols == 0 && i >= len)
            break;
        if (i < len && data[i] == '"') {
            size_t qline = line;
            i++;
            for (;;) {
                if (i >= len) {
                    st = at_error_set(AT_ERR_FORMAT, "line %zu: quoted field never closed", qline);
                    break;
                }
                if (data[i] == '"') {
                    if (i + 1 < len && data[i + 1] == '"') {
                        st = at_buf_putc(&cell, '"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                const char *q = memchr(data + i, '"', len - i);
                size_t run = q ? (size_t)(q - (data + i)) : len - i;
                for (size_t k = 0; k < run; k++)
                    line += data[i + k] == '\n';
                st = at_buf_append(&cell, data + i, run);
                i += run;
                if (st)
                    break;
            }
            if (!st && i < len && data[i] != sep && data[i] != '\n' && data[i] != '\r')
                st = at_error_set(AT_ERR_FORMAT, "line %zu: characters after a closing quote", line);
        } else {
            size_t a = i;
            while (i < len && data[i] != sep && data[i] != '\n' && data[i] != '\r') {
                if (data[i] == '"') {
                    st = at_error_set(AT_ERR_FORMAT, "line %zu: quote inside an unquoted field", line);
                    break;
                }
                i++;
            }
            if (!st)
                st = at_buf_append(&cell, data + a, i - a);
        }
        if (st == AT_ERR_LIMIT)
            st = at_error_set(AT_ERR_LIMIT, "line %zu: field longer than %zu bytes", line, max_cell);
        if (st)
            break;
        st = push_cell(&s, &cell);
        if (st)
            break;
        cols++;
        if (cols > CSV_MAX_COLS) {
            st = at_error_set(AT_ERR_LIMIT, "line %zu: more than %d columns", line, CSV_MAX_COLS);
            break;
        }
        int end_row = i >= len || data[i] == '\n' || data[i] == '\r';
        if (!end_row) {
            i++; /* the delimiter */
            continue;
        }
        if (i < len && data[i] == '\r')
            i++;
        if (i < len && data[i] == '\n')
            i++;
        if (s.nrows == 0)
            s.ncols = cols;
        else if (cols != s.ncols) {
            st = at_error_set(AT_ERR_FORMAT, "line %zu: %zu fields where the header has %zu", row_start_line,
                              cols, s.ncols);
            break;
        }
        if (s.nrows == s.rows_cap) {
            s.rows_cap = s.rows_cap ? s.rows_cap * 2 : 64;
            size_t *nl = at_realloc(s.line, s.rows_cap * sizeof *nl);
            if (!nl) {
                st = AT_ERR_NOMEM;
                break;
            }
            s.line = nl;
        }
        s.line[s.nrows++] = row_start_line;
        if (s.nrows > CSV_MAX_ROWS) {
            st = at_error_set(AT_ERR_LIMIT, "more than %u rows", CSV_MAX_ROWS);
            break;
        }
        cols = 0;
        line++;
        row_start_line = line;
        if (i >= len)
            break;
    }
    at_buf_free(&cell);
    if (!st && s.nrows == 0)
        st = at_error_set(AT_ERR_FORMAT, "CSV has no header row");
    if (st) {
        for (size_t k = 0; k < s.n; k++)
            at_free(s.cells[k]);
        at_free(s.cells);
        at_free(s.line);
        return st;
    }
    out->cells = s.cells;
    out->line = s.line;
    out->nrows = s.nrows;
    out->ncols = s.ncols;
    out->delim = sep;
    return AT_OK;
}

int at_csv_column(const at_csv *c, const char *name)
{
    if (!c->nrows)
        return -1;
    for (size_t j = 0; j < c->ncols; j++)
        if (!strcmp(c->cells[j], name))
            return (int)j;
    return -1;
}

at_status at_csv_put_field(at_buf *b, const char *s, size_t n)
{
    return at_csv_put_field_delim(b, s, n, ',');
}

at_status at_csv_put_field_delim(at_buf *b, const char *s, size_t n, int delim)
{
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == delim || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote)
        return at_buf_append(b, s, n);
    at_status st = at_buf_putc(b, '"');
    for (size_t i = 0; i < n && !st; i++)
        st = s[i] == '"' ? at_buf_puts(b, "\"\"") : at_buf_putc(b, s[i]);
    if (!st)
        st = at_buf_putc(b, '"');
    return st;
}
