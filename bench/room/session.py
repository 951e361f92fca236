#!/usr/bin/python3
"""Log the first administrator of a new room in, through the API and the
pages, as a client would: one-time password, own password, TOTP; prints
the bearer token and the browser session cookie (two lines).
usage: session.py URL CACERT USER ONE_TIME_PASSWORD"""
import http.cookiejar
import json
import os
import re
import ssl
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/room"))
import totp  # noqa: E402

url, cacert, user, otp = sys.argv[1:5]
ctx = ssl.create_default_context(cafile=cacert)
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx),
                                     urllib.request.HTTPCookieProcessor(jar))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


opener.add_handler(NoRedirect())


def api(path, body, token=None):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", "Bearer " + token)
    return json.load(opener.open(req))


def form(path, fields):
    page = opener.open(url + path.split("?")[0] if path == "/login" else url + path).read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(dict(fields, csrf=csrf)).encode()
    req = urllib.request.Request(url + path, data=data, method="POST", headers={"Origin": url})
    try:
        opener.open(req)
    except urllib.error.HTTPError as e:
        if e.code != 303:
            raise


password = "bench password of " + user
setup = api("/api/v1/login", {"user": user, "password": otp})["token"]
api("/api/v1/password", {"password": password}, setup)
secret = api("/api/v1/mfa/enrol", {}, setup)["secret"]
step = int(time.time() // 30)
api("/api/v1/mfa/confirm", {"totp": totp.code(secret, step * 30)}, setup)
token = api("/api/v1/login", {"user": user, "password": password, "totp": totp.code(secret, step * 30 + 30)})["token"]
while int(time.time() // 30) < step + 1:  # the browser's login needs the step after
    time.sleep(0.5)
form("/login", {"user": user, "password": password})
form("/login/mfa", {"code": totp.code(secret, (step + 2) * 30)})
cookie = [c.value for c in jar if c.name == "__Host-atelier"][0]
print(token)
print(cookie)
