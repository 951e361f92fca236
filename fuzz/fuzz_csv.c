/* libFuzzer target: the bounded CSV reader (',', ';' or tab, detected) and
 * its writer: what is read, written back with the same delimiter and read
 * again, gives the same cells. */
#include "atelier/text.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    at_csv c;
    if (at_csv_parse((const char *)data, size, 4096, &c) != AT_OK)
        return 0;
    if (c.nrows == 0 || c.ncols == 0 || (c.delim != ',' && c.delim != ';' && c.delim != '\t'))
        __builtin_trap();
    at_buf b;
    at_buf_init(&b, (size_t)1 << 24);
    int blank = 0; /* a row of one empty cell is written as a blank line, which is skipped */
    for (size_t i = 0; i < c.nrows; i++) {
        for (size_t j = 0; j < c.ncols; j++) {
            const char *cell = c.cells[i * c.ncols + j];
            if (j)
                at_buf_putc(&b, c.delim);
            at_csv_put_field_delim(&b, cell, strlen(cell), c.delim);
            blank |= c.ncols == 1 && !cell[0];
        }
        at_buf_putc(&b, '\n');
    }
    int bom = c.cells[0][0] == '\xEF'; /* a leading BOM is taken off when read again */
    at_csv d;
    if (!blank && !bom && b.data &&
        at_csv_parse_delim((const char *)b.data, b.len, 4096, c.delim, &d) == AT_OK) {
        if (d.nrows != c.nrows || d.ncols != c.ncols)
            __builtin_trap();
        for (size_t i = 0; i < c.nrows * c.ncols; i++)
            if (strcmp(c.cells[i], d.cells[i]))
                __builtin_trap();
        at_csv_free(&d);
    }
    at_buf_free(&b);
    at_csv_free(&c);
    return 0;
}
