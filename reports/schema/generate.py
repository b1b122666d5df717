"""Generate bundle.schema.json (JSON Schema 2020-12) from privascope.model's dataclasses.

    python -m privascope.reports.schema.generate          # rewrite reports/schema/bundle.schema.json
    python -m privascope.reports.schema.generate --check  # exit 1 when the file is out of date

The model is the source of truth; this file only mirrors it so other tools can validate a
bundle without Python. tests/reports/test_json.py fails when the two drift apart.
"""
from __future__ import annotations

import argparse
import dataclasses
import enum
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any, Union

from privascope import model

SCHEMA_FILE = Path(__file__).resolve().parent / "bundle.schema.json"


def _type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if tp is Any:
        return {}
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        inner = [_type_schema(a, defs) for a in args if a is not type(None)]
        schema = inner[0] if len(inner) == 1 else {"anyOf": inner}
        if type(None) in args:
            return {"anyOf": [schema, {"type": "null"}]}
        return schema
    if origin is tuple:
        return {"type": "array", "items": _type_schema(typing.get_args(tp)[0], defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(typing.get_args(tp)[1], defs)}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [m.value for m in tp]}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):  # a class, never an instance here
        _define(tp, defs)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    simple = {str: "string", bool: "boolean", int: "integer", float: "number"}
    if tp in simple:
        return {"type": simple[tp]}
    raise TypeError(f"no JSON Schema mapping for {tp!r}")


def _define(cls: type, defs: dict[str, Any]) -> None:
    if cls.__name__ in defs:
        return
    defs[cls.__name__] = {}  # placeholder against recursion
    hints = typing.get_type_hints(cls)
    props, required = {}, []
    for f in dataclasses.fields(cls):
        key = f.metadata.get("json", f.name)  # the JSON key, as model.to_data writes it
        props[key] = _type_schema(hints[f.name], defs)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(key)
    doc = (cls.__doc__ or "").strip().split("\n")[0]
    defs[cls.__name__] = {"type": "object", **({"description": doc} if doc and not doc.startswith(
        cls.__name__ + "(") else {}), "properties": props, "required": required,
        # model.to_json writes every field; extra keys mean the schema is stale
        "additionalProperties": False}


def build_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    _define(model.Bundle, defs)
    root = defs.pop("Bundle")
    root["properties"]["schema_version"] = {"const": model.SCHEMA_VERSION}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"privascope-bundle-{model.SCHEMA_VERSION}",
            "title": "privascope evidence bundle and report", **root,
            "$defs": dict(sorted(defs.items()))}


def render() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--check", action="store_true")
    args = p.parse_args(argv)
    text = render()
    if args.check:
        current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
        if current != text:
            print(f"{SCHEMA_FILE} is out of date: run python -m privascope.reports.schema.generate",
                  file=sys.stderr)
            return 1
        return 0
    SCHEMA_FILE.write_text(text, encoding="utf-8")
    print(SCHEMA_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
