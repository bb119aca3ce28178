"""Command-backed tools: stdin gets the arguments, stdout is the answer, failures say why."""

from __future__ import annotations

import sys
import time

from routmy_tui.core.toolrun import run_command

PY = sys.executable


async def test_arguments_go_to_stdin_and_stdout_is_the_answer() -> None:
    code = "import json,sys; a=json.load(sys.stdin); print(json.dumps({'got': a['order_id']}))"
    run = await run_command([PY, "-c", code], '{"order_id": "123"}')
    assert run.ok and run.exit_code == 0
    assert run.answer() == '{"got": "123"}\n'


async def test_argv_is_never_a_shell() -> None:
    run = await run_command([PY, "-c", "import sys; print(sys.argv[1])", "$(echo hi); ls"], "{}")
    assert run.output == "$(echo hi); ls\n"


async def test_a_failing_program_says_its_exit_code_and_stderr_tail() -> None:
    code = "import sys; print('partial'); sys.stderr.write('x' * 5000 + 'the end'); sys.exit(3)"
    run = await run_command([PY, "-c", code], "{}")
    assert not run.ok and run.exit_code == 3
    answer = run.answer()
    assert answer.startswith("The tool failed: exit code 3")
    assert answer.rstrip().endswith("partial") and "the end" in answer
    assert len(run.stderr_tail) <= 2000


async def test_a_missing_program_is_a_clear_result() -> None:
    run = await run_command(["/no/such/program"], "{}")
    assert not run.ok and "could not run /no/such/program" in run.answer()


async def test_stdout_is_capped() -> None:
    run = await run_command([PY, "-c", "print('y' * 100000)"], "{}", cap=1000)
    assert run.ok and run.truncated and len(run.output) == 1000
    assert "output cut at the cap" in run.summary()


async def test_a_program_that_hangs_is_stopped_after_the_timeout() -> None:
    started = time.monotonic()
    # A child that keeps stdout open too: the whole group is stopped.
    code = (
        "import subprocess, sys, time;"
        " subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
        " time.sleep(60)"
    )
    run = await run_command([PY, "-c", code], "{}", timeout=0.5)
    assert run.timed_out and not run.ok and time.monotonic() - started < 10
    assert "timeout" in run.answer()


async def test_a_program_that_ignores_stdin_still_answers() -> None:
    run = await run_command([PY, "-c", "print('hi')"], "x" * 1_000_000)
    assert run.ok and run.output == "hi\n"
