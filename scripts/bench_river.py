#!/usr/bin/env python3
"""The River peer of StreamCRM's replay benchmark (issue 7).

The same pipeline a data team would write with River (https://riverml.xyz): per event, decode the
JSON, update the customer's decayed item and category affinities and recent history, count item
co-occurrence among the customer's recent items (24 h window, 20 items), keep decayed item
popularity with a top list, segment customers with River's online k-means over standardised
features (River's StandardScaler) on their first event, once a day on clicks and on every order,
and on view / add_to_cart / order emit a recommendation (neighbours of the recent items by cosine
similarity + popular items, top 10), at most one per customer per 60 s of event time, encoded as
JSON. Prints one line: `river_events_per_s=<x> events=<n> seconds=<s> recommendations=<r>`.
"""
import json
import math
import sys
import time

from river import cluster, preprocessing

HALF_LIFE = 7 * 86_400_000
WINDOW = 24 * 3_600_000
RECENT = 20
TOP_NEIGHBOURS = 20
POPULAR = 30
LIST = 10
MIN_INTERVAL = 60_000
DAY = 86_400_000
WEIGHTS = {"view": 1.0, "click": 1.0, "add_to_cart": 3.0, "remove_from_cart": -1.0, "wishlist": 2.0, "search": 0.0}
ORDER_WEIGHT = 5.0
TRIGGERS = {"view", "add_to_cart", "order"}


def fwd(ts):
    """Forward-decay weight of one unit at ts (landmark 0, in half-lives since the first event)."""
    return 2.0 ** ((ts - LANDMARK[0]) / HALF_LIFE)


LANDMARK = [None]


class Customer:
    __slots__ = ("items", "cats", "recent", "views", "carts", "orders", "monetary", "last", "segment",
                 "seg_at", "rec_at", "last_rec")

    def __init__(self):
        self.items, self.cats, self.recent = {}, {}, []
        self.views = self.carts = self.orders = 0
        self.monetary = 0.0
        self.last = None
        self.segment = None
        self.seg_at = None
        self.rec_at = None
        self.last_rec = None


def bounded_add(d, key, v, cap):
    d[key] = d.get(key, 0.0) + v
    if d[key] <= 0:
        del d[key]
    elif len(d) > cap:
        del d[min(d, key=d.get)]


