"""Seeded random documents (comments at odd places, block scalars, flow bits) against kpt's writer."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.render.yaml import YAMLError, parse_document
from bot.render.yaml.files import reformat

KPTFILE = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: fuzz\n"
SCALARS = ["v", "'q'", '"d"', "1", "true", "~", "", "a b", "[a, b]", "{k: v}", "'it''s'", "&an v",
           "|\n{ind}  lit\n{ind}  eral", ">-\n{ind}  fold\n{ind}  ed"]
COMMENTS = ["# note", "# x: y", "# setter ${a}", "#", "# multi word comment"]


def _block(rng: random.Random, ind: int, depth: int) -> list[str]:
    lines: list[str] = []
    as_sequence = depth > 1 and rng.random() < 0.3
    for i in range(rng.randint(1, 3)):
        for _ in range(rng.choice([0, 0, 1, 2])):
            lines.append(" " * max(0, ind + rng.choice([0, 0, 2, 4, 1, -2, -4])) + rng.choice(COMMENTS))
            if rng.random() < 0.3:
                lines.append("")
        value = rng.choice(SCALARS).replace("{ind}", " " * ind)
        line_comment = f" {rng.choice(COMMENTS)}" if rng.random() < 0.25 and "\n" not in value else ""
        if as_sequence:
            lines.append(" " * ind + "- " + value + line_comment)
        elif depth < 3 and rng.random() < 0.4:
            lines.append(" " * ind + f"k{depth}{i}:" + (f" {rng.choice(COMMENTS)}" if rng.random() < 0.3 else ""))
            lines.extend(_block(rng, ind + rng.choice([2, 2, 4]), depth + 1))
        else:
            lines.append(" " * ind + f"k{depth}{i}: " + value + line_comment)
        if rng.random() < 0.2:
            lines.append(" " * max(0, ind + rng.choice([0, -2, 2])) + rng.choice(COMMENTS))
    return lines


def _document(rng: random.Random, name: str) -> str:
    head = [rng.choice(COMMENTS)] if rng.random() < 0.3 else []
    if head and rng.random() < 0.5:
        head.append("")
    foot = ["", rng.choice(COMMENTS)] if rng.random() < 0.3 else []
    lines = [*head, "apiVersion: v1", "kind: X", "metadata:", f"  name: {name}", *_block(rng, 0, 1), *foot]
    return "\n".join(lines) + "\n"


def _valid_documents(seed: int, count: int) -> dict[str, str]:
    files: dict[str, str] = {}
    for i in range(count):
        text = _document(random.Random(seed * 1000 + i), f"n{i}")
        try:
            parse_document(text)
        except YAMLError:
            continue
        files[f"f{i}.yaml"] = text
    return files


@pytest.mark.kpt
@pytest.mark.parametrize("seed", [1, 2])
def test_random_documents_match_kpt(kpt_binary: str, tmp_path: Path, seed: int) -> None:
    files = _valid_documents(seed, 40)
    assert len(files) > 15
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "Kptfile").write_text(KPTFILE)
    for name, text in files.items():
        (pkg / name).write_text(text)
    proc = subprocess.run([kpt_binary, "fn", "render", str(pkg)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    mismatched = [name for name, text in files.items() if reformat(text) != (pkg / name).read_text()]
    shutil.rmtree(pkg)
    assert mismatched == []
