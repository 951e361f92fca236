/* Job specs: the kinds, parsing a spec from JSON (every value bounded)
 * and writing it back, durations and memory sizes. */
#include "internal.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[AT_JOB_STATE_COUNT] = {"queued", "starting",  "running",  "succeeded",
                                                            "failed", "cancelled", "timed-out"};

const char *at_job_state_name(at_job_state s)
{
    return s >= 0 && s < AT_JOB_STATE_COUNT ? state_names[s] : "unknown";
}

int at_job_state_parse(const char *name)
{
    for (int i = 0; name && i < AT_JOB_STATE_COUNT; i++)
        if (!strcmp(name, state_names[i]))
            return i;
    return -1;
}

int at_job_state_final(at_job_state s)
{
    return s >= AT_JOB_SUCCEEDED && s < AT_JOB_STATE_COUNT;
}

/* kind -> the engine's command words */
static const struct {
    const char *kind, *command;
} kinds[] = {
    {"script", NULL},
    {"sct-prepare", "sct prepare"},
    {"sct-train", "sct train"},
    {"sct-eval", "sct eval"},
    {"sct-predict", "sct predict"},
    {"learn-train", "learn train"},
    {"learn-predict", "learn predict"},
    {"risk-split", "text risk split"},
    {"risk-train", "text risk train"},
    {"risk-eval", "text risk eval"},
    {"risk-score", "text risk score"},
    {"text-extract", "text extract"},
    {"deid-train", "text deid-model train"},
    {"synth-cohort", "synth cohort"},
    {"synth-study", "synth study"},
    {"synth-chemo", "synth chemo"},
};
#define KIND_COUNT (sizeof kinds / sizeof *kinds)
const char *const at_job_kinds[] = {
    "script",        "sct-prepare",  "sct-train",   "sct-eval",    "sct-predict", "learn-train",
    "learn-predict", "risk-split",   "risk-train",  "risk-eval",   "risk-score",  "text-extract",
    "deid-train",    "synth-cohort", "synth-study", "synth-chemo", NULL};

const char *at_job_kind_command(const char *kind)
{
    for (size_t i = 0; kind && i < KIND_COUNT; i++)
        if (!strcmp(kinds[i].kind, kind))
            return kinds[i].command;
    return NULL;
}

int at_job_kind_valid(const char *kind)
{
    for (size_t i = 0; kind && i < KIND_COUNT; i++)
        if (!strcmp(kinds[i].kind, kind))
            return 1;
    return 0;
}

int64_t at_job_parse_duration(const char *t)
{
    if (!t || !*t)
        return -1;
    /* H:MM:SS and MM:SS as Slurm writes them */
    if (strchr(t, ':')) {
        long a = 0, b = 0, c = 0;
        char tail;
        int n = sscanf(t, "%ld:%ld:%ld%c", &a, &b, &c, &tail);
        if (n == 3 && a >= 0 && b >= 0 && b < 60 && c >= 0 && c < 60)
            return a * 3600 + b * 60 + c;
        if (n == 2 && a >= 0 && b >= 0 && b < 60)
            return a * 60 + b;
        return -1;
    }
    errno = 0;
    char *end;
    double v = strtod(t, &end);
    if (errno || end == t || v <= 0 || v > 366.0 * 86400)
        return -1;
    double unit = 1;
    if (!strcmp(end, "") || !strcmp(end, "s"))
        unit = 1;
    else if (!strcmp(end, "m") || !strcmp(end, "min"))
        unit = 60;
    else if (!strcmp(end, "h"))
        unit = 3600;
    else if (!strcmp(end, "d"))
        unit = 86400;
    else
        return -1;
    double s = v * unit;
    return s < 1 || s > 366.0 * 86400 ? -1 : (int64_t)(s + 0.5);
}

