"""Catalog parsing: rout.my's small item, OpenRouter's rich item, odd shapes, HTML, the cache."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from routmy_tui.core.catalog import CatalogCache, parse_models, parse_models_text
from routmy_tui.core.types import ApiError

ROUTMY_BODY = {
    "object": "list",
    "data": [
        {
            "id": "google/gemini-3-pro-image",
            "object": "model",
            "created": 1700000000,
            "owned_by": "google",
            "token_multiplier": 1.5,
            "is_available": True,
        },
        {"id": "openai/gpt-4o", "owned_by": "openai", "token_multiplier": 1, "is_available": False},
    ],
}

OPENROUTER_ITEM: dict[str, Any] = {
    "id": "anthropic/claude-sonnet-4.5",
    "canonical_slug": "anthropic/claude-4.5-sonnet-20250929",
    "name": "Anthropic: Claude Sonnet 4.5",
    "created": 1759161676,
    "description": "...",
    "context_length": 1000000,
    "architecture": {
        "modality": "text+image->text",
        "input_modalities": ["text", "image", "file"],
        "output_modalities": ["text"],
        "tokenizer": "Claude",
        "instruct_type": None,
    },
    "pricing": {"prompt": "0.000003", "completion": "0.000015", "request": "0", "image": "0.0048"},
    "top_provider": {
        "context_length": 1000000,
        "max_completion_tokens": 64000,
        "is_moderated": True,
    },
    "per_request_limits": None,
    "supported_parameters": ["include_reasoning", "max_tokens", "reasoning", "stop", "tools"],
}


def test_routmy_small_items() -> None:
    gemini, gpt = parse_models(ROUTMY_BODY)
    assert gemini.id == "google/gemini-3-pro-image"
    assert gemini.owned_by == "google"
    assert gemini.token_multiplier == 1.5
    assert gemini.is_available is True
    assert gemini.context_length is None and gemini.prompt_price is None
    assert gemini.input_modalities is None and gemini.supported_parameters is None
    assert gemini.raw["created"] == 1700000000
    assert gpt.token_multiplier == 1.0 and gpt.is_available is False


def test_openrouter_rich_item() -> None:
    (model,) = parse_models({"data": [OPENROUTER_ITEM]})
    assert model.name == "Anthropic: Claude Sonnet 4.5"
    assert model.context_length == 1_000_000
    assert model.prompt_price == pytest.approx(3e-6)
    assert model.completion_price == pytest.approx(15e-6)
    assert model.input_modalities == ["text", "image", "file"]
    assert model.output_modalities == ["text"]
    assert model.supported_parameters == OPENROUTER_ITEM["supported_parameters"]
    assert model.max_completion_tokens == 64000
    assert model.owned_by is None  # not sent, not invented


def test_bare_list_is_accepted() -> None:
    assert [m.id for m in parse_models([{"id": "a/b"}, {"id": "c/d"}])] == ["a/b", "c/d"]


def test_missing_odd_and_null_fields_are_left_out() -> None:
    body = {
        "data": [
            {
                "id": "x/odd",
                "name": 5,
                "owned_by": "",
                "context_length": None,
                "token_multiplier": "2",
                "is_available": "yes",
                "pricing": {"prompt": "-1", "completion": "free"},
                "architecture": {"input_modalities": "image", "output_modalities": [1, "image"]},
                "supported_parameters": None,
                "top_provider": {"max_completion_tokens": None, "context_length": "8192"},
            },
            {
                "id": "x/float",
                "context_length": 128000.0,
                "pricing": {"prompt": 0, "completion": 1e-6},
            },
            {
                "id": "x/nan",
                "pricing": {"prompt": "NaN", "completion": "inf"},
                "context_length": True,
            },
            {"id": "x/legacy", "architecture": {"modality": "text+image->text+image"}},
            {"id": "x/nulls", "pricing": None, "architecture": None, "top_provider": []},
        ]
    }
    odd, flt, nan, legacy, nulls = parse_models(body)
    assert odd.name is None and odd.owned_by is None
    assert odd.token_multiplier == 2.0
    assert odd.is_available is None
    assert odd.prompt_price is None and odd.completion_price is None  # -1 means "varies"
    assert odd.input_modalities is None
    assert odd.output_modalities == ["image"]
    assert odd.supported_parameters is None
    assert odd.context_length == 8192  # from top_provider when the top level is null
    assert odd.max_completion_tokens is None
    assert flt.context_length == 128000 and isinstance(flt.context_length, int)
    assert flt.prompt_price == 0.0 and flt.completion_price == 1e-6
    assert nan.prompt_price is None and nan.completion_price is None and nan.context_length is None
    assert legacy.input_modalities == ["text", "image"]
    assert legacy.output_modalities == ["text", "image"]
    assert nulls.prompt_price is None and nulls.input_modalities is None


def test_items_without_a_string_id_are_skipped_and_duplicates_dropped() -> None:
    body = {
        "data": [
            {"id": 5},
            {"name": "no id"},
            "openai/gpt-4o",
            None,
            {"id": "  "},
            {"id": "a/b", "name": "first"},
            {"id": "a/b", "name": "second"},
        ]
    }
    (only,) = parse_models(body)
    assert (only.id, only.name) == ("a/b", "first")


def test_html_body_gives_a_clear_protocol_error() -> None:
    page = (
        "<!DOCTYPE html><html><head><title>502 Bad Gateway \x1b[31m</title></head>"
        "<body><h1>cloudflare</h1></body></html>"
    )
    with pytest.raises(ApiError) as info:
        parse_models(page)
    err = info.value
    assert err.kind == "protocol"
    assert err.message.startswith("the model list was not JSON (got an HTML page")
    assert "502 Bad Gateway" in err.message
    assert "\x1b" not in err.message  # shown harmlessly
    assert err.raw_body is not None and "cloudflare" in err.raw_body


def test_bytes_and_bom_are_understood() -> None:
    raw = "\ufeff".encode() + json.dumps(ROUTMY_BODY).encode()
    assert len(parse_models_text(raw)) == 2
    assert len(parse_models(json.dumps(ROUTMY_BODY).encode())) == 2


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("", "an empty body"),
        ("upstream timeout", "text starting 'upstream timeout'"),
        ('"just a string"', "not JSON"),
        ({"object": "list"}, "no `data` array"),
        ({"data": None}, "no `data` array"),
        (42, "not a list"),
        (None, "not a list"),
    ],
)
def test_non_list_bodies_raise_protocol_errors(body: Any, fragment: str) -> None:
    with pytest.raises(ApiError) as info:
        parse_models(body)
    assert info.value.kind == "protocol"
    assert fragment in info.value.message


def test_error_object_in_a_200_body_is_raised_as_that_error() -> None:
    with pytest.raises(ApiError) as info:
        parse_models({"error": {"message": "Invalid API key", "code": 401}})
    assert "Invalid API key" in info.value.message


# --- cache -----------------------------------------------------------------------------------


def test_cache_round_trip_private_file(tmp_path: Path) -> None:
    cache = CatalogCache(tmp_path / "sub" / "models.json")
    assert cache.load() is None
    cache.save(ROUTMY_BODY, 1_700_000_123.5)
    loaded = cache.load()
    assert loaded is not None
    models, fetched_at = loaded
    assert [m.id for m in models] == ["google/gemini-3-pro-image", "openai/gpt-4o"]
    assert fetched_at == 1_700_000_123.5
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert os.listdir(cache.path.parent) == ["models.json"]


def test_cache_save_replaces_previous(tmp_path: Path) -> None:
    cache = CatalogCache(tmp_path / "models.json")
    cache.save(ROUTMY_BODY, 1.0)
    cache.save([{"id": "only/one"}], 2.0)
    assert cache.load() is not None
    models, fetched_at = cache.load()  # type: ignore[misc]
    assert [m.id for m in models] == ["only/one"] and fetched_at == 2.0


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"[]",
        b'{"version": 99, "fetched_at": 1, "body": []}',
        b'{"version": 1, "fetched_at": "yesterday", "body": []}',
        b'{"version": 1, "fetched_at": 1, "body": "<html>oops</html>"}',
        b'{"version": 1, "fetched_at": 1}',
    ],
)
def test_corrupt_cache_loads_as_none(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "models.json"
    path.write_bytes(content)
    assert CatalogCache(path).load() is None


def test_cache_that_is_a_folder_loads_as_none_and_save_does_not_raise(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    path.mkdir()
    cache = CatalogCache(path)
    assert cache.load() is None
    cache.save(ROUTMY_BODY, 1.0)  # logged, not raised
    assert path.is_dir()


def test_unserialisable_body_is_not_saved(tmp_path: Path) -> None:
    cache = CatalogCache(tmp_path / "models.json")
    cache.save(ROUTMY_BODY, 1.0)
    cache.save({"data": [object()]}, 2.0)
    loaded = cache.load()
    assert loaded is not None and loaded[1] == 1.0
