#!/usr/bin/env python3
"""Information ceiling of per-customer order summaries for CDNOW churn (issue 6, docs/quality.md "Churn").

What it shows: how well ANY score built from what a stream knows about a customer at the cut-off
(its calibration orders only) can rank "no purchase in the holdout". It builds per-customer features
from the orders dated <= cut-off, then trains supervised models on the TRUE holdout labels and
reports their 5-fold cross-validated ROC AUC (stratified, shuffled, fixed seed). A model that sees
the labels it is scored on, with flexible trees over ~40 summaries, is an optimistic bound for an
online score that never sees those labels; if it cannot reach a target, no online scorer of these
summaries will either (up to the CV noise printed beside each figure).

Same split and label as scripts/eval_churn_baselines.py: calibration = orders dated <= cut-off;
churned = no order in (cut-off, cut-off + holdout-weeks]. All 23,570 customers (first order in
Q1 1997) are in calibration.

How to run (from the repository root; needs scikit-learn and pandas, e.g. in a venv):
    python3 -m venv .venv-ceiling && .venv-ceiling/bin/pip install scikit-learn pandas
    OMP_NUM_THREADS=2 .venv-ceiling/bin/python scripts/churn_ceiling.py \
        --data ../shared/data/cdnow_master_transactions.txt [--cutoff 1997-09-30] [--holdout-weeks 39]
Takes 2-4 minutes on two cores, --sweep included. Last line of output: one JSON object with every AUC.
"""
import argparse
import json
import sys

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from rank_auc import rank_auc  # scripts/rank_auc.py (same folder)

WINDOWS_WEEKS = (4, 8, 13, 26)
HALF_LIVES_DAYS = (14, 30, 60, 120)




def load(path, cutoff, holdout_weeks):
    df = pd.read_csv(path, sep=r"\s+", dtype={"customer_id": str, "date": str})
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    end = cutoff + pd.Timedelta(weeks=holdout_weeks)
    cal = df[df["date"] <= cutoff].copy()
    hold = df[(df["date"] > cutoff) & (df["date"] <= end)]
    return cal, hold


def features(cal, cutoff):
    """Per-customer summaries from calibration orders only. Every one is computable incrementally."""
    cal = cal.sort_values(["customer_id", "date"], kind="stable")
    # An order "day": rows of one customer on one date merged (CDNOW has 1,774 duplicate pairs).
    days = (cal.groupby(["customer_id", "date"], sort=True)
               .agg(cds=("number_of_cds", "sum"), usd=("dollar_value", "sum"), rows=("date", "size"))
               .reset_index())
    days["age_at"] = (cutoff - days["date"]).dt.days  # days before the cut-off, >= 0
    g = days.groupby("customer_id", sort=True)
    f = pd.DataFrame(index=g.size().index)
    first, last = g["date"].min(), g["date"].max()
    f["recency_days"] = (cutoff - last).dt.days
    f["age_days"] = (cutoff - first).dt.days
    f["span_days"] = (last - first).dt.days
    f["order_days"] = g.size()
    f["repeat_days"] = f["order_days"] - 1
    f["order_rows"] = g["rows"].sum()
    f["total_cds"] = g["cds"].sum()
    f["total_usd"] = g["usd"].sum()
    f["mean_usd"] = f["total_usd"] / f["order_days"]
    f["mean_cds"] = f["total_cds"] / f["order_days"]
    f["max_usd"] = g["usd"].max()
    f["max_cds"] = g["cds"].max()
    f["first_usd"] = g["usd"].first()
    f["first_cds"] = g["cds"].first()
    f["last_usd"] = g["usd"].last()
    f["last_cds"] = g["cds"].last()
    f["zero_usd_days"] = g["usd"].apply(lambda s: int((s == 0).sum()))
    # Repeat-only monetary (lifetimes' convention: mean over repeat orders, 0 for one-time buyers).
    rep = days[days.groupby("customer_id").cumcount() > 0].groupby("customer_id")["usd"].mean()
    f["repeat_mean_usd"] = rep.reindex(f.index).fillna(0.0)
    # Inter-purchase gaps (between order days).
    days["gap"] = g["date"].diff().dt.days
    gg = days.dropna(subset=["gap"]).groupby("customer_id")["gap"]
    for name, s in (("gap_mean", gg.mean()), ("gap_min", gg.min()), ("gap_max", gg.max()),
                    ("gap_std", gg.std(ddof=0)), ("gap_last", gg.last())):
        f[name] = s.reindex(f.index).fillna(-1.0)  # -1: no gap yet (one order day)
    f["recency_over_gap"] = np.where(f["gap_mean"] > 0, f["recency_days"] / f["gap_mean"].clip(lower=1), -1.0)
    # Counts in recent windows and their trend.
    for w in WINDOWS_WEEKS:
        inw = days[days["age_at"] < 7 * w].groupby("customer_id")
        f[f"days_last_{w}w"] = inw.size().reindex(f.index).fillna(0)
        f[f"usd_last_{w}w"] = inw["usd"].sum().reindex(f.index).fillna(0.0)
    prev13 = days[(days["age_at"] >= 91) & (days["age_at"] < 182)].groupby("customer_id").size()
    f["trend_13w"] = f["days_last_13w"] - prev13.reindex(f.index).fillna(0)
    # Exponentially decayed order-day counts and spend (what an online counter would keep).
    for h in HALF_LIVES_DAYS:
        wgt = np.power(0.5, days["age_at"] / h)
        f[f"decayed_days_{h}d"] = wgt.groupby(days["customer_id"]).sum().reindex(f.index)
        f[f"decayed_usd_{h}d"] = (wgt * days["usd"]).groupby(days["customer_id"]).sum().reindex(f.index)
    # lifetimes-style weekly summaries (x, t_x, T in weeks).
    f["weeks_x"] = f["repeat_days"]
    f["weeks_tx"] = f["span_days"] / 7.0
    f["weeks_T"] = f["age_days"] / 7.0
    return f


