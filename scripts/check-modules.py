#!/usr/bin/env python3
"""The module graph, enforced (ARCHITECTURE.md, CMakeLists.txt).

Every #include "..." of src/<module>/ and include/atelier/ is checked:
  - a public header include/atelier/X.h belongs to a module (HEADERS) and
    may be included only by a module allowed to use that one (USES, closed
    transitively);
  - a private header of src/<other>/ may never be included from another
    module ("../learn/unet.h", "text/extract_internal.h").
With --build DIR, the static libraries DIR/libatelier-<module>.a are
checked too: every at_ symbol a module uses must be defined by itself or
by a module it may use, so an upward call fails as an upward include does.
--self-test builds a small tree with violations and checks they are found.
Exit status 0 when the tree follows the graph, 1 with one line per fault.
"""
import os
import re
import subprocess
import sys
import tempfile

# Which modules each module may use (directly); the closure is taken below.
USES = {
    "core": [],
    "dicom": ["core"],
    "deid": ["dicom"],
    "image": ["dicom"],
    "learn": ["core"],
    "text": ["core"],
    "synth": ["dicom", "image", "text"],
    "risk": ["text", "synth"],
    "sct": ["image", "learn"],
    "learn_run": ["image", "learn"],
    # the French text detector as the door's text detector (clean-descriptors)
    "deid_text": ["deid", "text"],
    # the room sits above the pipelines (it will drive them), which know nothing of it
    "room": ["deid", "risk", "sct", "synth", "learn_run"],
    "web": ["room", "jobs", "airlock", "datasets", "classroom"],
    # the vault sits above the room (ROOM.md); its engine uses core alone
    "vault": ["room"],
    # jobs above the vault; the web service drives them
    "jobs": ["vault"],
    # the airlock above the jobs: its checks use the text detector and the door
    "airlock": ["jobs", "text", "deid", "deid_text"],
    # the vault inside the room: the catalog's datasets, imports through the door
    "datasets": ["jobs", "text", "deid"],
    # the classroom above the jobs: courses generate and split synthetic cohorts
    "classroom": ["jobs", "synth", "risk", "text", "sct"],
    "cli": ["deid", "risk", "sct", "synth", "learn_run", "web", "vault", "jobs", "airlock", "datasets",
            "classroom", "deid_text"],
}
# The module of each public header.
HEADERS = {
    "core.h": "core", "run.h": "core", "walk.h": "core",
    "dicom.h": "dicom", "deid.h": "deid", "image.h": "image",
    "learn.h": "learn", "text.h": "text", "text_model.h": "text", "risk.h": "risk",
    "synth.h": "synth", "phantom.h": "synth", "sct.h": "sct",
    "learn_run.h": "learn_run",
    "deid_text.h": "deid_text",
    "room.h": "room", "web.h": "web", "vault.h": "vault", "jobs.h": "jobs", "airlock.h": "airlock",
    "datasets.h": "datasets",
    "classroom.h": "classroom",
}
# Known faults being removed on another branch, each with who removes it.
# A fault listed here is reported as a warning, not a failure.
KNOWN = {}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def closure():
    out = {}
    for m in USES:
        seen, todo = {m}, list(USES[m])
        while todo:
            u = todo.pop()
            if u not in seen:
                seen.add(u)
                todo.extend(USES[u])
        out[m] = seen
    return out