class Pipeline:
    def __init__(self):
        self.customers = {}
        self.count = {}
        self.pairs = {}
        self.pop = {}
        self.top = []  # (score, item), best first
        self.scaler = preprocessing.StandardScaler()
        self.kmeans = cluster.KMeans(n_clusters=5, halflife=0.5, sigma=3, seed=42)
        self.recommendations = 0
        self.outputs = 0

    def observe_item(self, recent, item, ts, w):
        partners = []
        for r_item, r_ts in recent[-RECENT:]:
            if abs(ts - r_ts) <= WINDOW:
                if r_item == item:
                    return
                if r_item not in partners:
                    partners.append(r_item)
        self.count[item] = self.count.get(item, 0.0) + w
        mine = self.pairs.setdefault(item, {})
        for p in partners:
            mine[p] = mine.get(p, 0.0) + w
            self.pairs.setdefault(p, {})[item] = mine[p]
        s = self.pop.get(item, 0.0) + w
        self.pop[item] = s
        top = [e for e in self.top if e[1] != item]
        top.append((s, item))
        top.sort(key=lambda e: (-e[0], e[1]))
        self.top = top[:100]

    def neighbours(self, item):
        mine = self.pairs.get(item)
        if not mine:
            return []
        ci = self.count[item]
        sims = [(c / math.sqrt(ci * self.count[p]), p) for p, c in mine.items()]
        sims.sort(key=lambda e: (-e[0], e[1]))
        return sims[:TOP_NEIGHBOURS]

    def segment(self, c, ts, learn):
        c.seg_at = ts
        x = {"recency": (ts - (c.last or ts)) / DAY, "orders": c.orders, "monetary": c.monetary,
             "aov": c.monetary / c.orders if c.orders else 0.0, "views": c.views, "carts": c.carts,
             "categories": len(c.cats)}
        if learn:
            self.scaler.learn_one(x)
        z = self.scaler.transform_one(x)
        if learn:
            self.kmeans.learn_one(z)
        seg = self.kmeans.predict_one(z)
        if seg != c.segment:
            c.segment = seg
            self.outputs += 1
            json.dumps({"type": "segment", "segment": seg, "features": x})

    def recommend(self, user, c, ts, trigger):
        if c.rec_at is not None and ts - c.rec_at < MIN_INTERVAL:
            return
        sources = {i for i, _ in c.recent}
        sources.update(sorted(c.items, key=c.items.get, reverse=True)[:10])
        aff = {s: c.items.get(s, 0.0) for s in sources}
        top_aff = max(aff.values(), default=0.0)
        scores = {}
        if top_aff > 0:
            for s in sorted(sources):
                a = aff[s] / top_aff
                if a <= 0:
                    continue
                for sim, n in self.neighbours(s):
                    scores[n] = scores.get(n, 0.0) + a * sim
        top_pop = self.top[0][0] if self.top else 0.0
        for s, item in self.top[:POPULAR]:
            scores.setdefault(item, 0.0)
        result = []
        for item, cf in scores.items():
            if item in sources:
                continue
            score = cf + (0.05 * self.pop.get(item, 0.0) / top_pop if top_pop else 0.0)
            if score > 0:
                result.append((score, item))
        result.sort(key=lambda e: (-e[0], e[1]))
        items = [i for _, i in result[:LIST]]
        if not items or items == c.last_rec:
            return
        c.last_rec, c.rec_at = items, ts
        self.recommendations += 1
        self.outputs += 1
        json.dumps({"user_id": user, "ts": ts, "trigger_event_id": trigger,
                    "items": [{"item_id": i, "score": s} for s, i in result[:LIST]]})

    def handle(self, line):
        e = json.loads(line)
        ts = e["ts"]
        if LANDMARK[0] is None:
            LANDMARK[0] = ts
        user = e["user_id"]
        c = self.customers.get(user)
        if c is None:
            c = self.customers[user] = Customer()
        typ = e["type"]
        w1 = fwd(ts)
        if "order_id" in e:
            prior = list(c.recent)
            c.orders += 1
            c.monetary += e.get("total") or 0.0
            history = prior
            for line_item in sorted({li["item_id"] for li in e.get("items", [])}):
                bounded_add(c.items, line_item, ORDER_WEIGHT * w1, 50)
                self.observe_item(history, line_item, ts, w1)
                history = history + [(line_item, ts)]
                c.recent = [r for r in c.recent if r[0] != line_item][-(RECENT - 1):] + [(line_item, ts)]
            c.last = ts
            self.segment(c, ts, True)
        else:
            w = WEIGHTS.get(typ, 0.0)
            if typ == "view":
                c.views += 1
            elif typ == "add_to_cart":
                c.carts += 1
            item = e.get("item_id")
            if item is not None and w != 0:
                bounded_add(c.items, item, w * w1, 50)
                if e.get("category") is not None:
                    bounded_add(c.cats, e["category"], w * w1, 20)
            if item is not None and w > 0:
                self.observe_item(c.recent, item, ts, w1)
                c.recent = [r for r in c.recent if r[0] != item][-(RECENT - 1):] + [(item, ts)]
            c.last = ts
            if c.segment is None or ts - (c.seg_at or ts) >= DAY:
                self.segment(c, ts, c.segment is None)
        if typ in TRIGGERS:
            self.recommend(user, c, ts, e["event_id"])


def main():
    path = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
    with open(path, "rb") as f:
        lines = f.read().splitlines()
    if limit:
        lines = lines[:limit]
    p = Pipeline()
    t0 = time.perf_counter()
    for line in lines:
        p.handle(line)
    dt = time.perf_counter() - t0
    print(f"river_events_per_s={len(lines) / dt:.1f} events={len(lines)} seconds={dt:.2f} "
          f"recommendations={p.recommendations} outputs={p.outputs} customers={len(p.customers)}")


if __name__ == "__main__":
    main()
