/* The audit chain: every entry's hash is BLAKE2b-256 over the previous
 * entry's hash and the entry's canonical form, appended in the same
 * transaction as the change it records. Signed anchors (Ed25519) outside
 * the catalog, in DIR/audit-anchors.log, carry the hash of every entry
 * they cover, so that deleting the newest rows or rebuilding the chain
 * without the key is found, and where. One line:
 *   v1 from=F to=T time=ISO hashes=H_F,...,H_T sig=SIGNATURE
 * the signature over "atelier-audit-anchor-v1\n" and the line up to " sig=".
 * At most ANCHOR_LINE_ENTRIES entries per line. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ANCHOR_LINE_ENTRIES 100
#define ANCHOR_DOMAIN "atelier-audit-anchor-v1\n"

static void put_u32(crypto_generichash_state *h, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                          (unsigned char)v};
    crypto_generichash_update(h, b, 4);
}

static void put_field(crypto_generichash_state *h, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    put_u32(h, (uint32_t)n);
    if (n)
        crypto_generichash_update(h, (const unsigned char *)s, n);
}

void at_room_audit_entry_hash(const unsigned char prev[32], const at_audit_entry *e, unsigned char out[32])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    crypto_generichash_update(&h, prev, 32);
    static const char tag[] = "atelier-audit-v1";
    crypto_generichash_update(&h, (const unsigned char *)tag, sizeof tag); /* with its NUL */
    unsigned char seq[8];
    for (int i = 0; i < 8; i++)
        seq[i] = (unsigned char)((uint64_t)e->seq >> (56 - 8 * i));
    crypto_generichash_update(&h, seq, 8);
    put_field(&h, e->time);
    put_field(&h, e->actor);
    put_field(&h, e->action);
    put_field(&h, e->object);
    put_field(&h, e->details);
    crypto_generichash_final(&h, out, 32);
}

