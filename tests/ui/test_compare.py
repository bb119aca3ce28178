"""Compare in the app: pick models, one prompt to all, columns side by side, keep one."""

from __future__ import annotations

import json
from typing import Any

from textual.pilot import Pilot

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.chat_screen import ChatScreen
from routmy_tui.ui.chat.composer import Composer
from routmy_tui.ui.compare.column import ReplyPane
from routmy_tui.ui.compare.compare_view import CompareView
from routmy_tui.ui.models.compare_picker import ComparePicker
from tests.ui.helpers import conversation_text, last_reply, make_app, send, view_of, wait_for


def _screen(app: RoutmyApp) -> ChatScreen:
    screen = app.screen
    assert isinstance(screen, ChatScreen)
    return screen


def _compare(app: RoutmyApp) -> CompareView:
    return _screen(app).query_one(CompareView)


async def _start(pilot: Pilot[Any], models: list[str], prompt: str) -> CompareView:
    app = pilot.app
    assert isinstance(app, RoutmyApp)
    await wait_for(pilot, lambda: bool(app.catalog.models))  # quota needs the multipliers
    _screen(app).arm_compare(models)
    await send(pilot, prompt)
    await wait_for(pilot, lambda: bool(_screen(app).query(CompareView)))
    return _compare(app)


def _done(view: CompareView) -> bool:
    return all(column.item.reply.status != "streaming" for column in view.columns)


def _head(view: CompareView, index: int) -> str:
    return view.columns[index].head().plain


