#!/usr/bin/env python3
"""Baselines of issue 5 on exactly the events and split that `streamcrm eval --export DIR` wrote.

Protocol (same as StreamCRM's QualityEvaluator): events in time order, split at the index in
events.tsv; every test touch is a target; the customer's top 20 is asked for before the event;
lists are de-duplicated, seen items removed in remove-seen mode, then filled from cumulative
popularity (count of touches so far, ties by item id) for every method alike.

Methods: popularity (frozen at the split, and cumulative); implicit's CosineRecommender and
BM25Recommender trained on the first 80 %; SAR-style co-occurrence (Jaccard, lift; score = the
customer's affinity x similarity) frozen at the split (scipy sparse) and streaming test-then-train
(dict counts, exact incremental SAR); sklearn KMeans (k-means++, n_init=10) and River
cluster.KMeans on the exported final customer features.
"""
import argparse
import heapq
import json
import math
import sys
from collections import defaultdict

import numpy as np
import scipy.sparse as sp

CUTOFF = 20
MODES = ("keep_seen", "remove_seen")


def read_events(path):
    rows = []
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        split = int(head[1])
        for line in f:
            idx, cust, item, ts, weight, target = line.rstrip("\n").split("\t")
            rows.append((int(idx), cust, item, int(ts), float(weight), target == "1"))
    events = []  # (idx, cust, [items], weight, is_target)
    for r in rows:
        if events and events[-1][0] == r[0]:
            if r[2]:
                events[-1][2].append(r[2])
        else:
            events.append((r[0], r[1], [r[2]] if r[2] else [], r[4], r[5]))
    return split, events


class Fill:
    """Cumulative popularity, ranked by (-count, item id); mirrors PopularityFill."""

    def __init__(self, keep=500):
        self.counts = {}
        self.top = []  # list of (-count, item)
        self.keep = keep

    def add(self, item):
        c = self.counts.get(item, 0) + 1
        self.counts[item] = c
        if c > 1:
            try:
                self.top.remove((-(c - 1), item))
            except ValueError:
                pass
        entry = (-c, item)
        lo, hi = 0, len(self.top)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.top[mid] < entry:
                lo = mid + 1
            else:
                hi = mid
        if lo < self.keep:
            self.top.insert(lo, entry)
        if len(self.top) > self.keep:
            self.top.pop()

    def ranked(self, limit):
        if limit <= len(self.top) or len(self.top) == len(self.counts):
            return [i for _, i in self.top[:limit]]
        return [i for _, i in sorted((-c, i) for i, c in self.counts.items())[:limit]]

    def fill(self, lst, length, excluded):
        out, used = [], set()
        for i in lst:
            if len(out) >= length:
                break
            if i not in excluded and i not in used:
                used.add(i)
                out.append(i)
        limit = length + len(excluded) + len(out)
        while len(out) < length:
            cands = self.ranked(limit)
            for i in cands:
                if len(out) >= length:
                    break
                if i not in excluded and i not in used:
                    used.add(i)
                    out.append(i)
            if len(cands) < limit:
                break
            limit *= 2
        return out


class Metrics:
    def __init__(self):
        self.n = self.h10 = self.h20 = self.cold = 0
        self.rr = self.dcg = 0.0
        self.items = set()

    def record(self, lst, target, cold):
        self.n += 1
        self.cold += cold
        top = lst[:CUTOFF]
        self.items.update(top)
        if target in top:
            r = top.index(target) + 1
            self.h10 += r <= 10
            self.h20 += 1
            self.rr += 1 / r
            self.dcg += 1 / math.log2(r + 1)

    def as_dict(self, catalog):
        n = max(self.n, 1)
        return {"hr10": self.h10 / n, "hr20": self.h20 / n, "mrr20": self.rr / n, "ndcg20": self.dcg / n,
                "coverage": len(self.items) / max(catalog, 1), "cold_share": self.cold / n, "targets": self.n}


def topn(scores, n):
    """Items of a dict by (-score, item id), at most n, positive scores only."""
    return [i for s, i in heapq.nsmallest(n, ((-s, i) for i, s in scores.items() if s > 0))]


