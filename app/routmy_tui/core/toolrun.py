"""Run a command-backed tool: argv (never a shell), arguments on stdin, capped stdout, a timeout."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["DEFAULT_CAP", "DEFAULT_TIMEOUT", "ToolRun", "run_command"]

DEFAULT_TIMEOUT = 30.0
"""Seconds a program may take before it is stopped."""

DEFAULT_CAP = 256 * 1024
"""Bytes of stdout kept as the answer; the rest is read and dropped."""

STDERR_TAIL = 2000
"""Characters of stderr kept to explain a failure."""


@dataclass
class ToolRun:
    """What one run of a program gave.

    Attributes:
        argv: The command run.
        output: Stdout, decoded as UTF-8 (bad bytes replaced), cut at the cap.
        exit_code: The exit status; None when it never ran or was stopped.
        stderr_tail: The last part of stderr.
        timed_out: Stopped after the timeout.
        truncated: Stdout was longer than the cap.
        error: Why it could not start (e.g. program not found), else "".
        elapsed: Seconds from start to end.
    """

    argv: tuple[str, ...]
    output: str = ""
    exit_code: int | None = None
    stderr_tail: str = ""
    timed_out: bool = False
    truncated: bool = False
    error: str = ""
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        """Ran to the end with exit code 0."""
        return self.exit_code == 0 and not self.timed_out and not self.error

    def summary(self) -> str:
        """One line: how the run went."""
        if self.error:
            return f"could not run {self.argv[0] if self.argv else 'the program'}: {self.error}"
        if self.timed_out:
            return f"stopped after {self.elapsed:.1f}s (timeout)"
        cut = " (output cut at the cap)" if self.truncated else ""
        return f"exit code {self.exit_code} after {self.elapsed:.2f}s{cut}"

    def answer(self) -> str:
        """The text to give the model: stdout when it worked, else what went wrong."""
        if self.ok:
            return self.output
        parts = [f"The tool failed: {self.summary()}."]
        if self.stderr_tail.strip():
            parts.append("stderr:\n" + self.stderr_tail.strip())
        if self.output.strip():
            parts.append("stdout:\n" + self.output.strip())
        return "\n".join(parts)


async def _read_capped(stream: asyncio.StreamReader, cap: int) -> tuple[bytes, bool]:
    kept = bytearray()
    cut = False
    while chunk := await stream.read(65536):
        room = cap - len(kept)
        if len(chunk) > room:
            cut = True
        if room > 0:
            kept += chunk[:room]
    return bytes(kept), cut


async def _read_tail(stream: asyncio.StreamReader, size: int) -> bytes:
    tail = b""
    while chunk := await stream.read(65536):
        tail = (tail + chunk)[-size * 4 :]
    return tail


def _kill(process: asyncio.subprocess.Process) -> None:
    # The program runs in its own session: stop its children with it.
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            process.kill()


async def run_command(
    argv: Sequence[str],
    arguments: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    cap: int = DEFAULT_CAP,
    cwd: str | None = None,
) -> ToolRun:
    """Run a program with the call's arguments JSON on stdin and collect its answer.

    Never raises for the program's sake: a missing program, a crash, a timeout or a
    non-zero exit all come back as a `ToolRun` that says so. Cancelling the awaiting task
    kills the program.

    Args:
        argv: Program and arguments (no shell is involved).
        arguments: The call's arguments (JSON text), written to stdin.
        timeout: Seconds before the program is killed.
        cap: Bytes of stdout kept.
        cwd: Working folder (the current one by default).

    Returns:
        The run.
    """
    run = ToolRun(tuple(argv))
    started = time.monotonic()
    if not argv:
        run.error = "no command"
        return run
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=cwd,
            start_new_session=True,
        )
    except OSError as exc:
        run.error = exc.strerror or str(exc)
        run.elapsed = time.monotonic() - started
        return run
    assert process.stdin and process.stdout and process.stderr

    async def talk() -> tuple[tuple[bytes, bool], bytes]:
        assert process.stdin and process.stdout and process.stderr
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            process.stdin.write(arguments.encode("utf-8", errors="replace"))
            await process.stdin.drain()
        with contextlib.suppress(OSError):
            process.stdin.close()
        out, err = await asyncio.gather(
            _read_capped(process.stdout, cap), _read_tail(process.stderr, STDERR_TAIL)
        )
        await process.wait()
        return out, err

    try:
        (out, cut), err = await asyncio.wait_for(talk(), timeout)
    except TimeoutError:
        _kill(process)
        await process.wait()
        run.timed_out = True
        run.elapsed = time.monotonic() - started
        return run
    except BaseException:
        _kill(process)
        raise
    run.output = out.decode("utf-8", errors="replace")
    run.truncated = cut
    run.stderr_tail = err.decode("utf-8", errors="replace")[-STDERR_TAIL:]
    run.exit_code = process.returncode
    run.elapsed = time.monotonic() - started
    return run
