#!/usr/bin/python3
"""The classroom in a real Chromium (headless, Debian's chromium-driver and
python3-selenium), over HTTPS: a teacher's first hour and a student's.
The administrator (through the API) makes the teacher's account; the
teacher logs in for the first time (own password, TOTP), creates a course,
enrols 20 students from a CSV and gets the printable enrolment sheet,
generates a synthetic chemotherapy cohort, publishes an assignment; a
student logs in with the sheet's one-time password (own password, TOTP),
opens the assignment, submits twice, and sees the scores and the
leaderboard. Screenshots of each step go to SHOTS (docs/classroom.md
shows them).
usage: classroom_browser.py URL CACERT ADMIN_OTP SHOTS_DIR"""
import json
import os
import ssl
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import totp  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

URL, CACERT, ADMIN_OTP, SHOTS = sys.argv[1:5]
CTX = ssl.create_default_context(cafile=CACERT)
os.makedirs(SHOTS, exist_ok=True)


def call(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(URL + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, context=CTX, timeout=60) as r:
        return json.loads(r.read() or b"{}")


# the administrator, through the API: the teacher's account
t = call("POST", "/api/v1/login", {"user": "chief", "password": ADMIN_OTP})["token"]
call("POST", "/api/v1/password", {"password": "chief's own long password"}, t)
secret = call("POST", "/api/v1/mfa/enrol", {}, t)["secret"]
now = int(time.time() // 30)
call("POST", "/api/v1/mfa/confirm", {"totp": totp.code(secret, now * 30)}, t)
admin = call("POST", "/api/v1/login", {"user": "chief", "password": "chief's own long password",
                                       "totp": totp.code(secret, (now + 1) * 30)})["token"]
teacher_otp = call("POST", "/api/v1/users", {"user": "mme.leroy", "role": "teacher"}, admin)["password"]

opts = webdriver.ChromeOptions()
for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1100",
          "--no-first-run", "--disable-extensions"):
    opts.add_argument(a)
opts.accept_insecure_certs = True
opts.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
driver.set_page_load_timeout(120)
step = [0]
last_step = {}


def say(msg):
    step[0] += 1
    print("classroom browser %2d: %s" % (step[0], msg), flush=True)


def shot(name):
    """The whole page, beyond the window (Chromium's DevTools capture)."""
    import base64
    m = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = m.get("cssContentSize") or m["contentSize"]
    png = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1}})
    with open(os.path.join(SHOTS, name + ".png"), "wb") as f:
        f.write(base64.b64decode(png["data"]))


def go(path):
    driver.get(URL + path)


def here():
    return driver.current_url[len(URL):]


def main_text():
    return driver.find_element(By.TAG_NAME, "body").text


def expect_path(prefix):
    for _ in range(300):
        if here().startswith(prefix) and driver.execute_script("return document.readyState") == "complete":
            return
        time.sleep(0.1)
    raise AssertionError("expected %s, at %s: %s" % (prefix, here(), main_text()[:600]))


def gone(element):
    for _ in range(1200):
        try:
            element.is_enabled()
        except WebDriverException:
            return
        time.sleep(0.05)
    raise AssertionError("the page did not change after a submit, at %s" % here())


def fill(fields, submit):
    for k, v in fields.items():
        e = driver.find_element(By.ID, k)
        e.clear()
        e.send_keys(v)
    button = driver.find_element(By.ID, submit)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    driver.execute_script("arguments[0].click()", button)  # the keyboard's and the mouse's submit alike
    gone(button)


def text(id_):
    return driver.find_element(By.ID, id_).text


