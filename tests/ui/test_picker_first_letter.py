"""Letters typed right after a key that opens a dialog reach the dialog's text box: not the
draft behind it, and not nowhere (a terminal delivers a fast typist's keys in one read)."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, TextArea

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.models.model_picker import ModelPicker
from routmy_tui.ui.models.system_prompt import SystemPromptScreen
from tests.ui.helpers import make_app, wait_for


def _type_at_once(app: object, keys: list[tuple[str, str | None]]) -> None:
    # All queued before the dialog has mounted (Pilot's press would wait between keys).
    for key, character in keys:
        app.post_message(events.Key(key, character))  # type: ignore[attr-defined]


async def test_letters_typed_as_the_picker_opens_reach_its_query(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        composer = app.screen.query_one("#composer", TextArea)
        _type_at_once(app, [("f3", None), ("t", "t"), ("o", "o"), ("o", "o")])
        await wait_for(pilot, lambda: isinstance(app.screen, ModelPicker))
        query = app.screen.query_one("#model-query", Input)
        await wait_for(pilot, lambda: query.value == "too")
        assert app.screen.focused is query
        assert composer.text == ""


async def test_letters_typed_as_the_system_prompt_opens_reach_it(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        composer = app.screen.query_one("#composer", TextArea)
        _type_at_once(app, [("f5", None), ("b", "b"), ("e", "e")])
        await wait_for(pilot, lambda: isinstance(app.screen, SystemPromptScreen))
        box = app.screen.query_one("#system-text", TextArea)
        await wait_for(pilot, lambda: box.text == "be")
        assert composer.text == ""
