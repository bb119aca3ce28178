"""Approving a command-backed tool: Enter runs, e edits the answer first, Escape declines."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from routmy_tui.core.toolsets import FunctionTool
from routmy_tui.core.types import ToolCall
from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.tools.approval import ProgramAnswer, ToolApproval, answer_with_program
from tests.ui.helpers import make_app, wait_for

CALL = ToolCall("call_1", "get_order", '{"order_id": "123"}')
ECHO = (
    sys.executable,
    "-c",
    "import json, sys; a = json.load(sys.stdin); print('order', a['order_id'], 'shipped')",
)

Results = list[ProgramAnswer | None]


async def ask(pilot: Pilot[Any], tool: FunctionTool) -> tuple[ToolApproval | None, Results]:
    app = pilot.app
    await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
    results: Results = []
    answer_with_program(app, CALL, tool, results.append)
    await pilot.pause(0.1)
    screen = app.screen
    return (screen if isinstance(screen, ToolApproval) else None), results


async def test_enter_runs_the_program_and_its_output_is_the_answer(
    demo_server: DemoServer,
) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog, results = await ask(pilot, FunctionTool("get_order", command=ECHO))
        assert dialog is not None
        shown = str(dialog.query_one("#approval-command", Static).content)
        assert "import json, sys" in shown  # the user sees what will run
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(results))
        (answer,) = results
        assert answer is not None
        assert answer.content == "order 123 shipped\n" and answer.by == "program"


async def test_e_runs_then_lets_the_user_edit_the_answer(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog, results = await ask(pilot, FunctionTool("get_order", command=ECHO))
        assert dialog is not None
        await pilot.press("e")
        area = dialog.query_one("#approval-answer", TextArea)
        await wait_for(pilot, lambda: area.text == "order 123 shipped\n")
        assert not results
        area.text = "order 123 shipped (checked by hand)"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(results))
        assert results[0] is not None
        assert results[0].content == "order 123 shipped (checked by hand)"
        assert results[0].by == "typed"


async def test_escape_declines_and_nothing_runs(demo_server: DemoServer, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    tool = FunctionTool(
        "get_order", command=(sys.executable, "-c", f"open({str(marker)!r}, 'w').close()")
    )
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog, results = await ask(pilot, tool)
        assert dialog is not None
        await pilot.press("escape")
        await wait_for(pilot, lambda: bool(results))
        assert results == [None] and not marker.exists()


async def test_a_failing_program_shows_why_and_waits(demo_server: DemoServer) -> None:
    tool = FunctionTool("get_order", command=(sys.executable, "-c", "import sys; sys.exit(4)"))
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog, results = await ask(pilot, tool)
        assert dialog is not None
        await pilot.press("enter")
        status = dialog.query_one("#approval-status", Static)
        await wait_for(pilot, lambda: "failed: exit code 4" in str(status.content))
        answer = dialog.query_one("#approval-answer", TextArea).text
        assert answer.startswith("The tool failed: exit code 4")
        assert not results  # nothing is sent without the user
        await pilot.press("escape")
        await wait_for(pilot, lambda: bool(results))
        assert results == [None]


async def test_escape_stops_a_program_that_hangs(demo_server: DemoServer) -> None:
    tool = FunctionTool("get_order", command=(sys.executable, "-c", "import time; time.sleep(60)"))
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog, results = await ask(pilot, tool)
        assert dialog is not None
        await pilot.press("enter")
        status = dialog.query_one("#approval-status", Static)
        await wait_for(pilot, lambda: "running" in str(status.content))
        await pilot.press("escape")
        await wait_for(pilot, lambda: "stopped" in str(status.content))
        assert app.screen is dialog and not results
        await pilot.press("escape")
        await wait_for(pilot, lambda: bool(results))
        assert results == [None]


async def test_auto_approved_tools_run_without_asking(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog, results = await ask(
            pilot, FunctionTool("get_order", command=ECHO, auto_approve=True)
        )
        assert dialog is None
        await wait_for(pilot, lambda: bool(results))
        assert results[0] is not None and results[0].content == "order 123 shipped\n"
