#!/usr/bin/env python3
"""Short-query versions of the judged collections, for the tiered ranking.

The classic collections in ../shared/eval ask long questions, which needle
ranks with BM25 and feedback; the short queries people type (four words or
fewer) go through the tiers, which only the documentation sets and the
bundled article judge. This writes, for each collection, the same judgments
with each question cut down to a few of its words:

  NAME-r2, NAME-r3, NAME-r4   its 2, 3 or 4 rarest words (fewest documents),
                              in the question's order
  NAME-f3                     its first 3 words

(words: lowercase letters and digits, not in a small English stop list,
each once). corpus.jsonl and qrels/ are symbolic links to the originals, so
nothing is copied. Then, for example:

  needle eval OUT/time-r4                                   # tiers (default)
  needle eval OUT/time-r4 --ranking bm25.json               # {"strict_words": 0}

Usage: bench/short_queries.py OUT [EVAL_DIR]   (EVAL_DIR: ../shared/eval)
Standard library only.
"""

import collections
import json
import os
import re
import sys

STOP = set(
    "a about above after again against all am an and any are as at be because been "
    "before being below between both but by can did do does doing down during each few "
    "for from further had has have having he her here hers herself him himself his how i "
    "if in into is it its itself just me more most my myself no nor not now of off on "
    "once only or other our ours ourselves out over own same she should so some such than "
    "that the their theirs them themselves then there these they this those through to "
    "too under until up very was we were what when where which while who whom why will "
    "with you your yours yourself yourselves".split()
)
COLLECTIONS = ["cranfield", "cisi", "cacm", "lisa", "npl", "time"]
SHAPES = [("r", 2), ("r", 3), ("r", 4), ("f", 3)]


def words_of(text):
    return re.findall(r"[a-z0-9]+", text.lower())


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out_root = os.path.abspath(sys.argv[1])
    here = os.path.dirname(os.path.abspath(__file__))
    eval_dir = os.path.abspath(
        sys.argv[2] if len(sys.argv) == 3 else os.path.join(here, "..", "..", "shared", "eval")
    )
    if not os.path.isdir(eval_dir):
        sys.exit(f"no judged collections at {eval_dir}: give their directory as the second argument")
    for name in COLLECTIONS:
        src = os.path.join(eval_dir, name)
        if not os.path.isdir(src):
            print(f"skipped {name}: not in {eval_dir}", file=sys.stderr)
            continue
        df = collections.Counter()
        with open(os.path.join(src, "corpus.jsonl"), encoding="utf-8") as corpus:
            for line in corpus:
                doc = json.loads(line)
                df.update(set(words_of(doc.get("title", "") + " " + doc.get("text", ""))))
        with open(os.path.join(src, "queries.jsonl"), encoding="utf-8") as f:
            queries = [json.loads(line) for line in f]
        for mode, k in SHAPES:
            out = os.path.join(out_root, f"{name}-{mode}{k}")
            os.makedirs(os.path.join(out, "qrels"), exist_ok=True)
            for rel in ("corpus.jsonl", os.path.join("qrels", "test.tsv")):
                link = os.path.join(out, rel)
                if not os.path.lexists(link):
                    os.symlink(os.path.join(src, rel), link)
            with open(os.path.join(out, "queries.jsonl"), "w", encoding="utf-8") as o:
                for q in queries:
                    words = []
                    for w in words_of(q["text"]):
                        if w not in STOP and w not in words and len(w) > 1 and df[w] > 0:
                            words.append(w)
                    if mode == "r":
                        keep = set(sorted(words, key=lambda w: df[w])[:k])
                    else:
                        keep = set(words[:k])
                    text = " ".join(w for w in words if w in keep)
                    o.write(json.dumps({"_id": q["_id"], "text": text}) + "\n")
        print(f"{name}: {len(queries)} queries in {len(SHAPES)} shapes")


if __name__ == "__main__":
    main()
