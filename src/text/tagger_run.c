/* Training the de-identifier's tagger as a library run: the annotated
 * folder read, the training and operating-point sets assembled from it and
 * from the caller's synthetic notes, the tagger trained with progress and
 * cancel (tagger_train.c), the model written atomically. */
#include "tagger.h"

#include "atelier/text_model.h"

#include <string.h>

at_status at_text_deid_model_run(const at_text_deid_model_spec *spec, at_run *run,
                                 at_text_deid_model_result *result)
{
    memset(result, 0, sizeof *result);
    if (!spec || !spec->out || (!spec->annotations && !spec->synthetic_count))
        return at_error_set(AT_ERR_ARG,
                            "at_text_deid_model_run: needs an output and annotated or synthetic notes");
    if (!run)
        run = at_run_default();
    char *out = NULL, *ann = NULL, *dict = NULL, *init = NULL;
    at_text_deid *det = NULL;
    at_text_doc *ad = NULL, *train = NULL, *dev = NULL;
    size_t na = 0, nt = 0, nd = 0;
    at_status st = at_run_path(run, spec->out, 1, &out);
    if (!st && spec->annotations)
        st = at_run_path(run, spec->annotations, 0, &ann);
    if (!st && spec->dict_dir)
        st = at_run_path(run, spec->dict_dir, 0, &dict);
    if (!st && spec->options.init)
        st = at_run_path(run, spec->options.init, 0, &init);
    if (!st)
        st = at_text_deid_new(dict, &det);
    if (!st)
        st = at_text_deid_set_model(det, NULL); /* the rules and lexicons alone */
    if (!st && ann)
        st = at_text_brat_load(ann, &ad, &na, &result->unknown_labels);
    if (!st && ann && !na)
        st = at_error_set(AT_ERR_ARG, "%s: no annotated note (NAME.txt with NAME.ann)", spec->annotations);
    if (!st)
        st = at_run_check(run, "text deid-model train");
    /* the training and operating-point sets: shallow copies of the documents */
    size_t weight = spec->annotations_weight ? spec->annotations_weight : 1;
    size_t every = spec->annotations_dev < 0 ? 0 : spec->annotations_dev ? (size_t)spec->annotations_dev : 5;
    if (weight > 100)
        st = at_error_set(AT_ERR_ARG, "at_text_deid_model_run: annotations weight %zu (at most 100)", weight);
    if (!st) {
        train = at_calloc(spec->synthetic_count + na * weight + 1, sizeof *train);
        dev = at_calloc(spec->synthetic_dev_count + na + 1, sizeof *dev);
        if (!train || !dev)
            st = AT_ERR_NOMEM;
    }
    if (!st) {
        for (size_t i = 0; i < spec->synthetic_count; i++)
            train[nt++] = spec->synthetic[i];
        for (size_t i = 0; i < na; i++) {
            if (every && na >= every && i % every == every - 1)
                dev[nd++] = ad[i];
            else
                for (size_t k = 0; k < weight; k++)
                    train[nt++] = ad[i];
        }
        for (size_t i = 0; i < spec->synthetic_dev_count; i++)
            dev[nd++] = spec->synthetic_dev[i];
    }
    at_text_tagger_options opt = spec->options;
    opt.init = init;
    at_buf rep;
    at_buf_init(&rep, 1 << 20);
    /* a refit: the biases chosen on dev by a first training (no model
     * written), then every note trains, the dev notes too */
    size_t chose = nd; /* the notes that chose the operating point */
    if (!st && spec->refit && nd) {
        float b[4];
        opt.phase = "train 1/2";
        st = text_tagger_train(det, train, nt, dev, nd, &opt, NULL, b, &rep, run);
        if (!st)
            st = at_buf_printf(&rep, "refit: every note trains, with the biases chosen on dev\n");
        for (size_t i = 0; i < nd && !st; i++)
            if (dev[i].kind == -1) /* (annotated; synthetic dev notes stay out) */
                for (size_t k = 0; k < weight; k++)
                    train[nt++] = dev[i];
        opt.fixed_biases = 1;
        opt.o_bias = b[0];
        opt.seed_bias = b[1];
        opt.init_bias = b[2];
        opt.ext_bias = b[3];
        opt.phase = "train 2/2";
        nd = 0;
    }
    if (!st)
        st = text_tagger_train(det, train, nt, dev, nd, &opt, out, NULL, &rep, run);
    if (!st) {
        result->train_docs = nt;
        result->dev_docs = chose;
        result->report = at_malloc(rep.len + 1);
        if (!result->report)
            st = AT_ERR_NOMEM;
        else {
            memcpy(result->report, rep.data ? (const char *)rep.data : "", rep.len);
            result->report[rep.len] = 0;
        }
    }
    at_buf_free(&rep);
    at_free(train);
    at_free(dev);
    at_text_docs_free(ad, na);
    at_text_deid_free(det);
    at_free(out);
    at_free(ann);
    at_free(dict);
    at_free(init);
    return st;
}