def next_code(secret):
    while int(time.time() // 30) < last_step.get(secret, 0):
        time.sleep(0.5)
    s = int(time.time() // 30) + 1
    last_step[secret] = s
    return totp.code(secret, s * 30)


def first_login(user, otp, password, shots=None):
    go("/login")
    fill({"user": user, "password": otp}, "submit")
    expect_path("/password")
    fill({"password": password, "again": password}, "submit")
    expect_path("/mfa/enrol")
    if shots:
        shot(shots)
    secret = text("secret")
    s = int(time.time() // 30)
    last_step[secret] = s
    fill({"code": totp.code(secret, s * 30)}, "submit")
    expect_path("/login")
    go("/login")
    fill({"user": user, "password": password}, "submit")
    expect_path("/login/mfa")
    fill({"code": next_code(secret)}, "submit")
    expect_path("/")
    assert text("whoami") == user
    return secret


def logout():
    button = driver.find_element(By.ID, "logout")
    button.click()
    gone(button)


FIRST = ["Camille", "Lucas", "Léa", "Hugo", "Chloé", "Louis", "Manon", "Jules", "Inès", "Gabriel",
         "Sarah", "Arthur", "Emma", "Nathan", "Jade", "Tom", "Zoé", "Raphaël", "Lina", "Adam"]
LAST = ["Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
        "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel"]
CSV = "nom;courriel\n" + "".join("%s %s;%s.%s@etu.unicaen.example\n" % (f, l, f.lower(), l.lower())
                                 for f, l in zip(FIRST, LAST))

try:
    # ---- the teacher's first hour ----
    first_login("mme.leroy", teacher_otp, "Leroy's own long password", "01-teacher-mfa")
    say("the teacher logged in for the first time (own password, TOTP)")
    go("/courses")
    fill({"course-name": "ia-sante", "course-title": "IA en santé (M2, Caen)"}, "create-course")
    expect_path("/courses/ia-sante")
    shot("02-course-created")
    say("the teacher created course ia-sante")
    driver.find_element(By.ID, "csv").send_keys(CSV)
    button = driver.find_element(By.ID, "enrol")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    gone(button)
    cards = driver.find_elements(By.CSS_SELECTOR, "#sheet .card")
    assert len(cards) == 20, len(cards)
    login0 = cards[0].find_element(By.CLASS_NAME, "login").text
    password0 = cards[0].find_element(By.CLASS_NAME, "password").text
    assert login0 and len(password0) > 10, (login0, password0)
    shot("03-enrolment-sheet")
    say("20 students enrolled from a CSV; the printable sheet holds their one-time passwords")
    go("/courses/ia-sante")
    assert "20 students" in text("student-count"), text("student-count")
    Select(driver.find_element(By.ID, "gen-kind")).select_by_value("chemo")
    fill({"gen-name": "cohorte", "gen-patients": "200", "gen-seed": "2025"}, "generate")
    expect_path("/courses/ia-sante")
    assert "cohorte" in text("data"), text("data")
    shot("04-cohort-generated")
    say("the teacher generated a synthetic chemotherapy cohort (200 patients, seed 2025)")
    deadline = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() + 7 * 86400))
    driver.execute_script("document.getElementById('as-deadline').value = arguments[0]", deadline)
    fill({"as-name": "risque", "as-title": "Risque de ré-hospitalisation après une cure", "as-data": "cohorte",
          "as-per-day": "3"}, "publish")
    expect_path("/courses/ia-sante")
    assert "risque" in text("assignments"), text("assignments")
    shot("05-assignment-published")
    say("the teacher published assignment 'risque' (AUROC on a hidden split, 3 submissions a day)")
    logout()

    # ---- a student's first hour ----
    first_login(login0, password0, "%s's own long password" % login0)
    say("student %s logged in with the sheet's one-time password, chose a password, enrolled TOTP" % login0)
    go("/courses")
    driver.find_element(By.ID, "course-ia-sante").click()
    expect_path("/courses/ia-sante")
    driver.find_element(By.ID, "assignment-risque").click()
    expect_path("/courses/ia-sante/assignments/risque")
    shot("06-student-assignment")
    fill({"sub-c": "1"}, "submit")
    expect_path("/courses/ia-sante/assignments/risque?submitted=")

    def wait_scored(n):
        for _ in range(600):
            go("/courses/ia-sante/assignments/risque")
            states = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#submissions td.state")]
            if len(states) >= n and all(s.startswith("scored") or s.startswith("failed") for s in states):
                assert all(s.startswith("scored") for s in states), states
                return
            time.sleep(1)
        raise AssertionError("not scored: %s" % states)

    wait_scored(1)
    say("the first submission was trained in a job and scored on the hidden split")
    l1 = driver.find_element(By.ID, "sub-l1")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", l1)
    l1.click()
    fill({"sub-c": "4"}, "submit")
    wait_scored(2)
    assert text("remaining") == "1", text("remaining")
    board = text("leaderboard")
    assert login0 in board, board
    publics = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#submissions td.public")]
    assert all(p.startswith("0.") for p in publics), publics
    shot("07-student-leaderboard")
    say("the second submission scored; the leaderboard shows %s, 1 submission remains today" % login0)
    logout()
    print("classroom browser: ok")
finally:
    driver.quit()
