"""Fast fuzzy filtering of the model list for the picker (import it from `core.catalog`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from routmy_tui.core.types import ModelInfo

__all__ = ["Match", "ModelIndex", "filter_models"]

_SEPARATORS = frozenset("/-._: ")

# Score weights. A contiguous match is worth 18 a character (10 + an 8 run bonus); where it
# starts adds a bonus: the model part after "/" beats the very start (usually the owner),
# which beats any other word start. Scattered matches earn 10 a character plus run and
# word-start bonuses, minus a little per skipped character.
_CHAR = 10.0
_RUN = 8.0
_WORD_START = 6.0
_AT_MODEL_START = 30.0
_AT_START = 25.0
_AT_WORD = 15.0
_EXACT = 40.0
_SCATTERED_MODEL_START = 10.0
_GAP = 0.5
_GAP_CAP = 20
_PER_ID_CHAR = 0.2  # shorter ids first, among otherwise equal matches
_NAME_ONLY = 0.6  # a match on the display name / owner only, not on the id
FAVOURITE_BOOST = 8.0
LOCKED_PENALTY = 8.0


@dataclass
class Match:
    """A model that matched a query.

    Attributes:
        model: The model.
        score: Higher is better (only comparable within one query).
        positions: Matched character positions in `model.id`, for highlighting (empty when
            the query matched the display name or owner only).
    """

    model: ModelInfo
    score: float
    positions: list[int] = field(default_factory=list)


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):  # e.g. "İ" lowercases to two characters: keep positions true
        low = "".join(ch.lower()[:1] for ch in text)
    return low


@dataclass(slots=True)
class _Entry:
    model: ModelInfo
    hay: str  # lowercased id
    extra: str  # lowercased owner and display name
    chars: frozenset[str]
    model_start: int
    locked: bool


def _match_token(s: str, t: str, model_start: int) -> tuple[float, list[int]] | None:
    """Score one query token against one haystack; None when it is not a subsequence."""
    n = len(t)
    i = s.find(t)
    if i >= 0:
        if i and s[i - 1] not in _SEPARATORS:
            # Prefer a later occurrence at a word start ("son" in "...-sonnet", not "person").
            j = s.find(t, i + 1)
            while j >= 0:
                if s[j - 1] in _SEPARATORS:
                    i = j
                    break
                j = s.find(t, j + 1)
        score = n * (_CHAR + _RUN)
        if i == model_start:
            score += _AT_MODEL_START
            if i + n == len(s):
                score += _EXACT
        elif i == 0:
            score += _AT_START
            if n == len(s):
                score += _EXACT
        elif s[i - 1] in _SEPARATORS:
            score += _AT_WORD
        return score, list(range(i, i + n))
    pos = s.find(t[0])
    if pos < 0:
        return None
    for ch in t[1:]:
        pos = s.find(ch, pos + 1)
        if pos < 0:
            return None
    # Walk back from the end of the forward match: the tightest window ending there.
    positions = [pos]
    for ch in reversed(t[:-1]):
        pos = s.rfind(ch, 0, pos)
        positions.append(pos)
    positions.reverse()
    score = n * _CHAR
    prev = -2
    for p in positions:
        if p == prev + 1:
            score += _RUN
        if p == 0 or s[p - 1] in _SEPARATORS:
            score += _WORD_START
        prev = p
    if positions[0] == model_start:
        score += _SCATTERED_MODEL_START
    score -= min(positions[-1] - positions[0] + 1 - n, _GAP_CAP) * _GAP
    return score, positions


class ModelIndex:
    """The model list prepared for fast filtering; build once per list, filter per keystroke.

    Lowercased haystacks and character sets are computed once. A query that extends the
    previous one (the user typed one more character) only searches the previous matches.
    """

    def __init__(self, models: Sequence[ModelInfo]) -> None:
        """Args:
        models: The catalog, in any order.
        """
        self.models = list(models)
        self._entries: list[_Entry] = []
        for model in self.models:
            hay = _lower_same_length(model.id)
            extra = " ".join(x for x in (model.owned_by, model.name) if x).lower()
            slash = hay.find("/")
            self._entries.append(
                _Entry(
                    model=model,
                    hay=hay,
                    extra=extra,
                    chars=frozenset(hay) | frozenset(extra),
                    model_start=slash + 1,
                    locked=model.is_available is False,
                )
            )
        self._alphabetical = sorted(self._entries, key=lambda e: (e.locked, e.hay))
        self._by_id = {e.model.id: e for e in self._entries}
        self._last_tokens: list[str] = []
        self._last_hits: list[_Entry] = self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def filter(
        self,
        query: str,
        *,
        favourites: Collection[str] = (),
        recent: Sequence[str] = (),
    ) -> list[Match]:
        """Models matching `query`, best first.

        Fuzzy and case-insensitive over the id, owner and display name; whitespace separates
        tokens that must all match. An empty query lists every model: favourites first (in
        their order), then recent ones, then available before locked, then alphabetically.

        Args:
            query: What the user typed.
            favourites: Favourite model ids, in the user's order; they get a small boost.
            recent: Recently used ids, most recent first.

        Returns:
            Matches, best first; locked models get a small penalty.
        """
        tokens = query.lower().split()
        if not tokens:
            self._last_tokens, self._last_hits = [], self._entries
            return self._empty_query(favourites, recent)
        pool = self._entries
        if self._extends_last(tokens):
            pool = self._last_hits
        needed = frozenset("".join(tokens))
        fav = favourites if isinstance(favourites, set | frozenset | dict) else set(favourites)
        matches: list[Match] = []
        hits: list[_Entry] = []
        for entry in pool:
            if not needed <= entry.chars:
                continue
            total = 0.0
            positions: list[int] = []
            for token in tokens:
                found = _match_token(entry.hay, token, entry.model_start)
                if found is None:
                    found = _match_token(entry.extra, token, -1) if entry.extra else None
                    if found is None:
                        break
                    total += found[0] * _NAME_ONLY
                else:
                    total += found[0]
                    positions.extend(found[1])
            else:
                hits.append(entry)
                total -= len(entry.hay) * _PER_ID_CHAR
                if entry.model.id in fav:
                    total += FAVOURITE_BOOST
                if entry.locked:
                    total -= LOCKED_PENALTY
                if len(tokens) > 1:
                    positions = sorted(set(positions))
                matches.append(Match(entry.model, total, positions))
        self._last_tokens, self._last_hits = tokens, hits
        matches.sort(key=lambda m: (-m.score, len(m.model.id), m.model.id.lower()))
        return matches

    def _extends_last(self, tokens: list[str]) -> bool:
        """Whether every match of `tokens` must also have matched the previous query."""
        last = self._last_tokens
        if not last or len(tokens) < len(last):
            return False
        if tokens[: len(last) - 1] != last[:-1]:
            return False
        return tokens[len(last) - 1].startswith(last[-1])

    def _empty_query(self, favourites: Collection[str], recent: Sequence[str]) -> list[Match]:
        placed: set[str] = set()
        out: list[Match] = []
        for model_id in [*favourites, *recent]:
            entry = self._by_id.get(model_id)
            if entry is not None and model_id not in placed:
                placed.add(model_id)
                out.append(Match(entry.model, 0.0, []))
        out.extend(Match(e.model, 0.0, []) for e in self._alphabetical if e.model.id not in placed)
        return out


def filter_models(
    models: Sequence[ModelInfo],
    query: str,
    *,
    favourites: Collection[str] = (),
    recent: Sequence[str] = (),
) -> list[Match]:
    """One-off filtering (builds a `ModelIndex`); per keystroke, keep an index instead.

    See `ModelIndex.filter` for the arguments and the ordering.
    """
    return ModelIndex(models).filter(query, favourites=favourites, recent=recent)
