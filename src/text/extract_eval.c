/* Evaluation of extraction against gold mentions: exact span and type
 * match, per type precision, recall and F1, and the agreement of the
 * qualifiers (negated, hypothesis, family, history) and of the CTCAE grades
 * on matched mentions. */
#include "atelier/text.h"

#include <string.h>

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0.0;
}

at_status at_text_extract_evaluate(const at_text_extractor *x, const at_text_doc *docs, size_t n, int json,
                                   at_buf *report)
{
    double tp[AT_MENTION_COUNT] = {0}, fp[AT_MENTION_COUNT] = {0}, fn[AT_MENTION_COUNT] = {0};
    double qual_ok = 0, qual_n = 0, grade_ok = 0, grade_n = 0;
    at_status st = AT_OK;
    for (size_t k = 0; k < n && !st; k++) {
        at_text_mentions m = {0};
        st = at_text_extract(x, docs[k].text, docs[k].len, NULL, &m);
        unsigned char *used = st ? NULL : at_calloc(m.n + 1, 1);
        if (!st && !used)
            st = AT_ERR_NOMEM;
        for (size_t g = 0; g < docs[k].gold.n && !st; g++) {
            const at_text_span *gs = &docs[k].gold.v[g];
            int type = gs->label & 0xff;
            unsigned q = ((unsigned)gs->label >> 8) & 0xf;
            int grade = (gs->label >> 12) & 7;
            int hit = 0;
            for (size_t i = 0; i < m.n; i++)
                if (!used[i] && m.v[i].start == gs->start && m.v[i].len == gs->len && m.v[i].type == type) {
                    used[i] = 1;
                    hit = 1;
                    qual_n++;
                    qual_ok += m.v[i].qual == q;
                    if (type == AT_MENTION_AE) {
                        grade_n++;
                        grade_ok += m.v[i].grade == grade;
                    }
                    break;
                }
            if (type > 0 && type < AT_MENTION_COUNT)
                hit ? tp[type]++ : fn[type]++;
        }
        for (size_t i = 0; i < m.n && !st; i++)
            if (!used[i] && m.v[i].type > 0 && m.v[i].type < AT_MENTION_COUNT)
                fp[m.v[i].type]++;
        at_free(used);
        at_text_mentions_free(&m);
    }
    if (st)
        return st;
    double T = 0, F = 0, N = 0;
    for (int t = 1; t < AT_MENTION_COUNT; t++) {
        T += tp[t];
        F += fp[t];
        N += fn[t];
    }
    double P = ratio(T, T + F), R = ratio(T, T + N);
    if (json)
        st =
            at_buf_printf(report,
                          "{\"docs\":%zu,\"overall\":{\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f},"
                          "\"qualifier_agreement\":%.4f,\"grade_agreement\":%.4f,\"types\":{",
                          n, P, R, ratio(2 * P * R, P + R), ratio(qual_ok, qual_n), ratio(grade_ok, grade_n));
    else
        st = at_buf_printf(report, "%-10s %9s %9s %9s %9s\n", "type", "precision", "recall", "f1", "gold");
    int first = 1;
    for (int t = 1; t < AT_MENTION_COUNT && !st; t++) {
        double p = ratio(tp[t], tp[t] + fp[t]), r = ratio(tp[t], tp[t] + fn[t]);
        if (json)
            st = at_buf_printf(
                report, "%s\"%s\":{\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f,\"support\":%.0f}",
                first ? "" : ",", at_mention_type_name(t), p, r, ratio(2 * p * r, p + r), tp[t] + fn[t]);
        else
            st = at_buf_printf(report, "%-10s %9.4f %9.4f %9.4f %9.0f\n", at_mention_type_name(t), p, r,
                               ratio(2 * p * r, p + r), tp[t] + fn[t]);
        first = 0;
    }
    if (!st)
        st = json ? at_buf_puts(report, "}}\n")
                  : at_buf_printf(report,
                                  "%-10s %9.4f %9.4f %9.4f %9.0f\nqualifiers (negated, hypothesis, family, "
                                  "history) agree on %.4f of matched mentions\n"
                                  "CTCAE grades agree on %.4f of matched adverse events\n",
                                  "OVERALL", P, R, ratio(2 * P * R, P + R), T + N, ratio(qual_ok, qual_n),
                                  ratio(grade_ok, grade_n));
    return st;
}

/* One JSON line per mention (the output of `atelier text extract --json`). */
at_status at_text_mentions_jsonl(const char *text, const at_text_mentions *m, at_buf *out)
{
    at_status st = AT_OK;
    for (size_t i = 0; i < m->n && !st; i++) {
        const at_text_mention *x = &m->v[i];
        st = at_buf_printf(out, "{\"type\":\"%s\",\"offset\":%zu,\"length\":%zu,\"text\":",
                           at_mention_type_name(x->type), x->start, x->len);
        if (!st)
            st = at_buf_json_string(out, text + x->start, x->len);
        if (!st)
            st = at_buf_puts(out, ",\"value\":");
        if (!st)
            st = at_buf_json_string(out, x->value, strlen(x->value));
        if (!st && x->code[0])
            st = at_buf_printf(out, ",\"atc\":\"%s\"", x->code);
        if (!st && x->grade)
            st = at_buf_printf(out, ",\"grade\":%d", x->grade);
        if (!st && x->cycle)
            st = at_buf_printf(out, ",\"cycle\":%d", x->cycle);
        if (!st)
            st = at_buf_printf(
                out, ",\"negated\":%s,\"hypothesis\":%s,\"family\":%s,\"history\":%s}\n",
                x->qual & AT_QUAL_NEGATED ? "true" : "false", x->qual & AT_QUAL_HYPOTHESIS ? "true" : "false",
                x->qual & AT_QUAL_FAMILY ? "true" : "false", x->qual & AT_QUAL_HISTORY ? "true" : "false");
    }
    return st;
}
