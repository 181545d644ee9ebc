#!/usr/bin/env python3
"""Table and final JSON line of scripts/eval-quality from out/eval/*.json."""
import json
import sys

out = sys.argv[1]


def load(name):
    with open(f"{out}/{name}") as f:
        return json.loads(f.read().strip().splitlines()[-1])


result = {"datasets": {}}
print(f"{'data set':<11} {'method':<22} {'mode':<12} {'HR@10':>7} {'HR@20':>7} {'MRR@20':>7} {'NDCG@20':>8} {'cov':>6} {'cold':>6}")
for ds in ("taobao", "diginetica", "otto"):
    s = load(f"{ds}.json")
    b = load(f"{ds}.baselines.json")
    rows = {f"streamcrm_{v}": s[v] for v in ("prequential", "frozen")}
    rows.update(b["methods"])
    entry = {}
    for mode in ("keep_seen", "remove_seen"):
        for name, r in rows.items():
            m = r[mode]
            print(f"{ds:<11} {name:<22} {mode:<12} {m['hr10']:7.4f} {m['hr20']:7.4f} {m['mrr20']:7.4f} "
                  f"{m['ndcg20']:8.4f} {m['coverage']:6.3f} {m['cold_share']:6.3f}")
        best = max(b["methods"], key=lambda k: (b["methods"][k][mode]["hr20"], k))
        bh = b["methods"][best][mode]["hr20"]
        sh = s["prequential"][mode]["hr20"]
        e = {"streamcrm_hr20": round(sh, 6), "best_baseline": best, "best_baseline_hr20": round(bh, 6),
             "ratio": round(sh / bh, 4) if bh > 0 else None}
        if mode == "keep_seen":
            entry.update(e)
        else:
            entry["remove_seen"] = e
    result["datasets"][ds] = entry
print()
km_lines = []
for ds in ("cdnow", "taobao", "diginetica", "otto"):
    s = load(f"{ds}.json")["kmeans"]
    b = load(f"{ds}.baselines.json")["kmeans"]
    print(f"k-means {ds:<11} customers {b['customers']:>6}  online {s['online_inertia']:12.1f}  "
          f"sklearn {b['sklearn_inertia']:12.1f}  river {b['river_inertia']:12.1f}  "
          f"ratio {s['online_inertia'] / b['sklearn_inertia']:.3f}  river/sklearn {b['river_inertia'] / b['sklearn_inertia']:.3f}")
d1 = load("cdnow-decay1.json")["kmeans"]["online_inertia"]
cd = load("cdnow.baselines.json")["kmeans"]
print(f"k-means cdnow with model.segments.decay=0.9995 (the former default): online {d1:.1f}, ratio {d1 / cd['sklearn_inertia']:.3f}")
s = load("cdnow.json")["kmeans"]
result["kmeans"] = {"data_set": "cdnow", "streamcrm_inertia": round(s["online_inertia"], 3),
                    "sklearn_inertia": round(cd["sklearn_inertia"], 3),
                    "ratio": round(s["online_inertia"] / cd["sklearn_inertia"], 4)}
print(json.dumps(result))
