"""Property tests: parsing never fails but with ApiError; matches are real subsequences."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from routmy_tui.core.catalog import ModelIndex, parse_models
from routmy_tui.core.types import ApiError, ModelInfo

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "data",
                    "name",
                    "pricing",
                    "prompt",
                    "architecture",
                    "input_modalities",
                    "context_length",
                    "top_provider",
                    "supported_parameters",
                    "error",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@given(json_values)
@settings(max_examples=200, deadline=None)
def test_parse_models_returns_models_or_raises_api_error(body: Any) -> None:
    try:
        models = parse_models(body)
    except ApiError:
        return
    assert all(isinstance(m, ModelInfo) and m.id.strip() for m in models)
    assert len({m.id for m in models}) == len(models)


def is_subsequence(token: str, text: str) -> bool:
    rest = iter(text)
    return all(ch in rest for ch in token)


ids = st.text(alphabet="abcAB/-._: 019", min_size=1, max_size=20)


@given(
    st.lists(ids, min_size=1, max_size=15, unique=True), st.text(alphabet="abcAB-/ 1", max_size=6)
)
@settings(max_examples=200, deadline=None)
def test_matches_highlight_query_characters_in_order(id_list: list[str], query: str) -> None:
    models = [ModelInfo(id=i) for i in id_list]
    index = ModelIndex(models)
    for end in range(1, len(query)):
        index.filter(query[:end])  # typed one character at a time: later calls reuse hits
    matches = index.filter(query)
    fresh = ModelIndex(models).filter(query)
    assert [(m.model.id, m.score) for m in matches] == [(m.model.id, m.score) for m in fresh]
    if not query.split():
        assert len(matches) == len(models)
        return
    tokens = query.lower().split()
    for match in matches:
        low = match.model.id.lower()
        assert match.positions == sorted(set(match.positions))
        assert all(low[p] in "".join(tokens) for p in match.positions)
        # Every token is a subsequence of the id (no names here, so the id must match).
        assert all(is_subsequence(token, low) for token in tokens)
    # Models that were left out really do not match.
    matched = {m.model.id for m in matches}
    for model in models:
        if model.id in matched:
            continue
        assert not all(is_subsequence(token, model.id.lower()) for token in tokens)
