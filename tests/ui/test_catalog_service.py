"""The catalog service: cache at start, refresh over loopback, failures keep the list."""

from __future__ import annotations

import time
from pathlib import Path

from routmy_tui.core.client import RoutmyClient
from routmy_tui.core.types import Reply, ToolCall
from routmy_tui.demo.catalog import MODELS, models_payload
from routmy_tui.demo.server import DemoServer
from routmy_tui.services.catalog_service import CatalogService


async def test_refresh_caches_and_a_new_start_reads_the_cache(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    service = CatalogService(tmp_path)
    assert not service.load_cached()
    client = RoutmyClient(demo_server.base_url)
    try:
        assert await service.refresh(client) is None
    finally:
        await client.aclose()
    assert len(service.models) == len(MODELS) and not service.from_cache
    again = CatalogService(tmp_path)
    assert again.load_cached()
    assert [m.id for m in again.models] == [m.id for m in service.models]
    assert again.from_cache and again.by_id["demo/chat"].context_length == 32768


async def test_failed_refresh_keeps_the_cached_list_and_says_so(tmp_path: Path) -> None:
    service = CatalogService(tmp_path)
    service.cache.save(models_payload(), time.time() - 120)
    assert service.load_cached()
    client = RoutmyClient("http://127.0.0.1:9/v1", max_retries=0)
    try:
        error = await service.refresh(client)
    finally:
        await client.aclose()
    assert error is not None
    assert len(service.models) == len(MODELS)
    assert "2 min ago" in service.status and "kept the cached list" in service.status


async def test_failed_refresh_without_cache_says_there_is_no_list(tmp_path: Path) -> None:
    service = CatalogService(tmp_path)
    client = RoutmyClient("http://127.0.0.1:9/v1", max_retries=0)
    try:
        assert await service.refresh(client) is not None
    finally:
        await client.aclose()
    assert service.models == [] and "no list" in service.status


def test_observed_capabilities_become_seen_badges_and_persist(tmp_path: Path) -> None:
    service = CatalogService(tmp_path)
    service.cache.save({"data": [{"id": "acme/plain"}]}, time.time())
    service.load_cached()
    model = service.by_id["acme/plain"]
    assert service.badges(model) == {}
    reply = Reply(content="x", reasoning="hmm", tool_calls=[ToolCall("c1", "f", "{}")])
    assert service.observe("acme/plain", reply)
    assert not service.observe("acme/plain", reply)  # nothing new the second time
    again = CatalogService(tmp_path)
    badges = again.badges(model)
    assert {k: (b.value, b.source) for k, b in badges.items()} == {
        "tools": (True, "seen"),
        "reasoning": (True, "seen"),
    }
    user = again.badges(model, {"acme/plain": {"tools": False}})
    assert (user["tools"].value, user["tools"].source) == (False, "user")


def test_recent_models_most_recent_first_and_kept(tmp_path: Path) -> None:
    service = CatalogService(tmp_path)
    for model_id in ("a/1", "b/2", "a/1"):
        service.note_used(model_id)
    assert CatalogService(tmp_path).recent == ["a/1", "b/2"]
