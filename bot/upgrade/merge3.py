"""Three-way merge of one YAML object (dest = downstream, origin = old upstream, updated = new upstream).

The rules are kyaml's ``merge3`` visitor driven by its ``walk`` package, which kpt's resource-merge
uses unchanged:

* a scalar takes upstream's value when upstream changed it (whatever the downstream did), else keeps
  the downstream's; explicit ``null`` on either side clears the field;
* a map is merged key by key in sorted key order; keys missing downstream are appended;
* a list whose schema has a merge strategy (or, for the Kptfile, whose elements all have ``name``)
  is merged element by element (``lists.py``); any other list is atomic: upstream's list replaces
  the downstream's when upstream changed it;
* comments on a key follow the same rule as a value (upstream's when only upstream changed them).

The merge edits ``dest`` in place and may move nodes of ``updated`` into it.
"""

from __future__ import annotations

from bot.render.yaml.node import Kind, Node, Style
from bot.upgrade import schema as schemas
from bot.upgrade.conflicts import ConflictKind, ConflictLog, plain
from bot.upgrade.fields import MergeError, associative_key, set_field
from bot.upgrade.lists import walk_associative
from bot.upgrade.values import fingerprint, missing_or_null, tagged_null

__all__ = ["MergeError", "Walker", "merge_resource"]

Sources = list[Node | None]  # [dest, origin, updated]


class Walker:
    def __init__(self, infer_lists: bool = False, log: ConflictLog | None = None) -> None:
        self.infer_lists = infer_lists
        self.log = log

    # ---- dispatch ------------------------------------------------------------------------------
    def walk(self, sources: Sources, schema: schemas.Schema | None, path: list[str]) -> Node | None:
        schema = self._schema(sources, schema)
        kind = next((s.kind for s in sources if not missing_or_null(s)), None)  # type: ignore[union-attr]
        if kind is None or kind is Kind.MAPPING:
            _check_kinds(sources, Kind.MAPPING, path)
            return self.walk_map(sources, schema, path)
        if kind is Kind.SEQUENCE:
            _check_kinds(sources, Kind.SEQUENCE, path)
            if self._associative(schema, sources):
                return walk_associative(self, sources, schema, path)
            return self.visit_list(sources, path)
        if kind is Kind.SCALAR:
            _check_kinds(sources, Kind.SCALAR, path)
            return self.visit_scalar(sources, path)
        return None

    def _schema(self, sources: Sources, current: schemas.Schema | None) -> schemas.Schema | None:
        for source in sources:
            if missing_or_null(source):
                continue
            found = _comment_schema(source)  # type: ignore[arg-type]
            if found is not None:
                return found
        if current is not None:
            return current
        for source in sources:
            if source is not None and source.kind is Kind.MAPPING:
                kind, api_version = source.str_value("kind"), source.str_value("apiVersion")
                if kind and api_version:
                    found = schemas.for_resource(api_version, kind)
                    if found is not None:
                        return found
        return None

    def _associative(self, schema: schemas.Schema | None, sources: Sources) -> bool:
        if schema is not None:
            return schemas.is_associative(schema)
        if not self.infer_lists:
            return False
        return any(not missing_or_null(s) and associative_key(s) != "" for s in sources)  # type: ignore[arg-type]

    # ---- maps ----------------------------------------------------------------------------------
    def walk_map(self, sources: Sources, schema: schemas.Schema | None, path: list[str]) -> Node | None:
        dest, origin, updated = sources
        if _cleared(origin, updated) or _cleared(origin, dest):
            return None
        if dest is None:
            if updated is None:
                return None
            dest = Node(Kind.MAPPING, tag="")
        sources = [dest, sources[1], updated]
        names: set[str] = set()
        for source in sources:
            if source is not None and source.kind is Kind.MAPPING:
                names.update(source.content[i].value for i in range(0, len(source.content) - 1, 2))
        for name in sorted(names):
            keys: Sources = []
            values: Sources = []
            for source in sources:
                key, value = _field(source, name)
                keys.append(key)
                values.append(value)
            chosen_key = visit_key(keys)
            child_schema = schemas.field(schema, name) if schema is not None else None
            comment_schema = _field_comment_schema(keys, values)
            if comment_schema is not None:
                child_schema = comment_schema
            value = self.walk(values, child_schema, [*path, name])
            key_style = Style.NONE
            for key, candidate in zip(keys, values, strict=True):
                if candidate is value and key is not None:
                    key_style = key.style
            if chosen_key is not None and keys[0] is not None and chosen_key is not keys[0]:
                keys[0].head_comment = chosen_key.head_comment
                keys[0].line_comment = chosen_key.line_comment
                keys[0].foot_comment = chosen_key.foot_comment
            set_field(dest, name, value, chosen_key, key_style)
        return dest

    # ---- scalars and atomic lists -----------------------------------------------------------------
    def visit_scalar(self, sources: Sources, path: list[str]) -> Node | None:
        dest, origin, updated = sources
        if _cleared(origin, updated) or _cleared(origin, dest):
            return None
        if missing_or_null(updated) != missing_or_null(origin):
            return self._took_update(sources, path)
        if missing_or_null(updated):
            return dest
        assert updated is not None and origin is not None
        origin_print = fingerprint(origin)
        if (dest is None or fingerprint(dest) == origin_print) and origin_print != fingerprint(updated):
            return self._took_update(sources, path)
        if updated.value != origin.value:
            return self._took_update(sources, path)
        return dest

    def visit_list(self, sources: Sources, path: list[str]) -> Node | None:
        dest, origin, updated = sources
        if _cleared(origin, updated) or _cleared(origin, dest):
            return None
        if missing_or_null(updated) != missing_or_null(origin):
            return self._took_update(sources, path)
        if missing_or_null(updated):
            return dest
        if fingerprint(updated) != fingerprint(origin):
            return self._took_update(sources, path)
        return dest

    def _took_update(self, sources: Sources, path: list[str]) -> Node | None:
        """Upstream's value wins; tell the log when that overrides something the downstream did."""
        dest, origin, updated = sources
        if self.log is not None and path:
            if dest is None:
                if origin is not None and updated is not None:
                    self.log.field_conflict(ConflictKind.RESTORED, path, dest, origin, updated)
            else:
                mine = plain(dest)
                if mine != plain(origin) and mine != plain(updated):
                    self.log.field_conflict(ConflictKind.OVERWRITTEN, path, dest, origin, updated)
        return updated


