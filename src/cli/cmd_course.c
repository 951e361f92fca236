/* atelier course ...: the classroom's client, over the room's API
 * (/api/v1/courses): create, list, show, ta, quota, enrol (with the
 * printable sheet), generate, attach, assign, assignment, submit, usage,
 * grades, config. */
#include "client.h"

#include "atelier/classroom.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *o)
{
    fprintf(
        o,
        "usage: atelier course <command> [options]\n\n"
        "  create NAME [--title T]          a course (teachers): the projects NAME and NAME.grading\n"
        "  list                             my courses and my role in each\n"
        "  show COURSE                      its assignments (staff: its data; students: my quota)\n"
        "  ta COURSE USER                   add a teaching assistant (the teacher)\n"
        "  quota COURSE [--core-hours H] [--gpu-hours H] [--concurrent N]   per student, per week\n"
        "  enrol COURSE --csv FILE [--sheet OUT.html]   students from a CSV (name, email or login);\n"
        "                                   one-time passwords printed once, and in the sheet\n"
        "  generate COURSE --name N [--kind chemo|notes|headct] [--patients N] [--seed S]\n"
        "                                   a synthetic cohort for the course, into the vault\n"
        "  attach COURSE --project P --dataset D [--name N]   a dataset of P (synthetic only)\n"
        "  assign COURSE NAME --data D --deadline WHEN [--per-day N] [--rule best|last]\n"
        "         [--task T] [--title T] [--test-fraction F] [--public-fraction F] [--seed S]\n"
        "                                   publish an assignment (--task risk-auroc on a chemo\n"
        "                                   cohort, deid-f1 on notes, sct-mae on headct); WHEN is\n"
        "                                   YYYY-MM-DDTHH:MMZ (UTC) or +2h, +7d from now\n"
        "  assignment COURSE NAME           its leaderboard, my submissions and scores, my quota\n"
        "  submit COURSE NAME [--C C] [--l1] [--xgboost] [--epochs E] [--time 10m]\n"
        "         [--command CMD [--code SNAP]]   the pipeline with my options, or my own code\n"
        "                                   (pushed with 'atelier code push DIR --project COURSE';\n"
        "                                   it writes /out/model.bin)\n"
        "  usage COURSE                     the class's usage (staff)\n"
        "  grades COURSE -o FILE.csv        the grades (staff)\n"
        "  config COURSE SUBMISSION -o FILE a submitted configuration (staff)\n"
        "  code COURSE SUBMISSION -o DIR    a script submission's code, into the new folder DIR (staff)\n\n"
        "Common options: --json, --server URL, --cacert FILE. See docs/classroom.md.\n");
}

static int post(const client_conf *c, const char *cmd, const char *path, cJSON *body, client_resp *r)
{
    int rc = client_request(c, "POST", path, body, r);
    cJSON_Delete(body);
    if (!rc)
        rc = client_check(cmd, r);
    return rc;
}

