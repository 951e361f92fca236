#!/bin/bash
# make install (PREFIX, DESTDIR): both programs and their data land under
# DESTDIR/PREFIX and the programs find the data relative to themselves,
# wherever the tree is put: a command that needs the dictionaries works
# from the staged tree moved elsewhere, reads them there (removing one
# makes it fail naming the installed path), and no path of the build tree
# is compiled into the programs.
set -euo pipefail
BUILD=${ATELIER_BUILD_DIR:?}
SRC=${ATELIER_SOURCE_DIR:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# `make install` is cmake --install with PREFIX and DESTDIR (its build step
# is not run here: other tests are running the programs it would relink)
# (the make running the tests, if any, is not inherited: its flags and jobserver)
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -n -C "$SRC" install BUILD="$BUILD" PREFIX=/opt/atelier \
  DESTDIR="$T/stage" >"$T/make-n.log" 2>&1 || true
grep -q "DESTDIR=\"$T/stage\" cmake --install $BUILD --prefix \"/opt/atelier\"" "$T/make-n.log" ||
  fail "make install's command: $(cat "$T/make-n.log")"
DESTDIR="$T/stage" cmake --install "$BUILD" --prefix /opt/atelier >"$T/install.log" 2>&1 ||
  { cat "$T/install.log"; fail "install"; }
R=$T/stage/opt/atelier
test -x "$R/bin/atelier" && test -x "$R/bin/atelier-engine" || fail "programs not installed"
# (data/text/annotated, the tagger's annotated notes, is a folder: compared whole)
for f in "$SRC"/data/text/*; do
  if [ -d "$f" ]; then diff -rq "$f" "$R/share/atelier/text/$(basename "$f")" >/dev/null || fail "data $f"
  else cmp -s "$f" "$R/share/atelier/text/$(basename "$f")" || fail "data $f"; fi
done
# the staged tree moved: found relative to the program, not to PREFIX
mv "$T/stage/opt/atelier" "$T/moved"
R=$T/moved
printf 'Patient traité par cisplatine 75 mg/m2 J1.\n' > "$T/note.txt"
"$R/bin/atelier" text extract "$T/note.txt" > "$T/out.tsv" || fail "text extract from the installed tree"
grep -q cisplatine "$T/out.tsv" || fail "no drug found: $(cat "$T/out.tsv")"
# it is the installed dictionary that is read
mv "$R/share/atelier/text/medicaments.txt" "$T/med.txt"
if "$R/bin/atelier" text extract "$T/note.txt" >/dev/null 2>"$T/err"; then fail "ran without its dictionary"; fi
grep -q "$R/bin/../share/atelier/text" "$T/err" || fail "error does not name the installed data: $(cat "$T/err")"
mv "$T/med.txt" "$R/share/atelier/text/medicaments.txt"
# no build-tree path compiled in
for p in "$R/bin/atelier" "$R/bin/atelier-engine"; do
  if grep -aq -- "$SRC/data" "$p"; then fail "$p holds the source tree's data path"; fi
done
# the front program hands engine commands to the engine beside it
"$R/bin/atelier" learn --help >/dev/null || fail "atelier -> atelier-engine"
echo ok