at_status room_audit_append(room_conn *c, const char *actor, const char *action, const char *object,
                            const char *details)
{
    if (!details)
        details = "{}";
    if (strlen(details) > ROOM_AUDIT_DETAILS_MAX)
        return at_error_set(AT_ERR_LIMIT, "audit: details longer than %d bytes", ROOM_AUDIT_DETAILS_MAX);
    unsigned char prev[32] = {0};
    int64_t seq = 1;
    sqlite3_stmt *s = room_stmt(c, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    if (!s)
        return AT_ERR_IO;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        seq = sqlite3_column_int64(s, 0) + 1;
        if (sqlite3_column_bytes(s, 1) != 32) {
            sqlite3_reset(s);
            return at_error_set(AT_ERR_FORMAT, "audit: entry %lld has a hash of the wrong size",
                                (long long)(seq - 1));
        }
        memcpy(prev, sqlite3_column_blob(s, 1), 32);
    } else if (rc != SQLITE_DONE) {
        sqlite3_reset(s);
        return room_db_error(c->db, "audit head");
    }
    sqlite3_reset(s);
    at_audit_entry e = {.seq = seq,
                        .actor = actor ? actor : "",
                        .action = action,
                        .object = object ? object : "",
                        .details = details};
    room_time_iso(at_room_now(), e.time);
    unsigned char hash[32];
    at_room_audit_entry_hash(prev, &e, hash);
    s = room_stmt(c, "INSERT INTO audit(seq, time, actor, action, object, details, prev_hash, hash) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, seq);
    room_bind_text(s, 2, e.time);
    room_bind_text(s, 3, e.actor);
    room_bind_text(s, 4, e.action);
    room_bind_text(s, 5, e.object);
    room_bind_text(s, 6, e.details);
    room_bind_blob(s, 7, prev, 32);
    room_bind_blob(s, 8, hash, 32);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return room_db_error(c->db, "audit append");
    c->audit_added++;
    return AT_OK;
}

at_status at_room_audit(at_room *room, const char *actor, const char *action, const char *object,
                        const char *details)
{
    room_conn *c = room_conn_get(room);
    at_status st = room_begin(c);
    if (!st)
        st = room_audit_append(c, actor, action, object, details);
    if (!st)
        st = room_commit(room, c);
    room_conn_put(room, c);
    return st;
}

/* Append one line to the anchors log, starting on a fresh line if a crash
 * left the last one unfinished; synced before returning. */
static at_status anchors_append(const char *dir, const char *line, size_t len)
{
    char *path = at_path_join(dir, "audit-anchors.log");
    if (!path)
        return AT_ERR_NOMEM;
    int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    at_status st = AT_OK;
    if (fd < 0) {
        st = at_error_set(AT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        at_free(path);
        return st;
    }
    off_t end = lseek(fd, 0, SEEK_END);
    char last = '\n';
    if (end > 0 && pread(fd, &last, 1, end - 1) != 1)
        last = '\n';
    if (last != '\n' && write(fd, "\n", 1) != 1)
        st = at_error_set(AT_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    if (!st && at_fd_write_all(fd, line, len))
        st = at_error_set(AT_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    if (!st && fsync(fd) != 0)
        st = at_error_set(AT_ERR_IO, "%s: cannot sync: %s", path, strerror(errno));
    close(fd);
    at_free(path);
    return st;
}

/* Sign and append one anchor line over entries [from, to] whose hashes
 * are in hashes (32 bytes each). */
static at_status anchor_write(at_room *room, int64_t from, int64_t to, const unsigned char *hashes)
{
    size_t n = (size_t)(to - from + 1);
    at_buf b;
    at_buf_init(&b, 64 + n * 65 + 200);
    char when[32];
    room_time_iso(at_room_now(), when);
    at_status st =
        at_buf_printf(&b, "v1 from=%lld to=%lld time=%s hashes=", (long long)from, (long long)to, when);
    for (size_t i = 0; i < n && !st; i++) {
        char hex[65];
        sodium_bin2hex(hex, sizeof hex, hashes + 32 * i, 32);
        st = at_buf_printf(&b, "%s%s", i ? "," : "", hex);
    }
    if (!st) {
        size_t msglen = sizeof ANCHOR_DOMAIN - 1 + b.len;
        unsigned char *msg = at_malloc(msglen);
        if (!msg) {
            st = AT_ERR_NOMEM;
        } else {
            memcpy(msg, ANCHOR_DOMAIN, sizeof ANCHOR_DOMAIN - 1);
            memcpy(msg + sizeof ANCHOR_DOMAIN - 1, b.data, b.len);
            unsigned char sig[crypto_sign_BYTES];
            crypto_sign_detached(sig, NULL, msg, msglen, room->audit_sk);
            at_free(msg);
            char hex[2 * crypto_sign_BYTES + 1];
            sodium_bin2hex(hex, sizeof hex, sig, sizeof sig);
            st = at_buf_printf(&b, " sig=%s\n", hex);
        }
    }
    if (!st)
        st = anchors_append(room->dir, (const char *)b.data, b.len);
    at_buf_free(&b);
    return st;
}

at_status room_audit_anchor(at_room *room, room_conn *c, int force)
{
    pthread_mutex_lock(&room->anchor_mu);
    at_status st = AT_OK;
    sqlite3_stmt *s = room_stmt(c, "SELECT seq, hash FROM audit WHERE seq > ? ORDER BY seq LIMIT ?");
    int64_t every = room->conf.audit_anchor_every > 0 ? room->conf.audit_anchor_every : ANCHOR_LINE_ENTRIES;
    unsigned char *hashes = at_malloc(32 * ANCHOR_LINE_ENTRIES);
    if (!s || !hashes)
        st = s ? AT_ERR_NOMEM : AT_ERR_IO;
    /* line after line of at most ANCHOR_LINE_ENTRIES, while enough wait */
    while (!st) {
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, room->anchored_seq);
        sqlite3_bind_int64(s, 2, ANCHOR_LINE_ENTRIES);
        int64_t from = 0, to = 0;
        size_t n = 0;
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            int64_t seq = sqlite3_column_int64(s, 0);
            if (n && seq != to + 1)
                break; /* a gap: anchor up to it; verify will name it */
            if (sqlite3_column_bytes(s, 1) != 32)
                break;
            if (!n)
                from = seq;
            memcpy(hashes + 32 * n++, sqlite3_column_blob(s, 1), 32);
            to = seq;
        }
        sqlite3_reset(s);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            st = room_db_error(c->db, "audit anchor");
            break;
        }
        if (n == 0 || (!force && (int64_t)n < every))
            break;
        st = anchor_write(room, from, to, hashes);
        if (!st)
            room->anchored_seq = to;
    }
    at_free(hashes);
    pthread_mutex_unlock(&room->anchor_mu);
    return st;
}

int64_t room_anchors_last_seq(const char *dir, const unsigned char *pk)
{
    char *path = at_path_join(dir, "audit-anchors.log");
    if (!path)
        return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    at_free(path);
    if (fd < 0)
        return 0;
    /* the valid signed lines among the complete lines of the file's tail */
    int64_t best = 0;
    off_t size = lseek(fd, 0, SEEK_END);
    const size_t tail = 256 * 1024;
    off_t start = size > (off_t)tail ? size - (off_t)tail : 0;
    char *buf = at_malloc(tail + 1);
    ssize_t n = buf ? pread(fd, buf, (size_t)(size - start), start) : -1;
    close(fd);
    if (n > 0) {
        buf[n] = '\0';
        char *p = buf;
        if (start > 0) { /* the first line is cut */
            char *nl = strchr(p, '\n');
            p = nl ? nl + 1 : buf + n;
        }
        for (char *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
            *nl = '\0';
            int64_t to = room_anchor_line_to(p, pk);
            if (to > best)
                best = to;
        }
    }
    at_free(buf);
    return best;
}

/* ---- queries ---- */

/* The bound for a filter's time: a date alone, or a date and time as the
 * audit writes it. For until, a date alone means the end of that day. */
static at_status time_bound(const char *in, int until, char out[32])
{
    long days;
    size_t n = strlen(in);
    if (n == 10 && at_date_parse_iso(in, &days)) {
        if (!until) {
            snprintf(out, 32, "%s", in);
        } else {
            long y;
            int m, d;
            at_civil_from_days(days + 1, &y, &m, &d);
            snprintf(out, 32, "%04ld-%02d-%02d", y, m, d);
        }
        return AT_OK;
    }
    char date[11];
    if (n >= 16 && n <= 20 && in[10] == 'T') {
        memcpy(date, in, 10);
        date[10] = '\0';
        int ok = at_date_parse_iso(date, &days);
        for (size_t i = 11; i < n && ok; i++)
            ok = (in[i] >= '0' && in[i] <= '9') || in[i] == ':' || (in[i] == 'Z' && i == n - 1);
        if (ok) {
            snprintf(out, 32, "%s", in);
            return AT_OK;
        }
    }
    return at_error_set(AT_ERR_ARG, "a time must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
}

at_status at_room_audit_query(at_room *room, const at_audit_filter *f, at_audit_fn fn, void *ud)
{
    char since[32] = "", until[32] = "";
    at_status st = AT_OK;
    if (f->since && *f->since)
        st = time_bound(f->since, 0, since);
    if (!st && f->until && *f->until)
        st = time_bound(f->until, 1, until);
    if (st)
        return st;
    int64_t limit = f->limit > 0 ? f->limit : 1000;
    room_conn *c = room_conn_get(room);
    sqlite3_stmt *s = room_stmt(c, "SELECT seq, time, actor, action, object, details FROM audit"
                                   " WHERE (?1 IS NULL OR actor = ?1)"
                                   " AND (?2 IS NULL OR substr(action, 1, length(?2)) = ?2)"
                                   " AND (?3 IS NULL OR time >= ?3) AND (?4 IS NULL OR time < ?4)"
                                   " ORDER BY seq DESC LIMIT ?5");
    if (!s) {
        room_conn_put(room, c);
        return AT_ERR_IO;
    }
    room_bind_text(s, 1, f->who && *f->who ? f->who : NULL);
    room_bind_text(s, 2, f->what && *f->what ? f->what : NULL);
    room_bind_text(s, 3, since[0] ? since : NULL);
    room_bind_text(s, 4, until[0] ? until : NULL);
    sqlite3_bind_int64(s, 5, limit);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        at_audit_entry e = {.seq = sqlite3_column_int64(s, 0),
                            .actor = (const char *)sqlite3_column_text(s, 2),
                            .action = (const char *)sqlite3_column_text(s, 3),
                            .object = (const char *)sqlite3_column_text(s, 4),
                            .details = (const char *)sqlite3_column_text(s, 5)};
        room_column_copy(s, 1, e.time, sizeof e.time);
        if (fn(ud, &e))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = room_db_error(c->db, "audit query");
    sqlite3_reset(s);
    room_conn_put(room, c);
    return st;
}
