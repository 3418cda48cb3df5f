"""Parse + emit speed of the YAML layer on a generated 1,000-resource, 100-file package.

Usage: python bench/yaml_roundtrip.py [--json] [--runs N]
Prints parse and emit medians (seconds) and, for comparison, a plain ruamel.yaml
round-trip of the same files.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.render.yaml import detect_seq_indent, emit_documents, parse_documents, split_documents

DEPLOYMENT = """# Deployment {i}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i} # the app
  labels:
    app: app-{i}
    tier: backend
spec:
  replicas: 3
  selector:
    matchLabels:
      app: app-{i}
  template:
    metadata:
      labels:
        app: app-{i}
    spec:
      containers:
      - name: main
        image: "registry.example/app:{i}"
        ports:
        - containerPort: 8080 # http
        env:
        - name: MODE
          value: 'prod'
        resources:
          limits:
            cpu: 500m
            memory: 128Mi
"""
SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: svc-{i}
spec:
  # route to pods
  selector:
    app: app-{i}
  ports:
    - port: 80
      targetPort: 8080
"""
CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-{i}
data:
  key: value-{i}
  # a comment
  flag: "true"
  script: |
    echo {i}
"""


def generate(files: int = 100, per_file: int = 10) -> list[str]:
    texts = []
    n = 0
    for _ in range(files):
        docs = []
        for j in range(per_file):
            docs.append((DEPLOYMENT, SERVICE, CONFIGMAP)[j % 3].format(i=n))
            n += 1
        texts.append("---\n".join(docs))
    return texts


def parse_all(texts: list[str]) -> list[list[tuple[object, bool]]]:
    parsed = []
    for text in texts:
        docs = []
        for piece in split_documents(text):
            wide = detect_seq_indent(piece) == "wide"
            docs.extend((doc, wide) for doc in parse_documents(piece))
        parsed.append(docs)
    return parsed


def median_time(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-ruamel", action="store_true")
    args = ap.parse_args()
    texts = generate()
    parsed = parse_all(texts)
    parse_s = median_time(lambda: parse_all(texts), args.runs)
    emit_s = median_time(lambda: [emit_documents(docs) for docs in parsed], args.runs)  # type: ignore[arg-type]
    result = {
        "files": len(texts),
        "resources": sum(len(d) for d in parsed),
        "bytes": sum(len(t) for t in texts),
        "parse_s": round(parse_s, 4),
        "emit_s": round(emit_s, 4),
        "parse_emit_s": round(parse_s + emit_s, 4),
    }
    if not args.no_ruamel:
        from ruamel.yaml import YAML

        def ruamel_roundtrip() -> None:
            yaml = YAML()
            for text in texts:
                out = io.StringIO()
                yaml.dump_all(list(yaml.load_all(text)), out)

        result["ruamel_roundtrip_s"] = round(median_time(ruamel_roundtrip, 1), 4)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>20}: {value}")


if __name__ == "__main__":
    main()
