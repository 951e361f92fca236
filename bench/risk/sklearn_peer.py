#!/usr/bin/python3
"""Peer for bench/risk and the integration test: scikit-learn's
TfidfVectorizer (word unigrams and bigrams) + LogisticRegression on the same
patient-level split. Prints JSON: auroc, fit seconds (vectorise + fit)."""
import csv, json, sys, time
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

def load(path):
    with open(path, newline='', encoding='utf-8') as f:
        rows = list(csv.DictReader(f))
    return [r['text'] for r in rows], [int(r['label']) for r in rows]

xtr, ytr = load(sys.argv[1])
xte, yte = load(sys.argv[2])
repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 1
fit_s = float('inf')
for _ in range(repeats):  # best of N, as for atelier
    t0 = time.perf_counter()
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents='unicode', lowercase=True)
    Xtr = vec.fit_transform(xtr)
    clf = LogisticRegression(C=1.0, max_iter=1000)
    clf.fit(Xtr, ytr)
    fit_s = min(fit_s, time.perf_counter() - t0)
p = clf.predict_proba(vec.transform(xte))[:, 1]
print(json.dumps({"auroc": roc_auc_score(yte, p), "fit_seconds": fit_s, "train_rows": len(ytr), "test_rows": len(yte)}))