int64_t at_job_parse_memory_mb(const char *t)
{
    if (!t || !*t)
        return -1;
    errno = 0;
    char *end;
    double v = strtod(t, &end);
    if (errno || end == t || v <= 0)
        return -1;
    double mb;
    if (!*end || !strcmp(end, "M") || !strcmp(end, "MB") || !strcmp(end, "MiB"))
        mb = v;
    else if (!strcmp(end, "G") || !strcmp(end, "GB") || !strcmp(end, "GiB"))
        mb = v * 1024;
    else if (!strcmp(end, "T") || !strcmp(end, "TB") || !strcmp(end, "TiB"))
        mb = v * 1024 * 1024;
    else
        return -1;
    return mb < 1 || mb > 64.0 * 1024 * 1024 ? -1 : (int64_t)(mb + 0.5);
}

void at_job_spec_init(at_job_spec *s)
{
    memset(s, 0, sizeof *s);
    s->cores = 1;
    s->gpus = 0;
    s->memory_mb = 2048;
    s->time_limit = 3600;
}

void at_job_spec_free(at_job_spec *s)
{
    for (size_t i = 0; i < s->arg_count; i++)
        at_free(s->args[i]);
    s->arg_count = 0;
}

static at_status copy_field(const cJSON *o, const char *key, char *out, size_t cap, int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v)) {
        if (required)
            return at_error_set(AT_ERR_FORMAT, "job spec: '%s' is required", key);
        return AT_OK;
    }
    if (!cJSON_IsString(v))
        return at_error_set(AT_ERR_FORMAT, "job spec: '%s' must be a string", key);
    if (strlen(v->valuestring) >= cap)
        return at_error_set(AT_ERR_FORMAT, "job spec: '%s' is longer than %zu bytes", key, cap - 1);
    for (const char *p = v->valuestring; *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\t')
            return at_error_set(AT_ERR_FORMAT, "job spec: '%s' holds a control character", key);
    memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
    return AT_OK;
}

/* A number given as a JSON number or a string; text_fn parses strings. */
static at_status number_field(const cJSON *o, const char *key, int64_t (*text_fn)(const char *), int64_t lo,
                              int64_t hi, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v))
        return AT_OK;
    int64_t x = -1;
    if (cJSON_IsNumber(v) && v->valuedouble == (double)(int64_t)v->valuedouble)
        x = (int64_t)v->valuedouble;
    else if (cJSON_IsString(v) && strlen(v->valuestring) < 32)
        x = text_fn ? text_fn(v->valuestring) : -1;
    if (cJSON_IsString(v) && !text_fn) {
        char *end;
        long long y = strtoll(v->valuestring, &end, 10);
        x = *v->valuestring && !*end ? y : -1;
    }
    if (x < lo || x > hi)
        return at_error_set(AT_ERR_FORMAT, "job spec: '%s' must be in %lld..%lld", key, (long long)lo,
                            (long long)hi);
    *out = x;
    return AT_OK;
}

/* "ds@snap" or "ds@snap:as" or "ds" (latest) */
static at_status parse_input(const char *text, at_job_input *in)
{
    memset(in, 0, sizeof *in);
    char buf[256];
    if (strlen(text) >= sizeof buf)
        return at_error_set(AT_ERR_FORMAT, "job spec: an input is too long");
    snprintf(buf, sizeof buf, "%s", text);
    char *as = strchr(buf, ':');
    if (as)
        *as++ = '\0';
    char *at = strchr(buf, '@');
    if (at)
        *at++ = '\0';
    if (!at_room_name_valid(buf))
        return at_error_set(AT_ERR_FORMAT, "job spec: input '%.64s' is not DATASET@SNAPSHOT", buf);
    snprintf(in->dataset, sizeof in->dataset, "%s", buf);
    const char *snap = at && *at ? at : "latest";
    if (strlen(snap) >= sizeof in->snapshot)
        return at_error_set(AT_ERR_FORMAT, "job spec: input %s: the snapshot is too long", buf);
    for (const char *p = snap; *p; p++)
        if (!isxdigit((unsigned char)*p) && strcmp(snap, "latest"))
            return at_error_set(AT_ERR_FORMAT,
                                "job spec: input %s: the snapshot must be hex digits or 'latest'", buf);
    snprintf(in->snapshot, sizeof in->snapshot, "%s", snap);
    const char *folder = as && *as ? as : buf;
    if (!at_room_name_valid(folder))
        return at_error_set(AT_ERR_FORMAT, "job spec: input %s: the folder name is not valid", buf);
    snprintf(in->as, sizeof in->as, "%s", folder);
    return AT_OK;
}

