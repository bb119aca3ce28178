"""Keys you can trust: letters act only where shown, paid requests ask, help and footer."""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path
from typing import Any

from textual import events
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, TabbedContent, Tabs
from textual.widgets._footer import FooterKey

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.palette import key_for_title
from routmy_tui.ui.settings.help_screen import HelpScreen, help_rows, help_text
from routmy_tui.ui.widgets.dialogs import PaidConfirmDialog
from routmy_tui.ui.widgets.footer import KeysFooter
from tests.ui.helpers import last_reply, make_app, send, view_of, wait_for


def _completions(server: DemoServer) -> int:
    return sum(1 for r in server.requests if r.path.endswith("completions"))


def _footer(app: RoutmyApp) -> dict[str, str]:
    """What the footer shows: description -> key."""
    return {key.description: key.key_display for key in app.screen.query(FooterKey)}


async def _reply(pilot: Pilot[Any], text: str) -> None:
    await send(pilot, text)
    app: Any = pilot.app
    await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")


async def test_typing_go_on_in_the_conversation_asks_before_a_paid_request(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    app = make_app(demo_server.base_url, config_path=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await _reply(pilot, "hello")
        before = _completions(demo_server)
        view_of(app).focus()
        await pilot.press("g", "o", "space", "o", "n")  # "go on", typed in the wrong place
        await wait_for(pilot, lambda: not isinstance(app.screen, PaidConfirmDialog))
        assert _completions(demo_server) == before  # nothing was sent
        assert last_reply(app).siblings is None or last_reply(app).siblings == (1, 1)
        # Asked again, with "don't ask again": it goes, and is saved to the config file.
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmDialog))
        app.screen.query_one("#never-again", Checkbox).value = True
        await pilot.press("y")
        await wait_for(pilot, lambda: last_reply(app).siblings == (2, 2))
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        assert tomllib.loads(config.read_text())["confirm_regenerate"] is False
        assert config.stat().st_mode & 0o777 == 0o600
        await pilot.press("g")  # no longer asks
        await wait_for(pilot, lambda: last_reply(app).siblings == (3, 3))
        assert not isinstance(app.screen, PaidConfirmDialog)


async def test_typing_in_the_inspector_stream_tab_goes_to_the_filter(
    demo_server: DemoServer,
) -> None:
    app = make_app(demo_server.base_url)
    copied: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await _reply(pilot, "hello")
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.focused, Tabs))  # the panel's tab strip
        await pilot.press("right", "right")  # Request -> Response -> Stream
        tabs = app.screen.query_one("#inspector-tabs", TabbedContent)
        await wait_for(pilot, lambda: tabs.active == "tab-stream")
        await pilot.press(*"malformed")
        box = app.screen.query_one("#stream-filter", Input)
        await wait_for(pilot, lambda: box.value == "malformed")
        assert copied == []  # "l" copied nothing
        assert app.screen.__class__.__name__ == "ChatScreen"  # "e" opened no replay


async def test_f1_help_lists_the_apps_keys_by_screen_with_remapped_keys(
    demo_server: DemoServer,
) -> None:
    app = make_app(demo_server.base_url, keymap={"toggle-inspector": "f12"})
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        await pilot.press("question_mark")  # in the composer, ? is just text
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        text = str(help_text(screen.keymap))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))
        view_of(app).focus()
        await pilot.press("question_mark")  # outside text boxes, ? opens help too
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
    headings = [heading for heading, _ in help_rows({})]
    assert headings[:4] == ["Everywhere", "Chat screen", "Conversation (Tab to focus it)",
                            "Inspector (F2)"]  # fmt: skip
    assert "F12" in text and "(remapped; default F2)" in text
    assert "Regenerate reply" in text and "Edit message" in text


