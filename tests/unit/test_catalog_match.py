"""Capabilities (with their sources), unsupported parameters, and fuzzy model filtering."""

from __future__ import annotations

import pytest

from routmy_tui.core.catalog import (
    CapabilityBadge,
    ModelIndex,
    capabilities,
    filter_models,
    unsupported_params,
)
from routmy_tui.core.types import ModelInfo


def rich(model_id: str, **fields: object) -> ModelInfo:
    return ModelInfo(id=model_id, **fields)  # type: ignore[arg-type]


# --- capabilities ------------------------------------------------------------------------------


def test_catalog_fields_give_catalog_badges_true_and_false() -> None:
    model = rich(
        "x/plain-name",
        input_modalities=["text", "image"],
        output_modalities=["text"],
        supported_parameters=["max_tokens", "include_reasoning"],
    )
    badges = capabilities(model)
    assert badges["vision"] == CapabilityBadge("vision", True, "catalog")
    assert badges["image_out"] == CapabilityBadge("image_out", False, "catalog")
    assert badges["tools"] == CapabilityBadge("tools", False, "catalog")
    assert badges["reasoning"] == CapabilityBadge("reasoning", True, "catalog")


def test_only_capabilities_with_evidence_get_a_badge() -> None:
    assert capabilities(rich("acme/mystery-7b")) == {}
    assert list(capabilities(rich("acme/mystery-7b", output_modalities=["text"]))) == ["image_out"]


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("google/gemini-3-pro-image", {"image_out": True, "vision": True}),
        ("openai/gpt-4o", {"vision": True, "tools": True}),
        ("openai/gpt-5-mini", {"vision": True, "tools": True, "reasoning": True}),
        ("openai/o3-mini", {"reasoning": True, "tools": True}),
        ("deepseek/deepseek-r1", {"reasoning": True}),
        ("anthropic/claude-sonnet-4.5", {"vision": True, "tools": True}),
        ("anthropic/claude-3.5-haiku", {"vision": True, "tools": True}),
        ("qwen/qwen2.5-vl-72b-instruct", {"vision": True, "tools": True}),
        ("mistralai/pixtral-large", {"vision": True}),
        ("meta-llama/llama-3.1-8b-instruct", {"tools": True}),
        ("meta-llama/llama-3-8b-instruct", {}),
        ("openai/text-embedding-3-small", {}),
        ("openai/gpt-image-1", {"image_out": True}),
        ("acme/foo-thinking", {"reasoning": True}),
    ],
)
def test_id_heuristic(model_id: str, expected: dict[str, bool]) -> None:
    badges = capabilities(rich(model_id))
    assert {c: b.value for c, b in badges.items()} == expected
    assert all(b.source == "id" for b in badges.values())


def test_precedence_user_over_catalog_over_seen_over_id() -> None:
    # The id says vision; the catalog says no image input; we saw none; the user says yes.
    model = rich("openai/gpt-4o", input_modalities=["text"])
    assert capabilities(model)["vision"] == CapabilityBadge("vision", False, "catalog")
    assert capabilities(model, observed={"vision": True})["vision"].source == "catalog"
    user = capabilities(model, observed={"vision": True}, overrides={"vision": True})
    assert user["vision"] == CapabilityBadge("vision", True, "user")
    # Seen beats the id heuristic; the user can also switch a capability off.
    plain = rich("openai/gpt-4o")
    assert capabilities(plain, observed={"tools": False})["tools"].source == "seen"
    assert capabilities(plain, observed={"image_out": True})["image_out"] == CapabilityBadge(
        "image_out", True, "seen"
    )
    assert capabilities(plain, overrides={"tools": False})["tools"] == CapabilityBadge(
        "tools", False, "user"
    )


def test_empty_supported_parameters_is_no_evidence() -> None:
    badges = capabilities(rich("openai/gpt-4o", supported_parameters=[]))
    assert badges["tools"].source == "id"


def test_unsupported_params() -> None:
    assert unsupported_params(rich("a/b")) is None
    assert unsupported_params(rich("a/b", supported_parameters=[])) is None
    missing = unsupported_params(
        rich("a/b", supported_parameters=["max_tokens", "temperature", "include_reasoning"])
    )
    assert missing is not None
    assert "tools" in missing and "top_p" in missing and "response_format" in missing
    assert "temperature" not in missing
    assert "max_output_tokens" not in missing  # covered by max_tokens
    assert "reasoning" not in missing and "reasoning_effort" not in missing
    with_so = unsupported_params(rich("a/b", supported_parameters=["structured_outputs"]))
    assert with_so is not None and "response_format" not in with_so


# --- filtering ---------------------------------------------------------------------------------

