/* The scheduler's core, with no I/O: decayed usage, the fair-share
 * factor in the manner of Slurm's multifactor plugin (2^-(U/S) of the
 * user and of the project, multiplied), the age factor, and the choice of
 * the jobs to start. The service calls it every tick with the catalog's
 * view; the fairness test calls it over a fake clock. */
#include "atelier/jobs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double at_sched_decay(double usage, double dt, double half_life)
{
    if (dt <= 0 || half_life <= 0)
        return usage;
    return usage * exp2(-dt / half_life);
}

double at_sched_fairshare(const at_sched_entity *e, const at_sched_entity *all, size_t n)
{
    double total_usage = 0, total_share = 0;
    for (size_t i = 0; i < n; i++) {
        total_usage += all[i].usage > 0 ? all[i].usage : 0;
        total_share += all[i].share > 0 ? all[i].share : 0;
    }
    if (total_usage <= 0 || total_share <= 0 || e->share <= 0)
        return 1.0;
    double u = (e->usage > 0 ? e->usage : 0) / total_usage, s = e->share / total_share;
    return exp2(-u / s);
}

typedef struct {
    size_t first, count, next; /* a (user, project) group's jobs, by submission */
    int user, project;
} group;

static int by_owner_then_age(const void *a, const void *b)
{
    const at_sched_job *x = a, *y = b;
    if (x->user != y->user)
        return x->user < y->user ? -1 : 1;
    if (x->project != y->project)
        return x->project < y->project ? -1 : 1;
    if (x->submitted != y->submitted)
        return x->submitted < y->submitted ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The fair-share factor of a (user, project) association: the project's
 * share among projects (S_p), the user's among the project's waiting
 * users, so the association's share of the room is S = S_p * S_u; usage
 * normalised by the room's (U_u, U_p); factor 2^-((U_u/S + U_p/S_p) / 2).
 * At equilibrium every association's usage is in proportion to S (a
 * project's users split its part) and a new user of a project that used
 * more than its share still waits behind the other projects' users. */
static double assoc_factor(const at_sched_entity *u, const at_sched_entity *p, double total_usage,
                           double total_pshare, double siblings_share)
{
    if (total_usage <= 0 || total_pshare <= 0 || siblings_share <= 0 || u->share <= 0 || p->share <= 0)
        return 1.0;
    double su = u->share / siblings_share, sp = p->share / total_pshare;
    double uu = fmax(u->usage, 0) / total_usage, up = fmax(p->usage, 0) / total_usage;
    return exp2(-(uu / (sp * su) + up / sp) / 2);
}

static double job_priority(const at_sched_job *jb, const at_sched_state *st, double factor)
{
    double age = st->now - jb->submitted;
    if (age < 0)
        age = 0;
    double age_factor = st->max_age_s > 0 ? fmin(1.0, age / st->max_age_s) : 0;
    return st->weight_fairshare * factor + st->weight_age * age_factor;
}

/* Factors of every group from the entities' usage now. */
static void group_factors(const group *groups, size_t ngroups, const at_sched_entity *users, size_t nusers,
                          const at_sched_entity *projects, size_t nprojects, double *factor, double *siblings)
{
    double total_usage = 0, total_pshare = 0;
    for (size_t p = 0; p < nprojects; p++) {
        total_usage += fmax(projects[p].usage, 0);
        total_pshare += projects[p].share > 0 ? projects[p].share : 0;
    }
    (void)nusers;
    for (size_t p = 0; p < nprojects; p++)
        siblings[p] = 0;
    /* the users waiting in each project (one group per association) */
    for (size_t g = 0; g < ngroups; g++)
        siblings[groups[g].project] += users[groups[g].user].share > 0 ? users[groups[g].user].share : 0;
    for (size_t g = 0; g < ngroups; g++)
        factor[g] = assoc_factor(&users[groups[g].user], &projects[groups[g].project], total_usage,
                                 total_pshare, siblings[groups[g].project]);
}

static int by_priority(const void *a, const void *b)
{
    const at_sched_job *x = a, *y = b;
    if (x->priority != y->priority)
        return x->priority > y->priority ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

size_t at_sched_pick(at_sched_job *jobs, size_t n, at_sched_entity *users, size_t nusers,
                     at_sched_entity *projects, size_t nprojects, at_sched_state *st, size_t *picked)
{
    if (!n)
        return 0;
    group *groups = at_malloc(n * sizeof *groups);
    double *factor = at_malloc(n * sizeof *factor), *siblings = at_malloc((nprojects + 1) * sizeof *siblings);
    int64_t *picked_ids = at_malloc(n * sizeof *picked_ids);
    if (!groups || !factor || !siblings || !picked_ids) {
        at_free(groups);
        at_free(factor);
        at_free(siblings);
        at_free(picked_ids);
        return 0;
    }
    size_t npicked = 0;
    /* groups of one owner, oldest first */
    qsort(jobs, n, sizeof *jobs, by_owner_then_age);
    size_t ngroups = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ngroups || jobs[i].user != groups[ngroups - 1].user ||
            jobs[i].project != groups[ngroups - 1].project)
            groups[ngroups++] =
                (group){.first = i, .count = 0, .next = i, .user = jobs[i].user, .project = jobs[i].project};
        groups[ngroups - 1].count++;
    }
    /* one start at a time: the best group's oldest job that fits; the
     * started job is charged to its owners for the rest of the pass, so
     * that free cores are shared rather than taken by one user */
    while (st->cores_free > 0) {
        group_factors(groups, ngroups, users, nusers, projects, nprojects, factor, siblings);
        double best = -1;
        size_t best_job = 0;
        for (size_t g = 0; g < ngroups; g++) {
            group *gr = &groups[g];
            const at_sched_entity *u = &users[gr->user], *p = &projects[gr->project];
            if ((u->concurrent_limit && u->running >= u->concurrent_limit) ||
                (p->concurrent_limit && p->running >= p->concurrent_limit))
                continue;
            for (size_t k = gr->next; k < gr->first + gr->count; k++) {
                at_sched_job *jb = &jobs[k];
                if (jb->cores < 0) /* picked already */
                    continue;
                if (jb->cores > st->cores_free || jb->gpus > st->gpus_free ||
                    jb->memory_mb > st->memory_free_mb)
                    continue;
                double pr = job_priority(jb, st, factor[g]);
                if (pr > best) {
                    best = pr;
                    best_job = k;
                }
                break; /* the oldest job that fits stands for its group */
            }
        }
        if (best < 0)
            break;
        at_sched_job *jb = &jobs[best_job];
        st->cores_free -= jb->cores;
        st->gpus_free -= jb->gpus;
        st->memory_free_mb -= jb->memory_mb;
        double charge = jb->cores * 600.0; /* ten minutes' worth, for this pass only */
        users[jb->user].usage += charge;
        projects[jb->project].usage += charge;
        users[jb->user].running++;
        projects[jb->project].running++;
        picked_ids[npicked++] = jb->id;
        jb->cores = -jb->cores - 1; /* marked */
    }
    /* undo the pass's charges, then the priority every queued job shows */
    for (size_t i = 0; i < n; i++)
        if (jobs[i].cores < 0) {
            jobs[i].cores = -jobs[i].cores - 1;
            users[jobs[i].user].usage -= jobs[i].cores * 600.0;
            projects[jobs[i].project].usage -= jobs[i].cores * 600.0;
        }
    group_factors(groups, ngroups, users, nusers, projects, nprojects, factor, siblings);
    for (size_t g = 0; g < ngroups; g++)
        for (size_t k = groups[g].first; k < groups[g].first + groups[g].count; k++)
            jobs[k].priority = job_priority(&jobs[k], st, factor[g]);
    qsort(jobs, n, sizeof *jobs, by_priority);
    size_t out = 0;
    for (size_t i = 0; i < n && out < npicked; i++)
        for (size_t k = 0; k < npicked; k++)
            if (jobs[i].id == picked_ids[k]) {
                picked[out++] = i;
                break;
            }
    at_free(groups);
    at_free(factor);
    at_free(siblings);
    at_free(picked_ids);
    return out;
}
