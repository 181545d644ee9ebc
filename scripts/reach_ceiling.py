#!/usr/bin/env python3
"""Where the test targets of an exported evaluation can come from (issue 5, docs/quality.md).

Reads the events.tsv that `streamcrm eval --export DIR` writes (the same events and split every
method sees) and classifies each prequential target (test touch) by what was known just before it:

  cold        the customer (session) had no earlier event;
  repeat      the item is in the customer's own history (keep-seen lists hold it);
  never_seen  no earlier event touched the item (no method but a blind guess can list it);
  one_step    the item co-occurred earlier (any customer, any distance) with an item of the history;
  two_step    not one step, but co-occurred with an item that co-occurred with the history;
  other       seen before, but further away (popularity only).

Co-occurrence here is exact and unbounded (every pair of a customer's items, no window, no decay):
an optimistic reach for any co-occurrence or session-kNN method. The sums cold-excluded
repeat + one_step + two_step bound what such methods can hit without popularity.
Usage: scripts/reach_ceiling.py out/eval/diginetica/events.tsv
"""
import json
import sys
from collections import defaultdict


def main(path):
    with open(path) as f:
        split = int(f.readline().rstrip("\n").split("\t")[1])
        events = []  # (idx, customer, [(item, is_target)]): an order's lines share one index
        for line in f:
            idx, cust, item, _ts, _w, target = line.rstrip("\n").split("\t")
            if events and events[-1][0] == int(idx):
                events[-1][2].append((item, target == "1"))
            else:
                events.append((int(idx), cust, [(item, target == "1")]))
    history = defaultdict(list)
    seen_items = set()
    co = defaultdict(set)
    counts = defaultdict(int)
    total = 0
    for idx, cust, lines in events:
        h = history[cust]
        one = None
        for item, is_target in lines:
            if not item or not is_target or idx < split:
                continue
            total += 1
            if not h:
                kind = "cold"
            elif item in h:
                kind = "repeat"
            elif item not in seen_items:
                kind = "never_seen"
            else:
                if one is None:
                    one = set().union(*(co[x] for x in h))
                if item in one:
                    kind = "one_step"
                elif any(item in co[y] for y in one):
                    kind = "two_step"
                else:
                    kind = "other"
            counts[kind] += 1
        for item, _ in lines:
            if not item:
                continue
            if item not in h:
                for x in h:
                    co[x].add(item)
                    co[item].add(x)
                h.append(item)
            seen_items.add(item)
    shares = {k: round(counts[k] / total, 4) for k in ("cold", "repeat", "never_seen", "one_step", "two_step", "other")}
    reach = shares["repeat"] + shares["one_step"] + shares["two_step"]
    print(json.dumps({"targets": total, "shares": shares,
                      "keep_seen_reach": round(reach, 4),
                      "remove_seen_reach": round(shares["one_step"] + shares["two_step"], 4)}))


if __name__ == "__main__":
    main(sys.argv[1])