RFM = ["recency_days", "age_days", "repeat_days", "span_days", "total_usd"]
FEATURE_SETS = {
    # the order summaries ChurnScorer's online blend reads today (its MBG/NBD risk is a function of them)
    "rfm": RFM,
    "rfm+quantity": RFM + ["order_days", "order_rows", "total_cds", "mean_usd", "mean_cds", "repeat_mean_usd"],
    "rfm+windows": RFM + [f"days_last_{w}w" for w in WINDOWS_WEEKS] + ["trend_13w"]
                   + [f"decayed_days_{h}d" for h in HALF_LIVES_DAYS],
}


def all_features(f):
    return [c for c in f.columns if c not in ("weeks_x", "weeks_tx", "weeks_T")]


def cv_auc(model, X, y, seed, folds=5):
    """Out-of-fold probabilities of one stratified shuffled K-fold; the AUC of the pooled OOF scores
    and the mean and spread of the per-fold AUCs."""
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    p = cross_val_predict(model, X, y, cv=skf, method="predict_proba")[:, 1]
    per = [rank_auc(p[te], y[te]) for _, te in skf.split(X, y)]
    return rank_auc(p, y), float(np.mean(per)), float(np.std(per))


def logit_model():
    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))


def hgb_model(seed):
    return HistGradientBoostingClassifier(learning_rate=0.05, max_iter=300, max_leaf_nodes=15,
                                          min_samples_leaf=50, l2_regularization=1.0, random_state=seed)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--cutoff", default="1997-09-30")
    ap.add_argument("--holdout-weeks", type=int, default=39)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--best-anchor", type=float, default=0.7674,
                    help="best anchor AUC from scripts/eval-churn (lifetimes BG/NBD expected purchases)")
    ap.add_argument("--sweep", action="store_true",
                    help="also try a few other HGB settings on all features (is the ceiling a tuning artefact?)")
    a = ap.parse_args()

    cutoff = pd.Timestamp(a.cutoff)
    cal, hold = load(a.data, cutoff, a.holdout_weeks)
    f = features(cal, cutoff)
    y = (~f.index.isin(hold["customer_id"].unique())).astype(int)
    print(f"CDNOW churn ceiling, cut-off {a.cutoff}, holdout {a.holdout_weeks} weeks: {len(f)} customers, "
          f"{int(y.sum())} churners ({y.mean():.3f}); {len(all_features(f))} features; 5-fold CV, seed {a.seed}")
    print(f"single-feature sanity check: recency alone AUC {rank_auc(f['recency_days'], y):.4f} "
          f"(eval-churn's anchor: 0.7594)")

    sets = dict(FEATURE_SETS)
    sets["all"] = all_features(f)
    res = {}
    print("| features | model | pooled OOF AUC | mean fold AUC ± sd |")
    print("|---|---|---|---|")
    for name, cols in sets.items():
        X = f[cols].to_numpy(dtype=float)
        Xl = np.log1p(np.clip(X, 0, None)) + (X < 0)  # log scale for the linear model; -1 flags kept
        for mname, model, XX in (("logistic", logit_model(), Xl), ("hgb", hgb_model(a.seed), X)):
            pooled, mean, sd = cv_auc(model, XX, y, a.seed)
            res[f"{name}/{mname}"] = round(pooled, 4)
            print(f"| {name} ({len(cols)}) | {mname} | {pooled:.4f} | {mean:.4f} ± {sd:.4f} |", flush=True)
    # In-sample logistic on all features: fitted and scored on the same labels (no CV).
    Xa = f[sets["all"]].to_numpy(dtype=float)
    Xal = np.log1p(np.clip(Xa, 0, None)) + (Xa < 0)
    ins = rank_auc(logit_model().fit(Xal, y).predict_proba(Xal)[:, 1], y)
    res["all/logistic_in_sample"] = round(ins, 4)
    print(f"| all | logistic, in-sample (no CV) | {ins:.4f} | |")

    if a.sweep:
        print("HGB settings on all features (pooled OOF AUC):")
        for lr, it, leaves, msl in ((0.1, 100, 31, 20), (0.03, 600, 7, 100), (0.05, 300, 63, 200), (0.02, 400, 3, 50)):
            m = HistGradientBoostingClassifier(learning_rate=lr, max_iter=it, max_leaf_nodes=leaves,
                                               min_samples_leaf=msl, random_state=a.seed)
            auc, _, _ = cv_auc(m, Xa, y, a.seed)
            res[f"all/hgb_lr{lr}_it{it}_leaves{leaves}_msl{msl}"] = round(auc, 4)
            print(f"  lr {lr}, {it} iterations, {leaves} leaves, min leaf {msl}: {auc:.4f}", flush=True)

    cv = {k: v for k, v in res.items() if "in_sample" not in k}
    best = max(cv, key=cv.get)
    target = a.best_anchor + 0.02
    print(f"best cross-validated: {best} {res[best]:.4f}; target (best anchor {a.best_anchor} + 0.02) {target:.4f}: "
          f"{'reachable in principle' if res[best] >= target else 'NOT reachable from these summaries'}")
    print(json.dumps({"ceiling": res, "best": best, "best_auc": res[best], "target": round(target, 4)},
                     separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
