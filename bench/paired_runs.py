#!/usr/bin/env python3
"""Compare two `needle eval --runs` files of one collection, query by query:
the two means, wins and losses of B against A, and a paired randomization
test's two-sided p-value (the signs of the per-query differences flipped at
random; as `needle eval --compare` does for two rankings of one build).
Use it for what --compare cannot reach: two builds, or two indexes.

Usage: bench/paired_runs.py A.jsonl B.jsonl [--key ndcg_10|ap|rr_10|...] [--permutations N]
Standard library only.
"""
import argparse
import json
import random


def load(path, key):
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return {r["query"]: float(r[key]) for r in rows}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--key", default="ndcg_10")
    ap.add_argument("--permutations", type=int, default=20000)
    args = ap.parse_args()
    a, b = load(args.a, args.key), load(args.b, args.key)
    if set(a) != set(b):
        raise SystemExit(f"the files hold different queries ({len(a)} and {len(b)})")
    diffs = [b[q] - a[q] for q in sorted(a)]
    wins = sum(d > 1e-9 for d in diffs)
    losses = sum(d < -1e-9 for d in diffs)
    observed = abs(sum(diffs))
    rng = random.Random(1)
    extreme = sum(
        abs(sum(d if rng.random() < 0.5 else -d for d in diffs)) >= observed - 1e-12
        for _ in range(args.permutations)
    )
    n = len(diffs)
    print(
        f"{args.key}: {sum(a.values()) / n:.4f} -> {sum(b.values()) / n:.4f}  "
        f"wins {wins}  losses {losses}  p {extreme / args.permutations:.3f}  ({n} queries)"
    )


if __name__ == "__main__":
    main()
