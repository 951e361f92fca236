/* libFuzzer target: the files a centre hands the de-identifier's learned
 * side, from arbitrary bytes: a tagger model file (refused or loaded, then
 * used on a note) and a BRAT .ann file beside a fixed note (refused, or
 * spans sorted and inside the text). */
#include "atelier/text.h"
#include "atelier/text_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static at_text_deid *det;
static char dir[64];

static void remove_dir(void)
{
    rmdir(dir);
}

static const char note[] = "Élodie Kerhervé, née le 3 mai 1961, vue par le Dr Benali à Quimper.";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!det && at_text_deid_new(NULL, &det))
        return 0;
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/fuzz_text_model.XXXXXX");
        if (!mkdtemp(dir))
            return 0;
        atexit(remove_dir);
    }
    if (size > (1u << 20))
        return 0;
    char path[128];
    /* a model file */
    snprintf(path, sizeof path, "%s/m.bin", dir);
    if (at_file_write_atomic(path, data, size))
        return 0;
    if (at_text_deid_set_model(det, path) == AT_OK) {
        at_text_spans sp = {0};
        if (at_text_deid_detect(det, note, sizeof note - 1, &sp) != AT_OK)
            __builtin_trap();
        at_text_spans_free(&sp);
        at_text_deid_set_model(det, NULL);
    }
    /* an annotation file */
    snprintf(path, sizeof path, "%s/a.txt", dir);
    if (at_file_write_atomic(path, note, sizeof note - 1))
        return 0;
    snprintf(path, sizeof path, "%s/a.ann", dir);
    if (at_file_write_atomic(path, data, size))
        return 0;
    at_text_doc *docs = NULL;
    size_t n = 0, unknown = 0;
    if (at_text_brat_load(dir, &docs, &n, &unknown) == AT_OK) {
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < docs[i].gold.n; k++) {
                const at_text_span *s = &docs[i].gold.v[k];
                if (s->start + s->len > docs[i].len || (k && s->start < docs[i].gold.v[k - 1].start))
                    __builtin_trap(); /* spans inside the text, in order */
            }
        at_text_docs_free(docs, n);
    }
    unlink(path);
    snprintf(path, sizeof path, "%s/a.txt", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/m.bin", dir);
    unlink(path);
    return 0;
}
