"""SVG snapshots of the model picker and the parameters screen (fixed size, deterministic)."""

from __future__ import annotations

import time
from typing import Any

from textual.pilot import Pilot

from routmy_tui.core.catalog import CatalogCache
from routmy_tui.demo.catalog import models_payload
from routmy_tui.ui.models.model_list import ModelList
from routmy_tui.ui.models.model_picker import ModelPicker
from routmy_tui.ui.models.params_screen import ParamsScreen
from tests.ui.helpers import catalog_notice_cleared, make_app, wait_for

DEAD_URL = "http://127.0.0.1:9/v1"


def _app() -> Any:
    # The cached catalog (fetched "2 h ago") and a dead URL: the same list and status every run.
    app = make_app(DEAD_URL, max_retries=0, favourite_models=["demo/tools"])
    CatalogCache(app.settings.cache_dir / "models.json").save(models_payload(), time.time() - 7300)
    return app


async def _settled(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await catalog_notice_cleared(pilot)
    app.screen.query_one("#composer").cursor_blink = False  # type: ignore[attr-defined]


def test_model_picker(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ModelPicker))
        picker = pilot.app.screen
        await wait_for(pilot, lambda: bool(picker.query(ModelList)))
        picker.query_one("#model-query").cursor_blink = False  # type: ignore[attr-defined]
        await pilot.press("d", "e", "m", "o")
        await wait_for(pilot, lambda: picker.shown_query == "demo")  # type: ignore[attr-defined]
        await pilot.pause()

    assert snap_compare(_app(), terminal_size=(120, 40), run_before=run_before)


def test_parameters_screen(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ParamsScreen))
        screen = pilot.app.screen
        for widget in screen.query("Input"):
            widget.cursor_blink = False  # type: ignore[attr-defined]
        await pilot.press("3")  # an invalid temperature: its error shows beside it
        await wait_for(pilot, lambda: screen.query_one("#row-temperature").has_class("-invalid"))
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(_app(), terminal_size=(120, 40), run_before=run_before)
