#!/usr/bin/env python3
"""Query needle from Python through its batch mode (standard library only).

One `needle search --json -` process answers every request: a line of JSON
in, a line of JSON out, each answer echoing its request's id.

    python3 examples/python/batch.py [needle args...]   # e.g. --content notes/

NEEDLE names the binary (default: `needle` on the PATH).
"""
import json
import os
import subprocess
import sys

needle = os.environ.get("NEEDLE", "needle")
proc = subprocess.Popen(
    [needle, *sys.argv[1:], "search", "--json", "-"],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
)


def ask(request):
    proc.stdin.write(json.dumps(request) + "\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


answer = ask({"id": "first", "q": "sunscreen", "limit": 3})
assert answer["id"] == "first"
for hit in answer["hits"]:
    print(f'{hit["rank"]}. {hit["section"]} ({hit["id"]})')

bad = ask({"id": "bad", "q": "x", "limit": 0})
print("error:", bad["error"]["message"])

proc.stdin.close()
sys.exit(0 if proc.wait() == 2 else 1)  # 2: a line failed, as the bad one did
