"""Hypothesis strategies for build-uploaded payloads: valid ones, and ones broken in named fields."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from bot.appstore.states import PLATFORMS, RELEASE_TYPES
from bot.publishing_options import BOOL_OPTIONS
from bot.sandbox.clock import FakeClock

NOW: datetime = FakeClock().now()  # the world's FakeClock starts here too
LOCALES = ("en-US", "de-DE", "fr-FR", "ja", "pt-BR", "zh-Hans")

printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=40).filter(
    str.strip
)
words = st.text(st.characters(categories=("L", "N", "Zs")), min_size=1, max_size=30).filter(str.strip)
# Built from lists rather than st.from_regex, which is several times slower to draw from.
bundle_ids = st.lists(
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8), min_size=2, max_size=4
).map(".".join)
versions = st.lists(st.integers(0, 999), min_size=1, max_size=3).map(lambda parts: ".".join(map(str, parts)))
builds = st.one_of(versions, st.integers(0, 10**6))
channels = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=8, max_size=11).map(lambda s: "C" + s)


@st.composite
def release_dates(draw: st.DrawFn) -> str:
    hours = draw(st.integers(1, 24 * 365))
    when = NOW.replace(minute=0, second=0, microsecond=0) + timedelta(hours=hours)
    return when.isoformat().replace("+00:00", draw(st.sampled_from(["+00:00", "Z"])))


@st.composite
def publishing(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in BOOL_OPTIONS:
        if draw(st.booleans()):
            out[key] = draw(st.booleans())
    if draw(st.booleans()):
        out["beta_groups"] = draw(st.lists(words, max_size=5))
    if draw(st.booleans()):
        out["copyright"] = draw(words)
    release_type = draw(st.sampled_from([None, *RELEASE_TYPES]))
    if release_type is not None:
        out["release_type"] = release_type
    if release_type in (None, "SCHEDULED") and (release_type == "SCHEDULED" or draw(st.booleans())):
        out["earliest_release_date"] = draw(release_dates())
    return out


@st.composite
def valid_payloads(draw: st.DrawFn) -> dict[str, Any]:
    """Payloads the contract accepts (each optional field present or not)."""
    app: dict[str, Any] = {"bundle_id": draw(bundle_ids)}
    payload: dict[str, Any] = {"app": app, "version": draw(versions), "build_number": draw(builds)}
    optional: dict[str, st.SearchStrategy[Any]] = {
        "platform": st.sampled_from(PLATFORMS),
        "channel": channels,
        "tests_passed": st.booleans(),
        "delivery_id": printable,
        "source": st.fixed_dictionaries(
            {},
            optional={
                "name": words,
                "url": st.integers(1, 10**6).map(lambda n: f"https://ci.example.com/{n}"),
            },
        ),
        "publishing": publishing(),
        "release_notes": st.lists(st.sampled_from(LOCALES), unique=True, max_size=3).flatmap(
            lambda langs: st.tuples(*(words for _ in langs)).map(
                lambda texts: [
                    {"language": lang, "text": text} for lang, text in zip(langs, texts, strict=True)
                ]
            )
        ),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            payload[key] = draw(strategy)
    return payload


@dataclass(frozen=True)
class Mutation:
    """Put a bad value at `path`; the answer must name `field`. `static`: JSON Schema alone sees it."""

    path: tuple[str, ...]
    values: st.SearchStrategy[Any]
    static: bool = True

    @property
    def field(self) -> str:
        return ".".join(self.path)


_not_bool = st.one_of(st.sampled_from(["true", 1, 0, None, [], {}]), st.floats(allow_nan=False))
MUTATIONS = (
    Mutation(
        ("platform",),
        st.one_of(printable.filter(lambda s: s not in PLATFORMS), st.integers(), st.lists(st.none())),
    ),
    Mutation(("version",), st.sampled_from(["one", "", "1.2.3.4", "1..2", "1" * 33, 1.4, 7, [], {}, True])),
    Mutation(("build_number",), st.sampled_from(["abc", "", -1, 1.5, True, "1.2.3.4", "x" * 40, {}])),
    Mutation(("channel",), st.sampled_from(["#general", "c0123", 5, "", "C", []])),
    Mutation(("tests_passed",), st.sampled_from(["yes", 1, 0, [], {}])),
    Mutation(("delivery_id",), st.sampled_from(["", "x" * 129, 5, [], "a\x00b", "tab\there"])),
    Mutation(("delivery_id",), st.sampled_from(["   ", "\ud800"]), static=False),
    Mutation(("api_key",), st.sampled_from(["", "k" * 65, [], 3])),
    Mutation(("app",), st.sampled_from(["com.example.app", [], 5, {}])),
    Mutation(("app", "bundle_id"), st.sampled_from(["com example", "", "x" * 156, 7, "a..b", "ü.com"])),
    Mutation(("app", "apple_id"), st.sampled_from(["12ab", "", -5, "1" * 21, 1.5])),
    Mutation(("source",), st.sampled_from(["GitHub", 1, []])),
    Mutation(("source", "url"), st.sampled_from(["ftp://x", "http://a b", "", "example.com", 5])),
    Mutation(("publishing",), st.sampled_from(["all", [], 1])),
    Mutation(("publishing", "release_type"), st.sampled_from(["LATER", "", 1, "manual"])),
    *(Mutation(("publishing", key), _not_bool) for key in ("submit_to_testflight", "phased_release")),
    Mutation(("publishing", "beta_groups"), st.sampled_from(["QA", [""], [1], ["x" * 101], ["QA", None], 5])),
    Mutation(("publishing", "copyright"), st.sampled_from(["", "c" * 201, 2026, []])),
    Mutation(
        ("publishing", "earliest_release_date"), st.sampled_from(["tomorrow", 5, "", "2026-13-01T10:00:00Z"])
    ),
    Mutation(
        ("publishing", "earliest_release_date"),
        st.sampled_from(["2020-01-01T10:00:00+00:00", "2026-12-01T14:30:00+00:00", "2026-12-01T14:00:00"]),
        static=False,
    ),
    Mutation(("release_notes",), st.sampled_from(["notes", 5, [{"language": "english", "text": "x"}], [5]])),
    Mutation(("release_notes",), st.just([{"language": "en-US", "text": "x" * 4001}])),
    Mutation(("surprise",), st.one_of(st.none(), st.integers(), printable)),
    Mutation(("app", "colour"), printable),
    Mutation(("publishing", "autopilot"), st.booleans()),
)


def put(payload: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of `payload` with `value` at `path`, creating (or replacing) objects on the way."""
    out = copy.deepcopy(payload)
    node = out
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value
    return out


@st.composite
def broken_payloads(draw: st.DrawFn) -> tuple[dict[str, Any], list[Mutation]]:
    """A valid payload with one to four fields broken; returns it with the mutations applied."""
    payload = draw(valid_payloads())
    chosen = draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=4, unique_by=lambda m: m.path[0]))
    for mutation in chosen:
        payload = put(payload, mutation.path, draw(mutation.values))
    return payload, chosen


def names(field: str, problem_fields: set[str]) -> bool:
    """Whether some reported problem is about `field` (or something inside it)."""
    return any(f == field or f.startswith((field + ".", field + "[")) for f in problem_fields)