async def test_footer_shows_the_keys_that_matter_where_the_focus_is(
    demo_server: DemoServer,
) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(160, 30)) as pilot:
        await _reply(pilot, "hello")
        await wait_for(pilot, lambda: "Inspector" in _footer(app))
        shown = _footer(app)
        # The footer writes keys as help and the palette do: one formatting function.
        assert shown["Inspector"] == "F2" == key_for_title("Toggle inspector", {})
        assert shown["API key"] == "Ctrl+K" == key_for_title("Enter API key", {})
        assert "Ctrl+K" in help_text({}).plain
        assert {"System", "Preview", "API key", "Model", "Params"} <= set(shown)
        assert "Regenerate" not in shown  # the composer has the focus: letters are text
        view_of(app).focus()
        await wait_for(pilot, lambda: "Regenerate" in _footer(app))
        shown = _footer(app)
        assert shown["Regenerate"] == "g" and shown["Edit"] == "e"
        assert {"Prev version", "Next version"} <= set(shown)
        assert "Thinking" not in shown  # this reply has no thinking


async def test_footer_last_column_belongs_to_the_palette_key(demo_server: DemoServer) -> None:
    """The palette key is docked right; nothing of the keys it covers shows past it (Textual's
    compact footer left a margin there, and the last column showed "palette+")."""
    for width in (80, 100, 120):
        app = make_app(demo_server.base_url)
        async with app.run_test(size=(width, 20)) as pilot:
            await wait_for(pilot, lambda app=app: "Inspector" in _footer(app))
            await pilot.pause()
            bottom = "".join(s.text for s in app.screen._compositor.render_strips()[-1])
            assert bottom.endswith("▏Ctrl+P palette "), (width, bottom[-30:])


async def test_footer_changes_only_the_keys_that_change(demo_server: DemoServer) -> None:
    """Stop appearing mounts one key, the others stay; after any change the footer shows
    what a full rebuild shows, in the same order."""
    app = make_app(demo_server.base_url)

    def shown() -> list[tuple[str, str, bool]]:
        return [(k.key_display, k.description, k.has_class("-disabled")) for k in footer.children]

    async with app.run_test(size=(160, 30)) as pilot:
        footer = app.screen.query_one(KeysFooter)
        await wait_for(pilot, lambda: "Help" in _footer(app))
        help_key = next(k for k in app.screen.query(FooterKey) if k.description == "Help")
        await send(pilot, "wait for me fault:hold")
        await wait_for(pilot, lambda: "Stop" in _footer(app))
        assert help_key in footer.children  # kept, not made again
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Stop" not in _footer(app))
        view_of(app).focus()  # many keys come and go
        await wait_for(pilot, lambda: "Regenerate" in _footer(app))
        for focus in (view_of(app), app.screen.query_one("#composer"), view_of(app)):
            focus.focus()
            await pilot.pause()
            await wait_for(pilot, lambda: not footer._due)
            before, first = shown(), footer.children[0]
            footer.call_later(footer.recompose)  # a full rebuild, as Textual's footer does
            await wait_for(pilot, lambda f=first: bool(footer.children) and footer.children[0] != f)
            assert shown() == before


async def test_footer_shows_whole_keys_only_at_any_width(demo_server: DemoServer) -> None:
    """A key the palette key would cut ("Ctr▏") is left out; resizing fits them again."""

    def whole(app: RoutmyApp) -> bool:
        bottom = "".join(s.text for s in app.screen._compositor.render_strips()[-1])
        left = bottom.split("\u258f")[0].rstrip()
        keys = [k for k in app.screen.query(FooterKey) if not k.has_class("-command-palette")]
        first, last = keys[0], keys[-1]
        return bool(
            len(bottom) == app.size.width
            and left.endswith(f"{last.key_display} {last.description}")
            and f"{first.key_display} {first.description}" in left
        )

    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 20)) as pilot:
        await wait_for(pilot, lambda: "Inspector" in _footer(app) and whole(app))
        for width in (80, 97, 100, 64):
            await pilot.resize_terminal(width, 20)
            await wait_for(pilot, lambda: whole(app))
        view_of(app).focus()  # the conversation's own keys come first
        await wait_for(pilot, lambda: "Copy" in _footer(app) and whole(app))