def check_includes(root):
    allowed = closure()
    faults, warnings = [], []
    files = []
    for m in USES:
        d = os.path.join(root, "src", m)
        if os.path.isdir(d):
            for f in sorted(os.listdir(d)):
                if f.endswith((".c", ".h")):
                    files.append((m, os.path.join(d, f), "src/%s/%s" % (m, f)))
    inc = os.path.join(root, "include", "atelier")
    if os.path.isdir(inc):
        for f in sorted(os.listdir(inc)):
            if f.endswith(".h"):
                m = HEADERS.get(f)
                if m is None:
                    faults.append("include/atelier/%s: a public header of no module (add it to HEADERS)" % f)
                    continue
                files.append((m, os.path.join(inc, f), "include/atelier/" + f))
    for m, path, name in files:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        for target in INCLUDE.findall(text):
            fault = None
            if target.startswith("atelier/"):
                h = target[len("atelier/"):]
                owner = HEADERS.get(h)
                if owner is None:
                    if not h.startswith("atelier_"):  # generated headers (atelier_dicom_dict.h) sit beside
                        fault = "unknown public header"
                elif owner not in allowed[m]:
                    fault = "%s may not use %s" % (m, owner)
            elif target.startswith("atelier_"):
                pass  # generated at build time (build/generated)
            else:
                # a private header: the including file's folder first, then src/
                here = os.path.normpath(os.path.join(os.path.dirname(path), target))
                via_src = os.path.normpath(os.path.join(root, "src", target))
                hit = here if os.path.exists(here) else via_src if os.path.exists(via_src) else None
                if hit is None:
                    fault = "no such header"
                else:
                    rel = os.path.relpath(hit, os.path.join(root, "src")).split(os.sep)
                    owner = rel[0] if len(rel) > 1 else None
                    if owner != m:
                        fault = "a private header of %s" % owner
            if fault:
                line = "%s: #include \"%s\": %s" % (name, target, fault)
                if (m, target) in KNOWN:
                    warnings.append(line + " (known: %s)" % KNOWN[(m, target)])
                else:
                    faults.append(line)
    return faults, warnings


def defined_and_used(lib):
    out = subprocess.run(["nm", "--defined-only", "-g", lib], capture_output=True, text=True).stdout
    defined = {l.split()[-1] for l in out.splitlines() if len(l.split()) == 3}
    out = subprocess.run(["nm", "-u", lib], capture_output=True, text=True).stdout
    used = {l.split()[-1] for l in out.splitlines() if l.strip() and not l.endswith(":")}
    return defined, used


def check_symbols(build):
    allowed = closure()
    defs, uses = {}, {}
    for m in USES:
        lib = os.path.join(build, "libatelier-%s.a" % m)
        if os.path.exists(lib):
            defs[m], uses[m] = defined_and_used(lib)
    owner = {}
    for m, ds in defs.items():
        for s in ds:
            owner.setdefault(s, m)
    faults = []
    for m, us in uses.items():
        for s in sorted(us):
            o = owner.get(s)
            if o and o != m and o not in allowed[m]:
                faults.append("libatelier-%s.a uses %s of %s: %s may not use %s" % (m, s, o, m, o))
    return faults, sorted(defs)


def self_test():
    with tempfile.TemporaryDirectory() as t:
        for m in ("core", "text", "risk"):
            os.makedirs(os.path.join(t, "src", m))
        os.makedirs(os.path.join(t, "include", "atelier"))
        w = lambda p, s: open(os.path.join(t, p), "w").write(s)
        w("include/atelier/core.h", "")
        w("include/atelier/text.h", '#include "atelier/core.h"\n')
        w("include/atelier/risk.h", '#include "atelier/text.h"\n')
        w("src/text/internal.h", "")
        w("src/core/ok.c", '#include "atelier/core.h"\n')
        w("src/core/up.c", '#include "atelier/text.h"\n')           # upward: a fault
        w("src/risk/ok.c", '#include "atelier/risk.h"\n#include "atelier/text.h"\n')
        w("src/risk/private.c", '#include "text/internal.h"\n')     # another's private header
        w("src/risk/dotdot.c", '#include "../text/internal.h"\n')   # the same, through ..
        faults, _ = check_includes(t)
        want = ["src/core/up.c", "src/risk/private.c", "src/risk/dotdot.c"]
        got = sorted(f.split(":")[0] for f in faults)
        if got != sorted(want):
            print("check-modules self-test: expected faults in %s, got %s" % (want, faults))
            return 1
    print("check-modules self-test: the three faults were found")
    return 0


def main(argv):
    if "--self-test" in argv:
        return self_test()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = None
    if "--build" in argv:
        build = argv[argv.index("--build") + 1]
    faults, warnings = check_includes(root)
    checked = "includes"
    if build:
        sf, mods = check_symbols(build)
        faults += sf
        checked += " and the symbols of %d module libraries" % len(mods)
    for w in warnings:
        print("warning: " + w)
    for f in faults:
        print(f)
    if faults:
        print("check-modules: %d upward or private uses (graph in scripts/check-modules.py and ARCHITECTURE.md)"
              % len(faults))
        return 1
    print("check-modules: %s follow the module graph" % checked)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
