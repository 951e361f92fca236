/* The pseudo-CT assignment's split: the course's head phantoms prepared
 * once (`sct prepare`: registration, masks, a split by patient), then the
 * prepared folder cut in two, each with its own manifest: the training
 * patients (train and validation) for the course, the test patients for
 * the grading project (test/final, and test/public: part of them). */
#include "internal.h"

#include "atelier/sct.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MANIFEST_MAX (16u << 20)

static uint64_t mix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Copy a prepared patient's three volumes from prep/name to dest/name. */
static at_status copy_patient(const char *prep, const char *dest, const char *name)
{
    static const char *const files[3] = {"ct.nii.gz", "mr.nii.gz", "mask.nii.gz"};
    char *to_dir = at_path_join(dest, name);
    at_status st = to_dir ? at_mkdir_p(to_dir, 0700) : AT_ERR_NOMEM;
    for (int i = 0; !st && i < 3; i++) {
        char rel[300];
        snprintf(rel, sizeof rel, "%s/%s", name, files[i]);
        char *from = at_path_join(prep, rel), *to = at_path_join(dest, rel);
        unsigned char *data = NULL;
        size_t len = 0;
        st = from && to ? at_file_read(from, 1u << 30, &data, &len) : AT_ERR_NOMEM;
        if (!st)
            st = at_file_write_atomic(to, data, len);
        at_free(data);
        at_free(from);
        at_free(to);
    }
    at_free(to_dir);
    return st;
}

/* dest/manifest.json with the entries of patients whose flag is set. */
static at_status write_manifest(const cJSON *patients, const unsigned char *keep, const char *dest)
{
    cJSON *m = cJSON_CreateObject(), *arr = m ? cJSON_AddArrayToObject(m, "patients") : NULL;
    cJSON_AddStringToObject(m, "format", "atelier-sct-prepared-1");
    at_status st = arr ? AT_OK : AT_ERR_NOMEM;
    int i = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, patients)
    {
        if (!st && keep[i])
            if (!cJSON_AddItemToArray(arr, cJSON_Duplicate(p, 1)))
                st = AT_ERR_NOMEM;
        i++;
    }
    char *text = st ? NULL : cJSON_PrintUnformatted(m);
    char *path = at_path_join(dest, "manifest.json");
    if (!st)
        st = text && path ? at_file_write_atomic(path, text, strlen(text)) : AT_ERR_NOMEM;
    cJSON_free(text);
    at_free(path);
    cJSON_Delete(m);
    return st;
}

at_status class_split_sct(const char *cohort, const char *out, double test_fraction, double public_fraction,
                          int64_t seed, class_split_counts *sc)
{
    char *prep = at_path_join(out, "prepared"), *src = at_path_join(cohort, "cohort");
    if (!prep || !src) {
        at_free(prep);
        at_free(src);
        return AT_ERR_NOMEM;
    }
    at_sct_prepare_spec ps;
    at_sct_prepare_spec_default(&ps);
    ps.cohort = src;
    ps.out = prep;
    ps.test = 0;
    ps.test_fraction = test_fraction;
    ps.val = 1;
    ps.seed = (uint64_t)seed;
    at_sct_prepare_result pr;
    at_status st = at_sct_prepare_run(&ps, NULL, &pr);
    unsigned char *text = NULL;
    size_t len = 0;
    char *mpath = at_path_join(prep, "manifest.json");
    if (!st)
        st = mpath ? at_file_read(mpath, MANIFEST_MAX, &text, &len) : AT_ERR_NOMEM;
    at_free(mpath);
    cJSON *m = st ? NULL : cJSON_ParseWithLength((const char *)text, len);
    at_free(text);
    const cJSON *patients = cJSON_GetObjectItemCaseSensitive(m, "patients");
    int n = cJSON_GetArraySize(patients);
    if (!st && (!cJSON_IsArray(patients) || n < 3))
        st = at_error_set(AT_ERR_FORMAT, "the prepared cohort has fewer than 3 patients");
    unsigned char *train = st ? NULL : at_calloc((size_t)n, 1), *test = st ? NULL : at_calloc((size_t)n, 1),
                  *pub = st ? NULL : at_calloc((size_t)n, 1);
    int *order = st ? NULL : at_calloc((size_t)n, sizeof *order);
    if (!st && (!train || !test || !pub || !order))
        st = AT_ERR_NOMEM;
    int ntest = 0;
    for (int i = 0; !st && i < n; i++) {
        const cJSON *p = cJSON_GetArrayItem(patients, i);
        const char *split = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "split")),
                   *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "name"));
        if (!split || !name || !at_room_name_valid(name)) {
            st = at_error_set(AT_ERR_FORMAT, "the prepared manifest's patient %d is malformed", i);
            break;
        }
        test[i] = !strcmp(split, "test");
        train[i] = !test[i];
        if (test[i])
            order[ntest++] = i;
    }
    if (!st && ntest < 1)
        st = at_error_set(AT_ERR_FORMAT, "no test patient: raise the hidden fraction");
    if (!st) { /* the public part: a shuffle of the test patients seeded with seed + 1 */
        uint64_t x = (uint64_t)seed + 1;
        for (int i = ntest; i > 1; i--) {
            int j = (int)(mix(&x) % (uint64_t)i), t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        int npub = (int)(public_fraction * ntest + 0.5);
        npub = npub < 1 ? 1 : npub > ntest ? ntest : npub;
        for (int i = 0; i < npub; i++)
            pub[order[i]] = 1;
        sc->train = n - ntest;
        sc->test = ntest;
        sc->pub = npub;
    }
    static const char *const dirs[3] = {"train", "test/final", "test/public"};
    for (int k = 0; !st && k < 3; k++) {
        const unsigned char *keep = k == 0 ? train : k == 1 ? test : pub;
        char *dest = at_path_join(out, dirs[k]);
        st = dest ? at_mkdir_p(dest, 0700) : AT_ERR_NOMEM;
        for (int i = 0; !st && i < n; i++)
            if (keep[i])
                st = copy_patient(prep, dest,
                                  cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                                      cJSON_GetArrayItem(patients, i), "name")));
        if (!st)
            st = write_manifest(patients, keep, dest);
        at_free(dest);
    }
    at_remove_tree(prep);
    cJSON_Delete(m);
    at_free(train);
    at_free(test);
    at_free(pub);
    at_free(order);
    at_free(prep);
    at_free(src);
    return st;
}