def _cleared(origin: Node | None, side: Node | None) -> bool:
    """An explicit null clears a field, unless the old upstream had it null already.

    kpt 1.0.0-beta.56 clears on any null; kpt main (#4542, "keep tagged null") stopped clearing when
    origin was null too, so a downstream value set over an upstream null survives and a downstream
    null over an upstream null takes upstream's new value. We follow kpt main here: it only differs
    when the old upstream holds an explicit null, and beta.56 loses the downstream's value there.
    """
    return not tagged_null(origin) and tagged_null(side)


def visit_key(keys: Sources) -> Node | None:
    """kyaml visits keys as scalars too: the chosen key node carries the comments to keep."""
    dest, origin, updated = keys
    if (updated is None) != (origin is None):
        return updated
    if updated is None or origin is None:
        return dest
    origin_print = _key_print(origin)
    if (dest is None or _key_print(dest) == origin_print) and origin_print != _key_print(updated):
        return updated
    return dest


def _key_print(key: Node) -> tuple[str, str, str, str]:
    return (key.value, key.head_comment, key.line_comment, key.foot_comment)


def _field(source: Node | None, name: str) -> tuple[Node | None, Node | None]:
    if source is None or source.kind is not Kind.MAPPING:
        return None, None
    content = source.content
    for i in range(0, len(content) - 1, 2):
        if content[i].value == name:
            return content[i], content[i + 1]
    return None, None


def _comment_schema(node: Node) -> schemas.Schema | None:
    for comment in (node.line_comment, node.head_comment):
        if comment:
            return schemas.from_comment(comment)
    return None


def _field_comment_schema(keys: Sources, values: Sources) -> schemas.Schema | None:
    for key, value in zip(keys, values, strict=True):
        if value is None:
            continue
        found = _comment_schema(value)
        if found is None and key is not None:
            found = _comment_schema(key)
        if found is not None:
            return found
    return None


def _check_kinds(sources: Sources, kind: Kind, path: list[str]) -> None:
    for source in sources:
        if not missing_or_null(source) and source.kind is not kind:  # type: ignore[union-attr]
            raise MergeError(f"wrong node kind at {'.'.join(path) or 'the document root'}: "
                             f"expected {kind.name.capitalize()}Node but got "
                             f"{source.kind.name.capitalize()}Node")  # type: ignore[union-attr]


def merge_resource(dest: Node, origin: Node, updated: Node, log: ConflictLog | None = None) -> Node | None:
    """kyaml's merge3.Merge for one resource (mapping nodes, not documents)."""
    return Walker(log=log).walk([dest, origin, updated], None, [])
