#!/usr/bin/env python3
"""CDNOW churn baselines from PyPI `lifetimes`, on the same split as `streamcrm eval-churn`.

Label: no purchase in the holdout (the day after the cut-off through holdout-weeks later).
Calibration: the transaction log filtered to dates <= cut-off BEFORE
summary_data_from_transaction_data (weekly frequency), so no purchase from the week straddling the
cut-off leaks into the calibration summaries. Anchors (higher = more likely to churn):
  bgnbd_palive    1 - P(alive), BetaGeoFitter
  bgnbd_expected  -E[purchases in the holdout], BetaGeoFitter.conditional_expected_number_of_purchases_up_to_time
  mbgnbd_palive   1 - P(alive), ModifiedBetaGeoFitter
  recency         days since the last purchase at the cut-off
Reads StreamCRM's result (the JSON line of `streamcrm eval-churn`) from --streamcrm, prints a table,
and as the last line one JSON object.
"""
import argparse
import json
import sys

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, ModifiedBetaGeoFitter
from lifetimes.utils import summary_data_from_transaction_data
from rank_auc import rank_auc  # scripts/rank_auc.py (same folder)




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--streamcrm", required=True, help="file holding eval-churn's JSON line")
    ap.add_argument("--cutoff", default="1997-09-30")
    ap.add_argument("--holdout-weeks", type=int, default=39)
    a = ap.parse_args()

    df = pd.read_csv(a.data, sep=r"\s+", dtype={"customer_id": str, "date": str})
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    cutoff = pd.Timestamp(a.cutoff)
    end = cutoff + pd.Timedelta(weeks=a.holdout_weeks)  # holdout = (cutoff, end]
    cal = df[df["date"] <= cutoff]
    hold = df[(df["date"] > cutoff) & (df["date"] <= end)]

    summary = summary_data_from_transaction_data(cal, "customer_id", "date", observation_period_end=cutoff, freq="W")
    churned = ~summary.index.isin(hold["customer_id"].unique())
    last = cal.groupby("customer_id")["date"].max().reindex(summary.index)

    bg = BetaGeoFitter(penalizer_coef=0.0).fit(summary["frequency"], summary["recency"], summary["T"])
    mbg = ModifiedBetaGeoFitter(penalizer_coef=0.0).fit(summary["frequency"], summary["recency"], summary["T"])
    f, r, T = summary["frequency"], summary["recency"], summary["T"]
    anchors = {
        "bgnbd_palive": rank_auc(1 - bg.conditional_probability_alive(f, r, T), churned),
        "bgnbd_expected": rank_auc(-bg.conditional_expected_number_of_purchases_up_to_time(a.holdout_weeks, f, r, T), churned),
        "mbgnbd_palive": rank_auc(1 - mbg.conditional_probability_alive(f, r, T), churned),
        "recency": rank_auc((cutoff - last).dt.days, churned),
    }
    with open(a.streamcrm) as fh:
        lines = [l for l in fh.read().splitlines() if l.startswith("{")]
    s = json.loads(lines[-1])
    best = max(anchors, key=anchors.get)

    print(f"CDNOW churn, cut-off {a.cutoff}, holdout {a.holdout_weeks} weeks: {len(summary)} customers, "
          f"{int(churned.sum())} churners ({churned.mean():.3f})")
    print(f"lifetimes BG/NBD   {bg.params_.round(4).to_dict()}")
    print(f"lifetimes MBG/NBD  {mbg.params_.round(4).to_dict()}")
    print("| score | AUC |")
    print("|---|---|")
    print(f"| StreamCRM online blended risk | {s['streamcrm_auc']:.4f} |")
    print(f"| StreamCRM MBG/NBD risk alone (online fit) | {s['model_risk_auc']:.4f} |")
    print(f"| StreamCRM MBG/NBD 1 - P(alive) (online fit) | {s['model_palive_auc']:.4f} |")
    for k, v in anchors.items():
        print(f"| anchor {k} | {v:.4f} |")
    print(f"best anchor: {best} {anchors[best]:.4f}; StreamCRM - best = {s['streamcrm_auc'] - anchors[best]:+.4f} (target +0.02)")
    print(f"alerts in the holdout: {s['alerts']}; precision {s['alert_precision']:.4f}; recall {s['alert_recall']:.4f} "
          f"(holdout alerts only {s['alert_recall_holdout_only']:.4f}); median days last order -> alert "
          f"{s['median_alert_delay_days']:.1f}")
    out = {
        "streamcrm_auc": round(s["streamcrm_auc"], 4),
        "best_anchor": best,
        "best_anchor_auc": round(anchors[best], 4),
        "anchors": {k: round(v, 4) for k, v in anchors.items()},
        "alert_precision": round(s["alert_precision"], 4),
        "alert_recall": round(s["alert_recall"], 4),
        "median_alert_delay_days": round(s["median_alert_delay_days"], 1),
    }
    print(json.dumps(out, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
