# A job that tries to get out of its sandbox: each attempt prints BLOCKED
# (with the error) or ESCAPED. Run by test_jobs_local in the room.
import os
import socket
import sys

port, room, other = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def attempt(name, fn):
    try:
        fn()
        print(f"ESCAPED {name}", flush=True)
    except Exception as e:  # every failure is what we want
        print(f"BLOCKED {name}: {type(e).__name__}: {e}", flush=True)


attempt("tcp-loopback", lambda: socket.create_connection(("127.0.0.1", port), timeout=3))
attempt("tcp6-loopback", lambda: socket.create_connection(("::1", port), timeout=3))
attempt("udp-loopback", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", port)))
attempt("catalog", lambda: open(os.path.join(room, "catalog.db"), "rb").read(1))
attempt("keys", lambda: open(os.path.join(room, "keys", "master.key")).read())
attempt("vault", lambda: os.listdir(os.path.join(room, "vault")))
attempt("other-project", lambda: os.listdir(other))
attempt("write-etc", lambda: open("/etc/escape", "w").write("x"))
attempt("write-root", lambda: open("/escape", "w").write("x"))
attempt("write-usr", lambda: open("/usr/escape", "w").write("x"))
attempt("write-data", lambda: open("/data/in/escape", "w").write("x"))
attempt("write-code", lambda: open("/code/escape", "w").write("x"))
open("/out/ok.txt", "w").write("written in /out\n")
