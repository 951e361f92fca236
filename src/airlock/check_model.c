/* Models. A risk model (src/risk's ATRISK01/02 file) keeps the text of the
 * terms it explains its scores with: each term is checked for a run of
 * digits (an IPP, a NIR, a phone) and through the French detector (a
 * name, an address). The trainer keeps a term only when at least 5
 * patients' notes hold it; the file does not say how many did, so when
 * the project's threshold is higher the reviewers read the vocabulary.
 * Neural-network weights (safetensors) cannot be checked by hand: the
 * header is read (bounded, every offset checked), its metadata strings go
 * through the detector, and the file needs the DPO's approval besides
 * the reviewers'. */
#include "internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#define RISK_TERM_MAX 1000
#define RISK_HASH_MAX (1u << 24)
#define RISK_STRUCT_MAX 64
#define SAFETENSORS_HEADER_MAX (16u << 20)

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

at_status at_airlock_model_terms(const unsigned char *d, size_t len, char **terms, size_t *count)
{
    *terms = NULL;
    *count = 0;
    if (len < 8 || (memcmp(d, "ATRISK01", 8) && memcmp(d, "ATRISK02", 8)))
        return at_error_set(AT_ERR_FORMAT, "offset 0: not an atelier risk model");
    size_t off = 8;
    if (len - off < 8)
        return at_error_set(AT_ERR_FORMAT, "offset %zu: truncated", off);
    uint32_t h = le32(d + off), s = le32(d + off + 4);
    off += 8;
    if (h == 0 || h > RISK_HASH_MAX || s > RISK_STRUCT_MAX)
        return at_error_set(AT_ERR_FORMAT, "offset 8: implausible sizes");
    /* C (8), l1 (4), bias (8), idf h x 4, w (h + s) x 8 */
    uint64_t skip = 8 + 4 + 8 + (uint64_t)h * 4 + ((uint64_t)h + s) * 8;
    if (len - off < skip + 4)
        return at_error_set(AT_ERR_FORMAT, "offset %zu: truncated before the terms", off);
    off += (size_t)skip;
    uint32_t nt = le32(d + off);
    off += 4;
    if (nt > h)
        return at_error_set(AT_ERR_FORMAT, "offset %zu: %u terms for %u buckets", off - 4, nt, h);
    at_buf b;
    at_buf_init(&b, (size_t)nt * (RISK_TERM_MAX + 1) + 1);
    at_status st = AT_OK;
    for (uint32_t k = 0; k < nt && !st; k++) {
        if (len - off < 6) {
            st = at_error_set(AT_ERR_FORMAT, "offset %zu: truncated in the terms", off);
            break;
        }
        uint32_t j = le32(d + off);
        uint16_t n = (uint16_t)(d[off + 4] | d[off + 5] << 8);
        off += 6;
        if (j >= h || n > RISK_TERM_MAX || n > len - off) {
            st = at_error_set(AT_ERR_FORMAT, "offset %zu: bad term", off - 6);
            break;
        }
        if (memchr(d + off, 0, n)) {
            st = at_error_set(AT_ERR_FORMAT, "offset %zu: a term holds a NUL byte", off);
            break;
        }
        st = at_buf_append(&b, d + off, n);
        if (!st)
            st = at_buf_putc(&b, 0);
        off += n;
    }
    if (!st && !memcmp(d, "ATRISK02", 8) && len - off < 4)
        st = at_error_set(AT_ERR_FORMAT, "offset %zu: truncated after the terms", off);
    if (st) {
        at_buf_free(&b);
        return st;
    }
    size_t n;
    *terms = (char *)at_buf_steal(&b, &n);
    if (!*terms && nt)
        return AT_ERR_NOMEM;
    *count = nt;
    return AT_OK;
}

