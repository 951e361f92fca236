/* Security of the room's service, over HTTPS: lockout after wrong
 * passwords and codes, TOTP replay, CSRF (no token, a wrong one, a foreign
 * Origin, a cross-site fetch), session fixation, cookie attributes, bodies
 * over the limit, a slow client, malformed JSON, SQL metacharacters, and
 * no secret or password hash in any response, the log or the audit. */
#include "room_support.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static rs_room R;
static char transcript[1 << 22]; /* every response body that must hold no secret */
static size_t transcript_len;

static void keep(const rs_resp *r)
{
    size_t n =
        r->len < sizeof transcript - transcript_len - 1 ? r->len : sizeof transcript - transcript_len - 1;
    memcpy(transcript + transcript_len, r->body, n);
    transcript_len += n;
    transcript[transcript_len] = '\0';
}

static long api(const char *method, const char *path, const char *token, const char *json, rs_resp *r)
{
    char auth[200];
    const char *h[3] = {0};
    int k = 0;
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h[k++] = auth;
    }
    if (json)
        h[k++] = "Content-Type: application/json";
    return rs_http(&R, method, path, h, json, r);
}

static char secrets[64][128];
static int nsecrets;
static void secret(const char *s)
{
    if (s && *s && nsecrets < 64)
        snprintf(secrets[nsecrets++], sizeof secrets[0], "%s", s);
}

static char admin_token[128], admin_secret[AT_ROOM_TOTP_SECRET_MAX];

static int setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    at_room_set_clock(rs_clock);
    at_log_set_handler(rs_log_fn, NULL, AT_LOG_DEBUG);
    rs_start(&R, "connection_timeout = 2\n");
    secret(R.admin_otp);
    /* the administrator goes through the API's setup, as a client would */
    rs_resp r;
    char body[512];
    snprintf(body, sizeof body, "{\"user\":\"admin\",\"password\":\"%s\"}", R.admin_otp);
    assert_int_equal(api("POST", "/api/v1/login", NULL, body, &r), 200);
    char *tok = rs_json_str(r.body, "token");
    assert_non_null(strstr(r.body, "\"must\":[\"password\",\"mfa\"]"));
    secret(tok);
    rs_free(&r);
    assert_int_equal(api("GET", "/api/v1/me", tok, NULL, &r), 403);
    keep(&r);
    rs_free(&r);
    assert_int_equal(api("POST", "/api/v1/password", tok, "{\"password\":\"admin's new password\"}", &r),
                     200);
    keep(&r);
    rs_free(&r);
    secret("admin's new password");
    assert_int_equal(api("POST", "/api/v1/mfa/enrol", tok, "{}", &r), 200);
    char *sec = rs_json_str(r.body, "secret");
    assert_non_null(sec);
    snprintf(admin_secret, sizeof admin_secret, "%s", sec);
    secret(sec);
    free(sec);
    rs_free(&r);
    char code[7], json[256];
    at_room_totp_code(admin_secret, rs_clock(), code);
    snprintf(json, sizeof json, "{\"totp\":\"%s\"}", code);
    assert_int_equal(api("POST", "/api/v1/mfa/confirm", tok, json, &r), 200);
    keep(&r);
    rs_free(&r);
    /* the setup token still serves nothing else */
    assert_int_equal(api("GET", "/api/v1/me", tok, NULL, &r), 403);
    keep(&r);
    rs_free(&r);
    free(tok);
    rs_offset += 30;
    at_room_totp_code(admin_secret, rs_clock(), code);
    snprintf(json, sizeof json, "{\"user\":\"admin\",\"password\":\"admin's new password\",\"totp\":\"%s\"}",
             code);
    assert_int_equal(api("POST", "/api/v1/login", NULL, json, &r), 200);
    tok = rs_json_str(r.body, "token");
    assert_null(strstr(r.body, "must"));
    snprintf(admin_token, sizeof admin_token, "%s", tok);
    secret(tok);
    free(tok);
    rs_free(&r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rs_stop(&R);
    at_room_set_clock(NULL);
    return 0;
}

/* A user made through the API and set up to a full login; returns its
 * token; secret_out its TOTP key. */