IDS = [
    "anthropic/claude-sonnet-4.5",
    "anthropic/claude-3.5-haiku",
    "openai/gpt-4o",
    "openai/gpt-4o-mini",
    "openai/o3",
    "google/gemini-2.5-pro",
    "google/gemini-2.5-flash",
    "meta-llama/llama-3.3-70b-instruct",
    "cohere/command-a",
    "acme/cxlxaxuxdxe",  # "claude" as a scattered subsequence
    "acme/person-model",
    "locked/claude-x",
]


def models() -> list[ModelInfo]:
    out = [ModelInfo(id=i, owned_by=i.split("/")[0]) for i in IDS]
    out[-1].is_available = False
    return out


def ids(query: str, **kw: object) -> list[str]:
    return [m.model.id for m in filter_models(models(), query, **kw)]  # type: ignore[arg-type]


def test_contiguous_and_word_start_beat_scattered_subsequence() -> None:
    found = ids("claude")
    assert found[-1] == "acme/cxlxaxuxdxe"
    assert set(found[:2]) == {"anthropic/claude-sonnet-4.5", "anthropic/claude-3.5-haiku"}


def test_exact_model_part_beats_longer_prefix_match() -> None:
    assert ids("gpt-4o")[:2] == ["openai/gpt-4o", "openai/gpt-4o-mini"]
    assert ids("o3")[0] == "openai/o3"


def test_word_start_occurrence_is_preferred() -> None:
    found = ids("son")
    assert found[0] == "anthropic/claude-sonnet-4.5"
    match = filter_models(models(), "son")[0]
    assert match.positions == [17, 18, 19]
    assert match.model.id[17:20] == "son"


def test_scattered_match_prefers_tight_word_start_positions() -> None:
    match = next(m for m in filter_models(models(), "gpt4o") if m.model.id == "openai/gpt-4o")
    assert [match.model.id[p] for p in match.positions] == list("gpt4o")
    assert match.positions == [7, 8, 9, 11, 12]
    assert ids("gpt4o")[0] == "openai/gpt-4o"


def test_tokens_all_must_match_and_positions_merge() -> None:
    found = ids("gem 2.5 pro")
    assert found[0] == "google/gemini-2.5-pro"
    assert "google/gemini-2.5-flash" not in found
    match = filter_models(models(), "gem pro")[0]
    assert match.positions == sorted(set(match.positions))


def test_case_insensitive_and_owner_name_matching() -> None:
    assert ids("CLAUDE-S")[0] == "anthropic/claude-sonnet-4.5"
    named = [ModelInfo(id="z/zz-1", name="Zebra Turbo"), ModelInfo(id="z/other")]
    matches = filter_models(named, "turbo")
    assert [m.model.id for m in matches] == ["z/zz-1"]
    assert matches[0].positions == []  # matched the display name, nothing to highlight in the id


def test_no_match() -> None:
    assert ids("xyz-no-match") == []


def test_empty_query_order_favourites_recent_available_alphabetical() -> None:
    found = ids(
        "",
        favourites=["openai/o3", "google/gemini-2.5-pro", "not/present"],
        recent=["cohere/command-a", "openai/o3", "acme/person-model"],
    )
    assert found[:4] == [
        "openai/o3",
        "google/gemini-2.5-pro",
        "cohere/command-a",
        "acme/person-model",
    ]
    rest = found[4:]
    assert rest[-1] == "locked/claude-x"
    assert rest[:-1] == sorted(rest[:-1])
    assert len(found) == len(IDS)


def test_favourite_boost_and_locked_penalty_on_ties() -> None:
    pair = [ModelInfo(id="a/claude-x"), ModelInfo(id="b/claude-x")]
    assert [m.model.id for m in filter_models(pair, "claude")] == ["a/claude-x", "b/claude-x"]
    boosted = filter_models(pair, "claude", favourites=["b/claude-x"])
    assert boosted[0].model.id == "b/claude-x"
    pair[0].is_available = False
    assert filter_models(pair, "claude")[0].model.id == "b/claude-x"


def test_small_boost_does_not_beat_a_much_better_match() -> None:
    found = ids("claude", favourites=["acme/cxlxaxuxdxe"])
    assert found[0] != "acme/cxlxaxuxdxe"


def test_incremental_typing_gives_the_same_results_as_fresh_queries() -> None:
    index = ModelIndex(models())
    for query in ["c", "cl", "cla", "clau", "claude", "claude ", "claude s", "claude", "o", "o3"]:
        typed = [(m.model.id, m.score) for m in index.filter(query)]
        fresh = [(m.model.id, m.score) for m in ModelIndex(models()).filter(query)]
        assert typed == fresh, query


def test_unicode_ids_keep_positions_aligned() -> None:
    model = ModelInfo(id="x/İstanbul-chat")
    (match,) = filter_models([model], "chat")
    assert model.id[match.positions[0] : match.positions[-1] + 1] == "chat"
