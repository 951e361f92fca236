/* Verification of the audit chain: every entry's link and hash, and every
 * signed anchor's hashes, read-only. The report names the first broken
 * entry (the lowest sequence number with a problem). Lines of the anchors
 * log that are not valid signed anchors (a line torn by a crash, or
 * forged) vouch for nothing and are counted, not trusted. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANCHOR_DOMAIN "atelier-audit-anchor-v1\n"
#define ANCHOR_LINE_MAX (1 << 20)
#define ANCHOR_ENTRIES_MAX 100000

typedef struct {
    int64_t seq;
    int line;
    unsigned char hash[32];
} anchored;

typedef struct {
    anchored *v;
    size_t n, cap;
    int64_t max_seq;
    int max_line;
    char max_time[32];
    long invalid_lines;
} anchor_set;

static void problem(at_audit_report *r, int64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(at_audit_report *r, int64_t seq, const char *fmt, ...)
{
    r->problems++;
    if (r->first_broken && seq >= r->first_broken)
        return;
    r->first_broken = seq;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
}

static int cmp_anchored(const void *a, const void *b)
{
    const anchored *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Parse and check one line (without its newline); 1 when it is a valid
 * anchor, whose entries were added to set. */
static int anchor_line(anchor_set *set, char *line, int lineno, const unsigned char *pk)
{
    char *sig = strstr(line, " sig=");
    if (!sig || strncmp(line, "v1 from=", 8))
        return 0;
    unsigned char sigbin[crypto_sign_BYTES];
    size_t bin = 0;
    if (sodium_hex2bin(sigbin, sizeof sigbin, sig + 5, strlen(sig + 5), NULL, &bin, NULL) != 0 ||
        bin != sizeof sigbin)
        return 0;
    size_t plen = (size_t)(sig - line);
    size_t mlen = sizeof ANCHOR_DOMAIN - 1 + plen;
    unsigned char *msg = at_malloc(mlen);
    if (!msg)
        return 0;
    memcpy(msg, ANCHOR_DOMAIN, sizeof ANCHOR_DOMAIN - 1);
    memcpy(msg + sizeof ANCHOR_DOMAIN - 1, line, plen);
    int good = crypto_sign_verify_detached(sigbin, msg, mlen, pk) == 0;
    at_free(msg);
    if (!good)
        return 0;
    *sig = '\0';
    long long from = 0, to = 0;
    char when[32] = "";
    int used = 0;
    if (sscanf(line, "v1 from=%lld to=%lld time=%31s hashes=%n", &from, &to, when, &used) < 3 || !used ||
        from < 1 || to < from || to - from >= ANCHOR_ENTRIES_MAX)
        return 0;
    const char *h = line + used;
    size_t count = (size_t)(to - from + 1);
    if (strlen(h) != count * 65 - 1)
        return 0;
    if (AT_GROW(set->v, set->cap, set->n + count))
        return 0;
    for (size_t i = 0; i < count; i++) {
        anchored *a = &set->v[set->n + i];
        if (sodium_hex2bin(a->hash, 32, h + 65 * i, 64, NULL, &bin, NULL) != 0 || bin != 32 ||
            (i + 1 < count && h[65 * i + 64] != ','))
            return 0;
        a->seq = from + (int64_t)i;
        a->line = lineno;
    }
    set->n += count;
    if (to > set->max_seq) {
        set->max_seq = to;
        set->max_line = lineno;
        snprintf(set->max_time, sizeof set->max_time, "%s", when);
    }
    return 1;
}

int64_t room_anchor_line_to(char *line, const unsigned char *pk)
{
    anchor_set set;
    memset(&set, 0, sizeof set);
    int64_t to = anchor_line(&set, line, 0, pk) ? set.max_seq : 0;
    at_free(set.v);
    return to;
}

static at_status anchors_read(const char *dir, const unsigned char *pk, anchor_set *set, at_audit_report *rep)
{
    memset(set, 0, sizeof *set);
    char *path = at_path_join(dir, "audit-anchors.log");
    if (!path)
        return AT_ERR_NOMEM;
    FILE *f = fopen(path, "re");
    at_free(path);
    if (!f)
        return AT_OK; /* no anchors: nothing vouches; the chain alone is checked */
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        int complete = n > 0 && line[n - 1] == '\n';
        if (complete)
            line[--n] = '\0';
        if (n == 0)
            continue;
        if (!complete || n > ANCHOR_LINE_MAX || !anchor_line(set, line, lineno, pk))
            set->invalid_lines++;
        else
            rep->anchors++;
    }
    free(line); /* getline's own allocation */
    fclose(f);
    if (set->n)
        qsort(set->v, set->n, sizeof *set->v, cmp_anchored);
    return AT_OK;
}