static void make_user(const char *name, const char *password, char *token, char *secret_out)
{
    rs_resp r;
    char json[512];
    snprintf(json, sizeof json, "{\"user\":\"%s\"}", name);
    assert_int_equal(api("POST", "/api/v1/users", admin_token, json, &r), 201);
    char *otp = rs_json_str(r.body, "password");
    secret(otp);
    rs_free(&r);
    snprintf(json, sizeof json, "{\"user\":\"%s\",\"password\":\"%s\"}", name, otp);
    assert_int_equal(api("POST", "/api/v1/login", NULL, json, &r), 200);
    char *tok = rs_json_str(r.body, "token");
    rs_free(&r);
    snprintf(json, sizeof json, "{\"password\":\"%s\"}", password);
    assert_int_equal(api("POST", "/api/v1/password", tok, json, &r), 200);
    rs_free(&r);
    assert_int_equal(api("POST", "/api/v1/mfa/enrol", tok, "{}", &r), 200);
    char *sec = rs_json_str(r.body, "secret");
    strcpy(secret_out, sec);
    secret(sec);
    rs_free(&r);
    char code[7];
    at_room_totp_code(sec, rs_clock(), code);
    snprintf(json, sizeof json, "{\"totp\":\"%s\"}", code);
    assert_int_equal(api("POST", "/api/v1/mfa/confirm", tok, json, &r), 200);
    rs_free(&r);
    rs_offset += 30;
    at_room_totp_code(sec, rs_clock(), code);
    snprintf(json, sizeof json, "{\"user\":\"%s\",\"password\":\"%s\",\"totp\":\"%s\"}", name, password,
             code);
    assert_int_equal(api("POST", "/api/v1/login", NULL, json, &r), 200);
    char *t2 = rs_json_str(r.body, "token");
    strcpy(token, t2);
    secret(t2);
    secret(password);
    free(t2);
    rs_free(&r);
    free(otp);
    free(tok);
    free(sec);
}

static void test_lockout_and_replay(void **state)
{
    (void)state;
    char token[128], sec[AT_ROOM_TOTP_SECRET_MAX], json[300], code[7];
    make_user("lena", "lena's password!", token, sec);
    rs_resp r;
    /* TOTP replay: the code just used to log in is refused */
    rs_offset += 30;
    at_room_totp_code(sec, rs_clock(), code);
    snprintf(json, sizeof json, "{\"user\":\"lena\",\"password\":\"lena's password!\",\"totp\":\"%s\"}",
             code);
    assert_int_equal(api("POST", "/api/v1/login", NULL, json, &r), 200);
    rs_free(&r);
    assert_int_equal(api("POST", "/api/v1/login", NULL, json, &r), 401);
    keep(&r);
    rs_free(&r);
    /* a wrong code, wrong passwords: locked at the fifth failure (one already) */
    snprintf(json, sizeof json, "{\"user\":\"lena\",\"password\":\"lena's password!\",\"totp\":\"%06d\"}",
             (atoi(code) + 1) % 1000000);
    assert_int_equal(api("POST", "/api/v1/login", NULL, json, &r), 401);
    keep(&r);
    rs_free(&r);
    for (int i = 0; i < 3; i++) {
        long st = api("POST", "/api/v1/login", NULL, "{\"user\":\"lena\",\"password\":\"guess guess\"}", &r);
        keep(&r);
        assert_int_equal(st, i < 2 ? 401 : 429);
        if (i == 2)
            assert_non_null(strstr(r.body, "\"retry_after\":60"));
        rs_free(&r);
    }
    rs_offset += 30;
    at_room_totp_code(sec, rs_clock(), code);
    snprintf(json, sizeof json, "{\"user\":\"lena\",\"password\":\"lena's password!\",\"totp\":\"%s\"}",
             code);
    assert_int_equal(api("POST", "/api/v1/login", NULL, json, &r), 429);
    keep(&r);
    rs_free(&r);
    /* unknown users answer like known ones */
    assert_int_equal(
        api("POST", "/api/v1/login", NULL, "{\"user\":\"nobody\",\"password\":\"guess guess\"}", &r), 401);
    assert_non_null(strstr(r.body, "wrong user name, password or code"));
    keep(&r);
    rs_free(&r);
    /* the lock ends; the next failure locks twice as long */
    rs_offset += 61;
    assert_int_equal(
        api("POST", "/api/v1/login", NULL, "{\"user\":\"lena\",\"password\":\"guess guess\"}", &r), 429);
    assert_non_null(strstr(r.body, "\"retry_after\":120"));
    rs_free(&r);
    rs_offset += 121;
    at_room_totp_code(sec, rs_clock(), code);
    snprintf(json, sizeof json, "{\"user\":\"lena\",\"password\":\"lena's password!\",\"totp\":\"%s\"}",
             code);
    assert_int_equal(api("POST", "/api/v1/login", NULL, json, &r), 200);
    rs_free(&r);
}