void airlock_check_risk_model(airlock_report *r, const at_airlock_check_ctx *ctx, const unsigned char *data,
                              size_t len)
{
    char *terms = NULL;
    size_t count = 0;
    char s[400];
    if (at_airlock_model_terms(data, len, &terms, &count) != AT_OK) {
        snprintf(s, sizeof s, "not read as a risk model: %.300s", at_error_message());
        at_error_clear();
        airlock_check_begin(r, "vocabulary", AT_CHECK_FAIL, s);
        airlock_check_end(r);
        r->hard = 1;
        return;
    }
    /* count first (for the verdict), then name */
    int run = ctx->conf->digit_run;
    size_t digits = 0, names = 0;
    unsigned char *flag = count ? at_calloc(count, 1) : NULL;
    int *label = count ? at_calloc(count, sizeof *label) : NULL;
    const char *t = terms;
    for (size_t k = 0; k < count; k++) {
        size_t n = strlen(t);
        if (flag && (int)airlock_digit_run(t, n) >= run) {
            flag[k] = 1;
            digits++;
        } else if (flag && ctx->detector && n < 1024 && at_text_utf8_check(t, n, &(size_t){0}) == 0) {
            /* the trainer folds its terms to lower case, and the detector
             * knows a name by its capital: each term is looked at as it is
             * and with its words capitalised ("dupont" -> "Dupont") */
            char title[1024];
            memcpy(title, t, n);
            title[n] = '\0';
            for (size_t i = 0; i < n; i++)
                if ((i == 0 || title[i - 1] == ' ') && title[i] >= 'a' && title[i] <= 'z')
                    title[i] = (char)(title[i] - 'a' + 'A');
            for (int pass = 0; pass < 2 && !flag[k]; pass++) {
                at_text_spans sp = {0};
                if (at_text_deid_detect(ctx->detector, pass ? title : t, n, &sp) == AT_OK)
                    for (size_t i = 0; i < sp.n && !flag[k]; i++)
                        if (airlock_label_strong(sp.v[i].label)) {
                            flag[k] = 2;
                            label[k] = sp.v[i].label;
                            names++;
                        }
                at_text_spans_free(&sp);
            }
        }
        t += n + 1;
    }
    if (count && (!flag || !label)) {
        airlock_check_begin(r, "vocabulary", AT_CHECK_FAIL, "out of memory while checking the terms");
        airlock_check_end(r);
        r->hard = 1;
    } else {
        at_check_outcome o = digits || names ? AT_CHECK_FAIL : AT_CHECK_PASS;
        if (o == AT_CHECK_PASS)
            snprintf(s, sizeof s, "%zu term%s kept, none with %d digits in a row or an identifier%s", count,
                     count == 1 ? "" : "s", run, ctx->detector ? "" : " (no detector: digits only)");
        else
            snprintf(
                s, sizeof s,
                "%zu of %zu terms identify: %zu with %d digits or more in a row, %zu found by the detector "
                "(retrain: such a term comes from one patient's notes)",
                digits + names, count, digits, run, names);
        airlock_check_begin(r, "vocabulary", o, s);
        for (size_t k = 0; k < count; k++)
            if (flag[k] == 1)
                airlock_finding(r, "\"term\":%zu,\"kind\":\"digits\"", k + 1);
            else if (flag[k] == 2)
                airlock_finding(r, "\"term\":%zu,\"kind\":\"identifier\",\"label\":\"%s\"", k + 1,
                                at_phi_label_name(label[k]));
        airlock_check_end(r);
    }
    int threshold = ctx->threshold > 0 ? ctx->threshold : ctx->conf->threshold;
    if (ctx->conf->model_min_patients >= threshold)
        snprintf(s, sizeof s, "the trainer kept only terms held by %d patients or more; the threshold is %d",
                 ctx->conf->model_min_patients, threshold);
    else
        snprintf(
            s, sizeof s,
            "the trainer kept terms held by %d patients or more; the project's threshold is %d and the file "
            "does not say how many patients held each term: the reviewers read the vocabulary",
            ctx->conf->model_min_patients, threshold);
    airlock_check_begin(r, "term-patients",
                        ctx->conf->model_min_patients >= threshold ? AT_CHECK_PASS : AT_CHECK_REVIEW, s);
    airlock_check_end(r);
    at_free(flag);
    at_free(label);
    at_free(terms);
}

void airlock_check_safetensors(airlock_report *r, const at_text_deid *d, const unsigned char *data,
                               size_t len)
{
    char s[400];
    const char *why = NULL;
    uint64_t n = 0;
    cJSON *h = NULL;
    if (len < 8) {
        why = "shorter than its header's length";
    } else {
        for (int i = 7; i >= 0; i--)
            n = n << 8 | data[i];
        if (n < 2 || n > SAFETENSORS_HEADER_MAX || n > len - 8)
            why = "its header's length is out of bounds";
        else if (!(h = cJSON_ParseWithLength((const char *)data + 8, (size_t)n)) || !cJSON_IsObject(h))
            why = "its header is not a JSON object";
    }
    size_t tensors = 0, meta_found = 0;
    uint64_t data_len = len >= 8 + n ? len - 8 - n : 0;
    for (cJSON *e = h ? h->child : NULL; e && !why; e = e->next) {
        if (!strcmp(e->string, "__metadata__")) {
            if (!cJSON_IsObject(e)) {
                why = "__metadata__ is not an object";
                break;
            }
            for (cJSON *m = e->child; m && d; m = m->next) {
                if (!cJSON_IsString(m))
                    continue;
                at_text_spans sp = {0};
                const char *v = m->valuestring;
                if (at_text_utf8_check(v, strlen(v), &(size_t){0}) == 0 &&
                    at_text_deid_detect(d, v, strlen(v), &sp) == AT_OK)
                    for (size_t i = 0; i < sp.n; i++)
                        meta_found += airlock_label_strong(sp.v[i].label);
                at_text_spans_free(&sp);
            }
            continue;
        }
        cJSON *off = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
        if (!cJSON_IsObject(e) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "dtype")) ||
            !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(e, "shape")) || !cJSON_IsArray(off) ||
            cJSON_GetArraySize(off) != 2) {
            why = "a tensor entry lacks dtype, shape or data_offsets";
            break;
        }
        double a = cJSON_GetArrayItem(off, 0)->valuedouble, b = cJSON_GetArrayItem(off, 1)->valuedouble;
        if (!(a >= 0 && b >= a && b <= (double)data_len)) {
            why = "a tensor's data_offsets lie outside the file";
            break;
        }
        tensors++;
    }
    cJSON_Delete(h);
    if (why) {
        snprintf(s, sizeof s, "not read as safetensors: %s", why);
        airlock_check_begin(r, "weights", AT_CHECK_FAIL, s);
        airlock_check_end(r);
        r->hard = 1;
        return;
    }
    if (meta_found) {
        snprintf(s, sizeof s, "the metadata holds %zu identifier%s", meta_found, meta_found == 1 ? "" : "s");
        airlock_check_begin(r, "metadata", AT_CHECK_FAIL, s);
        airlock_finding(r, "\"identifiers\":%zu", meta_found);
        airlock_check_end(r);
    }
    snprintf(s, sizeof s,
             "neural-network weights (%zu tensors) cannot be checked by hand (a network can memorise its "
             "training data): the DPO approves besides the reviewers",
             tensors);
    airlock_check_begin(r, "weights", AT_CHECK_REVIEW, s);
    airlock_check_end(r);
    r->needs_dpo = 1;
}
