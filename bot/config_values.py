"""Reading configuration values and naming them in problems: TOML paths as users write them, and
values quoted only when they cannot be a secret pasted into the wrong setting."""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

_BARE_TOML_KEY_RE = re.compile(r"[A-Za-z0-9_-]+")
_BOOLS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def parse_bool(text: str) -> bool | None:
    """true/false/1/0/yes/no in any case; None for anything else."""
    return _BOOLS.get(text.strip().lower())


_SECRET_PREFIXES = {
    "xoxb-": "a Slack bot token",
    "xoxp-": "a Slack user token",
    "xapp-": "a Slack app-level token",
    "xox": "a Slack token",
    "eyJ": "a signed token (JWT)",
    "-----BEGIN": "a PEM private key",
}
_SECRETISH = re.compile(r"[A-Za-z0-9+/=_-]{20,}")  # a long run of key-like characters


def _secret_kind(text: str) -> str | None:
    """What a value looks like when it might be a secret pasted into the wrong setting."""
    stripped = text.strip()
    kind = next((k for prefix, k in _SECRET_PREFIXES.items() if stripped.startswith(prefix)), None)
    if kind is not None:
        return kind
    if "PRIVATE KEY" in text or "\n" in text:
        return "a private key"
    if len(text) > 60:
        return "a long value"
    if _SECRETISH.search(text) and any(c.isdigit() for c in text) and any(c.isalpha() for c in text):
        return "a secret or key"
    return None


def shown(value: object) -> str:
    """A value quoted for a problem message, unless it might be a pasted secret: that is described."""
    text = str(value)
    # Someone who swaps two variables would otherwise see their token or key echoed in a log.
    kind = _secret_kind(text)
    if kind is not None:
        return f"(a value of {len(text)} characters that looks like {kind}; not shown)"
    return repr(text)


def shown_path(path: object) -> str:
    """A file path quoted in full (the user must see which file), unless it is clearly not a path."""
    text = str(path)
    if len(text) > 1000 or "\n" in text or "PRIVATE KEY" in text:
        return shown(text)
    return repr(text)


def toml_label(*parts: str) -> str:
    """`ASC_BOT_CONFIG apps."com.example.app".api_key`: a TOML path as a user would write it."""
    quoted = (p if _BARE_TOML_KEY_RE.fullmatch(p) else json.dumps(p) for p in parts)
    return "ASC_BOT_CONFIG " + ".".join(quoted)


def check_known(
    table: Mapping[str, Any], known: Iterable[str], parts: tuple[str, ...], problems: list[str]
) -> None:
    """Report every key of `table` that is not in `known`, suggesting the nearest known one."""
    known = list(known)
    for name in table:
        if name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "known: " + ", ".join(known)
        problems.append(f"{toml_label(*parts, name)} is not a known setting ({hint})")


def read_text(path: Path, label: str, problems: list[str]) -> str | None:
    """The file's text, or None after reporting why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(f"{label} names a file that does not exist: {shown_path(path)}")
    except IsADirectoryError:
        problems.append(f"{label} names a directory, not a file: {shown_path(path)}")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{label} cannot be read: {shown_path(path)} ({exc.__class__.__name__})")
    return None


def read_toml(path: Path, problems: list[str]) -> dict[str, Any]:
    """The parsed ASC_BOT_CONFIG file, or {} after reporting why it cannot be read."""
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        problems.append(f"ASC_BOT_CONFIG names a file that does not exist: {shown_path(path)}")
    except tomllib.TOMLDecodeError as exc:  # its message gives line and column, not content
        problems.append(f"ASC_BOT_CONFIG is not valid TOML: {exc}")
    except OSError as exc:
        problems.append(f"ASC_BOT_CONFIG cannot be read: {shown_path(path)} ({exc.__class__.__name__})")
    return {}


def table(document: Mapping[str, Any], name: str, problems: list[str]) -> dict[str, Any]:
    """A top-level table of the TOML file ({} when absent or not a table)."""
    value = document.get(name, {})
    if not isinstance(value, dict):
        problems.append(f"{toml_label(name)} must be a table")
        return {}
    return value