/* A page POST as the admin with a browser session. */
static char admin_cookie[128];
static long page_post(const char *path, const char *cookie, const char *csrf, const char *origin,
                      const char *site, const char *form, rs_resp *r)
{
    char c[200], o[200], s[100], body[1024];
    const char *h[5] = {"Content-Type: application/x-www-form-urlencoded"};
    int k = 1;
    if (cookie) {
        snprintf(c, sizeof c, "Cookie: __Host-atelier=%s", cookie);
        h[k++] = c;
    }
    if (origin) {
        snprintf(o, sizeof o, "Origin: %s", origin);
        h[k++] = o;
    }
    if (site) {
        snprintf(s, sizeof s, "Sec-Fetch-Site: %s", site);
        h[k++] = s;
    }
    snprintf(body, sizeof body, "%s%s%s%s", csrf ? "csrf=" : "", csrf ? csrf : "", csrf && form ? "&" : "",
             form ? form : "");
    return rs_http(&R, "POST", path, h, body, r);
}

static void test_csrf(void **state)
{
    (void)state;
    at_user u;
    assert_int_equal(at_room_user_get(R.room, "admin", &u), AT_OK);
    assert_int_equal(at_room_session_open(R.room, u.id, AT_SESSION_BROWSER, AT_STAGE_FULL, 0, admin_cookie),
                     AT_OK);
    secret(admin_cookie);
    char csrf[AT_ROOM_TOKEN_MAX], other[AT_ROOM_TOKEN_MAX];
    at_room_csrf_token(R.room, admin_cookie, csrf);
    at_room_csrf_token(R.room, "another cookie", other);
    rs_resp r;
    struct {
        const char *csrf, *origin, *site;
    } bad[] = {
        {NULL, R.url, NULL},                  /* no token */
        {other, R.url, NULL},                 /* a token of another session */
        {"", R.url, NULL},                    /* an empty one */
        {csrf, "https://evil.example", NULL}, /* a foreign origin */
        {csrf, "null", NULL},                 /* an opaque origin */
        {csrf, NULL, "cross-site"},           /* a cross-site fetch */
        {csrf, R.url, "same-site"},           /* a sibling site */
        {csrf, NULL, NULL},                   /* neither header */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        long st = page_post("/admin/projects", admin_cookie, bad[i].csrf, bad[i].origin, bad[i].site,
                            "name=csrf-victim", &r);
        if (st != 403)
            fail_msg("CSRF case %zu: HTTP %ld", i, st);
        keep(&r);
        rs_free(&r);
    }
    at_project p;
    assert_int_equal(at_room_project_get(R.room, "csrf-victim", &p), AT_ERR_NOT_FOUND);
    /* the same form from our own page passes (Origin, or Sec-Fetch-Site alone) */
    assert_int_equal(
        page_post("/admin/projects", admin_cookie, csrf, R.url, "same-origin", "name=csrf-ok", &r), 303);
    rs_free(&r);
    assert_int_equal(
        page_post("/admin/projects", admin_cookie, csrf, NULL, "same-origin", "name=csrf-ok2", &r), 303);
    rs_free(&r);
    assert_int_equal(at_room_project_get(R.room, "csrf-ok", &p), AT_OK);
    /* the API takes no cookie: a browser's cookie alone is nobody there */
    char c[200];
    snprintf(c, sizeof c, "Cookie: __Host-atelier=%s", admin_cookie);
    const char *h[] = {c, "Content-Type: application/json", NULL};
    assert_int_equal(rs_http(&R, "POST", "/api/v1/projects", h, "{\"name\":\"via-cookie\"}", &r), 401);
    rs_free(&r);
}

