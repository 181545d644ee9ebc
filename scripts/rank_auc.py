"""ROC AUC by mid-ranks, shared by the churn evaluation scripts (eval_churn_baselines.py,
churn_ceiling.py), so both score exactly as Sources/StreamCRM/Eval/RankAUC.swift does."""
import numpy as np
import pandas as pd


def rank_auc(scores, labels):
    """ROC AUC by mid-ranks (Mann-Whitney U), ties count one half."""
    s = pd.Series(np.asarray(scores, dtype=float))
    y = np.asarray(labels, dtype=bool)
    ranks = s.rank(method="average").values
    p, n = y.sum(), (~y).sum()
    return float((ranks[y].sum() - p * (p + 1) / 2) / (p * n))
