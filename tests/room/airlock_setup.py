#!/usr/bin/python3
"""Set up a room for the airlock's end-to-end tests, through its JSON API
as clients would: the first administrator's first login, a student, a
project lead and a DPO (each through their own first login: one-time
password, own password, TOTP enrolment, login again), the project "onco",
a code push and a job of the student's (run by the room, in its sandbox)
whose result holds a table of counts (stage.csv, every count >= 10), a
table with a count of 4 (small.csv) and neural-network weights
(model.safetensors). Prints nothing; writes OUT.json:
{"users": {NAME: {"password", "secret", "token", "step"}}, "job": N}.
usage: airlock_setup.py URL CACERT ADMIN_OTP OUT.json"""
import json
import os
import ssl
import struct
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import totp  # noqa: E402

URL, CACERT, ADMIN_OTP, OUT = sys.argv[1:5]
CTX = ssl.create_default_context(cafile=CACERT)


def call(method, path, body=None, token=None, raw=None, ctype="application/json"):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(URL + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", ctype)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, context=CTX, timeout=60) as r:
            return json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        sys.exit("airlock_setup: %s %s: HTTP %d %s" % (method, path, e.code, e.read()[:300]))


def first_login(user, otp, password):
    """One-time password -> own password -> TOTP -> login again: the user's record."""
    t = call("POST", "/api/v1/login", {"user": user, "password": otp})["token"]
    call("POST", "/api/v1/password", {"password": password}, t)
    secret = call("POST", "/api/v1/mfa/enrol", {}, t)["secret"]
    now = int(time.time() // 30)
    call("POST", "/api/v1/mfa/confirm", {"totp": totp.code(secret, now * 30)}, t)
    token = call("POST", "/api/v1/login", {"user": user, "password": password,
                                           "totp": totp.code(secret, (now + 1) * 30)})["token"]
    return {"password": password, "secret": secret, "token": token, "step": now + 1}


def safetensors():
    header = json.dumps({"enc.0.weight": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
                         "__metadata__": {"epochs": "3", "architecture": "unet"}}).encode()
    return struct.pack("<Q", len(header)) + header + struct.pack("<4f", 0.5, -0.25, 1.0, 0.125)


def code_archive(files):
    out = b"ATLCODE1\n"
    for path, data in files:
        out += b"F 644 %d %d\n" % (len(data), len(path)) + path.encode() + data
    return out


users = {}
users["chief"] = first_login("chief", ADMIN_OTP, "chief's own long password")
admin = users["chief"]["token"]
made = {}
for name, role in (("student1", None), ("lead1", None), ("dpo1", "dpo")):
    body = {"user": name}
    if role:
        body["role"] = role
    made[name] = call("POST", "/api/v1/users", body, admin)["password"]
call("POST", "/api/v1/projects", {"name": "onco"}, admin)
call("POST", "/api/v1/projects/onco/members", {"user": "student1", "role": "student"}, admin)
call("POST", "/api/v1/projects/onco/members", {"user": "lead1", "role": "lead"}, admin)
for name, otp in made.items():
    users[name] = first_login(name, otp, "%s's own long password" % name)

student = users["student1"]["token"]
files = [("make.sh", b"cp stage.csv small.csv model.safetensors /out/\necho 'epoch 1 loss 0.412'\n"
                     b"echo 'epoch 2 loss 0.301'\n"),
         ("stage.csv", b"stage,sex,patients\nI,F,25\nI,M,14\nII,F,31\nII,M,18\nIII,F,12\nIII,M,23\n"),
         ("small.csv", b"stage,patients\nI,25\nII,4\nIII,31\n"),
         ("model.safetensors", safetensors())]
call("POST", "/api/v1/projects/onco/code", raw=code_archive(files), token=student,
     ctype="application/octet-stream")
job = call("POST", "/api/v1/projects/onco/jobs", {"kind": "script", "command": "sh make.sh", "time": "5m"},
           student)["id"]
for _ in range(600):
    state = call("GET", "/api/v1/jobs/%d" % job, token=student)["job"]["state"]
    if state in ("succeeded", "failed", "cancelled", "timed-out"):
        break
    time.sleep(0.2)
if state != "succeeded":
    log = call("GET", "/api/v1/jobs/%d/log" % job, token=student)
    sys.exit("airlock_setup: job %d %s: %s" % (job, state, json.dumps(log)[:2000]))
with open(OUT, "w") as f:
    json.dump({"users": users, "job": job}, f)
