"""Big replies: drawn in bounded steps, cut short where they must be, and said so on screen."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.render import BLOCK_CAP, SHOW_ALL_HINT
from tests.conftest import FAKE_KEY
from tests.hostile_server import HostileServer, Request, chunk, event, response, stream
from tests.ui.helpers import last_reply, make_app, send, view_of, wait_for

CSV_ROWS = 20_000
LINE_CHARS = 2_000_000


def _csv() -> str:
    return "".join(f"r{i},{i * 7},{i % 13},alpha,beta\n" for i in range(CSV_ROWS))


def _line() -> str:
    words = "".join(f"w{i} " for i in range(LINE_CHARS // 6))
    return words[:LINE_CHARS] + " END"


REPLIES = {
    "big/csv": _csv,
    "big/line": _line,
    "big/refs": lambda: (
        "See [the docs][d] first.\n\n- one\n- two\n\n[d]: https://example.com/docs\n"
    ),
}


def drawn(app: RoutmyApp) -> str:
    """Every line of the newest reply as the view laid it out (at the view's width)."""
    item = last_reply(app)
    view = view_of(app)
    height = item.layout(app.console, item.laid_width, view.palette)
    return "\n".join(item.line(i).text.rstrip() for i in range(height))


def drawn_in_full(item: AssistantItem) -> bool:
    """The reply ended and all its text has been drawn (layouts are time-boxed, and what
    is far from the viewport is drawn in the background)."""
    complete = item.reply.status == "complete" and item.markdown.final
    return complete and not item.pending and not item.unmeasured


def _pieces(text: str, size: int, per_piece: int) -> list[bytes]:
    events = [event(chunk(text[i : i + size])) for i in range(0, len(text), size)]
    grouped = [b"".join(events[i : i + per_piece]) for i in range(0, len(events), per_piece)]
    return stream(*grouped, event(chunk(finish="stop")))


class ReplyServer(HostileServer):
    """Streams the text of REPLIES named by the request's model, in many small deltas."""

    def _answer(self, request: Request) -> list[bytes]:
        if request.method == "GET":
            data = [{"id": name, "object": "model", "owned_by": "test"} for name in REPLIES]
            return [response(200, json.dumps({"object": "list", "data": data}))]
        body = request.json()
        text = REPLIES[str(body.get("model"))]()
        if len(text) < 1_000:
            return _pieces(text, 3, 1)
        return _pieces(text, 600, 100)


@pytest.fixture(scope="module")
def server() -> Iterator[ReplyServer]:
    with ReplyServer(lifetime=900) as running:
        yield running


async def test_a_reference_defined_last_shows_as_a_link(server: ReplyServer) -> None:
    app = make_app(server.url, model="big/refs", api_key=FAKE_KEY, resume_last=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "links please")
        await wait_for(pilot, lambda: drawn_in_full(last_reply(app)), timeout=60)
        shown = drawn(app)
        assert "See the docs (https://example.com/docs) first." in shown
        assert "[the docs][d]" not in shown


async def test_twenty_thousand_lines_without_a_blank_line_are_all_drawn(
    server: ReplyServer,
) -> None:
    app = make_app(server.url, model="big/csv", api_key=FAKE_KEY, resume_last=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "a big table please")
        await wait_for(pilot, lambda: drawn_in_full(last_reply(app)), timeout=300)
        await pilot.pause()
        shown = drawn(app)
        for row in (0, 1, CSV_ROWS // 2, CSV_ROWS - 1):
            assert f"r{row},{row * 7}," in shown
        assert shown.count(",alpha,beta") == CSV_ROWS
        # The view followed the reply to its end: the last row is on screen.
        view = view_of(app)
        screen = "\n".join(view.render_line(y).text for y in range(view.size.height))
        assert f"r{CSV_ROWS - 1}," in screen


async def test_one_huge_line_is_drawn_in_part_and_says_so(server: ReplyServer) -> None:
    app = make_app(
        server.url, model="big/line", api_key=FAKE_KEY, resume_last=False, render_limit=300_000
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "one long line")
        await wait_for(pilot, lambda: drawn_in_full(last_reply(app)), timeout=300)
        item = last_reply(app)
        assert len(item.reply.content) == LINE_CHARS + 4  # all of it was received and kept
        shown = drawn(app)
        flat = " ".join(shown.split())  # notes may wrap
        assert f"This reply is {LINE_CHARS + 4:,} characters: drawing stops at 300,000" in flat
        assert "(render_limit in the config file). All of it is kept." in flat
        assert SHOW_ALL_HINT in flat  # the one block is past the block cap
        assert "w0 w1 w2" in shown
        assert "END" not in shown
        drawn_words = shown.count(" w")
        assert drawn_words < BLOCK_CAP // 4  # about BLOCK_CAP characters, not 300,000

        view_of(app).focus()
        await pilot.press("a")  # show all
        await wait_for(pilot, lambda: item.markdown.expanded and drawn_in_full(item), timeout=300)
        await pilot.pause()
        shown = drawn(app)
        flat = " ".join(shown.split())
        assert SHOW_ALL_HINT not in flat
        assert shown.count(" w") > 40_000  # the 300,000 characters drawn (~6 per word)
        assert "drawing stops at 300,000" in flat  # the reply limit still holds