at_status at_job_spec_parse(const char *json, size_t len, at_job_spec *s)
{
    at_job_spec_init(s);
    if (len > AT_JOB_SPEC_MAX)
        return at_error_set(AT_ERR_LIMIT, "job spec: more than %d bytes", AT_JOB_SPEC_MAX);
    cJSON *o = cJSON_ParseWithLength(json, len);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return at_error_set(AT_ERR_FORMAT, "job spec: not a JSON object");
    }
    at_status st = copy_field(o, "kind", s->kind, sizeof s->kind, 1);
    if (!st && !at_job_kind_valid(s->kind))
        st = at_error_set(AT_ERR_FORMAT, "job spec: unknown kind '%.32s' (see docs/room.md)", s->kind);
    if (!st)
        st = copy_field(o, "project", s->project, sizeof s->project, 0);
    if (!st)
        st = copy_field(o, "name", s->name, sizeof s->name, 0);
    if (!st && s->name[0] && !at_room_text_valid(s->name))
        st = at_error_set(AT_ERR_FORMAT, "job spec: the name is not valid text");
    if (!st)
        st = copy_field(o, "code", s->code, sizeof s->code, 0);
    if (!st)
        st = copy_field(o, "command", s->command, sizeof s->command, 0);
    if (!st && !strcmp(s->kind, "script") && !s->command[0])
        st = at_error_set(AT_ERR_FORMAT, "job spec: a script job needs a 'command'");
    if (!st && !strcmp(s->kind, "script") && !s->code[0])
        snprintf(s->code, sizeof s->code, "latest");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(o, "args");
    if (!st && args && !cJSON_IsNull(args)) {
        if (!cJSON_IsArray(args) || cJSON_GetArraySize(args) > AT_JOB_ARGS_MAX) {
            st = at_error_set(AT_ERR_FORMAT, "job spec: 'args' must be an array of at most %d strings",
                              AT_JOB_ARGS_MAX);
        } else {
            const cJSON *a;
            cJSON_ArrayForEach(a, args)
            {
                if (!cJSON_IsString(a) || strlen(a->valuestring) > 1024) {
                    st = at_error_set(AT_ERR_FORMAT,
                                      "job spec: 'args' must hold strings of at most 1024 bytes");
                    break;
                }
                if (!(s->args[s->arg_count] = at_strdup(a->valuestring))) {
                    st = AT_ERR_NOMEM;
                    break;
                }
                s->arg_count++;
            }
        }
    }
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(o, "inputs");
    if (!st && cJSON_IsString(inputs) && *inputs->valuestring) {
        char buf[2048];
        if (strlen(inputs->valuestring) >= sizeof buf)
            st = at_error_set(AT_ERR_FORMAT, "job spec: 'inputs' is too long");
        snprintf(buf, sizeof buf, "%s", inputs->valuestring);
        for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok && !st;
             tok = strtok_r(NULL, ", ", &save)) {
            if (s->input_count >= AT_JOB_INPUTS_MAX)
                st = at_error_set(AT_ERR_FORMAT, "job spec: at most %d inputs", AT_JOB_INPUTS_MAX);
            else
                st = parse_input(tok, &s->inputs[s->input_count++]);
        }
    } else if (!st && cJSON_IsArray(inputs)) {
        const cJSON *a;
        cJSON_ArrayForEach(a, inputs)
        {
            if (s->input_count >= AT_JOB_INPUTS_MAX) {
                st = at_error_set(AT_ERR_FORMAT, "job spec: at most %d inputs", AT_JOB_INPUTS_MAX);
                break;
            }
            if (!cJSON_IsString(a)) {
                st = at_error_set(AT_ERR_FORMAT, "job spec: 'inputs' must hold strings DATASET@SNAPSHOT");
                break;
            }
            if ((st = parse_input(a->valuestring, &s->inputs[s->input_count++])))
                break;
            /* the resolved form keeps the dataset's id */
        }
    } else if (!st && inputs && !cJSON_IsNull(inputs) && !cJSON_IsString(inputs)) {
        st = at_error_set(AT_ERR_FORMAT, "job spec: 'inputs' must be an array or a string");
    }
    for (size_t i = 0; !st && i < s->input_count; i++)
        for (size_t k = 0; k < i; k++)
            if (!strcmp(s->inputs[i].as, s->inputs[k].as))
                st = at_error_set(AT_ERR_FORMAT, "job spec: two inputs under /data/%s", s->inputs[i].as);
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(o, "input_ids");
    if (!st && cJSON_IsArray(ids) && (size_t)cJSON_GetArraySize(ids) == s->input_count) {
        size_t i = 0;
        const cJSON *a;
        cJSON_ArrayForEach(a, ids)
        {
            if (cJSON_IsString(a) && strlen(a->valuestring) == AT_VAULT_DATASET_HEX - 1)
                snprintf(s->inputs[i].dataset_id, sizeof s->inputs[i].dataset_id, "%s", a->valuestring);
            i++;
        }
    }
    if (!st)
        st = copy_field(o, "code_dataset", s->code_dataset, sizeof s->code_dataset, 0);
    if (!st)
        st = copy_field(o, "result_dataset", s->result_dataset, sizeof s->result_dataset, 0);
    if (!st)
        st = copy_field(o, "user", s->user, sizeof s->user, 0);
    int64_t v;
    v = s->cores;
    if (!st && !(st = number_field(o, "cores", NULL, 1, 1024, &v)))
        s->cores = (int)v;
    v = s->gpus;
    if (!st && !(st = number_field(o, "gpus", NULL, 0, AT_JOBS_GPUS_MAX, &v)))
        s->gpus = (int)v;
    if (!st)
        st = number_field(o, "memory", at_job_parse_memory_mb, 1, 64ll * 1024 * 1024, &s->memory_mb);
    if (!st)
        st = number_field(o, "time", at_job_parse_duration, 1, 366ll * 86400, &s->time_limit);
    cJSON_Delete(o);
    if (st)
        at_job_spec_free(s);
    return st;
}

