/* libFuzzer target: the bounded CSV reader and the risk features of each cell. */
#include "atelier/text.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    at_csv c;
    if (at_csv_parse((const char *)data, size, 4096, &c) != AT_OK)
        return 0;
    if (c.nrows == 0 || c.ncols == 0)
        __builtin_trap();
    at_buf b;
    at_buf_init(&b, (size_t)1 << 24);
    for (size_t i = 0; i < c.nrows * c.ncols; i++)
        at_csv_put_field(&b, c.cells[i], strlen(c.cells[i]));
    at_buf_free(&b);
    at_csv_free(&c);
    return 0;
}
