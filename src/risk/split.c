/* Patient-level train/test split of a CSV: whole patients go to one side,
 * chosen by a seeded shuffle of the sorted distinct patient ids, so the
 * same file, fraction and seed always give the same split. */
#include "atelier/risk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

at_status at_risk_split(const at_csv *csv, const char *id_column, double test_fraction, uint64_t seed,
                        unsigned char *is_test, size_t *test_patients, size_t *patients)
{
    const char *name = id_column ? id_column : "patient_id";
    int c = at_csv_column(csv, name);
    if (c < 0)
        return at_error_set(AT_ERR_FORMAT, "no patient id column (%s) in the header", name);
    if (!(test_fraction > 0 && test_fraction < 1))
        return at_error_set(AT_ERR_ARG, "the test fraction must be between 0 and 1");
    size_t n = csv->nrows > 0 ? csv->nrows - 1 : 0;
    if (n == 0)
        return at_error_set(AT_ERR_FORMAT, "no data rows to split");
    const char **ids = at_malloc(n * sizeof *ids);
    if (!ids)
        return AT_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        ids[i] = csv->cells[(i + 1) * csv->ncols + (size_t)c];
        if (!ids[i][0]) {
            size_t line = csv->line[i + 1];
            at_free(ids);
            return at_error_set(AT_ERR_FORMAT, "line %zu: empty patient id", line);
        }
    }
    qsort(ids, n, sizeof *ids, cmp_str);
    size_t np = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(ids[i], ids[np - 1]))
            ids[np++] = ids[i];
    if (np < 2) {
        at_free(ids);
        return at_error_set(AT_ERR_FORMAT, "one patient only: a patient-level split needs at least two");
    }
    /* Fisher-Yates over the sorted ids, then the first k are the test set */
    at_rng r;
    at_rng_seed(&r, seed ^ 0x73706c6974ull);
    for (size_t i = np - 1; i > 0; i--) {
        size_t j = (size_t)(at_rng_next(&r) % (i + 1));
        const char *t = ids[i];
        ids[i] = ids[j];
        ids[j] = t;
    }
    size_t k = (size_t)llround(test_fraction * (double)np);
    if (k < 1)
        k = 1;
    if (k > np - 1)
        k = np - 1;
    qsort(ids, k, sizeof *ids, cmp_str);
    for (size_t i = 0; i < n; i++) {
        const char *id = csv->cells[(i + 1) * csv->ncols + (size_t)c];
        is_test[i] = bsearch(&id, ids, k, sizeof *ids, cmp_str) != NULL;
    }
    at_free(ids);
    if (test_patients)
        *test_patients = k;
    if (patients)
        *patients = np;
    return AT_OK;
}
