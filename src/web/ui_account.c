/* Pages of one's own account: the password (first a one-time password's
 * replacement, later a change) and TOTP enrolment with its QR code. When
 * both setup steps are done, the setup session ends and the user logs in
 * again with the new factors. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* The setup session is over: back to the login page. */
static void setup_done(web_req *r)
{
    at_room_session_revoke(r->room, &r->actor);
    web_set_session_cookie(r, NULL);
    web_redirect(r, "/login?done=setup");
}

static void password_page(web_req *r, const char *error)
{
    int setup = r->actor.stage == AT_STAGE_SETUP;
    page_begin(r, setup ? "Choose your password" : "Change your password");
    if (setup)
        h(r, "<p>Your one-time password worked. Choose your own password: at least %d characters.</p>",
          AT_ROOM_PASSWORD_MIN);
    if (error)
        h(r, "<div class=\"alert alert-danger\" role=\"alert\" id=\"error\">%s</div>", error);
    page_form(r, "/password", "col-md-5");
    if (!setup)
        h(r, "<div class=\"mb-3\"><label for=\"current\" class=\"form-label\">Current password</label>"
             "<input type=\"password\" class=\"form-control\" id=\"current\" name=\"current\" "
             "autocomplete=\"current-password\" required></div>");
    h(r,
      "<div class=\"mb-3\"><label for=\"password\" class=\"form-label\">New password</label>"
      "<input type=\"password\" class=\"form-control\" id=\"password\" name=\"password\" "
      "autocomplete=\"new-password\" minlength=\"%d\" required></div>"
      "<div class=\"mb-3\"><label for=\"again\" class=\"form-label\">New password again</label>"
      "<input type=\"password\" class=\"form-control\" id=\"again\" name=\"again\" "
      "autocomplete=\"new-password\" "
      "required></div><button type=\"submit\" class=\"btn btn-primary\" id=\"submit\">Save</button></form>",
      AT_ROOM_PASSWORD_MIN);
    page_end(r);
}

void ui_password_form(web_req *r)
{
    password_page(r, NULL);
}

void ui_password_post(web_req *r)
{
    const char *pw = web_field(r, "password"), *again = web_field(r, "again");
    if (!pw || !again || strcmp(pw, again)) {
        r->status = 400;
        password_page(r, "The two new passwords differ.");
        return;
    }
    int setup = r->actor.stage == AT_STAGE_SETUP;
    at_status st = at_room_password_change(r->room, &r->actor, web_field(r, "current"), pw);
    if (st) {
        r->status = web_status_of(st);
        password_page(r, at_error_message());
        return;
    }
    if (!setup)
        web_redirect(r, "/?done=password");
    else if (r->actor.must & AT_MUST_MFA)
        web_redirect(r, "/mfa/enrol");
    else
        setup_done(r);
}

static void enrol_page(web_req *r, const char *error)
{
    char secret[AT_ROOM_TOTP_SECRET_MAX], uri[AT_ROOM_URI_MAX];
    at_status st = at_room_mfa_enrol(r->room, &r->actor, 1, secret, uri);
    if (st) {
        page_error(r, web_status_of(st), at_error_message());
        return;
    }
    page_begin(r, "Set up your authenticator app");
    h(r, "<p>Scan this code with an authenticator app (FreeOTP, Aegis, Google Authenticator, ...), or type "
         "the key "
         "below into it. Then enter the 6-digit code it shows.</p>");
    if (error)
        h(r, "<div class=\"alert alert-danger\" role=\"alert\" id=\"error\">%s</div>", error);
    h(r, "<div class=\"row\"><div class=\"col-md-4 mb-3\">");
    page_qr_svg(r, uri);
    h(r, "</div><div class=\"col-md-6\"><p>Key: <code id=\"secret\">%s</code></p>", secret);
    page_form(r, "/mfa/enrol", "");
    h(r,
      "<div class=\"mb-3\"><label for=\"code\" class=\"form-label\">Code from the app</label>"
      "<input type=\"text\" class=\"form-control\" id=\"code\" name=\"code\" inputmode=\"numeric\" "
      "autocomplete=\"one-time-code\" required autofocus></div>"
      "<button type=\"submit\" class=\"btn btn-primary\" id=\"submit\">Confirm</button></form></div></div>");
    page_end(r);
    memset(secret, 0, sizeof secret);
    memset(uri, 0, sizeof uri);
}

void ui_enrol_form(web_req *r)
{
    enrol_page(r, NULL);
}

void ui_enrol_post(web_req *r)
{
    at_status st = at_room_mfa_confirm(r->room, &r->actor, web_field(r, "code"));
    if (st) {
        r->status = web_status_of(st);
        enrol_page(r, at_error_message());
        return;
    }
    if (r->actor.must & AT_MUST_PASSWORD)
        web_redirect(r, "/password");
    else
        setup_done(r);
}