async def test_picker_marks_with_space_and_the_prompt_goes_to_each(
    demo_server: DemoServer,
) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.catalog.models))
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, ComparePicker))
        picker = app.screen
        assert isinstance(picker, ComparePicker)
        assert picker.marked == ["demo/chat"]  # the model in use starts marked
        await pilot.press("enter")  # one is not a comparison: the picker stays
        assert app.screen is picker and "mark 2 to 4" in str(
            picker.query_one("#picker-title").render()
        )
        for query in ("reason", "slow"):
            picker.query_one("#model-query").value = query  # type: ignore[attr-defined]
            await wait_for(pilot, lambda q=query: picker.shown_query == q)  # type: ignore[misc]
            await pilot.press("space")
            # The filter stays usable: Space marked, it typed nothing.
            assert picker.query_one("#model-query").value == query  # type: ignore[attr-defined]
        assert picker.marked == ["demo/chat", "demo/reasoning", "demo/slow"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = _screen(app)
        assert screen.compare_models == ("demo/chat", "demo/reasoning", "demo/slow")
        assert "demo/reasoning" in str(screen.query_one("#compare-armed").render())

        app.conversation.change_settings("system_prompt", system_prompt="Be kind.")
        before = len(demo_server.requests)
        await send(pilot, "Which of you is best? compare-request")
        await wait_for(pilot, lambda: bool(screen.query(CompareView)))
        view = _compare(app)
        assert [c.item.model for c in view.columns] == ["demo/chat", "demo/reasoning", "demo/slow"]
        await wait_for(pilot, lambda: view.columns[0].item.reply.status == "complete")
        await pilot.press("escape")  # stops all (demo/slow is slow)
        await wait_for(pilot, lambda: _done(view))
        assert view.columns[2].item.reply.status == "stopped"
        bodies = [
            json.loads(r.body)
            for r in demo_server.requests[before:]
            if r.path.endswith("/chat/completions")
        ]
        assert sorted(b["model"] for b in bodies) == ["demo/chat", "demo/reasoning", "demo/slow"]
        for body in bodies:
            assert body["messages"] == [
                {"role": "system", "content": "Be kind."},
                {"role": "user", "content": "Which of you is best? compare-request"},
            ]
            assert body["stream"] is True
        assert screen.compare_models == ()  # one message only
        assert not screen.query_one("#compare-armed").display


async def test_a_failing_column_does_not_stop_the_others(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url, max_retries=0)
    async with app.run_test(size=(140, 40)) as pilot:
        view = await _start(pilot, ["demo/flaky", "demo/chat"], "Tell me about streams")
        await wait_for(pilot, lambda: _done(view))
        flaky, chat = (column.item for column in view.columns)
        assert flaky.reply.status == "error" and flaky.reply.error is not None
        assert chat.reply.status == "complete" and len(chat.reply.content) > 200
        assert "failed" in _head(view, 0) and "done" in _head(view, 1)
        # The failure is shown in its column, with what arrived before it.
        pane_text = "\n".join(
            flaky.line(i).text for i in range(flaky.layout(app.console, 50, view.palette))
        )
        assert "✖ HTTP 502" in pane_text and "You asked: Tell me about streams" in pane_text
        assert "retry" not in pane_text  # one of several: no retry hint in a column
        # Figures when done: time to first token, total, tokens, quota (×1.0 here), cost.
        head = _head(view, 1)
        for part in ("first token", "total", "tokens", "quota", "cost"):
            assert part in head, head
        # Each column followed its reply to the end; ↑ scrolls the selected one.
        pane = view.columns[1].query_one(ReplyPane)
        at_end = lambda: 0 < pane.max_scroll_y == pane.scroll_y  # noqa: E731
        try:
            await wait_for(pilot, at_end)
        except AssertionError as failed:  # say what the pane was doing
            raise AssertionError(
                f"follow={pane.follow} y={pane.scroll_y} max={pane.max_scroll_y} "
                f"virtual={pane.virtual_size} region={pane.scrollable_content_region}"
            ) from failed
        view.focus()
        await pilot.press("right", "up", "up")
        await wait_for(pilot, lambda: pane.scroll_y == pane.max_scroll_y - 2)


async def test_keep_this_one_and_browse_the_others(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(140, 40)) as pilot:
        view = await _start(pilot, ["demo/chat", "demo/reasoning", "demo/tools"], "Say hello")
        await wait_for(pilot, lambda: _done(view))
        texts = [column.item.reply.content for column in view.columns]
        view.focus()
        await pilot.press("right", "t")  # demo/reasoning's thinking opens in its column
        await wait_for(pilot, lambda: view.columns[1].item.reasoning_open)
        await pilot.press("left")
        await pilot.press("right", "enter")
        await wait_for(pilot, lambda: not _screen(app).query(CompareView))
        assert app.conversation.settings.model == "demo/reasoning"
        assert last_reply(app).reply.content == texts[1]
        assert "2/3" in conversation_text(app)
        assert isinstance(app.focused, Composer)
        # Each reply has its own inspector record.
        store = app.session.store
        assert store is not None
        ids = [turn.id for turn in view.turns]
        exchanges = [store.get_exchange(i or 0) for i in ids]
        assert [e.request_body["model"] for e in exchanges if e] == [
            "demo/chat",
            "demo/reasoning",
            "demo/tools",
        ]
        # [ and ] browse the other replies, like any branch.
        view_of(app).focus()
        await pilot.press("[")
        await wait_for(pilot, lambda: last_reply(app).reply.content == texts[0])
        await pilot.press("]", "]")
        await wait_for(pilot, lambda: last_reply(app).reply.content == texts[2])
        # Going on continues from the reply on screen.
        await pilot.press("[")
        await wait_for(pilot, lambda: last_reply(app).reply.content == texts[1])
        before = len(demo_server.requests)
        await send(pilot, "And then?")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        chats = [r for r in demo_server.requests[before:] if r.path.endswith("/completions")]
        body = json.loads(chats[0].body)  # the model list may be fetched in between
        assert body["model"] == "demo/reasoning"
        assert body["messages"][1] == {"role": "assistant", "content": texts[1]}


async def test_x_stops_one_and_the_rest_go_on(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(140, 40)) as pilot:
        view = await _start(pilot, ["demo/slow", "demo/chat"], "A long one please")
        await wait_for(pilot, lambda: view.columns[0].item.run.deltas > 0)
        view.focus()
        await pilot.press("x")
        await wait_for(pilot, lambda: _done(view))
        assert view.columns[0].item.reply.status == "stopped"
        assert view.columns[1].item.reply.status == "complete"
        # Until one is kept, nothing else is sent.
        await send(pilot, "next")
        await wait_for(pilot, lambda: any("Keep one" in n.message for n in app._notifications))
        assert app.screen.query_one(Composer).text == "next"


async def test_narrow_terminals_stack_the_columns(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(90, 40)) as pilot:
        view = await _start(pilot, ["demo/chat", "demo/vision"], "Hi")
        first, second = view.columns
        await wait_for(
            pilot,
            lambda: (
                view.has_class("-stacked")
                and first.region.x == second.region.x
                and first.region.y < second.region.y
            ),
        )
        await pilot.resize_terminal(140, 40)
        await wait_for(
            pilot,
            lambda: (
                not view.has_class("-stacked")
                and first.region.y == second.region.y
                and first.region.x < second.region.x
            ),
        )


async def test_palette_has_compare_models(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Compare models" in titles
        command = next(
            c for c in app.get_system_commands(app.screen) if c.title == "Compare models"
        )
        command.callback()
        await wait_for(pilot, lambda: isinstance(app.screen, ComparePicker))


async def test_a_new_chat_leaves_the_comparison_and_sends_as_usual(
    demo_server: DemoServer,
) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(140, 40)) as pilot:
        view = await _start(pilot, ["demo/slow", "demo/chat"], "A slow one")
        await wait_for(pilot, lambda: view.columns[0].item.run.deltas > 0)
        await pilot.press("ctrl+n")
        screen = _screen(app)
        await wait_for(pilot, lambda: not screen.query(CompareView))
        assert view_of(app).display and app.conversation.compared == []
        await wait_for(pilot, lambda: not screen.controller.busy)  # type: ignore[union-attr]
        await send(pilot, "Hello again")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        assert [t.role for t in app.conversation.turns] == ["user", "assistant"]
