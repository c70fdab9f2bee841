#!/usr/bin/env python3
"""Query `needle serve` from Python (standard library only).

    needle serve &                      # http://127.0.0.1:7700
    python3 examples/python/http_api.py [BASE_URL]
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:7700"


def get(path, **params):
    url = base + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


status, results = get("/search", q="sunscreen", limit=3)
assert status == 200, results
for hit in results["hits"]:
    print(f'{hit["rank"]}. {hit["section"]} ({hit["id"]})')

passage_id = results["hits"][0]["id"]
status, got = get("/passages/" + urllib.parse.quote(passage_id, safe=""))
print("after it:", [p["text"][:40] for p in got["after"]])

status, error = get("/search", q="x", topic="no-such-topic")
assert status == 400
print("error:", error["error"]["message"])
