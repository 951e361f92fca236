#!/usr/bin/python3
"""Drive `atelier login` through a new account's first login: the one-time
password, a new password twice, the TOTP key it prints (the code is
computed here), and the login again with the next code.
usage: login_driver.py ATELIER_BIN OTP NEW_PASSWORD -- LOGIN_ARGS...
Prints the TOTP secret on stdout; exits with atelier's status."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import totp  # noqa: E402

binary, otp, newpw = sys.argv[1:4]
args = sys.argv[sys.argv.index("--") + 1:]
p = subprocess.Popen([binary, "login"] + args, stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                     stdout=subprocess.PIPE, text=True)
p.stdin.write("%s\n%s\n%s\n" % (otp, newpw, newpw))
p.stdin.flush()
secret = None
err = []
for line in p.stderr:
    err.append(line)
    if line.startswith("Key: "):
        secret = line.split()[1]
        break
if not secret:
    p.kill()
    sys.stderr.write("".join(err))
    sys.exit("login_driver: no TOTP key was printed")
now = time.time()
p.stdin.write("%s\n%s\n" % (totp.code(secret, now), totp.code(secret, now + 30)))
p.stdin.close()
rest = p.stderr.read()
out = p.stdout.read()
rc = p.wait()
if rc:
    sys.stderr.write("".join(err) + rest)
sys.stdout.write(out)
print(secret)
sys.exit(rc)
