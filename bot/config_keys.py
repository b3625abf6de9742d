"""App Store Connect API keys for bot/config.py, from every source: the environment, fastlane's JSON
file, a .p8 file, and the TOML file's [keys.<name>] tables. Each key's private key is loaded to prove it."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.appstore.auth import ApiKey, parse_private_key
from bot.config_values import check_known, parse_bool, read_text, shown, toml_label

DEFAULT_KEY_NAME = "default"
ISSUER_ID = "APP_STORE_CONNECT_API_KEY_ISSUER_ID"
KEY_ID = "APP_STORE_CONNECT_API_KEY_KEY_ID"
KEY = "APP_STORE_CONNECT_API_KEY_KEY"
IS_BASE64 = "APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64"
KEY_PATH = "APP_STORE_CONNECT_API_KEY_PATH"
FASTLANE_PATH = "APP_STORE_CONNECT_API_KEY_KEY_FILEPATH"  # fastlane's name, not ours
TOML_KEY_FIELDS = ("issuer_id", "key_id", "private_key", "private_key_path", "fastlane_json")

_KEY_ID_RE = re.compile(r"[A-Z0-9]{10}")
_ISSUER_RE = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_AUTHKEY_FILE_RE = re.compile(r"AuthKey_([A-Z0-9]{10})\.p8")
_KEY_NAME_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def _unescape(pem: str) -> str:
    # CI variable forms often store a PEM on one line with literal "\n" sequences.
    text = pem.strip()
    if "\\n" in text:
        text = text.replace("\\r\\n", "\n").replace("\\n", "\n")
    return text


def _b64_text(text: str) -> str | None:
    try:
        return base64.b64decode("".join(text.split()), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


@dataclass
class _Parts:
    """What one source says about a key, before it is checked; labels name each part in messages."""

    issuer_id: str | None
    key_id: str | None
    pem: str | None
    labels: tuple[str, str, str]


def _merge(
    outer: str | None, outer_label: str, inner: Any, inner_label: str, problems: list[str]
) -> str | None:
    """An id given both beside a key file and inside it must agree; either alone is fine."""
    if inner is not None and not isinstance(inner, str):
        problems.append(f"{inner_label} must be a string")
        return outer
    inner = inner.strip() if inner else None
    if outer and inner and outer != inner:
        problems.append(f"{outer_label} {shown(outer)} does not match {inner_label} {shown(inner)}")
    return outer or inner


def _decode_base64(text: str, label: str, flag: str, problems: list[str]) -> str | None:
    if "-----BEGIN" in text:
        problems.append(f"{label} is PEM text, not base64: set {flag} to false")
        return None
    pem = _b64_text(text)
    if pem is None:
        problems.append(f"{label} is not valid base64 ({flag} is true)")
    return _unescape(pem) if pem else None


def _fastlane_json(text: str, label: str, outer: _Parts, problems: list[str]) -> _Parts | None:
    """fastlane's API key file: {"key_id", "issuer_id", "key", "is_key_content_base64", "in_house", …}."""
    inner = (f'{label} "issuer_id"', f'{label} "key_id"', f'{label} "key"')
    parts = _Parts(outer.issuer_id, outer.key_id, None, (outer.labels[0], outer.labels[1], inner[2]))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:  # its message names a position, never the content
        problems.append(f"{label} is not valid JSON ({exc.msg} at line {exc.lineno})")
        return None
    if not isinstance(data, dict):
        problems.append(f"{label} must hold a JSON object (fastlane's API key file format)")
        return None
    parts.issuer_id = _merge(outer.issuer_id, outer.labels[0], data.get("issuer_id"), inner[0], problems)
    parts.key_id = _merge(outer.key_id, outer.labels[1], data.get("key_id"), inner[1], problems)
    # Format problems name where the value came from.
    parts.labels = (
        outer.labels[0] if outer.issuer_id else inner[0],
        outer.labels[1] if outer.key_id else inner[1],
        inner[2],
    )
    if data.get("in_house") is True:
        # In-house keys sign for Apple's Enterprise API, which has no TestFlight or App Store.
        problems.append(f'{label} "in_house" is true: publishing needs an App Store Connect team key')
    is_b64 = data.get("is_key_content_base64", False)
    if isinstance(is_b64, str):
        is_b64 = parse_bool(is_b64)
    if not isinstance(is_b64, bool):
        problems.append(f'{label} "is_key_content_base64" must be true or false')
        return parts
    key = data.get("key")
    if key is None:
        problems.append(f'{label} has no "key" (the .p8 private key text)')
    elif not isinstance(key, str):
        problems.append(f'{label} "key" must be a string')
    elif is_b64:
        parts.pem = _decode_base64(key, inner[2], f'{label} "is_key_content_base64"', problems)
    else:
        parts.pem = _unescape(key)
    return parts


