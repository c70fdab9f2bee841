#!/usr/bin/env python3
"""Page-level BM25 baseline for a judged collection whose judgments name articles.

    python3 bench/page_bm25.py tests/relevance/NAME ../shared/corpora/NAME
    python3 bench/page_bm25.py tests/relevance/NAME ../shared/corpora/NAME --json
    python3 bench/page_bm25.py tests/relevance/NAME ../shared/corpora/NAME --per-query
    python3 bench/page_bm25.py tests/relevance/NAME ../shared/corpora/NAME --needle target/release/needle

Each .md / .markdown / .mdx file under the corpus directory is one document,
read as raw text (front matter, markup and code included: nothing is
stripped). Its id is its path relative to the corpus root without the
extension, with "/" separators, except that a file named index.md, _index.md
or README.md (any of the three extensions) inside a folder takes the folder's
path (setup/extensions/index.md -> setup/extensions); the root index.md stays
"index".

Ranking: Okapi BM25, k1 = 1.2, b = 0.75, idf = log(1 + (N - df + 0.5) / (df + 0.5))
(Lucene's), summed over the distinct query terms; ties broken by article id.
Tokens: lowercase runs of letters and digits, English stop words removed,
then the light suffix stemmer below, the same for queries and documents.

Metrics over the queries that have at least one judged-relevant article
(grade > 0): MRR@10 (1/rank of the first relevant article within the top
10, else 0), success@3 and success@1 (share of queries with a relevant
article in the top 3 / at rank 1).

--needle BIN also runs `BIN eval COLLECTION --content CORPUS --json` and
shows its mrr_10 and success_3 beside BM25's, with the relative MRR@10
difference; if its JSON lacks those fields, that is said and the exit code is
0. With --json, standard output holds only the JSON object (the --per-query
and --needle lines go to standard error). A missing path exits with 2.

Python 3 standard library only.
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
from collections import Counter

K1 = 1.2
B = 0.75
EXTENSIONS = (".md", ".markdown", ".mdx")
BUNDLE_NAMES = ("index", "_index", "README")

# A common English stop list: NLTK's, without its contraction forms and a few
# rare entries (129 words).
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because
    been before being below between both but by can could did do does doing
    down during each few for from further had has have having he her here hers
    herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why
    will with would you your yours yourself yourselves s t don
    """.split()
)

TOKEN = re.compile(r"[^\W_]+")
VOWELS = set("aeiouy")


def _undouble(stem):
    """'runn' -> 'run', 'embedd' -> 'embed'; not for l, s, z ('install', 'pass')."""
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiouylsz":
        return stem[:-1]
    return stem