static void check_cookie(const char *set_cookie)
{
    assert_non_null(strstr(set_cookie, "__Host-atelier="));
    assert_non_null(strstr(set_cookie, "; Path=/"));
    assert_non_null(strstr(set_cookie, "; Secure"));
    assert_non_null(strstr(set_cookie, "; HttpOnly"));
    assert_non_null(strstr(set_cookie, "; SameSite=Strict"));
    assert_null(strstr(set_cookie, "Domain"));
}

static void test_session_fixation_and_cookies(void **state)
{
    (void)state;
    char token[128], sec[AT_ROOM_TOTP_SECRET_MAX], code[7], form[200];
    make_user("fix", "fix's own password", token, sec);
    rs_resp r;
    /* a browser arrives: the login page gives it a pre-login cookie */
    assert_int_equal(rs_http(&R, "GET", "/login", NULL, NULL, &r), 200);
    check_cookie(r.set_cookie);
    char pre[200];
    snprintf(pre, sizeof pre, "%s", rs_cookie_value(r.set_cookie));
    assert_int_equal(strncmp(pre, "pre_", 4), 0);
    assert_null(strstr(r.body, "atl_"));
    rs_free(&r);
    /* an attacker's cookie planted before login is never adopted */
    const char *planted = "pre_attacker-chose-this";
    char csrf[AT_ROOM_TOKEN_MAX];
    at_room_csrf_token(R.room, planted, csrf);
    assert_int_equal(
        page_post("/login", planted, csrf, R.url, NULL, "user=fix&password=fix%27s+own+password", &r), 303);
    assert_string_equal(r.location, "/login/mfa");
    check_cookie(r.set_cookie);
    char step1[200];
    snprintf(step1, sizeof step1, "%s", rs_cookie_value(r.set_cookie));
    assert_string_not_equal(step1, planted);
    assert_int_equal(strncmp(step1, "atl_", 4), 0);
    rs_free(&r);
    /* a wrong password leaves the cookie as it was */
    assert_int_equal(
        page_post("/login", planted, csrf, R.url, NULL, "user=fix&password=not+the+password", &r), 401);
    assert_string_equal(r.set_cookie, "");
    keep(&r);
    rs_free(&r);
    /* the code: a new id again, the step-1 id is dead */
    rs_offset += 30;
    at_room_totp_code(sec, rs_clock(), code);
    at_room_csrf_token(R.room, step1, csrf);
    snprintf(form, sizeof form, "code=%s", code);
    assert_int_equal(page_post("/login/mfa", step1, csrf, R.url, NULL, form, &r), 303);
    assert_string_equal(r.location, "/");
    check_cookie(r.set_cookie);
    char step2[200];
    snprintf(step2, sizeof step2, "%s", rs_cookie_value(r.set_cookie));
    assert_string_not_equal(step2, step1);
    rs_free(&r);
    char c[260];
    snprintf(c, sizeof c, "Cookie: __Host-atelier=%s", step1);
    const char *h1[] = {c, NULL};
    assert_int_equal(rs_http(&R, "GET", "/login/mfa", h1, NULL, &r), 303);
    assert_string_equal(r.location, "/login");
    rs_free(&r);
    snprintf(c, sizeof c, "Cookie: __Host-atelier=%s", step2);
    const char *h2[] = {c, NULL};
    assert_int_equal(rs_http(&R, "GET", "/", h2, NULL, &r), 200);
    assert_non_null(strstr(r.body, "fix"));
    keep(&r);
    rs_free(&r);
    /* logging in again from a logged-in browser gives yet another id */
    at_room_csrf_token(R.room, step2, csrf);
    assert_int_equal(
        page_post("/login", step2, csrf, R.url, NULL, "user=fix&password=fix%27s+own+password", &r), 303);
    assert_string_not_equal(rs_cookie_value(r.set_cookie), step2);
    rs_free(&r);
    /* logout: the cookie is expired and the session ends */
    assert_int_equal(page_post("/logout", step2, csrf, R.url, NULL, NULL, &r), 303);
    assert_non_null(strstr(r.set_cookie, "Max-Age=0"));
    rs_free(&r);
    assert_int_equal(rs_http(&R, "GET", "/", h2, NULL, &r), 303);
    rs_free(&r);
    /* security headers on every answer */
    assert_int_equal(rs_http(&R, "GET", "/login", NULL, NULL, &r), 200);
    rs_free(&r);
}

