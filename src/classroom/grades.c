/* The leaderboard (each student's submission chosen by the assignment's
 * rule, by the public score until the deadline, the final one after) and
 * the grades as CSV. */
#include "internal.h"

#include "atelier/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- leaderboard and grades ---- */

/* Each student's submission chosen by rule among subs (scored only):
 * the best (the highest score, or the lowest when lower is better: an
 * error such as the pseudo-CT's MAE), or the last. */
static int pick(const at_submission *subs, size_t n, const char *user, const char *rule, int final, int lower,
                size_t *at, int *count)
{
    int found = 0;
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(subs[i].user, user))
            continue;
        (*count)++;
        if (!subs[i].has_score)
            continue;
        double k = final ? subs[i].final_score : subs[i].public_score;
        if (!found) {
            *at = i;
            found = 1;
            continue;
        }
        if (!strcmp(rule, "last")) {
            if (subs[i].id > subs[*at].id)
                *at = i;
        } else {
            double best = final ? subs[*at].final_score : subs[*at].public_score;
            if (lower ? k < best : k > best)
                *at = i;
        }
    }
    return found;
}

static int cmp_leader(const void *a, const void *b)
{
    const at_leader *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->when < y->when ? -1 : x->when > y->when;
}

static int cmp_leader_lower(const void *a, const void *b)
{
    const at_leader *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    return x->when < y->when ? -1 : x->when > y->when;
}

int at_task_lower_is_better(const char *task)
{
    return task && !strcmp(task, "sct-mae");
}

at_status at_leaderboard(at_classroom *c, const char *course, const char *assignment, at_leader **out,
                         size_t *count, int *final)
{
    *out = NULL;
    *count = 0;
    at_assignment a;
    at_status st = at_assignment_get(c, course, assignment, &a);
    if (st)
        return st;
    *final = at_room_now() >= a.deadline;
    at_submission *subs = NULL;
    size_t n = 0;
    if ((st = at_submission_list(c, course, assignment, NULL, &subs, &n)) != AT_OK)
        return st;
    at_leader *v = at_calloc(n ? n : 1, sizeof *v);
    size_t m = 0;
    if (!v)
        st = AT_ERR_NOMEM;
    for (size_t i = 0; !st && i < n; i++) {
        int seen = 0;
        for (size_t k = 0; k < m; k++)
            seen |= !strcmp(v[k].user, subs[i].user);
        size_t at = 0;
        int cnt = 0;
        if (seen || !pick(subs, n, subs[i].user, a.rule, *final, at_task_lower_is_better(a.task), &at, &cnt))
            continue;
        snprintf(v[m].user, sizeof v[m].user, "%s", subs[i].user);
        v[m].score = *final ? subs[at].final_score : subs[at].public_score;
        v[m].submissions = cnt;
        v[m].when = subs[at].submitted;
        m++;
    }
    at_free(subs);
    if (st) {
        at_free(v);
        return st;
    }
    qsort(v, m, sizeof *v, at_task_lower_is_better(a.task) ? cmp_leader_lower : cmp_leader);
    *out = v;
    *count = m;
    return AT_OK;
}

at_status at_course_grades_csv(at_classroom *c, const char *course, at_buf *out)
{
    at_assignment *as = NULL;
    at_course_person *people = NULL;
    size_t na = 0, np = 0;
    at_status st = at_assignment_list(c, course, &as, &na);
    if (!st)
        st = at_course_people(c, course, &people, &np);
    if (!st)
        st = at_buf_puts(out, "login,name,email,assignment,rule,submissions,score\n");
    for (size_t i = 0; !st && i < na; i++) {
        at_submission *subs = NULL;
        size_t n = 0;
        st = at_submission_list(c, course, as[i].name, NULL, &subs, &n);
        for (size_t p = 0; !st && p < np; p++) {
            if (strcmp(people[p].role, "student"))
                continue;
            size_t at = 0;
            int cnt = 0;
            int got =
                pick(subs, n, people[p].login, as[i].rule, 1, at_task_lower_is_better(as[i].task), &at, &cnt);
            const char *cells[5] = {people[p].login, people[p].name, people[p].email, as[i].name, as[i].rule};
            for (int k = 0; k < 5 && !st; k++) {
                st = at_csv_put_field(out, cells[k], strlen(cells[k]));
                if (!st)
                    st = at_buf_putc(out, ',');
            }
            if (!st && got)
                st = at_buf_printf(out, "%d,%.4f\n", cnt, subs[at].final_score);
            else if (!st)
                st = at_buf_printf(out, "%d,\n", cnt);
        }
        at_free(subs);
    }
    at_free(as);
    at_free(people);
    return st;
}
