"""The Settings screen: each kind of value changed, used at once, and found in the config file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from PIL import Image
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, DataTable, Input, Select, Static

from routmy_tui.core.request import ChatParams
from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.attachments import AttachmentBar
from routmy_tui.ui.models.params_screen import ParamsScreen
from routmy_tui.ui.models.system_prompt import SystemPromptScreen
from routmy_tui.ui.settings.keymap_pane import KeymapPane
from routmy_tui.ui.settings.settings_screen import SettingsScreen
from routmy_tui.ui.widgets.dialogs import PaidConfirmDialog
from tests.ui.helpers import last_reply, make_app, send, view_of, wait_for

MINE = '# my own notes\nmystery = 5\n\n[mystery_table]\nx = "kept"\n'
"""A config file with a comment and keys the app does not know."""


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(MINE, encoding="utf-8")
    return path


def _written(path: Path) -> dict[str, Any]:
    assert path.stat().st_mode & 0o777 == 0o600
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["mystery"] == 5 and data["mystery_table"] == {"x": "kept"}  # never dropped
    return data


async def _open(pilot: Pilot[Any]) -> SettingsScreen:
    app = pilot.app
    await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
    await pilot.press("f9")
    await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
    assert isinstance(app.screen, SettingsScreen)
    return app.screen


async def _enter(pilot: Pilot[Any], selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = text
    await pilot.press("enter")


def _note(screen: SettingsScreen, name: str) -> str:
    return str(screen.query_one(f"#note-{name}", Static).render())


async def test_default_model_params_and_prompt_are_used_by_the_next_new_chat(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    config = _config(tmp_path)
    app = make_app(demo_server.base_url, config_path=config)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(pilot)
        assert str(app.settings.data_dir) in str(screen.query_one("#s-data_dir", Static).render())
        await _enter(pilot, "#s-model", "demo/reasoning")
        await wait_for(pilot, lambda: _written(config).get("model") == "demo/reasoning")
        # Default parameters: edited in the parameters screen, whose checks apply.
        screen.query_one("#edit-params", Button).press()
        await wait_for(pilot, lambda: bool(app.screen.query("#p-temperature")))
        params = app.screen
        assert isinstance(params, ParamsScreen)
        params.query_one("#p-temperature", Input).value = "9"
        await wait_for(pilot, lambda: "temperature" in params.errors)  # type: ignore[attr-defined]
        assert "from 0 to 2" in str(params.query_one("#err-temperature", Static).render())
        await pilot.press("ctrl+s")  # refused: the form stays, nothing is written
        assert isinstance(app.screen, ParamsScreen)
        assert "params" not in _written(config)
        params.query_one("#p-temperature", Input).value = "0.5"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        assert _written(config)["params"] == {"temperature": 0.5}
        assert "temperature 0.5" in str(screen.query_one("#s-params", Static).render())
        # Default system prompt.
        screen.query_one("#edit-system-prompt", Button).press()
        await wait_for(pilot, lambda: bool(app.screen.query("#system-text")))
        assert isinstance(app.screen, SystemPromptScreen)
        app.screen.query_one("#system-text").text = "Answer like a pirate."  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        assert _written(config)["system_prompt"] == "Answer like a pirate."
        # Ctrl+N starts from the new defaults.
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SettingsScreen))
        await pilot.press("ctrl+n")
        chat = app.conversation.settings
        assert chat.model == "demo/reasoning"
        assert chat.params.temperature == 0.5
        assert chat.system_prompt == "Answer like a pirate."
    assert config.read_text(encoding="utf-8").startswith("# my own notes\n")  # kept


async def test_bad_values_are_refused_with_a_message_and_nothing_is_lost(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    config = _config(tmp_path)
    app = make_app(demo_server.base_url, config_path=config)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(pilot)
        await _enter(pilot, "#s-image_max_side", "huge")
        await wait_for(
            pilot, lambda: "not a whole number of pixels" in _note(screen, "image_max_side")
        )
        await _enter(pilot, "#s-image_max_side", "9")
        await wait_for(pilot, lambda: "from 64 to 8192" in _note(screen, "image_max_side"))
        assert "not saved" in _note(screen, "image_max_side")
        assert screen.query_one("#s-image_max_side", Input).value == "9"  # what was typed stays
        await _enter(pilot, "#s-model", "two words")
        await wait_for(pilot, lambda: "no spaces" in _note(screen, "model"))
        assert app.settings.image_max_side == 2048 and app.settings.model == "demo/chat"
        assert config.read_text(encoding="utf-8") == MINE  # nothing written


async def test_picture_limits_apply_to_the_next_attach(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    config = _config(tmp_path)
    big = tmp_path / "big.png"
    Image.effect_noise((1200, 1000), 64).convert("RGB").save(big)  # noise: over 1 MB as PNG
    assert big.stat().st_size > 1024 * 1024
    app = make_app(demo_server.base_url, model="demo/vision", config_path=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot)
        await _enter(pilot, "#s-image_max_side", "300")
        await wait_for(pilot, lambda: _written(config).get("image_max_side") == 300)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SettingsScreen))
        bar = app.screen.query_one(AttachmentBar)
        app.screen.attach(str(big))  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: len(bar.attachments) == 1, timeout=20)
        picture = bar.attachments[0]
        assert max(picture.width, picture.height) == 300
        await _open(pilot)
        await _enter(pilot, "#s-image_max_mb", "1")
        await wait_for(pilot, lambda: _written(config).get("image_max_mb") == 1)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SettingsScreen))
        notices: list[str] = []
        app.notify = lambda message, **kw: notices.append(message)  # type: ignore[method-assign]
        app.screen.attach(str(big))  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: any("limit" in n for n in notices), timeout=20)
        assert len(bar.attachments) == 1  # refused: over the 1 MB limit


async def test_theme_confirmations_and_stream_switch_at_once(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    config = _config(tmp_path)
    app = make_app(demo_server.base_url, config_path=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "hello")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        screen = await _open(pilot)
        screen.query_one("#s-theme", Select).value = "routmy-light"
        await wait_for(pilot, lambda: app.theme == "routmy-light")
        await wait_for(pilot, lambda: _written(config).get("theme") == "routmy-light")
        screen.query_one("#s-confirm_regenerate", Checkbox).value = False
        await wait_for(pilot, lambda: _written(config).get("confirm_regenerate") is False)
        screen.query_one("#s-stream", Checkbox).value = False
        await wait_for(pilot, lambda: _written(config).get("stream") is False)
        assert _written(config).get("confirm_replay", True) is True
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SettingsScreen))
        view_of(app).focus()
        await pilot.press("g")  # no longer asks: a new version comes
        await wait_for(pilot, lambda: last_reply(app).siblings == (2, 2))
        assert not isinstance(app.screen, PaidConfirmDialog)
        await pilot.press("ctrl+n")
        assert app.conversation.settings.stream is False


async def test_a_key_is_rebound_live_and_a_bad_one_keeps_the_old(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    config = _config(tmp_path)
    app: RoutmyApp = make_app(demo_server.base_url, config_path=config)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(pilot)
        table = screen.query_one("#keys-table", DataTable)
        table.focus()
        await wait_for(pilot, lambda: table.row_count > 0)
        table.move_cursor(row=table.get_row_index("toggle-inspector"))
        await pilot.press("enter")  # to the key field
        field = screen.query_one("#key-input", Input)
        await wait_for(pilot, lambda: field.has_focus and field.value == "f2")
        note = screen.query_one("#key-note", Static)
        refused = (
            ("notakey+++", "not a key"),
            ("ctrl+n", "already 'New conversation'"),
            ("f6", "text boxes keep F6"),  # the composer selects a line with it
        )
        for bad, says in refused:
            field.value = bad
            await pilot.press("enter")
            await wait_for(pilot, lambda says=says: says in str(note.render()))  # type: ignore[misc]
            assert "keeps F2" in str(note.render())
        assert config.read_text(encoding="utf-8") == MINE and app.keymap == {}
        field.value = "F12"  # written as help writes keys
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.keymap == {"toggle-inspector": "f12"})
        assert _written(config)["keymap"] == {"toggle-inspector": "f12"}
        assert "F12" in str(table.get_cell("toggle-inspector", "keys"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SettingsScreen))
        await pilot.press("f12")  # the new key works at once
        await wait_for(pilot, lambda: bool(app.screen.query("#inspector-tabs")))
        # Back to the default: the entry leaves the file.
        screen = await _open(pilot)
        pane = screen.query_one(KeymapPane)
        assert pane.set_keys("toggle-inspector", "f2")
        assert "keymap" not in _written(config) or not _written(config)["keymap"]
        assert app.keymap == {}


async def test_the_active_settings_line_follows_new_defaults(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#active-settings")))
        line = app.screen.query_one("#active-settings", Static)
        app.conversation.change_settings("params", params=ChatParams(temperature=0.5))
        await wait_for(pilot, lambda: "temperature" in str(line.render()))
        app.services.settings.change(params={"temperature": 0.5})  # as Settings does
        await wait_for(pilot, lambda: "temperature" not in str(line.render()))


async def test_fields_keep_12_columns_at_60x15(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(60, 15)) as pilot:
        screen = await _open(pilot)
        for name in ("#s-model", "#s-image_max_side", "#s-image_max_mb", "#s-theme"):
            assert screen.query_one(name).size.width >= 12, name
        screen.query_one("#keys-table", DataTable).focus()
        await wait_for(pilot, lambda: screen.query_one("#key-input", Input).size.width > 0)
        assert screen.query_one("#key-input", Input).size.width >= 12
        assert screen.query_one("#keys-table", DataTable).size.height >= 4  # several rows


async def test_settings_is_in_the_palette_and_help(demo_server: DemoServer) -> None:
    from routmy_tui.ui.settings.help_screen import help_text

    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Settings" in titles
        assert "F9" in help_text({}).plain and "Settings" in help_text({}).plain