static size_t zeros(char *buf, size_t size, size_t n, void *ud)
{
    size_t *left = ud, k = size * n < *left ? size * n : *left;
    memset(buf, 'a', k);
    *left -= k;
    return k;
}

static void test_body_limits(void **state)
{
    (void)state;
    rs_resp r;
    /* declared too large: refused before it is read */
    char *big = malloc(70001);
    memset(big, 'x', 70000);
    big[70000] = '\0';
    memcpy(big, "{\"user\":\"", 9);
    assert_int_equal(api("POST", "/api/v1/login", NULL, big, &r), 413);
    rs_free(&r);
    free(big);
    /* streamed (chunked) past the limit: the connection is dropped */
    CURL *h = curl_easy_init();
    char url[200];
    snprintf(url, sizeof url, "%s/api/v1/login", R.url);
    size_t left = 300000;
    struct curl_slist *hl = curl_slist_append(NULL, "Transfer-Encoding: chunked");
    hl = curl_slist_append(hl, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CAINFO, R.cacert);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, zeros);
    curl_easy_setopt(h, CURLOPT_READDATA, &left);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    assert_true(rc != CURLE_OK || status == 413 || status == 0);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    /* and the service goes on */
    assert_int_equal(api("GET", "/api/v1/health", NULL, NULL, &r), 200);
    rs_free(&r);
}

static void test_slow_client(void **state)
{
    (void)state;
    /* a client that connects and sends nothing is closed after the
     * connection timeout (2 s here) */
    int port = at_web_port(R.srv);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    double t0 = at_now_seconds();
    char buf[64];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
    } /* at most a TLS alert, then the end */
    double waited = at_now_seconds() - t0;
    close(fd);
    print_message("slow client closed after %.1f s\n", waited);
    assert_true(waited >= 1.5 && waited < 8.0);
    /* a client that sends half a request and stops: closed too */
    fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    assert_int_equal(send(fd, "\x16\x03\x01\x00", 4, 0), 4); /* the start of a TLS record */
    t0 = at_now_seconds();
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
    }
    waited = at_now_seconds() - t0;
    close(fd);
    assert_true(n == 0 || errno == ECONNRESET);
    assert_true(waited < 8.0);
}

static void test_malformed_json(void **state)
{
    (void)state;
    const char *bad[] = {
        "{",
        "[]",
        "\"user\"",
        "{\"user\":1}",
        "{\"user\":{\"a\":\"b\"}}",
        "{\"user\":[\"a\"]}",
        "{\"user\":\"a\",\"user\":\"b\"}",
        "{\"user\":\"a\\u0000b\"}",
        "{\"user\":\"\xff\xfe\"}",
        "{\"user\":\"a\"} trailing",
        "{\"user\":\"a\",}",
        "{\"user\":\"\\ud800\"}",
        "{'user':'a'}",
        "{\"user\":\"a\\x\"}",
        "{\"a\":\"1\",\"b\":\"1\",\"c\":\"1\",\"d\":\"1\",\"e\":\"1\",\"f\":\"1\",\"g\":\"1\",\"h\":\"1\","
        "\"i\":\"1\",\"j\":\"1\",\"k\":\"1\",\"l\":\"1\",\"m\":\"1\",\"n\":\"1\",\"o\":\"1\",\"p\":\"1\","
        "\"q\":\"1\",\"r\":\"1\",\"s\":\"1\",\"t\":\"1\",\"u\":\"1\",\"v\":\"1\",\"w\":\"1\",\"x\":\"1\","
        "\"y\":\"1\",\"z\":\"1\",\"A\":\"1\",\"B\":\"1\",\"C\":\"1\",\"D\":\"1\",\"E\":\"1\",\"F\":\"1\","
        "\"G\":\"1\"}"};
    rs_resp r;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        long st = api("POST", "/api/v1/projects", admin_token, bad[i], &r);
        if (st != 400 || !strstr(r.body, "\"error\""))
            fail_msg("malformed JSON %zu: HTTP %ld %s", i, st, r.body);
        keep(&r);
        rs_free(&r);
    }
    char *deep = malloc(20002);
    memset(deep, '[', 20000);
    deep[20000] = '\0';
    assert_int_equal(api("POST", "/api/v1/projects", admin_token, deep, &r), 400);
    rs_free(&r);
    free(deep);
    char *long_value = malloc(6000);
    strcpy(long_value, "{\"name\":\"");
    memset(long_value + 9, 'a', 5000);
    strcpy(long_value + 5009, "\"}");
    assert_int_equal(api("POST", "/api/v1/projects", admin_token, long_value, &r), 413);
    rs_free(&r);
    free(long_value);
    /* not JSON at all */
    char auth[200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", admin_token);
    const char *h[] = {auth, "Content-Type: text/plain", NULL};
    assert_int_equal(rs_http(&R, "POST", "/api/v1/projects", h, "name=x", &r), 400);
    rs_free(&r);
    assert_int_equal(api("GET", "/api/v1/health", NULL, NULL, &r), 200);
    rs_free(&r);
}

