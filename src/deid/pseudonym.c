/* Keyed pseudonyms: UIDs (2.25 from a 128-bit keyed hash), patient
 * pseudonyms (base32), the per-patient day shift and date arithmetic. Every
 * hash uses its own domain string. (The safe private table is in
 * allow.c.) */
#include "deid/internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define STANDARD_UID_ROOT "1.2.840.10008."

void at_deid_uid(const at_key *key, const char *uid, char out[65])
{
    size_t n = strlen(uid);
    if (n < 64 && !strncmp(uid, STANDARD_UID_ROOT, sizeof STANDARD_UID_ROOT - 1)) {
        memcpy(out, uid, n + 1);
        return;
    }
    unsigned char h[16];
    at_keyed_hash(key, "atelier/deid/uid", uid, n, h, sizeof h);
    /* decimal of the 128-bit big-endian number: repeated division by 10 */
    uint32_t w[4];
    for (int i = 0; i < 4; i++)
        w[i] = (uint32_t)h[4 * i] << 24 | (uint32_t)h[4 * i + 1] << 16 | (uint32_t)h[4 * i + 2] << 8 |
               h[4 * i + 3];
    char digits[48];
    int nd = 0;
    for (;;) {
        uint64_t rem = 0;
        int nonzero = 0;
        for (int i = 0; i < 4; i++) {
            uint64_t cur = rem << 32 | w[i];
            w[i] = (uint32_t)(cur / 10);
            rem = cur % 10;
            nonzero |= w[i] != 0;
        }
        digits[nd++] = (char)('0' + rem);
        if (!nonzero)
            break;
    }
    memcpy(out, "2.25.", 5);
    for (int i = 0; i < nd; i++)
        out[5 + i] = digits[nd - 1 - i];
    out[5 + nd] = '\0';
}

static void base32(const unsigned char *in, size_t bits, char *out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t n = bits / 5;
    for (size_t i = 0; i < n; i++) {
        size_t bit = i * 5;
        unsigned v = (unsigned)in[bit / 8] << 8 | in[bit / 8 + 1];
        out[i] = alphabet[(v >> (11 - bit % 8)) & 31];
    }
    out[n] = '\0';
}

void at_deid_patient_pseudonym(const at_key *key, const char *identity, char out[20])
{
    unsigned char h[16];
    at_keyed_hash(key, "atelier/deid/patient", identity, strlen(identity), h, sizeof h);
    memcpy(out, "ATL", 3);
    base32(h, 80, out + 3);
}

void at_deid_folder_name(const at_key *key, const char *domain, const char *prefix, const char *value,
                         char out[16])
{
    unsigned char h[16];
    at_keyed_hash(key, domain, value, strlen(value), h, sizeof h);
    size_t p = strlen(prefix);
    if (p > 3)
        p = 3;
    memcpy(out, prefix, p);
    base32(h, 60, out + p);
}

void at_deid_ae_pseudonym(const at_key *key, const char *value, char out[16])
{
    unsigned char h[16];
    at_keyed_hash(key, "atelier/deid/ae", value, strlen(value), h, sizeof h);
    memcpy(out, "AE", 2);
    base32(h, 50, out + 2);
}

int at_deid_day_shift(const at_key *key, const char *identity)
{
    unsigned char h[16];
    at_keyed_hash(key, "atelier/deid/date-shift", identity, strlen(identity), h, sizeof h);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | h[i];
    return -(int)(v % 1095) - 1;
}

static int days_in_month(long y, unsigned m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

/* After YYYYMMDD a DT may hold [HH[MM[SS[.F{1,6}]]]] and an offset &ZZXX;
 * anything else (a DA range, text) is refused so that nothing unshifted
 * is carried over. */
static int valid_tail(const char *t)
{
    size_t i = 0;
    while (t[i] >= '0' && t[i] <= '9' && i < 6)
        i++;
    if (i & 1)
        return 0;
    if (t[i] == '.') {
        if (i != 6)
            return 0;
        size_t f = ++i;
        while (t[i] >= '0' && t[i] <= '9')
            i++;
        if (i == f || i - f > 6)
            return 0;
    }
    if (t[i] == '+' || t[i] == '-') {
        for (int k = 1; k <= 4; k++)
            if (t[i + k] < '0' || t[i + k] > '9')
                return 0;
        i += 5;
    }
    return t[i] == '\0';
}

at_status at_deid_shift_date(const char *value, int days, char *out, size_t n)
{
    for (int i = 0; i < 8; i++)
        if (value[i] < '0' || value[i] > '9')
            return at_error_set(AT_ERR_FORMAT, "not a date");
    if (!valid_tail(value + 8))
        return at_error_set(AT_ERR_FORMAT, "not a date or date-time");
    long y = (value[0] - '0') * 1000 + (value[1] - '0') * 100 + (value[2] - '0') * 10 + (value[3] - '0');
    unsigned m = (unsigned)((value[4] - '0') * 10 + (value[5] - '0'));
    unsigned d = (unsigned)((value[6] - '0') * 10 + (value[7] - '0'));
    if (m < 1 || m > 12 || d < 1 || (int)d > days_in_month(y, m))
        return at_error_set(AT_ERR_FORMAT, "not a date");
    int sm, sd;
    at_civil_from_days(at_days_from_civil(y, (int)m, (int)d) + days, &y, &sm, &sd);
    if (y < 0 || y > 9999)
        return at_error_set(AT_ERR_FORMAT, "date out of range after shift");
    int w = snprintf(out, n, "%04ld%02d%02d%s", y, sm, sd, value + 8);
    if (w < 0 || (size_t)w >= n)
        return at_error_set(AT_ERR_LIMIT, "date value too long");
    return AT_OK;
}
