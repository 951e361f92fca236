#!/usr/bin/python3
"""Tamper with a room's audit as someone with write access to the catalog
but not the signing key would: edit an entry, delete the newest entries or
some in the middle, or edit one and rebuild the whole chain after it with
the chain's rule, written here from docs/room.md independently of the C
code: hash = BLAKE2b-256(previous hash || "atelier-audit-v1\\0" || seq as
8 bytes big-endian || each of time, actor, action, object, details as a
4-byte big-endian length and its UTF-8 bytes).
usage: audit_tamper.py DIR edit|delete-newest|delete-middle|rebuild|check SEQ"""
import hashlib
import sqlite3
import struct
import sys


def entry_hash(prev, seq, fields):
    h = hashlib.blake2b(digest_size=32)
    h.update(prev)
    h.update(b"atelier-audit-v1\0")
    h.update(struct.pack(">Q", seq))
    for f in fields:
        b = f.encode("utf-8")
        h.update(struct.pack(">I", len(b)))
        h.update(b)
    return h.digest()


room, mode, seq = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = sqlite3.connect(room + "/catalog.db")
rows = db.execute("SELECT seq, time, actor, action, object, details, prev_hash, hash FROM audit ORDER BY seq").fetchall()
if mode == "check":  # the rule above gives the hashes the room wrote
    prev = bytes(32)
    for r in rows:
        if bytes(r[6]) != prev or entry_hash(prev, r[0], r[1:6]) != bytes(r[7]):
            sys.exit("entry %d does not follow the documented rule" % r[0])
        prev = bytes(r[7])
    print("%d entries follow the documented rule" % len(rows))
elif mode == "edit":
    db.execute("UPDATE audit SET object = object || ' (edited)' WHERE seq = ?", (seq,))
elif mode == "delete-newest":
    db.execute("DELETE FROM audit WHERE seq >= ?", (seq,))
elif mode == "delete-middle":
    db.execute("DELETE FROM audit WHERE seq = ?", (seq,))
elif mode == "rebuild":
    db.execute("UPDATE audit SET actor = 'someone else' WHERE seq = ?", (seq,))
    rows = db.execute("SELECT seq, time, actor, action, object, details, prev_hash FROM audit WHERE seq >= ? "
                      "ORDER BY seq", (seq,)).fetchall()
    prev = bytes(rows[0][6])
    for r in rows:
        h = entry_hash(prev, r[0], r[1:6])
        db.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, h, r[0]))
        prev = h
else:
    sys.exit("unknown mode " + mode)
db.commit()
