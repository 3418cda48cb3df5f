#!/usr/bin/env python3
"""Record the YAML layer's golden outputs from kpt itself.

Each case folder under tests/render/yaml/golden/ holds an ``input.yaml`` (or ``input.json``) that we
wrote. This script copies it into a throwaway kpt package (a Kptfile with no pipeline) and runs
``kpt fn render`` on it: with nothing to run, kpt only reads the files with kyaml and writes them back
with kyaml's yaml.v3 encoder, so what lands on disk is exactly kpt's re-serialisation of the input.
That text is stored beside the input as ``expected.yaml`` (``expected.json``), and the kpt version as
``KPT_VERSION``; tests/render/yaml/test_goldens.py then compares bot/render/yaml against it without kpt.

    python3 scripts/record-yaml-goldens.py             # re-record every case
    python3 scripts/record-yaml-goldens.py CASE...     # only these case folders
    python3 scripts/record-yaml-goldens.py --check     # exit 1 if a recorded output is stale

Only the standard library is used, so any python3 with kpt on PATH will do.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "render" / "yaml" / "golden"
# The goldens are kpt 1.0.0-beta.56's bytes; another kpt may format differently, so say so loudly.
KPT_VERSION = "1.0.0-beta.56"
KPTFILE = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: golden\n"


class RecordError(Exception):
    """A case kpt cannot record (not a KRM file, kpt failed); the message names the case."""


def case_input(case: Path) -> Path:
    inputs = sorted(case.glob("input.*"))
    if len(inputs) != 1:
        raise RecordError(f"{case.name}: expected exactly one input.* file, found {len(inputs)}")
    return inputs[0]


def expected_path(source: Path) -> Path:
    return source.with_name("expected" + source.suffix)


def kpt_output(kpt: str, source: Path, work: Path) -> bytes:
    """The bytes kpt writes back for ``source`` after a render with an empty pipeline."""
    pkg = work / "pkg"
    if pkg.exists():
        shutil.rmtree(pkg)
    pkg.mkdir()
    (pkg / "Kptfile").write_text(KPTFILE)
    target = pkg / source.name
    target.write_bytes(source.read_bytes())
    proc = subprocess.run([kpt, "fn", "render", str(pkg)], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        raise RecordError(f"{source.parent.name}: kpt fn render failed: {detail}")
    if not target.exists():
        raise RecordError(f"{source.parent.name}: kpt removed the file (it holds no KRM resource)")
    return target.read_bytes()


def kpt_version(kpt: str) -> str:
    proc = subprocess.run([kpt, "version"], capture_output=True, text=True, timeout=60)
    return proc.stdout.strip()


def selected_cases(names: list[str]) -> list[Path]:
    if not names:
        return sorted(p for p in GOLDEN.iterdir() if p.is_dir())
    cases = [GOLDEN / name for name in names]
    missing = [c.name for c in cases if not c.is_dir()]
    if missing:
        raise RecordError(f"no such case folder under {GOLDEN.name}/: {', '.join(missing)}")
    return cases


def run(args: argparse.Namespace) -> int:
    kpt = args.kpt or shutil.which("kpt")
    if kpt is None:
        raise RecordError("kpt is not on PATH (give --kpt PATH)")
    version = kpt_version(kpt)
    if version != KPT_VERSION and not args.any_version:
        raise RecordError(
            f"kpt {version!r} is not {KPT_VERSION}; the goldens come from {KPT_VERSION} "
            "(pass --any-version to record anyway, and update the README)"
        )
    stale: list[str] = []
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="yaml-goldens-") as tmp:
        for case in selected_cases(args.cases):
            try:
                source = case_input(case)
                output = kpt_output(kpt, source, Path(tmp))
            except RecordError as err:
                failed.append(str(err))  # the other cases still get recorded
                continue
            target = expected_path(source)
            current = target.read_bytes() if target.exists() else None
            if current == output:
                continue
            stale.append(case.name)
            if not args.check:
                target.write_bytes(output)
    for message in failed:
        print(f"error: {message}", file=sys.stderr)
    if args.check:
        if stale or failed:
            print("stale goldens (re-record them): " + ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    if failed:
        return 2
    (GOLDEN / "KPT_VERSION").write_text(version + "\n")
    print(
        f"recorded {len(stale)} changed case(s) with kpt {version}"
        + (f": {', '.join(stale)}" if stale else "")
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Record tests/render/yaml/golden/*/expected.* from kpt.")
    parser.add_argument("cases", nargs="*", help="case folder names (default: all)")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 when an output is stale")
    parser.add_argument("--kpt", help="the kpt binary (default: kpt on PATH)")
    parser.add_argument("--any-version", action="store_true", help=f"accept a kpt other than {KPT_VERSION}")
    args = parser.parse_args(argv)
    try:
        return run(args)
    except RecordError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
