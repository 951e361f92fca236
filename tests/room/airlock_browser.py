#!/usr/bin/python3
"""The airlock in a real Chromium (headless, Debian's chromium-driver and
python3-selenium), over HTTPS, in a room set up by airlock_setup.py (a
student's job whose result holds a table, a table with a count of 4 and
neural-network weights): the student makes a request, sees the check
fire on the small table and takes it out, adds the table and the model,
submits; the DPO reviews (the side-by-side view: the table drawn as a
table, the model's tensors, the checks) and approves both; the lead asks
for a change of the table; the request comes back to the student, who
rounds the table; the DPO and the lead approve; the student releases the
request, downloads the package, and `atelier airlock verify` accepts it.
usage: airlock_browser.py URL SETUP_JSON DOWNLOAD_DIR ATELIER_BIN"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import totp  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

URL, SETUP, DOWNLOADS, BIN = sys.argv[1:5]
setup = json.load(open(SETUP))
USERS, JOB = setup["users"], setup["job"]

opts = webdriver.ChromeOptions()
for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000",
          "--no-first-run", "--disable-extensions"):
    opts.add_argument(a)
opts.accept_insecure_certs = True  # the room's self-signed certificate
opts.binary_location = "/usr/bin/chromium"
opts.add_experimental_option("prefs", {"download.default_directory": DOWNLOADS, "download.prompt_for_download": False})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
driver.set_page_load_timeout(60)
driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": DOWNLOADS})
step = [0]


def say(msg):
    step[0] += 1
    print("airlock browser %2d: %s" % (step[0], msg), flush=True)


def go(path):
    driver.get(URL + path)


def here():
    return driver.current_url[len(URL):]


def main_text():
    return driver.find_element(By.TAG_NAME, "main").text


def expect_path(prefix):
    for _ in range(150):
        if here().startswith(prefix) and driver.execute_script("return document.readyState") == "complete":
            return
        time.sleep(0.1)
    raise AssertionError("expected %s, at %s: %s" % (prefix, here(), main_text()[:600]))


def gone(element):
    for _ in range(300):
        try:
            element.is_enabled()
        except WebDriverException:
            return
        time.sleep(0.05)
    raise AssertionError("the page did not change after a submit, at %s" % here())


def click(id_):
    e = driver.find_element(By.ID, id_)
    e.click()
    gone(e)


def fill(fields, submit):
    for k, v in fields.items():
        e = driver.find_element(By.ID, k)
        e.clear()
        e.send_keys(v)
    click(submit)


def text(id_):
    return driver.find_element(By.ID, id_).text


def next_code(user):
    u = USERS[user]
    while int(time.time() // 30) < u["step"]:
        time.sleep(0.5)
    s = int(time.time() // 30) + 1
    u["step"] = s
    return totp.code(u["secret"], s * 30)


def login(user):
    driver.delete_all_cookies()
    go("/login")
    fill({"user": user, "password": USERS[user]["password"]}, "submit")
    expect_path("/login/mfa")
    fill({"code": next_code(user)}, "submit")
    expect_path("/")
    assert text("whoami") == user, text("whoami")


def logout():
    click("logout")
    expect_path("/login")


def state():
    return text("state")


def file_link(name):
    return driver.find_element(By.ID, "view-" + name)


def vote(name, value, comment=""):
    file_link(name).click()
    expect_path("/airlock/requests/")
    assert driver.find_elements(By.CSS_SELECTOR, "#checks li.check"), "the checks are shown beside the file"
    Select(driver.find_element(By.ID, "vote")).select_by_value(value)
    if comment:
        driver.find_element(By.ID, "vote-comment").send_keys(comment)
    click("cast-vote")
    assert text("current-vote") == value, text("current-vote")
    click("back")


try:
    # --- the student: a request, the small table caught by the checks, then the table and the model
    login("student1")
    go("/airlock")
    fill({"new-title-onco": "Stages and the pseudo-CT network"}, "new-request-onco")
    expect_path("/airlock/requests/")
    request = int(here().split("/")[3].split("?")[0])
    base = "/airlock/requests/%d" % request
    assert state() == "draft"

    def add(path, justification=""):
        Select(driver.find_element(By.ID, "add-source")).select_by_value("result")
        fill({"add-job": str(JOB), "add-path": path, "add-justification": justification}, "add-file")
        expect_path(base)
        assert "The file was added" in main_text(), main_text()[:400]

    add("small.csv")
    assert text("outcome-small.csv") == "fail", text("outcome-small.csv")
    click("remove-small.csv")
    assert "small.csv" not in text("files")
    say("student1 made request #%d; the table with a count of 4 fails the disclosure check; removed" % request)
    add("stage.csv", "Table 2 of the paper: patients by stage and sex")
    add("model.safetensors", "the trained network for the partner centre")
    assert text("outcome-stage.csv") == "pass" and text("outcome-model.safetensors") == "review"
    assert "DPO" in text("files")
    click("submit-request")
    assert state() == "in-review", state()
    say("student1 added the table (checks pass) and the model (review, needs the DPO) and submitted")
    logout()

    # --- the DPO: the queue, the side-by-side view, approves both
    login("dpo1")
    go("/airlock")
    assert "awaits your review" in text("notices"), text("notices")
    go("/airlock/queue")
    assert ("#%d" % request) in text("queue")
    go(base)
    file_link("stage.csv").click()
    expect_path(base + "/files/")
    cells = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#table tbody td")]
    assert "25" in cells and "14" in cells, cells
    assert "disclosure" in text("checks")
    click("back")
    file_link("model.safetensors").click()
    expect_path(base + "/files/")
    assert "enc.0.weight" in text("tensors") and "the DPO approves" in text("checks")
    click("back")
    vote("stage.csv", "approve")
    vote("model.safetensors", "approve")
    click("hand-in")
    assert state() == "in-review", "one reviewer approved alone"
    say("dpo1 viewed the table as a table and the model's tensors beside their checks, approved both, handed in")
    logout()

    # --- the lead: asks for the table to be rounded
    login("lead1")
    go(base)
    assert "stage.csv" in text("earlier") or "None." in text("earlier")
    assert not driver.find_elements(By.ID, "votes"), "the lead sees no other reviewer's vote before the decision"
    vote("stage.csv", "changes", "Please round every count to 5, as OpenSAFELY does.")
    vote("model.safetensors", "approve")
    click("hand-in")
    assert state() == "returned", state()
    assert "round every count" in text("votes")
    say("lead1 asked for a change of the table: the request is returned, the votes now shown")
    logout()

    # --- the student rounds the table (its votes reset) and submits again
    login("student1")
    go("/airlock")
    assert "returned" in text("notices"), text("notices")
    go(base)
    click("round-stage.csv")
    assert "The table was rounded" in main_text()
    assert "round" in text("files")
    file_link("stage.csv").click()
    cells = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#table tbody td")]
    assert "14" not in cells and "15" in cells and "25" in cells, cells
    click("back")
    click("submit-request")
    assert state() == "in-review", state()
    say("student1 rounded the table (counts to the nearest 5) and submitted again")
    logout()

    # --- both approve
    for reviewer in ("dpo1", "lead1"):
        login(reviewer)
        go(base)
        assert text("my-vote-stage.csv") == "undecided", "the changed file's vote was reset"
        assert text("my-vote-model.safetensors") == "approve", "the unchanged file's vote was kept"
        vote("stage.csv", "approve")
        click("hand-in")
        logout()
    say("dpo1 and lead1 approved the rounded table (their votes on the model kept)")

    # --- the student releases and downloads the package
    login("student1")
    go(base)
    assert state() == "approved", state()
    click("release")
    assert state() == "released", state()
    link = driver.find_element(By.ID, "download")
    link.click()
    want = os.path.join(DOWNLOADS, "export-%d.tar" % request)
    for _ in range(200):
        if os.path.exists(want) and not [f for f in os.listdir(DOWNLOADS) if f.endswith(".crdownload")]:
            break
        time.sleep(0.1)
    assert os.path.exists(want), os.listdir(DOWNLOADS)
    out = subprocess.run([BIN, "airlock", "verify", want], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "verified: request %d of project onco by student1" % request in out.stdout, out.stdout
    say("student1 released the request, downloaded %s; atelier airlock verify: %s" % (os.path.basename(want),
                                                                                      out.stdout.strip()[:120]))
    logout()
    print("airlock browser: ok")
finally:
    driver.quit()
