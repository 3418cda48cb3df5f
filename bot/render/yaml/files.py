"""Whole-file round trip as kpt does it: kyaml's ByteReader, then its ByteWriter."""

from __future__ import annotations

from bot.render.yaml.emitter import emit_documents, emit_json
from bot.render.yaml.node import Node
from bot.render.yaml.parser import parse_documents, split_documents
from bot.render.yaml.seqindent import WIDE, detect_seq_indent


def read_file_documents(text: str) -> list[tuple[Node, bool]]:
    """(document, wide) pairs in file order; ``wide`` is kyaml's seqindent of each piece."""
    docs: list[tuple[Node, bool]] = []
    for piece in split_documents(text):
        parsed = parse_documents(piece)
        if parsed:
            wide = detect_seq_indent(piece) == WIDE
            docs.extend((doc, wide) for doc in parsed)
    return docs


def write_file_documents(docs: list[tuple[Node, bool]], *, json_file: bool = False) -> str:
    """File text for documents; a ``*.json`` file with one resource is written as JSON."""
    if json_file and len(docs) == 1:
        return emit_json(docs[0][0])
    return emit_documents(docs)


def reformat(text: str, *, json_file: bool = False) -> str | None:
    """What kpt writes back for an unchanged file, or None when it holds no resource."""
    docs = read_file_documents(text)
    if not docs:
        return None
    return write_file_documents(docs, json_file=json_file)