class StreamingSAR:
    """SAR co-occurrence counted incrementally: c[i][i] = customers who touched i, c[i][j] = customers
    who touched both. Similarity: jaccard c_ij/(c_ii+c_jj-c_ij) or lift c_ij/(c_ii c_jj)."""

    def __init__(self):
        self.c = defaultdict(dict)

    def observe(self, history, item):
        if item in history:
            return
        row = self.c[item]
        row[item] = row.get(item, 0) + 1
        for h in history:
            self.c[h][item] = self.c[h].get(item, 0) + 1
            row[h] = row.get(h, 0) + 1

    def scores(self, affinity, measure):
        out = defaultdict(float)
        for h, a in affinity.items():
            row = self.c.get(h)
            if not row:
                continue
            chh = row[h]
            for j, cij in row.items():
                cjj = self.c[j][j]
                s = cij / (chh + cjj - cij) if measure == "jaccard" else cij / (chh * cjj)
                out[j] += a * s
        return out


def frozen_sar(train_hist, items_index, measure):
    """SAR similarity matrix from the training customer-item sets (scipy sparse)."""
    rows, cols = [], []
    for u, (cust, hist) in enumerate(train_hist.items()):
        for i in hist:
            rows.append(u)
            cols.append(items_index[i])
    U = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(train_hist), len(items_index)))
    C = (U.T @ U).tocsr()
    d = C.diagonal()
    C = C.tocoo()
    if measure == "jaccard":
        v = C.data / (d[C.row] + d[C.col] - C.data)
    else:
        v = C.data / (d[C.row] * d[C.col])
    return sp.csr_matrix((v, (C.row, C.col)), shape=C.shape)


