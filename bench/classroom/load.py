#!/usr/bin/python3
"""bench/classroom's driver: a course of STUDENTS students in a served room
(the teacher's course, the enrolment CSV, a synthetic cohort, an assignment,
one concurrent job per student), every student logged in (their first
login: own password, TOTP); then all of them submit at once, each trying a
second submission at once too (refused: one job at a time), while one
student's browser session reads the assignment's page and the course's
page in a loop. Waits until every submission is scored and checks: each
scored, the training jobs started in the order submitted, no student past
the quota. Prints one JSON line: counts, times, page latencies (p50, p99).
usage: load.py URL CACERT ADMIN_OTP STUDENTS SESSION_PY"""
import json
import os
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/room"))
import totp  # noqa: E402

URL, CACERT, ADMIN_OTP, N, SESSION = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
CTX = ssl.create_default_context(cafile=CACERT)


def call(method, path, body=None, token=None, raw=None, ctype="application/json", cookie=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(URL + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", ctype)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if cookie:
        req.add_header("Cookie", "__Host-atelier=" + cookie)
    try:
        with urllib.request.urlopen(req, context=CTX, timeout=120) as r:
            body = r.read()
            return r.status, (json.loads(body) if body and not cookie and r.headers.get_content_type() == "application/json" else body)
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def ok(res, what):
    if res[0] not in (200, 201):
        sys.exit("bench/classroom: %s: HTTP %d %s" % (what, res[0], res[1][:300]))
    return res[1]


def first_login(user, otp):
    t = ok(call("POST", "/api/v1/login", {"user": user, "password": otp}), "login")["token"]
    pw = "bench password of " + user
    ok(call("POST", "/api/v1/password", {"password": pw}, t), "password")
    secret = ok(call("POST", "/api/v1/mfa/enrol", {}, t), "enrol")["secret"]
    step = int(time.time() // 30)
    ok(call("POST", "/api/v1/mfa/confirm", {"totp": totp.code(secret, (step - 1) * 30)}, t), "confirm")
    return ok(call("POST", "/api/v1/login", {"user": user, "password": pw, "totp": totp.code(secret, step * 30)}),
              "login")["token"]


admin = first_login("chief", ADMIN_OTP)
tpw = ok(call("POST", "/api/v1/users", {"user": "teacher", "role": "teacher"}, admin), "user")["password"]
teacher = first_login("teacher", tpw)
ok(call("POST", "/api/v1/courses", {"name": "ia", "title": "IA en santé"}, teacher), "course")
csv = "name,login\n" + "".join("Student %02d,s%02d\n" % (i, i) for i in range(N))
enrolled = ok(call("POST", "/api/v1/courses/ia/students", raw=csv.encode(), token=teacher, ctype="text/csv"),
              "enrol")["students"]
ok(call("POST", "/api/v1/courses/ia/quota", {"core_hours": "2", "concurrent": "1"}, teacher), "quota")
t0 = time.time()
ok(call("POST", "/api/v1/courses/ia/data", {"kind": "chemo", "name": "cohort", "patients": "200", "seed": "7"},
        teacher), "generate")
deadline = time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(time.time() + 86400))
ok(call("POST", "/api/v1/courses/ia/assignments", {"name": "risk", "data": "cohort", "deadline": deadline,
                                                   "per_day": "3"}, teacher), "assign")
setup_s = time.time() - t0
tokens = {}
for s in enrolled[:-1]:
    tokens[s["login"]] = first_login(s["login"], s["password"])
last = enrolled[-1]
out = subprocess.run([sys.executable, SESSION, URL, CACERT, last["login"], last["password"]], check=True,
                     capture_output=True, text=True).stdout.split()
tokens[last["login"]], cookie = out[0], out[1]

# the page reader
lat = []
stop = threading.Event()


def reader():
    pages = ["/courses/ia/assignments/risk", "/courses/ia"]
    k = 0
    while not stop.is_set():
        t = time.perf_counter()
        st, _ = call("GET", pages[k % 2], cookie=cookie)
        lat.append((time.perf_counter() - t) * 1000)
        if st != 200:
            sys.exit("bench/classroom: page HTTP %d" % st)
        k += 1
        time.sleep(0.05)


rd = threading.Thread(target=reader)
rd.start()
barrier = threading.Barrier(N)
results = {}


def student(login):
    barrier.wait()
    a = call("POST", "/api/v1/courses/ia/assignments/risk/submissions", {"C": "1"}, tokens[login])
    b = call("POST", "/api/v1/courses/ia/assignments/risk/submissions", {"C": "2"}, tokens[login])
    results[login] = (a, b)


t0 = time.time()
th = [threading.Thread(target=student, args=(s["login"],)) for s in enrolled]
for t in th:
    t.start()
for t in th:
    t.join()
submit_s = time.time() - t0
accepted = [r[0][1]["submission"] for r in results.values() if r[0][0] == 201]
refused = [r[1] for r in results.values() if r[1][0] == 429]
if len(accepted) != N or len(refused) != N:
    sys.exit("bench/classroom: %d accepted, %d refused by the quota: %s" % (len(accepted), len(refused),
             [(r[0][0], r[1][0]) for r in results.values()]))
if not all(b"concurrent jobs of student" in r[1] for r in refused):
    sys.exit("bench/classroom: a refusal without its quota: %s" % refused[0][1][:200])
# until every submission is scored
while True:
    view = ok(call("GET", "/api/v1/courses/ia/assignments/risk", token=teacher), "view")
    subs = view["submissions"]
    states = [s["state"] for s in subs]
    if all(s in ("scored", "failed") for s in states) and len(subs) == N:
        break
    if time.time() - t0 > 1800:
        sys.exit("bench/classroom: not all scored after 30 min: %s" % states)
    time.sleep(0.5)
all_s = time.time() - t0
stop.set()
rd.join()
failed = [s for s in subs if s["state"] != "scored"]
if failed:
    sys.exit("bench/classroom: %d failed: %s" % (len(failed), failed[0]))
# in order: the training jobs started in the order of the submissions
subs.sort(key=lambda s: s["id"])
started = [ok(call("GET", "/api/v1/jobs/%d" % s["job"], token=teacher), "job")["job"]["started"] for s in subs]
inversions = sum(1 for a, b in zip(started, started[1:]) if b < a)
# within the quotas: the class's usage
usage = ok(call("GET", "/api/v1/courses/ia/usage", token=teacher), "usage")["people"]
over = [p for p in usage if p["role"] == "student" and (p["core_hours_week"] or 0) > 2]
lat.sort()


def pct(p):
    return lat[min(len(lat) - 1, int(p * len(lat)))] if lat else 0


print(json.dumps({"students": N, "scored": len(subs), "refused_second": len(refused), "start_order_inversions":
                  inversions, "over_quota": len(over), "setup_s": round(setup_s, 1), "submit_s": round(submit_s, 2),
                  "all_scored_s": round(all_s, 1), "pages": len(lat), "page_p50_ms": round(pct(0.5), 1),
                  "page_p99_ms": round(pct(0.99), 1), "page_max_ms": round(lat[-1] if lat else 0, 1),
                  "best": max(s.get("public_score") or 0 for s in subs)}))
if inversions or over:
    sys.exit(1)
