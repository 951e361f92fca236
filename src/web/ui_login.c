/* Pages: log in (the password, then the code: a new session id at each
 * step), log out. Before login the cookie holds a random nonce whose
 * keyed hash is the login form's CSRF token; it never becomes a session. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* Where a session of this stage goes next. */
static const char *next_page(at_stage stage, unsigned must)
{
    if (stage == AT_STAGE_MFA)
        return "/login/mfa";
    if (stage == AT_STAGE_SETUP)
        return (must & AT_MUST_PASSWORD) ? "/password" : "/mfa/enrol";
    return "/";
}

static void login_page(web_req *r, const char *error)
{
    page_begin(r, "Log in");
    page_flash(r);
    if (error)
        h(r, "<div class=\"alert alert-danger\" role=\"alert\" id=\"error\">%s</div>", error);
    page_form(r, "/login", "col-md-5");
    h(r,
      "<div class=\"mb-3\"><label for=\"user\" class=\"form-label\">User name</label>"
      "<input type=\"text\" class=\"form-control\" id=\"user\" name=\"user\" autocomplete=\"username\" "
      "required autofocus value=\"%s\"></div>"
      "<div class=\"mb-3\"><label for=\"password\" class=\"form-label\">Password</label>"
      "<input type=\"password\" class=\"form-control\" id=\"password\" name=\"password\" "
      "autocomplete=\"current-password\" required></div>"
      "<button type=\"submit\" class=\"btn btn-primary\" id=\"submit\">Log in</button></form>",
      error && web_field(r, "user") && at_room_name_valid(web_field(r, "user")) ? web_field(r, "user") : "");
    page_end(r);
}

void ui_login_form(web_req *r)
{
    if (r->actor.stage != AT_STAGE_NONE) {
        web_redirect(r, next_page(r->actor.stage, r->actor.must));
        return;
    }
    if (!r->cookie[0] || !strncmp(r->cookie, "atl_", 4)) {
        /* a fresh pre-login nonce (an ended session's cookie is replaced) */
        char nonce[AT_ROOM_TOKEN_MAX];
        at_room_random_token(nonce);
        snprintf(r->cookie, sizeof r->cookie, "pre_%.50s", nonce);
        at_room_csrf_token(r->room, r->cookie, r->csrf);
        web_set_session_cookie(r, r->cookie);
    }
    login_page(r, NULL);
}

void ui_login_post(web_req *r)
{
    at_login_result lr;
    at_status st =
        at_room_login_password(r->room, web_field(r, "user"), web_field(r, "password"), r->peer, &lr);
    if (st) {
        r->status = web_status_of(st);
        login_page(r, at_error_message());
        return;
    }
    web_set_session_cookie(r, lr.token); /* a new id: whatever cookie came in is never adopted */
    web_redirect(r, next_page(lr.stage, lr.must));
    memset(&lr, 0, sizeof lr);
}

static void code_page(web_req *r, const char *error)
{
    page_begin(r, "Code from your app");
    if (error)
        h(r, "<div class=\"alert alert-danger\" role=\"alert\" id=\"error\">%s</div>", error);
    page_form(r, "/login/mfa", "col-md-5");
    h(r,
      "<div class=\"mb-3\"><label for=\"code\" class=\"form-label\">The 6-digit code your authenticator app "
      "shows "
      "for atelier</label><input type=\"text\" class=\"form-control\" id=\"code\" name=\"code\" "
      "inputmode=\"numeric\" pattern=\"[0-9 ]{6,7}\" autocomplete=\"one-time-code\" required autofocus></div>"
      "<button type=\"submit\" class=\"btn btn-primary\" id=\"submit\">Continue</button></form>");
    page_end(r);
}

void ui_login_mfa_form(web_req *r)
{
    code_page(r, NULL);
}

void ui_login_mfa_post(web_req *r)
{
    at_login_result lr;
    at_status st = at_room_login_totp(r->room, &r->actor, web_field(r, "code"), r->peer, &lr);
    if (st) {
        r->status = web_status_of(st);
        code_page(r, at_error_message());
        return;
    }
    web_set_session_cookie(r, lr.token); /* a new id after the second factor */
    web_redirect(r, next_page(lr.stage, lr.must));
    memset(&lr, 0, sizeof lr);
}

void ui_logout(web_req *r)
{
    at_room_session_revoke(r->room, &r->actor);
    web_set_session_cookie(r, NULL);
    web_redirect(r, "/login?done=out");
}
