"""How a typed beta group name finds App Store Connect's group: case and quote style do not matter.

People type `Tim's devices`; Slack, phones and App Store Connect's own defaults write it with a typographic apostrophe (U+2019).
Both mean the same group, so names are compared by a key that folds case, quote marks and spacing;
an exact match always wins, and a key shared by two groups matches neither (it is reported instead).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

# Apostrophes, primes and accents used as one; double quotes and guillemets likewise.
_QUOTE_MARKS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)


class Named(Protocol):
    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=Named)


def name_key(name: str) -> str:
    """What two names must share to mean the same group."""
    folded = unicodedata.normalize("NFKC", name.translate(_QUOTE_MARKS)).casefold()
    return " ".join(folded.split())


@dataclass(frozen=True)
class NameMatch(Generic[T]):
    """Typed names resolved to groups; `unknown` and `ambiguous` list the typed names that were not."""

    found: list[tuple[str, T]]
    unknown: list[str]
    ambiguous: dict[str, list[str]]

    def differences(self) -> list[tuple[str, str]]:
        """(typed, exact name) for every name that matched only after folding case or quotes."""
        return [(typed, group.name) for typed, group in self.found if typed != group.name]


def match_names(typed: Iterable[str], groups: Sequence[T]) -> NameMatch[T]:
    """Find each typed name among `groups`: exactly first, else by `name_key` when that is unique."""
    exact = {group.name: group for group in groups}
    by_key: dict[str, list[T]] = defaultdict(list)
    for group in groups:
        by_key[name_key(group.name)].append(group)
    found: list[tuple[str, T]] = []
    unknown: list[str] = []
    ambiguous: dict[str, list[str]] = {}
    for name in typed:
        candidates = [exact[name]] if name in exact else by_key.get(name_key(name), [])
        if len(candidates) == 1:
            found.append((name, candidates[0]))
        elif candidates:
            ambiguous[name] = [g.name for g in candidates]
        else:
            unknown.append(name)
    return NameMatch(found, unknown, ambiguous)
