"""The tools editor and "Load tools": checked as typed, sets, files, tool_choice, applied."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Input, OptionList, Select, Static, TextArea

from routmy_tui.config.toolsets import load_tool_set, sets_dir
from routmy_tui.core.toolsets import to_params, to_wire
from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.chat_screen import ChatScreen
from routmy_tui.ui.tools.editor import ToolsEditor
from routmy_tui.ui.widgets.dialogs import PathDialog
from tests.ui.helpers import make_app, wait_for

EXAMPLES = to_params(load_tool_set("examples"))


def conversation(app: RoutmyApp) -> Any:
    (chat,) = [s for s in app.screen_stack if isinstance(s, ChatScreen)]
    return chat.conversation


async def run_command(pilot: Pilot[Any], title: str) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
    (command,) = [c for c in app.get_system_commands(app.screen) if c.title == title]
    command.callback()
    await pilot.pause(0.1)


async def open_editor(pilot: Pilot[Any]) -> ToolsEditor:
    await run_command(pilot, "Edit tools")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ToolsEditor))
    await pilot.pause(0.1)
    screen = pilot.app.screen
    assert isinstance(screen, ToolsEditor)
    return screen


def error_line(editor: ToolsEditor) -> str:
    return str(editor.query_one("#tool-error", Static).content)


def listed(editor: ToolsEditor) -> list[str]:
    listing = editor.query_one("#tool-list", OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def test_tools_are_checked_as_typed_and_applied(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url, model="demo/tools", params={"tools": EXAMPLES})
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot)
        assert listed(editor) == ["get_order", "get_weather"]
        assert error_line(editor).startswith("✔ get_order: valid")
        area = editor.query_one("#tool-text", TextArea)
        area.text = area.text.replace('"get_order"', '"get order"')
        await wait_for(pilot, lambda: error_line(editor).startswith("✖ line 2, column 11"))
        assert error_line(editor).startswith('✖ line 2, column 11: tool name "get order"')
        assert listed(editor)[0] == "✖ get order"
        await pilot.press("ctrl+s")
        refused = "Tool 1 cannot be used"
        await wait_for(pilot, lambda: any(refused in n.message for n in app._notifications))
        assert app.screen is editor  # refused: nothing is lost, the text is still there
        assert '"get order"' in area.text
        area.text = area.text.replace('"get order"', '"get_weather"')
        # the later one is refused
        await wait_for(pilot, lambda: listed(editor) == ["get_weather", "✖ get_weather"])
        area.text = area.text.replace('"get_weather"', '"lookup_order"').replace(
            '"description"', '"command": ["cat"],\n  "description"'
        )
        await wait_for(pilot, lambda: listed(editor) == ["lookup_order  ▶ program", "get_weather"])
        assert "answered by running cat after you approve each call" in error_line(editor)
        choice = editor.query_one("#choice-select", Select)
        choice.value = "fn:get_weather"
        await pilot.pause(0.05)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ToolsEditor))
        params = conversation(app).settings.params
        assert [t["function"]["name"] for t in params.tools] == ["lookup_order", "get_weather"]
        assert params.tool_choice == {"type": "function", "function": {"name": "get_weather"}}
        body = conversation(app).body()
        assert body["tools"][1] == to_wire(load_tool_set("examples"))[1]
        assert "command" not in json.dumps(body["tools"])


async def test_new_delete_and_no_tools_send_no_tool_choice(demo_server: DemoServer) -> None:
    params = {"tools": EXAMPLES, "tool_choice": "required"}
    app = make_app(demo_server.base_url, model="demo/tools", params=params)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot)
        assert editor.query_one("#choice-select", Select).value == "required"
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: listed(editor) == ["get_order", "get_weather", "new_tool"])
        for _ in range(3):
            await pilot.click("#tool-delete")
            await pilot.pause(0.3)  # apart, so that they are not a double click
        assert listed(editor) == [] and "No tools" in error_line(editor)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ToolsEditor))
        body = conversation(app).body()
        assert "tools" not in body and "tool_choice" not in body


async def test_sets_and_files_from_the_editor(demo_server: DemoServer, tmp_path: Path) -> None:
    app = make_app(demo_server.base_url, model="demo/tools")
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot)
        assert listed(editor) == []
        editor.query_one("#set-select", Select).value = "examples"
        await wait_for(pilot, lambda: listed(editor) == ["get_order", "get_weather"])
        editor.query_one("#set-name", Input).value = "mine"
        await pilot.click("#set-save")
        await wait_for(pilot, lambda: (sets_dir() / "mine.json").exists())
        saved = json.loads((sets_dir() / "mine.json").read_text())
        assert saved == EXAMPLES
        bad = tmp_path / "bad.json"
        bad.write_text('[{"name": "a"},\n {"name": "a"}]')
        editor.query_one("#tools-path", Input).value = str(bad)
        await pilot.click("#load-file")
        await wait_for(pilot, lambda: "duplicate tool name 'a'" in error_line(editor))
        assert "line 2, column 11: duplicate tool name 'a'" in error_line(editor)
        assert listed(editor) == ["get_order", "get_weather"]  # nothing lost
        good = tmp_path / "good.toml"
        good.write_text('[[tools]]\nname = "ping"\ncommand = ["true"]\n')
        editor.query_one("#tools-path", Input).value = str(good)
        # Pressed, not clicked: a second click this soon on the same spot is a double click.
        editor.query_one("#load-file", Button).press()
        await wait_for(pilot, lambda: listed(editor) == ["ping  ▶ program"])
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ToolsEditor))
        assert conversation(app).settings.params.tools is None  # cancelled: unchanged


async def test_load_tools_command(demo_server: DemoServer, tmp_path: Path) -> None:
    app = make_app(demo_server.base_url, model="demo/tools")
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, "Load tools")
        assert isinstance(app.screen, PathDialog)
        app.screen.query_one(Input).value = "examples"
        await pilot.press("enter")
        await wait_for(pilot, lambda: conversation(app).settings.params.tools is not None)
        assert conversation(app).settings.params.tools == EXAMPLES
        bad = tmp_path / "bad.json"
        bad.write_text('[\n  {"name": 1}]')
        await run_command(pilot, "Load tools")
        app.screen.query_one(Input).value = str(bad)
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: any("line 2, column 12" in str(n.message) for n in app._notifications)
        )
        assert conversation(app).settings.params.tools == EXAMPLES  # unchanged


def test_tools_editor_snapshot(snap_compare: Any, demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url, model="demo/tools", params={"tools": EXAMPLES})

    async def run_before(pilot: Pilot[Any]) -> None:
        editor = await open_editor(pilot)
        area = editor.query_one("#tool-text", TextArea)
        area.cursor_blink = False
        area.text = area.text.replace('"string"', '"strin"', 1)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