def evaluate(data_dir, with_implicit=True):
    split, events = read_events(data_dir + "/events.tsv")
    catalog = len({i for e in events for i in e[2]})
    methods = ["pop_frozen", "pop_stream", "sar_jaccard_frozen", "sar_lift_frozen",
               "sar_jaccard_stream", "sar_lift_stream"]
    if with_implicit:
        methods[2:2] = ["implicit_cosine", "implicit_bm25"]
    metrics = {m: {mode: Metrics() for mode in MODES} for m in methods}

    # Training sets (first pass over the training part).
    train_hist = defaultdict(dict)
    train_items = {}
    for idx, cust, items, w, _ in events:
        if idx >= split:
            break
        for i in items:
            train_hist[cust][i] = train_hist[cust].get(i, 0) + 1
            train_items.setdefault(i, len(train_items))
    item_names = np.array(sorted(train_items, key=train_items.get), dtype=object)
    pop_frozen = Fill()
    for idx, cust, items, w, _ in events:
        if idx >= split:
            break
        for i in items:
            pop_frozen.add(i)
    sims = {m: frozen_sar(train_hist, train_items, m) for m in ("jaccard", "lift")} if train_items else {}

    # Histories before each test target, for the batch methods.
    max_seen = 0
    implicit_lists = {}
    if with_implicit and train_items:
        from implicit.nearest_neighbours import BM25Recommender, CosineRecommender
        urows, ucols, uvals = [], [], []
        for u, (cust, hist) in enumerate(train_hist.items()):
            for i, c in hist.items():
                urows.append(u); ucols.append(train_items[i]); uvals.append(c)
        X = sp.csr_matrix((np.array(uvals, dtype=np.float32), (urows, ucols)),
                          shape=(len(train_hist), len(train_items)))
        hist = defaultdict(dict)
        q_rows, q_cols, q_vals, q_idx, q_seen = [], [], [], [], []
        for idx, cust, items, w, target in events:
            if target and items:
                r = len(q_idx)
                q_idx.append(idx)
                q_seen.append(len(hist[cust]))
                for i, c in hist[cust].items():
                    if i in train_items:
                        q_rows.append(r); q_cols.append(train_items[i]); q_vals.append(c)
            for i in items:
                hist[cust][i] = hist[cust].get(i, 0) + 1
        max_seen = max(q_seen) if q_seen else 0
        Q = sp.csr_matrix((np.array(q_vals, dtype=np.float32), (q_rows, q_cols)),
                          shape=(len(q_idx), len(train_items)))
        for name, model in (("implicit_cosine", CosineRecommender(K=100)),
                            ("implicit_bm25", BM25Recommender(K=100))):
            model.fit(X, show_progress=False)
            for mode in MODES:
                n = min(CUTOFF + (max_seen if mode == "remove_seen" else 0), len(train_items))
                ids, scores = model.recommend(np.arange(len(q_idx)), Q, N=n,
                                              filter_already_liked_items=(mode == "remove_seen"))
                for r, idx in enumerate(q_idx):
                    keep = scores[r] > -1e30
                    lst = [item_names[j] for j, ok, s in zip(ids[r], keep, scores[r]) if ok and j >= 0 and s > 0]
                    implicit_lists[(name, mode, idx)] = lst

    # One pass over all events: predict for targets, then learn.
    fill = Fill()
    stream = StreamingSAR()
    frozen_stream = None
    seen = {}
    affinity = defaultdict(lambda: defaultdict(float))
    for idx, cust, items, w, target in events:
        if target and items:
            hist = seen.get(cust)
            cold = hist is None
            hist = hist or set()
            aff = affinity.get(cust, {})
            lists = {"pop_frozen": pop_frozen.ranked(CUTOFF + len(hist)), "pop_stream": []}
            for measure in ("jaccard", "lift"):
                n = CUTOFF + len(hist)
                lists[f"sar_{measure}_stream"] = topn(stream.scores(aff, measure), n)
                known = [(train_items[i], a) for i, a in aff.items() if i in train_items]
                if known:
                    vec = sp.csr_matrix(([a for _, a in known], ([0] * len(known), [j for j, _ in known])),
                                        shape=(1, len(train_items)))
                    row = (vec @ sims[measure]).tocoo()
                    lists[f"sar_{measure}_frozen"] = topn(
                        {item_names[j]: s for j, s in zip(row.col, row.data)}, n)
                else:
                    lists[f"sar_{measure}_frozen"] = []
            for mode in MODES:
                excluded = hist if mode == "remove_seen" else set()
                for m in methods:
                    raw = implicit_lists.get((m, mode, idx), []) if m.startswith("implicit") else lists[m]
                    lst = fill.fill(raw, CUTOFF, excluded)
                    for t in items:
                        metrics[m][mode].record(lst, t, cold)
        # learn
        s = seen.setdefault(cust, set())
        for i in items:
            stream.observe(s, i)
            s.add(i)
            affinity[cust][i] += w
            fill.add(i)
    return {m: {mode: metrics[m][mode].as_dict(catalog) for mode in MODES} for m in methods}


def kmeans(data_dir, k, seed):
    from river import cluster
    from sklearn.cluster import KMeans
    names, pts = [], []
    with open(data_dir + "/features.tsv") as f:
        f.readline()
        for line in f:
            p = line.rstrip("\n").split("\t")
            names.append(p[0])
            pts.append([float(x) for x in p[1:]])
    X = np.array(pts)
    km = KMeans(n_clusters=k, init="k-means++", n_init=10, random_state=seed).fit(X)
    rv = cluster.KMeans(n_clusters=k, seed=seed)
    for row in X:
        rv.learn_one({i: v for i, v in enumerate(row)})
    centers = np.array([[rv.centers[c][i] for i in range(X.shape[1])] for c in sorted(rv.centers)])
    d = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2).min(axis=1)
    return {"sklearn_inertia": float(km.inertia_), "river_inertia": float(d.sum()), "customers": len(X)}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--no-implicit", action="store_true")
    ap.add_argument("--kmeans-only", action="store_true")
    ap.add_argument("--k", type=int, default=5)
    a = ap.parse_args()
    out = {}
    if not a.kmeans_only:
        out["methods"] = evaluate(a.dir, with_implicit=not a.no_implicit)
    out["kmeans"] = kmeans(a.dir, a.k, 0)
    print(json.dumps(out))
