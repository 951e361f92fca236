#!/usr/bin/python3
"""The vault's pages in a real Chromium (headless, Debian's chromium-driver
and python3-selenium), over HTTPS, in a room set up by vault_setup.py where
member1 imported a DICOM study through the door (onco/ct) and lead1 a
synthetic cohort (onco/cohort): member1 finds the datasets from the
navigation, opens ct (its snapshot and the door's report), its lineage
(the SVG: the import, the snapshot) and the import's page; student1 sees
the synthetic cohort only; other1 is refused ct; lead1 asks for ct's
deletion with a reason; the DPO sees it asked, types its name and shreds
it; the deletions page says shredded and ct is gone.
usage: vault_browser.py URL SETUP_JSON"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import totp  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

URL, SETUP = sys.argv[1:3]
USERS = json.load(open(SETUP))["users"]

opts = webdriver.ChromeOptions()
for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000",
          "--no-first-run", "--disable-extensions"):
    opts.add_argument(a)
opts.accept_insecure_certs = True  # the room's self-signed certificate
opts.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
driver.set_page_load_timeout(60)
step = [0]


def say(msg):
    step[0] += 1
    print("vault browser %2d: %s" % (step[0], msg), flush=True)


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
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", e)
    try:
        e.click()
    except WebDriverException:  # covered (a short page's bottom): the same click by script
        driver.execute_script("arguments[0].click()", e)
    gone(e)


def fill(fields, submit):
    for k, v in fields.items():
        e = driver.find_element(By.ID, k)
        e.clear()
        e.send_keys(v)
    click(submit)


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
    assert driver.find_element(By.ID, "whoami").text == user


try:
    login("member1")
    driver.find_element(By.LINK_TEXT, "Datasets").click()
    expect_path("/datasets")
    table = driver.find_element(By.ID, "datasets-onco").text
    assert "ct" in table and "cohort" in table and "synthetic" in table, table
    assert "done" in driver.find_element(By.ID, "imports").text
    say("member1: the datasets of my projects and my imports")
    driver.find_element(By.LINK_TEXT, "ct").click()
    expect_path("/projects/onco/datasets/ct")
    snaps = driver.find_element(By.ID, "snapshots").text
    assert "dicom" in snaps and "files_done" in snaps and "options" in snaps, snaps
    say("member1: ct's snapshot with the door's report")
    click("lineage-link")
    expect_path("/projects/onco/datasets/ct/lineage")
    svg = driver.find_element(By.CSS_SELECTOR, "#lineage svg")
    assert "import 1 (dicom door) by member1" in svg.get_attribute("innerHTML"), svg.get_attribute("innerHTML")[:400]
    assert svg.size["width"] > 300, svg.size
    say("member1: the lineage drawn as SVG")
    go("/projects/onco/imports/1")
    assert driver.find_element(By.ID, "import-done").text.startswith("Stored as snapshot")
    say("member1: the import's page")

    login("student1")
    go("/datasets")
    table = driver.find_element(By.ID, "datasets-onco").text
    assert "cohort" in table and "ct" not in table.split(), table
    go("/projects/onco/datasets/ct")
    assert "No such dataset" in main_text()
    say("student1: the synthetic cohort only")

    login("other1")
    go("/projects/onco/datasets/ct")
    assert "onco/ct" not in driver.title and "Dataset onco/ct" not in main_text(), main_text()[:300]
    say("other1: refused")

    login("lead1")
    go("/projects/onco/datasets/ct")
    fill({"reason": "consent withdrawn"}, "ask-delete")
    expect_path("/projects/onco/datasets/ct")
    assert "deletion is asked for" in driver.find_element(By.ID, "deletion").text
    say("lead1: asks for ct's deletion")

    login("dpo1")
    go("/datasets")
    click("deletions-link")
    expect_path("/deletions")
    assert "requested" in driver.find_element(By.ID, "deletions").text
    driver.find_element(By.LINK_TEXT, "onco/ct").click()
    expect_path("/projects/onco/datasets/ct")
    fill({"confirm": "onco/ct"}, "shred")
    expect_path("/deletions")
    row = driver.find_element(By.ID, "deletions").text
    assert "shredded" in row and "consent withdrawn" in row and "dpo1" in row, row
    go("/projects/onco/datasets/ct")
    assert "No such dataset" in main_text()
    say("dpo1: shreds it; the register says so")
finally:
    driver.quit()
print("vault browser: ok")