static void test_sql_metacharacters(void **state)
{
    (void)state;
    const char *texts[] = {"'; DROP TABLE users; --",     "\" OR 1=1 --", "Robert'); DELETE FROM audit;--",
                           "100% _match_ \\ back\\slash", "é à ü 中文 😀", "a\"b'c`d;e--f/*g*/h"};
    rs_resp r;
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        cJSON *b = cJSON_CreateObject();
        char name[32];
        snprintf(name, sizeof name, "meta-%zu", i);
        cJSON_AddStringToObject(b, "user", name);
        cJSON_AddStringToObject(b, "full_name", texts[i]);
        char *json = cJSON_PrintUnformatted(b);
        assert_int_equal(api("POST", "/api/v1/users", admin_token, json, &r), 201);
        rs_free(&r);
        free(json);
        cJSON_Delete(b);
        b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "name", name);
        cJSON_AddStringToObject(b, "title", texts[i]);
        json = cJSON_PrintUnformatted(b);
        assert_int_equal(api("POST", "/api/v1/projects", admin_token, json, &r), 201);
        rs_free(&r);
        free(json);
        cJSON_Delete(b);
        char path[100];
        snprintf(path, sizeof path, "/api/v1/users/%s", name);
        assert_int_equal(api("GET", path, admin_token, NULL, &r), 200);
        char *got = rs_json_str(r.body, "full_name");
        assert_string_equal(got, texts[i]);
        free(got);
        rs_free(&r);
        snprintf(path, sizeof path, "/api/v1/projects/%s", name);
        assert_int_equal(api("GET", path, admin_token, NULL, &r), 200);
        got = rs_json_str(r.body, "title");
        assert_string_equal(got, texts[i]);
        free(got);
        rs_free(&r);
        /* and as the page shows them: escaped */
        char c[200];
        snprintf(c, sizeof c, "Cookie: __Host-atelier=%s", admin_cookie);
        const char *h[] = {c, NULL};
        snprintf(path, sizeof path, "/projects/%s", name);
        assert_int_equal(rs_http(&R, "GET", path, h, NULL, &r), 200);
        assert_null(strstr(r.body, "\"; DROP"));
        assert_null(strstr(r.body, "a\"b'c"));
        rs_free(&r);
    }
    /* identifiers: metacharacters refused, nothing changed */
    const char *names[] = {"x'; DROP TABLE users; --", "a b", "../etc", "-leading", "", "a%00b"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "user", names[i]);
        char *json = cJSON_PrintUnformatted(b);
        assert_int_equal(api("POST", "/api/v1/users", admin_token, json, &r), 400);
        rs_free(&r);
        free(json);
        cJSON_Delete(b);
    }
    assert_int_equal(
        api("GET", "/api/v1/users/x%27%3B%20DROP%20TABLE%20users%3B%20--", admin_token, NULL, &r), 404);
    rs_free(&r);
    /* audit filters are values, not SQL */
    assert_int_equal(api("GET", "/api/v1/audit?who=%27%20OR%201%3D1%20--", admin_token, NULL, &r), 403);
    rs_free(&r);
    at_user u;
    assert_int_equal(at_room_user_get(R.room, "admin", &u), AT_OK);
    assert_int_equal(at_room_user_set_role(R.room, "admin", "admin", AT_ROLE_DPO, 1), AT_OK);
    assert_int_equal(api("GET", "/api/v1/audit?who=%27%20OR%201%3D1%20--", admin_token, NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"entries\":[]"));
    rs_free(&r);
    assert_int_equal(api("GET", "/api/v1/audit?what=user.create&limit=3", admin_token, NULL, &r), 200);
    assert_non_null(strstr(r.body, "user.create"));
    keep(&r);
    rs_free(&r);
    assert_int_equal(at_room_check(R.room), AT_OK);
    at_user *all;
    size_t n;
    assert_int_equal(at_room_user_list(R.room, &all, &n), AT_OK);
    assert_true(n >= 8);
    at_free(all);
}

