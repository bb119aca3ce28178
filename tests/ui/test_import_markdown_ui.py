"""Import in the app: the Markdown export opens as a new conversation and says what it skipped."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from routmy_tui.core.types import ChatMessage, Reply
from routmy_tui.services.container import DB_NAME
from routmy_tui.store import Store
from routmy_tui.store.export_files import pictures_dir_for, write_export
from routmy_tui.ui.widgets.dialogs import PathDialog
from tests.conftest import DemoServer
from tests.ui.helpers import conversation_text, make_app, view_of, wait_for
from tests.unit.test_import_markdown import RED


async def test_importing_a_markdown_export_opens_it_and_names_what_was_skipped(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    with Store.open(tmp_path / DB_NAME) as store:
        cid = store.create_conversation("demo/chat")
        first = store.add_message(cid, None, ChatMessage("user", "Paint it red", [RED]))
        mid = store.add_message(cid, first, ChatMessage("assistant"), status="streaming")
        store.checkpoint_reply(mid, Reply(content="A red square.", status="complete"))
        target = tmp_path / "red.md"
        write_export(store, cid, target, "md")
    for picture in pictures_dir_for(target).iterdir():
        picture.unlink()
    app = make_app(demo_server.base_url, data_dir=tmp_path, resume_last=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.screen.run_action("import")
        await wait_for(
            pilot, lambda: isinstance(app.screen, PathDialog) and bool(app.screen.query(Input))
        )
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(view_of(app).items) == 2)
        assert app.session.conversation_id not in (None, cid)
        text = conversation_text(app)
        assert "Paint it red" in text and "A red square." in text
        notes = [n.message for n in app._notifications]
        assert any(
            n.startswith("Imported as a new conversation. Skipped: a picture of message 1")
            for n in notes
        ), notes
