#!/usr/bin/env bash
# The de-identifier's tagger end to end: the shipped default model is what
# one command makes from its seed (the same bytes); eval-deid on a BRAT
# folder matches a reference computation in Python (per-label token
# precision, recall and F1 from the .ann files and the spans `text deid
# --json` writes); a model trained on annotated notes is used by `text deid
# --model`.
set -euo pipefail
bin="${ATELIER_BIN:?}"
src="${ATELIER_SOURCE_DIR:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# --- the default model, retrained from its seed and the annotated notes, byte for byte
"$bin" text deid-model train --synthetic --annotations "$src/data/text/annotated" --seed 1 \
  -o "$tmp/model.bin" > "$tmp/train.log"
cmp -s "$tmp/model.bin" "$src/data/text/deid-tagger.bin" ||
  fail "retraining with --synthetic --annotations data/text/annotated --seed 1 does not give data/text/deid-tagger.bin"
grep -q "annotations with a label" "$tmp/train.log" && fail "data/text/annotated has labels atelier does not know"
grep -q "operating point" "$tmp/train.log" || fail "no operating point in the training report"

# --- eval-deid on a BRAT folder against a reference computation
"$bin" text synth-docs --style hospital --brat --docs 80 --seed 31 --heldout -o "$tmp/brat" > /dev/null
ls "$tmp/brat"/*.ann > /dev/null || fail "synth-docs --brat wrote no .ann"
# a note with a dash, guillemets, a no-break space and an arrow inside and
# between identifiers: they are no token of either side
/usr/bin/python3 - "$tmp/brat" <<'PY'
import sys
t = "Adressée par le CHU de Caen \u2013 site Côte de Nacre \u00ab\u00a0Dr\u00a0Élodie Marchand\u00a0\u00bb \u2192 suivi le 3/4.\n"
spans = [("HOPITAL", "CHU de Caen \u2013 site Côte de Nacre"), ("PRENOM", "Élodie"), ("NOM", "Marchand")]
with open(sys.argv[1] + "/zz_punct.txt", "w", encoding="utf-8") as f:
    f.write(t)
with open(sys.argv[1] + "/zz_punct.ann", "w", encoding="utf-8") as f:
    for k, (lab, s) in enumerate(spans):
        a = t.index(s)
        f.write("T%d\t%s %d %d\t%s\n" % (k + 1, lab, a, a + len(s), s))
PY
mkdir -p "$tmp/txt"
cp "$tmp/brat"/*.txt "$tmp/txt/"
# (one document at a time, as eval-deid detects: no consistency across the run)
"$bin" text deid "$tmp/txt" -o "$tmp/out" --json --no-run-consistency > /dev/null 2>&1
"$bin" text eval-deid --brat "$tmp/brat" --json --errors "$tmp/errors.tsv" > "$tmp/eval.json"
/usr/bin/python3 - "$tmp/brat" "$tmp/out" "$tmp/eval.json" "$tmp/errors.tsv" <<'PY'
import json, os, sys
brat, out, evalf, errorsf = sys.argv[1:5]

def tok_char(ch):
    # a word token's character: ASCII letters and digits, and from U+00C0 on
    # all but the Latin-1 signs and the punctuation and symbol blocks
    cp = ord(ch)
    if ch.isascii():
        return ch.isalnum()
    return cp >= 0xC0 and cp not in (0xD7, 0xF7) and not 0x2000 <= cp <= 0x2BFF \
        and not 0x3000 <= cp <= 0x303F and not 0xFE00 <= cp <= 0xFFFF

def covering(spans, a, b):
    # the first span (by start) overlapping [a, b), as the evaluator's cursor finds it
    for s, e, l in spans:
        if e > a:
            return l if s < b else None
    return None

tp = {}; fp = {}; fn = {}; rtp = rfp = rfn = 0
rows = set()  # the error listing's rows, but their text

def tokens(text, a, b):
    # the word tokens of characters [a, b), cut at b
    out, i = [], a
    while i < b:
        if not tok_char(text[i]):
            i += 1
            continue
        s0 = i
        while i < b and tok_char(text[i]):
            i += 1
        out.append((s0, i))
    return out
for name in sorted(os.listdir(brat)):
    if not name.endswith('.txt'):
        continue
    raw = open(os.path.join(brat, name), 'rb').read()
    text = raw.decode('utf-8')
    cb = [0]
    for ch in text:
        cb.append(cb[-1] + len(ch.encode('utf-8')))
    gold = []; keep = []
    for line in open(os.path.join(brat, name[:-4] + '.ann'), encoding='utf-8'):
        f = line.rstrip('\n').split('\t')
        if not f[0].startswith('T'):
            continue
        lab, a, b = f[1].split(' ')[:3]
        if lab == 'KEEP':
            keep.append((int(a), int(b)))
            continue
        gold.append((cb[int(a)], cb[int(b)], lab))
    gold.sort()
    pred = [(s['offset'], s['offset'] + s['length'], s['label'])
            for s in json.load(open(os.path.join(out, name + '.json')))['spans']]
    ch = {b: c for c, b in enumerate(cb)}
    for kind, spans, other in (('missed', [(ch[a], ch[b], l) for a, b, l in gold], pred),
                               ('false', [(ch[a], ch[b], l) for a, b, l in pred], gold)):
        for a, b, l in spans:
            t = tokens(text, a, b)
            left = sum(1 for x, y in t if covering(other, cb[x], cb[y]) is None)
            if left:
                rows.add((kind, name, l, a, b, '%d/%d' % (left, len(t))))
    for a, b in keep:
        if any(s < cb[b] and e > cb[a] for s, e, _ in pred):
            rows.add(('lost', name, 'KEEP', a, b, '-'))
    i = 0
    while i < len(text):
        if not tok_char(text[i]):
            i += 1
            continue
        a = i
        while i < len(text) and tok_char(text[i]):
            i += 1
        g, p = covering(gold, cb[a], cb[i]), covering(pred, cb[a], cb[i])
        if g and p: rtp += 1
        elif g: rfn += 1
        elif p: rfp += 1
        if g and g == p:
            tp[g] = tp.get(g, 0) + 1
        else:
            if g: fn[g] = fn.get(g, 0) + 1
            if p: fp[p] = fp.get(p, 0) + 1

def ratio(a, b):
    return a / b if b else 0.0

ev = json.load(open(evalf))
P, R = ratio(rtp, rtp + rfp), ratio(rtp, rtp + rfn)
bad = []
if abs(ev['overall']['precision'] - round(P, 4)) > 1e-4 or abs(ev['overall']['recall'] - round(R, 4)) > 1e-4:
    bad.append('overall: atelier %s, reference P %.4f R %.4f' % (ev['overall'], P, R))
labels = set(tp) | set(fp) | set(fn)
for l in sorted(labels):
    p, r = ratio(tp.get(l, 0), tp.get(l, 0) + fp.get(l, 0)), ratio(tp.get(l, 0), tp.get(l, 0) + fn.get(l, 0))
    f1 = ratio(2 * p * r, p + r)
    got = ev['labels'].get(l)
    if got is None:
        bad.append('%s missing from eval-deid' % l); continue
    for k, v in (('precision', p), ('recall', r), ('f1', f1)):
        if abs(got[k] - round(v, 4)) > 1e-4:
            bad.append('%s %s: atelier %.4f, reference %.4f' % (l, k, got[k], v))
    if int(got['support']) != tp.get(l, 0) + fn.get(l, 0):
        bad.append('%s support: atelier %s, reference %d' % (l, got['support'], tp.get(l, 0) + fn.get(l, 0)))
if len(ev['labels']) != len(labels):
    bad.append('labels: atelier %s, reference %s' % (sorted(ev['labels']), sorted(labels)))
got = set()
with open(errorsf, encoding='utf-8') as f:
    head = f.readline()
    for line in f:
        c = line.rstrip('\n').split('\t')
        got.add((c[0], c[1], c[2], int(c[3]), int(c[4]), c[5]))
if head != 'kind\tnote\tlabel\tstart\tend\ttokens\ttext\n' or got != rows:
    bad.append('--errors: %d rows, reference %d; only in atelier %s; only in the reference %s'
               % (len(got), len(rows), sorted(got - rows)[:3], sorted(rows - got)[:3]))
if not rows:
    bad.append('--errors: no error in the reference: the comparison proves nothing')
if bad:
    print('\n'.join(bad)); sys.exit(1)
print('eval-deid matches the reference on %d labels and %d error rows' % (len(labels), len(rows)))
PY

# --- a centre's annotated notes: train, then use the model
"$bin" text deid-model train --annotations "$tmp/brat" --seed 2 --epochs 3 -o "$tmp/centre.bin" > "$tmp/centre.log"
[ -s "$tmp/centre.bin" ] || fail "no model from --annotations"
# the refit (the default): the operating point chosen on every fifth note,
# then every note trains; --no-refit keeps the first training's model
n_brat=$(ls "$tmp/brat"/*.ann | wc -l)
grep -q "^refit: every note trains" "$tmp/centre.log" || fail "no refit in the training's report"
grep -q "^trained on $n_brat documents" "$tmp/centre.log" || fail "the refit did not train on all $n_brat notes"
"$bin" text deid-model train --annotations "$tmp/brat" --seed 2 --epochs 3 --no-refit -o "$tmp/first.bin" > "$tmp/first.log"
grep -q "^refit" "$tmp/first.log" && fail "--no-refit refitted"
grep -q "^trained on $((n_brat - n_brat / 5)) documents" "$tmp/first.log" || fail "--no-refit: not four notes in five"
cmp -s "$tmp/first.bin" "$tmp/centre.bin" && fail "the refit gave the first training's model"
"$bin" text deid-model train --annotations "$tmp/brat" --init "$tmp/centre.bin" --epochs 2 -o "$tmp/tuned.bin" > /dev/null
echo "Vu ce jour Mme Kerlouanec avec son fils Gwendal." > "$tmp/one.txt"
"$bin" text deid "$tmp/one.txt" -o "$tmp/one" --model "$tmp/tuned.bin" > /dev/null 2>&1
grep -q "Kerlouanec" "$tmp/one/one.txt" && fail "the name stayed with --model"
"$bin" text eval-deid --brat "$tmp/brat" --model "$tmp/tuned.bin" > /dev/null
# a damaged model is refused by name
head -c 100 "$tmp/tuned.bin" > "$tmp/bad.bin"
set +e
"$bin" text deid "$tmp/one.txt" -o "$tmp/one2" --model "$tmp/bad.bin" > /dev/null 2> "$tmp/err"
rc=$?
set -e
[ "$rc" = 1 ] || fail "a truncated model: exit $rc, not 1"
grep -q "bad.bin" "$tmp/err" || fail "the truncated model is not named in the error"
echo "text deid-model: all checks passed"
