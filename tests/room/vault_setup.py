#!/usr/bin/python3
"""Set up a room for the vault's end-to-end tests, through its JSON API as
clients would: the first administrator's first login; lead1, member1 and
student1 in project "onco", other1 leading project "other", dpo1 the DPO
(each through their own first login: one-time password, own password,
TOTP enrolment, login again). Prints nothing; writes OUT.json:
{"users": {NAME: {"password", "secret", "token", "step"}}}.
usage: vault_setup.py URL CACERT ADMIN_OTP OUT.json"""
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import totp  # noqa: E402

URL, CACERT, ADMIN_OTP, OUT = sys.argv[1:5]
CTX = ssl.create_default_context(cafile=CACERT)


def call(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(URL + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, context=CTX, timeout=60) as r:
            return json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        sys.exit("vault_setup: %s %s: HTTP %d %s" % (method, path, e.code, e.read()[:300]))


def first_login(user, otp, password):
    t = call("POST", "/api/v1/login", {"user": user, "password": otp})["token"]
    call("POST", "/api/v1/password", {"password": password}, t)
    secret = call("POST", "/api/v1/mfa/enrol", {}, t)["secret"]
    now = int(time.time() // 30)
    call("POST", "/api/v1/mfa/confirm", {"totp": totp.code(secret, now * 30)}, t)
    token = call("POST", "/api/v1/login", {"user": user, "password": password,
                                           "totp": totp.code(secret, (now + 1) * 30)})["token"]
    return {"password": password, "secret": secret, "token": token, "step": now + 1}


users = {"chief": first_login("chief", ADMIN_OTP, "chief's own long password")}
admin = users["chief"]["token"]
made = {}
for name, role in (("lead1", None), ("member1", None), ("student1", None), ("other1", None), ("dpo1", "dpo")):
    body = {"user": name}
    if role:
        body["role"] = role
    made[name] = call("POST", "/api/v1/users", body, admin)["password"]
for p in ("onco", "other"):
    call("POST", "/api/v1/projects", {"name": p}, admin)
for user, project, role in (("lead1", "onco", "lead"), ("member1", "onco", "member"),
                            ("student1", "onco", "student"), ("other1", "other", "lead")):
    call("POST", "/api/v1/projects/%s/members" % project, {"user": user, "role": role}, admin)
for name, otp in made.items():
    users[name] = first_login(name, otp, "%s's own long password" % name)
with open(OUT, "w") as f:
    json.dump({"users": users}, f)