/* Walk the chain of db against the anchors. */
static at_status walk(sqlite3 *db, const anchor_set *set, at_audit_report *rep)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT seq, time, actor, action, object, details, prev_hash, hash FROM audit "
                           "ORDER BY seq",
                           -1, &s, NULL) != SQLITE_OK)
        return room_db_error(db, "audit");
    unsigned char prev[32] = {0};
    int64_t expected = 1;
    size_t cursor = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        rep->entries++;
        at_audit_entry e = {.seq = sqlite3_column_int64(s, 0),
                            .actor = (const char *)sqlite3_column_text(s, 2),
                            .action = (const char *)sqlite3_column_text(s, 3),
                            .object = (const char *)sqlite3_column_text(s, 4),
                            .details = (const char *)sqlite3_column_text(s, 5)};
        room_column_copy(s, 1, e.time, sizeof e.time);
        const unsigned char *ph = sqlite3_column_blob(s, 6), *hh = sqlite3_column_blob(s, 7);
        int sizes_ok = sqlite3_column_bytes(s, 6) == 32 && sqlite3_column_bytes(s, 7) == 32;
        if (e.seq > expected) {
            if (e.seq == expected + 1)
                problem(rep, expected, "entry %lld is missing (deleted)", (long long)expected);
            else
                problem(rep, expected, "entries %lld to %lld are missing (deleted)", (long long)expected,
                        (long long)(e.seq - 1));
            if (sizes_ok)
                memcpy(prev, ph, 32); /* resynchronise: one report per gap */
        }
        if (!sizes_ok) {
            problem(rep, e.seq, "entry %lld has a damaged hash", (long long)e.seq);
        } else {
            if (sodium_memcmp(ph, prev, 32) != 0)
                problem(rep, e.seq, "entry %lld does not follow entry %lld (its previous hash differs)",
                        (long long)e.seq, (long long)(e.seq - 1));
            unsigned char h[32];
            at_room_audit_entry_hash(ph, &e, h);
            if (sodium_memcmp(h, hh, 32) != 0)
                problem(rep, e.seq, "entry %lld was edited (its contents do not match its hash)",
                        (long long)e.seq);
            while (cursor < set->n && set->v[cursor].seq < e.seq)
                cursor++;
            for (size_t k = cursor; k < set->n && set->v[k].seq == e.seq; k++)
                if (sodium_memcmp(set->v[k].hash, hh, 32) != 0)
                    problem(rep, e.seq,
                            "entry %lld differs from its signed anchor (line %d of audit-anchors.log): "
                            "the chain was rewritten from this entry on",
                            (long long)e.seq, set->v[k].line);
            memcpy(prev, hh, 32);
        }
        expected = e.seq + 1;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return room_db_error(db, "audit");
    if (set->max_seq >= expected)
        problem(rep, expected,
                "entries %lld to %lld are missing (the newest deleted): the signed anchor of %s "
                "(line %d of audit-anchors.log) names entry %lld",
                (long long)expected, (long long)set->max_seq, set->max_time, set->max_line,
                (long long)set->max_seq);
    return AT_OK;
}

static at_status verify(sqlite3 *db, const char *dir, const unsigned char *pk, at_audit_report *rep)
{
    memset(rep, 0, sizeof *rep);
    anchor_set set;
    at_status st = anchors_read(dir, pk, &set, rep);
    if (!st)
        st = walk(db, &set, rep);
    if (!st) {
        rep->ok = rep->problems == 0;
        if (rep->ok)
            snprintf(rep->message, sizeof rep->message,
                     "%lld entries, %lld signed anchors (the newest covers entry %lld)%s",
                     (long long)rep->entries, (long long)rep->anchors, (long long)set.max_seq,
                     set.invalid_lines ? "; some lines of the anchors log are not valid anchors" : "");
    }
    at_free(set.v);
    return st;
}

at_status at_room_audit_verify(const char *dir, const char *public_key_hex, at_audit_report *report)
{
    memset(report, 0, sizeof *report);
    at_status st = at_crypto_init();
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    if (!st)
        st = room_audit_public_key(dir, public_key_hex, pk);
    if (st)
        return st;
    char *path = at_path_join(dir, "catalog.db");
    if (!path)
        return AT_ERR_NOMEM;
    sqlite3 *db = NULL;
    if (!at_path_is_dir(dir))
        st = at_error_set(AT_ERR_NOT_FOUND, "%s: not a room folder", dir);
    if (!st)
        st = room_db_open(path, 1, &db);
    at_free(path);
    if (!st)
        st = verify(db, dir, pk, report);
    sqlite3_close(db);
    return st;
}

at_status at_room_audit_verify_open(at_room *room, at_audit_report *report)
{
    room_conn *c = room_conn_get(room);
    /* one snapshot of the catalog for the whole walk */
    at_status st =
        sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? AT_OK : room_db_error(c->db, "begin");
    if (!st) {
        st = verify(c->db, room->dir, room->audit_pk, report);
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    }
    room_conn_put(room, c);
    return st;
}