def _file_parts(path_text: str, label: str, base: Path, outer: _Parts, problems: list[str]) -> _Parts | None:
    """A fastlane JSON file or a .p8 file; a .p8 named AuthKey_<KEY_ID>.p8 also gives its key id."""
    path = base / Path(path_text).expanduser()
    text = read_text(path, label, problems)
    if text is None:
        return None
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        return _fastlane_json(text, label, outer, problems)
    parts = _Parts(outer.issuer_id, outer.key_id, _unescape(text), (outer.labels[0], outer.labels[1], label))
    match = _AUTHKEY_FILE_RE.fullmatch(path.name)
    if match:
        parts.key_id = _merge(outer.key_id, outer.labels[1], match.group(1), f"{label}'s file name", problems)
    return parts


def _build(name: str, parts: _Parts, problems: list[str]) -> ApiKey | None:
    """Check the ids' formats and load the private key to prove it is usable."""
    before = len(problems)
    issuer_label, key_id_label, key_label = parts.labels
    if parts.issuer_id and not _ISSUER_RE.fullmatch(parts.issuer_id):
        problems.append(
            f"{issuer_label} must be a UUID like 57246542-96fe-1a63-e053-0824d011072a, "
            f"got {shown(parts.issuer_id)}"
        )
    if parts.key_id and not _KEY_ID_RE.fullmatch(parts.key_id):
        problems.append(
            f"{key_id_label} must be 10 upper-case letters or digits like ABC123DEFG, "
            f"got {shown(parts.key_id)}"
        )
    if parts.pem is not None:
        try:
            parse_private_key(parts.pem)
        except ValueError as exc:  # parse_private_key's messages never quote the key
            problems.append(f"{key_label} {exc}")
    if len(problems) > before or not (parts.issuer_id and parts.key_id and parts.pem):
        return None
    return ApiKey(name=name, issuer_id=parts.issuer_id, key_id=parts.key_id, private_key=parts.pem)


def _missing(names: list[str]) -> str:
    return f"{' and '.join(names)} {'is' if len(names) == 1 else 'are'} required"


def load_env_key(env: Mapping[str, str], problems: list[str]) -> ApiKey | None:
    """The "default" key from APP_STORE_CONNECT_API_KEY_*; None (and problems) when absent or broken."""
    issuer, key_id, key, path = (env.get(n, "").strip() or None for n in (ISSUER_ID, KEY_ID, KEY, KEY_PATH))
    is_b64 = parse_bool(env.get(IS_BASE64) or "false")
    if is_b64 is None:
        problems.append(f"{IS_BASE64} must be true or false, got {shown(env[IS_BASE64])}")
    if not (issuer or key_id or key or path):
        return None
    if key and path:
        problems.append(f"{KEY} and {KEY_PATH} are both set: use one of them")
        return None
    parts = _Parts(issuer, key_id, None, (ISSUER_ID, KEY_ID, KEY))
    missing = [ISSUER_ID, KEY_ID]
    if path:
        from_file = _file_parts(path, KEY_PATH, Path(), parts, problems)
        if from_file is None:
            return None
        parts = from_file
        if parts.labels[2] == KEY_PATH:  # a .p8 file: the ids come from beside it
            missing[1] = f"{KEY_ID} (or a file named AuthKey_<KEY_ID>.p8)"
        else:
            missing = [f'{ISSUER_ID} (or "issuer_id" in {KEY_PATH})', f'{KEY_ID} (or "key_id" in {KEY_PATH})']
    elif key and is_b64:
        parts.pem = _decode_base64(key, KEY, IS_BASE64, problems)
    elif key and is_b64 is False:
        parts.pem = _unescape(key)
        decoded = _b64_text(key) if "-----BEGIN" not in parts.pem else None
        if decoded and "-----BEGIN" in decoded:
            problems.append(f"{KEY} looks like base64 text: set {IS_BASE64}=true")
            return None
    elif key:
        return None  # the flag is malformed (already reported), so the key cannot be read
    absent = [name for name, value in zip(missing, (parts.issuer_id, parts.key_id), strict=True) if not value]
    if not path and not key:
        absent.append(f"{KEY} (or {KEY_PATH})")
    if absent:
        problems.append(f"{_missing(absent)}: the default App Store Connect key is only partly set")
    return _build(DEFAULT_KEY_NAME, parts, problems)


