#!/usr/bin/env python3
"""Probe (issue 5): would an online embedding scorer (the issue's streaming MF/BPR) add hits?

On the events.tsv that `streamcrm eval --export DIR` writes, replays the prequential protocol in
remove-seen mode with an exact co-occurrence recommender (P(n|s) one step, 0.5 x two steps: what
StreamCRM's evaluation settings do) and, optionally, fills the places the co-occurrence candidates
leave free with an online item-embedding model: skip-gram with negative sampling (the implicit-
feedback BPR-style objective), 32 dimensions, 5 negatives, one SGD step per (recent item, new item)
pair of every event, predicting before learning, seeded. Prints HR@20 without and with the fill and
how many lists the embeddings filled. Needs numpy.
Usage: scripts/embedding_probe.py out/eval/diginetica/events.tsv
"""
import sys
from collections import defaultdict

import numpy as np

rows=[]
with open(sys.argv[1]) as f:
    split=int(f.readline().split("\t")[1])
    for line in f:
        idx,c,it,ts,w,t=line.rstrip("\n").split("\t")
        rows.append((int(idx),c,it,int(ts)))
items=sorted({r[2] for r in rows if r[2]}); ix={x:i for i,x in enumerate(items)}
def run(mfw, dim=32, lr=0.05, neg=5, reg=0.001, epochs_train=1, seed=1):
    rng=np.random.default_rng(seed)
    E=rng.normal(0,0.1,(len(items),dim)); C=rng.normal(0,0.1,(len(items),dim))
    known=np.zeros(len(items),bool); knownlist=[]
    hist=defaultdict(list); co=defaultdict(lambda: defaultdict(float)); cnt=defaultdict(float)
    hit=0;n=0;fills=[0]
    def sgd(p,x):
        # skip-gram with negative sampling: p context -> x
        ns=[x]+[knownlist[j] for j in rng.integers(0,len(knownlist),neg)]
        lab=np.array([1.0]+[0.0]*neg)
        v=E[p]; cs=C[ns]; s=1/(1+np.exp(-cs@v)); g=lab-s
        E[p]+=lr*(g@cs - reg*v); C[ns]+=lr*(np.outer(g,v)-reg*cs)
    for idx,c,it,ts in rows:
        h=hist[c]
        if idx>=split and it:
            n+=1; seen=set(h); one=defaultdict(float)
            for k,x in enumerate(reversed(h)):
                for y,v in co[x].items():
                    if y not in seen: one[y]+=0.7**k*v/cnt[x]
            sc=defaultdict(float,one)
            for y,v1 in sorted(one.items(), key=lambda t:(-t[1],t[0]))[:20]:
                for z,v in co[y].items():
                    if z not in seen and z!=y: sc[z]+=0.5*v1*v/cnt[y]
            lst=sorted(sc, key=lambda t:(-sc[t],t))[:20]
            if mfw and h and len(lst)<20:
                fills[0]+=1
                q=sum(0.7**k*E[ix[x]] for k,x in enumerate(reversed(h)))
                s=C@q; s[~known]=-1e9
                for x in seen: s[ix[x]]=-1e9
                for x in lst: s[ix[x]]=-1e9
                top=np.argpartition(-s,20)[:20]; top=top[np.argsort(-s[top])]
                lst+= [items[j] for j in top][:20-len(lst)]
            if it in lst: hit+=1
        if it:
            i=ix[it]
            if it not in h:
                for k,x in enumerate(reversed(h[-20:])):
                    co[x][it]+=0.7**k; co[it][x]+=0.7**k
                cnt[it]+=1
                if not known[i]: known[i]=True; knownlist.append(i)
                for x in h[-3:]:
                    sgd(ix[x],i); sgd(i,ix[x])
            else: h.remove(it)
            h.append(it)
    return hit / n, fills[0]


base, _ = run(0)
with_fill, fills = run(1)
print("remove-seen HR@20: co-occurrence %.4f, + embedding fill %.4f (%d lists filled)" % (base, with_fill, fills))