static int get(const client_conf *c, const char *cmd, const char *path, client_resp *r)
{
    int rc = client_request(c, "GET", path, NULL, r);
    if (!rc)
        rc = client_check(cmd, r);
    return rc;
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static int enrol(const client_conf *c, const client_opts *o, const char *course, const char *csv_path,
                 const char *sheet)
{
    unsigned char *data = NULL;
    size_t len = 0;
    at_status st = at_file_read(csv_path, AT_COURSE_CSV_MAX, &data, &len);
    if (st)
        return cli_fail(st);
    /* checked here first: the error names the line and column before anything is sent */
    at_course_student *s = NULL;
    size_t n = 0;
    st = at_course_csv_parse((const char *)data, len, &s, &n);
    at_free(s);
    if (st) {
        at_free(data);
        return cli_fail(st);
    }
    char path[200];
    snprintf(path, sizeof path, "/api/v1/courses/%s/students", course);
    client_resp r;
    int rc = client_request_raw(c, "POST", path, data, len, "text/csv", &r);
    at_free(data);
    if (!rc)
        rc = client_check("course enrol", &r);
    if (rc) {
        client_resp_free(&r);
        return rc;
    }
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(r.json, "students"), *e;
    size_t count = (size_t)cJSON_GetArraySize(arr), i = 0;
    at_course_student *v = at_calloc(count ? count : 1, sizeof *v);
    if (!v) {
        client_resp_free(&r);
        return cli_fail(AT_ERR_NOMEM);
    }
    cJSON_ArrayForEach(e, arr)
    {
        snprintf(v[i].login, sizeof v[i].login, "%s", client_str(e, "login") ? client_str(e, "login") : "");
        snprintf(v[i].name, sizeof v[i].name, "%s", client_str(e, "name") ? client_str(e, "name") : "");
        snprintf(v[i].email, sizeof v[i].email, "%s", client_str(e, "email") ? client_str(e, "email") : "");
        snprintf(v[i].password, sizeof v[i].password, "%s",
                 client_str(e, "password") ? client_str(e, "password") : "");
        i++;
    }
    if (o->json)
        client_print_json(&r);
    else
        for (size_t k = 0; k < count; k++)
            printf("%s\t%s\n", v[k].login, v[k].password[0] ? v[k].password : "(existing account)");
    if (sheet) {
        at_course co;
        memset(&co, 0, sizeof co);
        snprintf(co.name, sizeof co.name, "%s", course);
        at_buf b;
        at_buf_init(&b, 64u << 20);
        st = at_course_sheet_html(&co, v, count, c->server, &b);
        if (!st) { /* 0600 from its creation: it holds passwords */
            int fd = open(sheet, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
            size_t done = 0;
            if (fd < 0 || fchmod(fd, 0600))
                st = at_error_set(AT_ERR_IO, "%s: %s", sheet, strerror(errno));
            while (!st && done < b.len) {
                ssize_t w = write(fd, b.data + done, b.len - done);
                if (w <= 0)
                    st = at_error_set(AT_ERR_IO, "%s: %s", sheet, strerror(errno));
                else
                    done += (size_t)w;
            }
            if (fd >= 0 && close(fd) && !st)
                st = at_error_set(AT_ERR_IO, "%s: %s", sheet, strerror(errno));
        }
        at_buf_free(&b);
        if (st)
            rc = cli_fail(st);
        else
            fprintf(stderr,
                    "atelier course enrol: %zu students; the sheet is %s (print it, then delete it)\n", count,
                    sheet);
    }
    for (size_t k = 0; k < count; k++)
        memset(v[k].password, 0, sizeof v[k].password);
    at_free(v);
    client_resp_free(&r);
    return rc;
}

static int download(const client_conf *c, const char *cmd, const char *path, const char *out)
{
    if (!out)
        return cli_usage_error(cmd, "-o FILE is required");
    client_resp r;
    uint64_t bytes = 0;
    int rc = client_download(c, path, out, &r, &bytes);
    if (!rc && (r.status < 200 || r.status >= 300))
        rc = client_check(cmd, &r);
    if (!rc)
        fprintf(stderr, "atelier %s: %llu bytes written to %s\n", cmd, (unsigned long long)bytes, out);
    client_resp_free(&r);
    return rc;
}

int cmd_course(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *sub = argv[1];
    client_opts o = {0};
    const char *pos[3] = {NULL, NULL, NULL};
    int npos = 0, l1 = 0, xgb = 0;
    /* the options of every command, by name (each takes a value unless a flag) */
    static const char *const valued[] = {"--title",
                                         "--core-hours",
                                         "--gpu-hours",
                                         "--concurrent",
                                         "--csv",
                                         "--sheet",
                                         "--name",
                                         "--kind",
                                         "--patients",
                                         "--seed",
                                         "--project",
                                         "--dataset",
                                         "--data",
                                         "--deadline",
                                         "--per-day",
                                         "--rule",
                                         "--test-fraction",
                                         "--public-fraction",
                                         "--task",
                                         "--C",
                                         "--epochs",
                                         "--time",
                                         "--command",
                                         "--code",
                                         "-o",
                                         NULL};
    const char *val[32] = {0};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (client_common_option(&o, argc, argv, &i))
            continue;
        if (!strcmp(a, "--l1")) {
            l1 = 1;
            continue;
        }
        if (!strcmp(a, "--xgboost")) {
            xgb = 1;
            continue;
        }
        int k = -1;
        for (int j = 0; valued[j]; j++)
            if (!strcmp(a, valued[j]))
                k = j;
        if (k >= 0 && next) {
            val[k] = next;
            i++;
        } else if (a[0] != '-' && npos < 3) {
            pos[npos++] = a;
        } else {
            return cli_usage_error("course", "unknown or incomplete argument '%s'", a);
        }
    }
    client_conf c;
    int rc = client_setup("course", &o, &c, 1);
    if (rc)
        return rc;
    client_resp r;
    memset(&r, 0, sizeof r);
    char path[400];
    const char *course = pos[0];
    if (strcmp(sub, "list") && !course)
        return cli_usage_error("course", "'%s' needs a course", sub);
    cJSON *b = cJSON_CreateObject();
    if (!b)
        return cli_fail(AT_ERR_NOMEM);
    const char *o_name = NULL;
    for (int j = 0; valued[j]; j++) /* every given option as a field, named as the API names it */
        if (val[j] && strcmp(valued[j], "-o") && strcmp(valued[j], "--csv") && strcmp(valued[j], "--sheet")) {
            char key[32];
            snprintf(key, sizeof key, "%s", valued[j] + 2);
            for (char *p = key; *p; p++)
                if (*p == '-')
                    *p = '_';
            cJSON_AddStringToObject(b, key, val[j]);
            if (!strcmp(valued[j], "--name"))
                o_name = val[j];
        }
    const char *out = NULL;
    for (int j = 0; valued[j]; j++)
        if (!strcmp(valued[j], "-o"))
            out = val[j];
    if (!strcmp(sub, "create")) {
        cJSON_AddStringToObject(b, "name", course);
        rc = post(&c, "course create", "/api/v1/courses", b, &r);
        if (!rc && !o.json)
            printf("%s\n", course);
    } else if (!strcmp(sub, "list") || !strcmp(sub, "show") || !strcmp(sub, "usage")) {
        cJSON_Delete(b);
        if (!strcmp(sub, "list"))
            snprintf(path, sizeof path, "/api/v1/courses");
        else
            snprintf(path, sizeof path, "/api/v1/courses/%s%s", course,
                     !strcmp(sub, "usage") ? "/usage" : "");
        rc = get(&c, "course", path, &r);
        if (!rc && !strcmp(sub, "list") && !o.json) {
            const cJSON *e;
            cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r.json, "courses"))
                printf("%s\t%s\t%s\n", client_str(e, "name"), client_str(e, "role"), client_str(e, "title"));
        } else if (!rc)
            client_print_json(&r);
    } else if (!strcmp(sub, "ta")) {
        if (!pos[1]) {
            cJSON_Delete(b);
            return cli_usage_error("course ta", "COURSE USER");
        }
        cJSON_AddStringToObject(b, "user", pos[1]);
        snprintf(path, sizeof path, "/api/v1/courses/%s/tas", course);
        rc = post(&c, "course ta", path, b, &r);
    } else if (!strcmp(sub, "quota")) {
        snprintf(path, sizeof path, "/api/v1/courses/%s/quota", course);
        rc = post(&c, "course quota", path, b, &r);
        if (!rc)
            client_print_json(&r);
    } else if (!strcmp(sub, "enrol")) {
        cJSON_Delete(b);
        const char *csv = NULL, *sheet = NULL;
        for (int j = 0; valued[j]; j++) {
            if (!strcmp(valued[j], "--csv"))
                csv = val[j];
            if (!strcmp(valued[j], "--sheet"))
                sheet = val[j];
        }
        if (!csv)
            return cli_usage_error("course enrol", "--csv FILE is required");
        return enrol(&c, &o, course, csv, sheet);
    } else if (!strcmp(sub, "generate") || !strcmp(sub, "attach")) {
        if (!o_name && !strcmp(sub, "generate")) {
            cJSON_Delete(b);
            return cli_usage_error("course generate", "--name NAME is required");
        }
        snprintf(path, sizeof path, "/api/v1/courses/%s/data", course);
        rc = post(&c, "course data", path, b, &r);
        if (!rc)
            client_print_json(&r);
    } else if (!strcmp(sub, "assign")) {
        if (!pos[1]) {
            cJSON_Delete(b);
            return cli_usage_error("course assign", "COURSE NAME --data D --deadline WHEN");
        }
        cJSON_AddStringToObject(b, "name", pos[1]);
        snprintf(path, sizeof path, "/api/v1/courses/%s/assignments", course);
        rc = post(&c, "course assign", path, b, &r);
        if (!rc && !o.json)
            printf("%s\n", pos[1]);
    } else if (!strcmp(sub, "assignment")) {
        cJSON_Delete(b);
        if (!pos[1])
            return cli_usage_error("course assignment", "COURSE NAME");
        snprintf(path, sizeof path, "/api/v1/courses/%s/assignments/%s", course, pos[1]);
        rc = get(&c, "course assignment", path, &r);
        if (!rc)
            client_print_json(&r);
    } else if (!strcmp(sub, "submit")) {
        if (!pos[1]) {
            cJSON_Delete(b);
            return cli_usage_error("course submit", "COURSE ASSIGNMENT");
        }
        if (l1)
            cJSON_AddStringToObject(b, "l1", "1");
        if (xgb)
            cJSON_AddStringToObject(b, "xgboost", "1");
        if (cJSON_GetObjectItemCaseSensitive(b, "command"))
            cJSON_AddStringToObject(b, "kind", "script");
        snprintf(path, sizeof path, "/api/v1/courses/%s/assignments/%s/submissions", course, pos[1]);
        rc = post(&c, "course submit", path, b, &r);
        if (!rc && o.json)
            client_print_json(&r);
        else if (!rc)
            printf("submission %.0f; %.0f remaining today\n", num(r.json, "submission"),
                   num(r.json, "remaining_today"));
    } else if (!strcmp(sub, "grades")) {
        cJSON_Delete(b);
        snprintf(path, sizeof path, "/api/v1/courses/%s/grades", course);
        return download(&c, "course grades", path, out);
    } else if (!strcmp(sub, "config")) {
        cJSON_Delete(b);
        if (!pos[1])
            return cli_usage_error("course config", "COURSE SUBMISSION -o FILE");
        snprintf(path, sizeof path, "/api/v1/courses/%s/submissions/%s/config", course, pos[1]);
        return download(&c, "course config", path, out);
    } else if (!strcmp(sub, "code")) {
        cJSON_Delete(b);
        if (!pos[1] || !out)
            return cli_usage_error("course code", "COURSE SUBMISSION -o DIR");
        snprintf(path, sizeof path, "/api/v1/courses/%s/submissions/%s/code", course, pos[1]);
        rc = get(&c, "course code", path, &r);
        at_status st = rc ? AT_OK : at_jobs_code_unpack(r.body, r.len, out);
        if (st)
            rc = cli_fail(st);
        else if (!rc)
            fprintf(stderr, "atelier course code: submission %s's code is in %s\n", pos[1], out);
    } else {
        cJSON_Delete(b);
        return cli_usage_error("course", "unknown command '%s'", sub);
    }
    client_resp_free(&r);
    return rc;
}