async def test_thinking_key_shows_on_a_reply_with_thinking(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url, model="demo/reasoning")
    async with app.run_test(size=(160, 30)) as pilot:
        await _reply(pilot, "think about it")
        view_of(app).focus()
        await wait_for(pilot, lambda: _footer(app).get("Thinking") == "t")


def test_palette_titles_show_their_keys_remapped_too() -> None:
    assert key_for_title("Toggle inspector", {}) == "F2"
    assert key_for_title("Preview request", {}) == "Ctrl+G"
    assert key_for_title("Regenerate reply", {}) == "g"
    assert key_for_title("Toggle inspector", {"toggle-inspector": "ctrl+i"}) == "Ctrl+I"
    assert key_for_title("Refresh models", {}) == ""


async def test_config_problems_make_one_notice_and_keep_working_keys(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'theme = "nosuch"\n\n[keymap]\nstop = "notakey+++"\nstpo = "f9"\n'
        'retry = "f3"\nnew-conversation = "ctrl+a"\n'
        'toggle-inspector = "f4"\nparameters = "f2"\n'
    )
    keymap = {
        "stop": "notakey+++",
        "stpo": "f9",
        "retry": "f3",  # F3 picks the model
        "new-conversation": "ctrl+a",  # the composer's select-all
        "toggle-inspector": "f4",  # a swap of two keys is fine
        "parameters": "f2",
    }
    app = make_app(demo_server.base_url, config_path=config, keymap=keymap, theme="nosuch")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        notices = [n for n in app._notifications if n.title == "Config"]
        assert app.keymap == {"toggle-inspector": "f4", "parameters": "f2"}
        stop = [b for _, b in app.screen._bindings if b.id == "stop"]
        assert [b.key for b in stop] == ["escape"]  # Escape still stops
        await send(pilot, "a long one fault:stall=5")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "streaming")
        await pilot.press("escape")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "stopped")
    assert len(notices) == 1
    text = notices[0].message
    assert f"{config}:4: [keymap] stop: 'notakey+++' is not a key" in text
    assert "the default (Esc) is kept" in text
    assert f"{config}:5: [keymap] stpo: unknown binding id 'stpo'" in text
    assert f"{config}:1: theme 'nosuch' not found" in text
    assert f"{config}:6: [keymap] retry: F3 is already 'Select model'" in text
    assert "the default (Ctrl+R) is kept" in text
    assert f"{config}:7: [keymap] new-conversation: text boxes keep Ctrl+A" in text
    assert "toggle-inspector" not in text and "parameters" not in text


async def test_footer_follows_a_reply_that_ends_while_the_user_types(
    demo_server: DemoServer,
) -> None:
    """The footer's change at the end of a reply waits for a key's frame while the user
    types, but comes: Stop goes while the typing goes on, and every letter is kept."""
    app = make_app(demo_server.base_url, params={"extra": {"demo_tps": 300, "demo_tokens": 900}})
    async with app.run_test(size=(160, 30)) as pilot:
        await send(pilot, "Tell me something")
        await wait_for(pilot, lambda: "Stop" in _footer(app))
        driver = app._driver
        assert driver is not None
        typed = ""
        while len(typed) < 400 and ("Stop" in _footer(app) or len(typed) < 4):
            letter = "abcdefghij"[len(typed) % 10]
            key = events.Key(letter, letter)
            key.set_sender(app)
            driver.send_message(key)  # as typed: Pilot's press waits for a quiet app
            typed += letter
            await asyncio.sleep(0.06)
        assert last_reply(app).reply.status == "complete"
        assert "Stop" not in _footer(app) and len(typed) < 400
        assert app.screen.query_one("#composer").text == typed  # type: ignore[attr-defined]