def load_keys(
    env: Mapping[str, str], keys: Any, base: Path, problems: list[str]
) -> tuple[dict[str, ApiKey], list[str]]:
    """Every key, "default" (from the environment) first, and every defined name, broken ones included."""
    env_key = load_env_key(env, problems)
    toml_keys, toml_names = load_toml_keys(keys, base, problems)
    env_set = any((env.get(name) or "").strip() for name in (ISSUER_ID, KEY_ID, KEY, KEY_PATH))
    if env_set and DEFAULT_KEY_NAME in toml_names:
        problems.append(
            f"{toml_label('keys', DEFAULT_KEY_NAME)} clashes with the key from {KEY_ID} and the rest"
        )
    names = ([DEFAULT_KEY_NAME] if env_set else []) + toml_names
    if not names:
        # fastlane users may bring fastlane's variable name for the .p8 path.
        hint = " (not fastlane's APP_STORE_CONNECT_API_KEY_KEY_FILEPATH)" if env.get(FASTLANE_PATH) else ""
        problems.append(
            f"{ISSUER_ID}, {KEY_ID} and {KEY} are required (or {KEY_PATH}{hint}, "
            "or [keys.<name>] in ASC_BOT_CONFIG): no App Store Connect API key is configured"
        )
    return ({DEFAULT_KEY_NAME: env_key} if env_key else {}) | toml_keys, names


def _toml_key(name: str, table: dict[str, Any], base: Path, problems: list[str]) -> ApiKey | None:
    check_known(table, TOML_KEY_FIELDS, ("keys", name), problems)
    values: dict[str, str | None] = {}
    for field in TOML_KEY_FIELDS:
        value = table.get(field)
        if value is not None and not isinstance(value, str):
            problems.append(f"{toml_label('keys', name, field)} must be a string")
            return None  # the rest would only repeat this mistake as "missing"
        values[field] = value.strip() if value else None
    sources = [f for f in ("private_key", "private_key_path", "fastlane_json") if values[f]]
    if len(sources) != 1:
        problems.append(
            f"{toml_label('keys', name)} needs exactly one of private_key, private_key_path, fastlane_json"
        )
        return None
    labels = (toml_label("keys", name, "issuer_id"), toml_label("keys", name, "key_id"))
    source = sources[0]
    given = _Parts(values["issuer_id"], values["key_id"], None, (*labels, toml_label("keys", name, source)))
    if source == "private_key":
        given.pem = _unescape(values["private_key"] or "")
        parts: _Parts | None = given
    else:
        parts = _file_parts(values[source] or "", given.labels[2], base, given, problems)
    if parts is None:
        return None
    absent = [f for f, v in (("issuer_id", parts.issuer_id), ("key_id", parts.key_id)) if not v]
    if absent:
        problems.append(f"{toml_label('keys', name)} needs {' and '.join(absent)}")
    return _build(name, parts, problems)


def load_toml_keys(keys: Any, base: Path, problems: list[str]) -> tuple[dict[str, ApiKey], list[str]]:
    """[keys.<name>] tables: the loaded keys, and every name defined (broken ones too, for api_key checks)."""
    if not isinstance(keys, dict):
        problems.append(f"{toml_label('keys')} must be a table of [keys.<name>] tables")
        return {}, []
    loaded: dict[str, ApiKey] = {}
    for name, table in keys.items():
        if not _KEY_NAME_RE.fullmatch(name):
            problems.append(
                f"{toml_label('keys', name)} is not a valid key name (use letters, digits, '-', '_', '.')"
            )
        if not isinstance(table, dict):
            problems.append(f"{toml_label('keys', name)} must be a table")
            continue
        key = _toml_key(name, table, base, problems)
        if key is not None:
            loaded[name] = key
    return loaded, list(keys)
