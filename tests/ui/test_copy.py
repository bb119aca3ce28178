"""Copy a message and the conversation: OSC 52 to the terminal, and a 0600 file."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from routmy_tui.demo.server import DemoServer
from tests.ui.helpers import last_reply, make_app, send, view_of, wait_for

OSC52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")


async def test_y_copies_the_selected_message_as_markdown_source(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        written: list[str] = []
        assert app._driver is not None
        real_write = app._driver.write

        def spy(data: str) -> None:
            written.append(data)
            real_write(data)

        app._driver.write = spy  # type: ignore[method-assign]
        await send(pilot, "Show me some **Markdown** please")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        source = last_reply(app).reply.content
        view = view_of(app)
        view.focus()
        view.select(0)  # my message
        await pilot.press("y")
        await wait_for(pilot, lambda: any(OSC52.search(w) for w in written))
        (payload,) = [m.group(1) for w in written for m in OSC52.finditer(w)]
        assert base64.b64decode(payload).decode() == "Show me some **Markdown** please"
        files = sorted((tmp_path / "exports").glob("*-message.md"))
        assert [f.read_text() for f in files] == ["Show me some **Markdown** please"]
        assert files[0].stat().st_mode & 0o777 == 0o600
        view.select(1)  # the reply: its Markdown source, not the drawn lines
        await pilot.press("y")
        await wait_for(pilot, lambda: len(list((tmp_path / "exports").glob("*.md"))) == 2)
    texts = {f.read_text() for f in (tmp_path / "exports").glob("*.md")}
    assert (source in texts and "**" in source) or "#" in source


async def test_copy_conversation_as_markdown(demo_server: DemoServer, tmp_path: Path) -> None:
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    copied: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await send(pilot, "first question")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        (command,) = [
            c
            for c in app.get_system_commands(app.screen)
            if c.title == "Copy conversation as Markdown"
        ]
        reply = last_reply(app).reply.content.strip()
        command.callback()
        await wait_for(pilot, lambda: bool(copied))
    assert "first question" in copied[0]
    assert reply[:20] in copied[0]
    (saved,) = (tmp_path / "exports").glob("*-conversation.md")
    assert saved.read_text() == copied[0]
    assert saved.stat().st_mode & 0o777 == 0o600