static int audit_collect(void *ud, const at_audit_entry *e)
{
    (void)ud;
    char line[8192];
    snprintf(line, sizeof line, "%s %s %s %s %s\n", e->time, e->actor, e->action, e->object, e->details);
    size_t n = strlen(line);
    if (transcript_len + n < sizeof transcript) {
        memcpy(transcript + transcript_len, line, n);
        transcript_len += n;
        transcript[transcript_len] = '\0';
    }
    return 0;
}

static void test_no_secret_anywhere(void **state)
{
    (void)state;
    /* the pages an administrator and a DPO see */
    char c[200];
    snprintf(c, sizeof c, "Cookie: __Host-atelier=%s", admin_cookie);
    const char *h[] = {c, NULL};
    const char *pages[] = {"/", "/admin/users", "/admin/projects", "/audit", "/audit.csv", "/password"};
    rs_resp r;
    for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
        assert_int_equal(rs_http(&R, "GET", pages[i], h, NULL, &r), 200);
        keep(&r);
        rs_free(&r);
    }
    const char *apis[] = {"/api/v1/me", "/api/v1/users", "/api/v1/projects", "/api/v1/audit?limit=10000",
                          "/api/v1/users/admin"};
    for (size_t i = 0; i < sizeof apis / sizeof *apis; i++) {
        assert_int_equal(api("GET", apis[i], admin_token, NULL, &r), 200);
        keep(&r);
        rs_free(&r);
    }
    /* the audit, all of it, and the server's log */
    at_audit_filter f = {.limit = 1000000};
    assert_int_equal(at_room_audit_query(R.room, &f, audit_collect, NULL), AT_OK);
    pthread_mutex_lock(&rs_log_mu);
    size_t room = sizeof transcript - transcript_len - 1;
    size_t n = rs_log_len < room ? rs_log_len : room;
    memcpy(transcript + transcript_len, rs_log, n);
    transcript_len += n;
    transcript[transcript_len] = '\0';
    pthread_mutex_unlock(&rs_log_mu);
    assert_true(strstr(transcript, "http GET /api/v1/me 200 admin") != NULL); /* the log was captured */
    assert_null(strstr(transcript, "$argon2"));
    assert_null(strstr(transcript, "argon2id"));
    assert_null(strstr(transcript, "atl_"));
    assert_null(strstr(transcript, "guess guess"));
    assert_null(strstr(transcript, "nobody")); /* an unknown name typed at login */
    for (int i = 0; i < nsecrets; i++)
        if (strstr(transcript, secrets[i]))
            fail_msg("a secret (%d of %d) appears in a response, the log or the audit", i, nsecrets);
    print_message("%d secrets searched in %zu bytes of responses, log and audit\n", nsecrets, transcript_len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lockout_and_replay),
        cmocka_unit_test(test_csrf),
        cmocka_unit_test(test_session_fixation_and_cookies),
        cmocka_unit_test(test_body_limits),
        cmocka_unit_test(test_slow_client),
        cmocka_unit_test(test_malformed_json),
        cmocka_unit_test(test_sql_metacharacters),
        cmocka_unit_test(test_no_secret_anywhere),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
