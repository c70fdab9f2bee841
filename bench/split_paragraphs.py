#!/usr/bin/env python3
"""Multi-paragraph versions of the judged collections, for article ranking.

Every record of the classic collections in ../shared/eval is one paragraph,
so needle indexes each as one passage and ranks it as BM25 ranks a whole
document. Real collections hold articles of many paragraphs, judged as
articles: needle ranks their passages and an article at the rank of its
best one. This writes, for each collection, the same queries and judgments
over a corpus whose texts are cut into paragraphs (blank lines between
them): sentences (ending in . ? or ! before whitespace) gathered until a
paragraph has at least 40 words. NPL's texts have no punctuation and stay
whole, so it is skipped.

  needle eval OUT/NAME                         # articles of several passages
  needle eval OUT/NAME --ranking weight0.json  # {"article_weight": 0}: passages alone

queries.jsonl and qrels/ are symbolic links to the originals; the corpus is
written (the originals are read from EVAL_DIR, never copied into the repo).

Usage: bench/split_paragraphs.py OUT [EVAL_DIR]   (EVAL_DIR: ../shared/eval)
Standard library only.
"""

import json
import os
import re
import sys

WORDS = 40
NAMES = ["cranfield", "cisi", "cacm", "lisa", "time"]


def paragraphs(text):
    """The text's sentences gathered into paragraphs of at least WORDS words."""
    out, current = [], []
    for sentence in re.split(r"(?<=[.?!])\s+", text.strip()):
        current.append(sentence)
        if sum(len(s.split()) for s in current) >= WORDS:
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    source = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "..", "shared", "eval")
    for name in NAMES:
        src = os.path.join(source, name)
        if not os.path.isfile(os.path.join(src, "corpus.jsonl")):
            print(f"skipped {name}: not in {source}", file=sys.stderr)
            continue
        dst = os.path.join(out, name)
        os.makedirs(dst, exist_ok=True)
        for link in ["queries.jsonl", "qrels"]:
            target = os.path.join(dst, link)
            if os.path.lexists(target):
                os.remove(target)
            os.symlink(os.path.abspath(os.path.join(src, link)), target)
        records = passages = 0
        with open(os.path.join(src, "corpus.jsonl"), encoding="utf-8") as f, open(
            os.path.join(dst, "corpus.jsonl"), "w", encoding="utf-8"
        ) as w:
            for line in f:
                record = json.loads(line)
                parts = paragraphs(record.get("text") or "")
                record["text"] = "\n\n".join(parts)
                records += 1
                passages += len(parts)
                w.write(json.dumps(record) + "\n")
        print(f"{name}: {records} records, {passages} paragraphs")


if __name__ == "__main__":
    main()
