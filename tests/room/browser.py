#!/usr/bin/python3
"""A real Chromium (headless, through Debian's chromium-driver and
python3-selenium) through each user's main path in the room's pages:
the first administrator's first login (one-time password, own password,
TOTP enrolment with the code computed here, login again); the
administrator creates a user, a DPO, a project, and adds the user to it;
the new user logs in with the one-time password, chooses a password, enrols
TOTP, logs in, sees the project, changes the password; the DPO filters the
audit and finds the CSV export.
usage: browser.py URL ADMIN_ONE_TIME_PASSWORD"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import totp  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

URL, ADMIN_OTP = sys.argv[1], sys.argv[2]

opts = webdriver.ChromeOptions()
for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000",
          "--no-first-run", "--disable-extensions"):
    opts.add_argument(a)
opts.accept_insecure_certs = True  # the room's self-signed certificate
opts.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
driver.set_page_load_timeout(30)
step = [0]


def say(msg):
    step[0] += 1
    print("browser %2d: %s" % (step[0], msg), flush=True)


def go(path):
    driver.get(URL + path)


def here():
    return driver.current_url[len(URL):]


def expect_path(prefix):
    for _ in range(100):
        if here().startswith(prefix) and driver.execute_script("return document.readyState") == "complete":
            return
        time.sleep(0.1)
    if not here().startswith(prefix):
        raise AssertionError("expected %s, at %s: %s" % (prefix, here(), driver.find_element(By.TAG_NAME, "main").text[:400]))


last_step = {}


def next_code(secret):
    """A code the room accepts now: a step within +1 of the clock and after
    the last one used for this secret (waiting for the clock if need be)."""
    while int(time.time() // 30) < last_step.get(secret, 0):
        time.sleep(0.5)
    step = int(time.time() // 30) + 1
    last_step[secret] = step
    return totp.code(secret, step * 30)


def gone(element):
    """Wait until the page that held element is replaced by the next one."""
    for _ in range(200):
        try:
            element.is_enabled()
        except WebDriverException:  # stale, detached: the next page is there
            return
        time.sleep(0.05)
    raise AssertionError("the page did not change after a submit, at %s" % here())


def fill(fields, submit="submit"):
    for k, v in fields.items():
        e = driver.find_element(By.ID, k)
        e.clear()
        e.send_keys(v)
    button = driver.find_element(By.ID, submit)
    button.click()
    gone(button)


def text(id_):
    return driver.find_element(By.ID, id_).text


def first_login(user, otp, password):
    """One-time password -> own password -> TOTP -> login again. Returns the secret."""
    go("/login")
    fill({"user": user, "password": otp})
    expect_path("/password")
    fill({"password": password, "again": password})
    expect_path("/mfa/enrol")
    svg = driver.find_element(By.ID, "qr")
    assert svg.get_attribute("role") == "img" and svg.size["width"] > 100, "no QR code drawn"
    secret = text("secret")
    step = int(time.time() // 30)
    last_step[secret] = step
    fill({"code": totp.code(secret, step * 30)})
    expect_path("/login")
    assert "Your account is ready" in driver.page_source
    login(user, password, secret)
    return secret


def login(user, password, secret):
    go("/login")
    fill({"user": user, "password": password})
    expect_path("/login/mfa")
    fill({"code": next_code(secret)})
    expect_path("/")
    assert text("whoami") == user, "logged in as %s" % text("whoami")


def logout():
    button = driver.find_element(By.ID, "logout")
    button.click()
    gone(button)
    expect_path("/login")


try:
    # the first administrator
    admin_secret = first_login("chief", ADMIN_OTP, "chief's own password")
    cookies = driver.get_cookies()
    c = [x for x in cookies if x["name"] == "__Host-atelier"]
    assert c and c[0]["secure"] and c[0]["httpOnly"] and c[0].get("sameSite") == "Strict", cookies
    assert driver.find_element(By.TAG_NAME, "link").get_attribute("href").endswith("/static/bootstrap.min.css")
    say("the administrator logged in after setting a password and TOTP; cookie %s" % {k: c[0][k] for k in ("secure", "httpOnly", "sameSite")})

    # a user, a DPO
    go("/admin/users")
    fill({"new-user": "student1", "full-name": "Élise D'Arc"}, "create-user")
    student_otp = text("otp")
    driver.find_element(By.ID, "new-dpo").click()
    fill({"new-user": "dpo1"}, "create-user")
    dpo_otp = text("otp")
    assert "Élise D&#39;Arc" in driver.page_source or "Élise D'Arc" in text("users")
    say("the administrator created student1 and dpo1 (one-time passwords shown once)")

    # a project with the student in it
    go("/admin/projects")
    fill({"project-name": "onco-irm", "project-title": "IRM seule <b>pilot</b>"}, "create-project")
    expect_path("/projects/onco-irm")
    assert text("title") == "IRM seule <b>pilot</b>", "the title is shown as text"
    fill({"member-user": "student1"}, "add-member")
    Select(driver.find_element(By.ID, "member-role"))  # labelled select present
    expect_path("/projects/onco-irm")
    assert "student1" in text("members")
    say("the administrator created project onco-irm and added student1")
    logout()

    # the new user
    student_secret = first_login("student1", student_otp, "student1's own password")
    assert "onco-irm" in text("projects") and "member" in text("projects")
    say("student1 logged in (own password, TOTP) and sees project onco-irm")
    go("/password")
    fill({"current": "student1's own password", "password": "student1's second password",
          "again": "student1's second password"})
    expect_path("/?done=password")
    assert "Your password was changed" in driver.page_source
    # what a student may not see
    go("/admin/users")
    assert "Not allowed" in driver.title or "not allowed" in driver.page_source
    go("/audit")
    assert "not allowed" in driver.page_source
    logout()
    login("student1", "student1's second password", student_secret)
    say("student1 changed the password and logged in with the new one; admin and audit pages refused")
    logout()

    # the DPO
    first_login("dpo1", dpo_otp, "dpo1's own password")
    go("/audit")
    assert "The chain verifies" in text("verify"), text("verify")
    fill({"who": "student1"}, "filter")
    rows = driver.find_elements(By.CSS_SELECTOR, "#entries tbody tr")
    assert rows, "no entries for student1"
    actors = {r.find_elements(By.TAG_NAME, "td")[2].text for r in rows}
    assert actors == {"student1"}, actors
    actions = {r.find_elements(By.TAG_NAME, "td")[3].text for r in rows}
    assert "login" in actions and "password.change" in actions and "mfa.confirm" in actions, actions
    go("/audit?what=project.")
    rows = driver.find_elements(By.CSS_SELECTOR, "#entries tbody tr")
    assert rows and all(r.find_elements(By.TAG_NAME, "td")[3].text.startswith("project.") for r in rows)
    today = time.strftime("%Y-%m-%d", time.gmtime())
    go("/audit?since=%s&until=%s&what=user.create" % (today, today))
    rows = driver.find_elements(By.CSS_SELECTOR, "#entries tbody tr")
    assert len(rows) >= 2, len(rows)
    href = driver.find_element(By.ID, "csv").get_attribute("href")
    assert "/audit.csv?" in href and "what=user.create" in href, href
    say("dpo1 filtered the audit by who, what and when (%d user.create today) and has the CSV link" % len(rows))
    logout()
    print("browser: ok")
finally:
    driver.quit()
