"""Writes bot/sandbox/asc/schema_attributes.py from Apple's spec: every resource type's attribute names.

The simulator renders every attribute of a resource's schema (null when empty), as App Store Connect
does; it must not read the 3.4 MB spec at run time, so the names are kept in a generated module.
`tests/sandbox/test_strict_rendering.py` checks the module is what this script writes today.
Run: `python -m tests.support.schema_attributes`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "tests" / "data" / "app_store_connect_api_4.4.1_openapi.json"
MODULE_PATH = ROOT / "bot" / "sandbox" / "asc" / "schema_attributes.py"

_HEADER = '''"""Attribute names of every resource type in Apple's OpenAPI spec 4.4.1 (generated; do not edit).

Written by `python -m tests.support.schema_attributes` from tests/data/app_store_connect_api_4.4.1_openapi.json.
The renderer shows each of them on every resource of that type, `null` when empty, as Apple does.
"""

_NAMES = {
'''


def resource_schemas(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The resource object schema of each JSON:API type (the one with id, attributes and links)."""
    found: dict[str, dict[str, Any]] = {}
    for _name, schema in sorted(spec["components"]["schemas"].items()):
        props = schema.get("properties", {})
        types = props.get("type", {}).get("enum") or []
        if len(types) == 1 and {"id", "links"} <= set(props) and types[0] not in found:
            found[types[0]] = schema
    return found


def render(spec: dict[str, Any]) -> str:
    lines = [_HEADER]
    for type_, schema in sorted(resource_schemas(spec).items()):
        names = list(schema["properties"].get("attributes", {}).get("properties", {}))
        lines.append(f"    {json.dumps(type_)}: {json.dumps(' '.join(names))},\n")
    lines.append("}\n")
    lines.append(
        "ATTRIBUTES: dict[str, tuple[str, ...]] = {t: tuple(n.split()) for t, n in _NAMES.items()}\n"
    )
    return "".join(lines)


def main() -> None:
    MODULE_PATH.write_text(render(json.loads(SPEC_PATH.read_text())))


if __name__ == "__main__":
    main()
