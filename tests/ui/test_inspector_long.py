"""The inspector on a long stored conversation: replies numbered without drawing them all."""

from __future__ import annotations

from pathlib import Path

from routmy_tui.demo.server import DemoServer
from tests.ui.helpers import last_reply, make_app, send, view_of, wait_for
from tests.ui.history_seed import seed_pairs
from tests.ui.inspector_helpers import open_inspector

PAIRS = 300


def _title(panel: object) -> str:
    return str(panel.query_one("#inspector-title").content)  # type: ignore[attr-defined]


async def test_a_new_reply_after_stored_ones_is_numbered_after_them_and_nothing_else_is_drawn(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    """A reply sent in a resumed conversation of 300 stored replies is "Reply 301" (stored
    replies count as much as new ones), and numbering it makes none of the messages the
    view has not drawn (the count walked every item: 10,000 messages made at once)."""
    seed_pairs(tmp_path, PAIRS, lambda n: f"Answer {n}.")
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        view = view_of(app)
        await wait_for(pilot, lambda: len(view.items) == 2 * PAIRS)
        await send(pilot, "one more")
        await wait_for(pilot, lambda: len(view.items) == 2 * PAIRS + 2)
        reply = last_reply(app)
        await wait_for(pilot, lambda: reply.reply.status != "streaming", timeout=30)
        panel = await open_inspector(pilot)
        await wait_for(pilot, lambda: panel.item is reply)
        await wait_for(pilot, lambda: f"Reply {PAIRS + 1} ·" in _title(panel))
        view.select(2 * PAIRS - 1)  # the last stored reply
        await wait_for(pilot, lambda: f"Reply {PAIRS} ·" in _title(panel))
        await wait_for(pilot, lambda: "Answer 299." in str(panel.item.reply.content))
        assert view.items.unmade > PAIRS, f"{view.items.unmade} of {len(view.items)} not made"