at_status at_job_spec_json(const at_job_spec *s, char **out)
{
    *out = NULL;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return AT_ERR_NOMEM;
    cJSON_AddStringToObject(o, "kind", s->kind);
    cJSON_AddStringToObject(o, "project", s->project);
    if (s->name[0])
        cJSON_AddStringToObject(o, "name", s->name);
    if (s->code[0])
        cJSON_AddStringToObject(o, "code", s->code);
    if (s->command[0])
        cJSON_AddStringToObject(o, "command", s->command);
    if (s->arg_count) {
        cJSON *a = cJSON_AddArrayToObject(o, "args");
        for (size_t i = 0; a && i < s->arg_count; i++)
            cJSON_AddItemToArray(a, cJSON_CreateString(s->args[i]));
    }
    cJSON *in = cJSON_AddArrayToObject(o, "inputs");
    cJSON *ids = NULL;
    for (size_t i = 0; in && i < s->input_count; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s@%s:%s", s->inputs[i].dataset, s->inputs[i].snapshot, s->inputs[i].as);
        cJSON_AddItemToArray(in, cJSON_CreateString(buf));
        if (s->inputs[i].dataset_id[0]) {
            if (!ids)
                ids = cJSON_AddArrayToObject(o, "input_ids");
            if (ids)
                cJSON_AddItemToArray(ids, cJSON_CreateString(s->inputs[i].dataset_id));
        }
    }
    if (s->code_dataset[0])
        cJSON_AddStringToObject(o, "code_dataset", s->code_dataset);
    if (s->result_dataset[0])
        cJSON_AddStringToObject(o, "result_dataset", s->result_dataset);
    if (s->user[0])
        cJSON_AddStringToObject(o, "user", s->user);
    cJSON_AddNumberToObject(o, "cores", s->cores);
    cJSON_AddNumberToObject(o, "gpus", s->gpus);
    cJSON_AddNumberToObject(o, "memory", (double)s->memory_mb);
    cJSON_AddNumberToObject(o, "time", (double)s->time_limit);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text)
        return AT_ERR_NOMEM;
    *out = at_strdup(text);
    cJSON_free(text);
    return *out ? AT_OK : AT_ERR_NOMEM;
}