def stem(word):
    """A light, conservative English suffix stemmer. Exactly:

    Digits-only words and words of 3 letters or fewer are left alone. Then:
    1. Plurals (at most one rule, first match wins):
       - "ies" -> "y" when at least 2 letters remain before it
         ("entries" -> "entry", "ties" kept);
       - "sses" -> "ss" ("classes" -> "class");
       - "es" removed after x, ch, sh, z ("boxes" -> "box",
         "matches" -> "match"; "uses", "pages" fall to the next rule);
       - "s" removed unless the word ends in "ss", "us" or "is"
         ("class", "status", "analysis" kept; "pages" -> "page",
         "traits" -> "trait", "uses" -> "use").
    2. Then "ing" or "ed" (at most one):
       - "ied" -> "y" when at least 2 letters remain ("copied" -> "copy");
       - "ing" / "ed" removed when what remains has at least 3 letters and
         contains a vowel (a, e, i, o, u, y), and a final doubled consonant
         other than l, s, z is then undoubled ("running" -> "run",
         "embedded" -> "embed", "building" -> "build", "string" and
         "need" and "using" kept because "str", "ne" and "us" fail the
         test, "installed" -> "install"). No "e" is restored ("making" -> "mak", "make" stays
         "make"): the stemmer is light on purpose.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    # 1. plurals
    if word.endswith("ies") and len(word) >= 5:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith(("xes", "ches", "shes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    # 2. -ing / -ed
    if word.endswith("ied") and len(word) >= 5:
        return word[:-3] + "y"
    for suffix in ("ing", "ed"):
        if word.endswith(suffix):
            rest = word[: -len(suffix)]
            if len(rest) >= 3 and VOWELS & set(rest):
                return _undouble(rest)
            return word
    return word


def tokens(text):
    return [stem(t) for t in TOKEN.findall(text.lower()) if t not in STOP_WORDS]


def article_id(rel_path):
    rel = rel_path.replace(os.sep, "/")
    base, _ext = os.path.splitext(rel)
    parent, _slash, name = base.rpartition("/")
    if name in BUNDLE_NAMES and parent:
        return parent
    return base


def load_corpus(root):
    docs = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.lower().endswith(EXTENSIONS):
                continue
            path = os.path.join(dirpath, name)
            doc_id = article_id(os.path.relpath(path, root))
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            if doc_id in docs:  # e.g. a folder with both index.md and README.md
                docs[doc_id] += "\n" + text
            else:
                docs[doc_id] = text
    return docs


class Bm25:
    def __init__(self, docs):
        self.ids = sorted(docs)
        self.tf = []
        self.length = []
        self.df = Counter()
        for doc_id in self.ids:
            counts = Counter(tokens(docs[doc_id]))
            self.tf.append(counts)
            self.length.append(sum(counts.values()))
            self.df.update(counts.keys())
        self.n = len(self.ids)
        self.avgdl = (sum(self.length) / self.n) if self.n else 0.0

    def idf(self, term):
        df = self.df.get(term, 0)
        return math.log(1.0 + (self.n - df + 0.5) / (df + 0.5))

    def search(self, query):
        terms = list(dict.fromkeys(tokens(query)))
        weights = {t: self.idf(t) for t in terms if t in self.df}
        scored = []
        for i, counts in enumerate(self.tf):
            norm = K1 * (1.0 - B + B * self.length[i] / self.avgdl)
            score = 0.0
            for term, idf in weights.items():
                f = counts.get(term)
                if f:
                    score += idf * f * (K1 + 1.0) / (f + norm)
            if score > 0.0:
                scored.append((-score, self.ids[i]))
        scored.sort()
        return [doc_id for _neg, doc_id in scored]


def load_queries(path):
    queries = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
                queries[str(obj["_id"])] = obj["text"]
            except (ValueError, KeyError) as e:
                sys.exit(f"{path}:{lineno}: not a query line ({e})")
    return queries


def load_qrels(path):
    qrels = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            parts = line.rstrip("\n").split("\t")
            if lineno == 1 and parts and parts[0] == "query-id":
                continue
            if len(parts) < 3 or not parts[0]:
                continue
            try:
                grade = float(parts[2])
            except ValueError:
                sys.exit(f"{path}:{lineno}: score is not a number: {parts[2]!r}")
            if grade > 0:
                qrels.setdefault(parts[0], set()).add(parts[1])
    return qrels


def die_missing(what, path):
    print(f"page_bm25: {what} not found: {path}", file=sys.stderr)
    sys.exit(2)


def evaluate(collection, corpus):
    queries_path = os.path.join(collection, "queries.jsonl")
    qrels_path = os.path.join(collection, "qrels", "test.tsv")
    if not os.path.isdir(collection):
        die_missing("collection directory", collection)
    if not os.path.isfile(queries_path):
        die_missing("queries file", queries_path)
    if not os.path.isfile(qrels_path):
        die_missing("judgments file", qrels_path)
    if not os.path.isdir(corpus):
        die_missing("corpus directory", corpus)

    queries = load_queries(queries_path)
    qrels = load_qrels(qrels_path)
    docs = load_corpus(corpus)
    if not docs:
        print(f"page_bm25: no .md/.markdown/.mdx files under {corpus}", file=sys.stderr)
        sys.exit(2)
    unknown = sorted({d for rel in qrels.values() for d in rel} - set(docs))
    if unknown:
        print(f"page_bm25: warning: judged ids not in the corpus: {', '.join(unknown)}", file=sys.stderr)
    missing_q = sorted(set(qrels) - set(queries))
    if missing_q:
        print(f"page_bm25: warning: judged queries with no text: {', '.join(missing_q)}", file=sys.stderr)

    index = Bm25(docs)
    rows = []
    for qid, text in queries.items():
        relevant = qrels.get(qid)
        if not relevant:
            continue
        ranking = index.search(text)
        rank = next((i + 1 for i, d in enumerate(ranking) if d in relevant), None)
        rows.append({"id": qid, "text": text, "rank": rank, "top3": ranking[:3]})
    n = len(rows)

    def share(pred):
        return sum(1 for r in rows if pred(r)) / n if n else 0.0

    summary = {
        "queries": n,
        "mrr_10": (sum(1.0 / r["rank"] for r in rows if r["rank"] and r["rank"] <= 10) / n) if n else 0.0,
        "success_3": share(lambda r: r["rank"] is not None and r["rank"] <= 3),
        "success_1": share(lambda r: r["rank"] == 1),
    }
    return summary, rows, len(docs)


def run_needle(binary, collection, corpus):
    """Runs `BIN eval DIR --content CORPUS --json`; returns its JSON object."""
    cmd = [binary, "eval", collection, "--content", corpus, "--json"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        print(f"page_bm25: cannot run {binary}: {e}", file=sys.stderr)
        sys.exit(1)
    if done.returncode != 0:
        print(f"page_bm25: `{' '.join(cmd)}` failed (exit {done.returncode}):\n{done.stderr.strip()}", file=sys.stderr)
        sys.exit(1)
    for line in reversed(done.stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    print(f"page_bm25: `{' '.join(cmd)}` printed no JSON object", file=sys.stderr)
    sys.exit(1)


def check_binary(binary):
    if not (os.path.isfile(binary) or (os.sep not in binary and _which(binary))):
        die_missing("needle binary", binary)


def _which(name):
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if os.access(os.path.join(folder, name), os.X_OK):
            return True
    return False


def main():
    parser = argparse.ArgumentParser(
        description="Page-level BM25 baseline (raw files, k1 1.2, b 0.75) on a judged collection: MRR@10, success@3, success@1."
    )
    parser.add_argument("collection", help="judged collection: queries.jsonl and qrels/test.tsv")
    parser.add_argument("corpus", help="directory of Markdown files the judgments refer to")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--per-query", action="store_true", help="list each query, the rank of its first relevant page and the top 3")
    parser.add_argument("--needle", metavar="BIN", help="also run `BIN eval COLLECTION --content CORPUS --json` and compare")
    args = parser.parse_args()

    if args.needle:
        check_binary(args.needle)
    summary, rows, n_docs = evaluate(args.collection, args.corpus)
    name = os.path.basename(os.path.normpath(args.collection))

    if args.json:
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in summary.items()}))
    else:
        print(
            f"{name}: {summary['queries']} queries, {n_docs} pages (BM25 over raw files)\n"
            f"MRR@10 {summary['mrr_10']:.4f}   success@3 {summary['success_3']:.4f}   success@1 {summary['success_1']:.4f}"
        )
    if args.per_query:
        out = sys.stderr if args.json else sys.stdout
        for r in rows:
            rank = str(r["rank"]) if r["rank"] else "-"
            print(f"{r['id']:>5}  rank {rank:>3}  {r['text']!r:40}  top3: {', '.join(r['top3'])}", file=out)

    if args.needle:
        result = run_needle(args.needle, args.collection, args.corpus)
        out = sys.stderr if args.json else sys.stdout
        fields = ("mrr_10", "success_3")
        absent = [f for f in fields if not isinstance(result.get(f), (int, float))]
        if absent:
            print(f"needle: {' and '.join(absent)} absent from `needle eval --json` (this build does not report them); no comparison", file=out)
            return 0
        mrr, s3 = float(result["mrr_10"]), float(result["success_3"])
        print(f"{'':10}{'MRR@10':>9}{'success@3':>11}", file=out)
        print(f"{'BM25':10}{summary['mrr_10']:9.4f}{summary['success_3']:11.4f}", file=out)
        print(f"{'needle':10}{mrr:9.4f}{s3:11.4f}", file=out)
        if summary["mrr_10"] > 0:
            diff = (mrr - summary["mrr_10"]) / summary["mrr_10"] * 100.0
            print(f"needle vs BM25 MRR@10: {diff:+.1f}%", file=out)
        else:
            print("needle vs BM25 MRR@10: BM25 MRR@10 is 0, no relative difference", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
