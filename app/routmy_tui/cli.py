"""`routmy-tui` command line, the composition root: arguments -> settings -> services -> app."""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import sys
import threading
from collections.abc import Sequence

from routmy_tui import __version__

MAX_FPS = 240
"""Frames a second the app may draw at most (Textual's `TEXTUAL_FPS`; a user's value wins)."""
SWITCH_INTERVAL = 0.001
"""Seconds a thread runs Python before another that waits gets its turn (Python's is 5 ms)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="routmy-tui",
        description="A full-screen terminal client for rout.my and OpenAI-compatible chat APIs.",
        epilog="Environment: ROUTMY_API_KEY, ROUTMY_BASE_URL, XDG_CONFIG_HOME, XDG_DATA_HOME. "
        "Subcommands: `routmy-tui demo-server [--port N]` runs the demo backend alone; "
        "`routmy-tui export ID --format md|json [-o FILE]` and `routmy-tui import FILE`.",
    )
    parser.add_argument(
        "--demo", action="store_true", help="use the built-in demo backend (no key, no network)"
    )
    parser.add_argument(
        "--base-url", metavar="URL", help="API base URL (default https://api.rout.my/v1)"
    )
    parser.add_argument("--model", metavar="ID", help="model id to use, e.g. openai/gpt-4o")
    parser.add_argument(
        "--config", metavar="FILE", help="config file to read (and write the key to)"
    )
    parser.add_argument("--data-dir", metavar="DIR", help="where conversations are stored")
    parser.add_argument(
        "--tools",
        metavar="FILE|NAME",
        help="offer these function tools: an OpenAI tools JSON or TOML file, or a saved set"
        " (e.g. examples)",
    )
    parser.add_argument("--version", action="version", version=f"routmy-tui {__version__}")
    return parser


def _port(text: str) -> int:
    """A TCP port number, or a clear argparse error (exit code 2)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1 to 65535)")
    return port


def _demo_server_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="routmy-tui demo-server", description="Run the built-in demo backend on 127.0.0.1."
    )
    parser.add_argument(
        "--port", type=_port, default=8765, help="port to listen on, 1-65535 (default 8765)"
    )
    parser.add_argument(
        "--tps", type=float, default=80.0, help="tokens per second (0: as fast as possible)"
    )
    return parser


class _Graphics(threading.Thread):
    """`graphics_probe.probe` in a thread; `finish` waits for it, raises what it raised,
    and turns on inline Kitty pictures where the terminal draws them."""

    def __init__(self) -> None:
        super().__init__(name="routmy-graphics", daemon=True)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            from routmy_tui.ui.graphics_probe import probe

            probe()
        except BaseException as exc:
            self.error = exc

    def finish(self) -> None:
        """Wait for the probe, then turn on what the terminal can draw (main thread)."""
        self.join()
        if self.error is not None:
            raise self.error
        from routmy_tui.ui.chat.pictures import detect_graphics

        detect_graphics()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `routmy-tui` command."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] in (["export"], ["import"]):
        from routmy_tui.cli_store import run

        return run(args_list)
    if args_list[:1] == ["demo-server"]:
        server_args = _demo_server_parser().parse_args(args_list[1:])
        from routmy_tui.demo.server import run_forever

        try:
            run_forever(port=server_args.port, tps=server_args.tps)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            print(
                f"routmy-tui demo-server: cannot listen on 127.0.0.1:{server_args.port}: "
                f"{reason.lower()} (try another --port)",
                file=sys.stderr,
            )
            return 2
        return 0

    args = _parser().parse_args(args_list)
    # Start-up makes some 120,000 objects that live as long as the app, and the cyclic
    # collector scanned them again and again while they were being made (a full pass alone
    # is tens of milliseconds, in front of the first frame). It stays off until the first
    # frame is drawn; the app then freezes them out of every later scan and turns it back
    # on (`RoutmyApp.warm_up`).
    gc.disable()
    # Textual draws a changed screen at most 60 times a second, on a fixed grid: while a
    # reply streams the screen always has something to draw, so a key waited for the next
    # grid point (up to 17 ms, median echo 18 ms at 100 chunks/s in bench_typing). At 240
    # the wait is 4 ms at most; frames still come only when something changed, and a
    # streaming reply is laid out 30 times a second at most (`live_stream.FRAME`).
    os.environ.setdefault("TEXTUAL_FPS", str(MAX_FPS))
    # The key's way in (the input thread) and the frame's way out (the writer thread) each
    # wait for the main thread to let go of the interpreter: up to 5 ms at a time by
    # default, several times per key (10-30 ms seen from the pty during a fast stream).
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        return _run_app(args)
    finally:
        sys.setswitchinterval(switch_interval)
        gc.enable()


def _run_app(args: argparse.Namespace) -> int:
    """Settings, services and the app, from the parsed arguments."""
    from routmy_tui.config.settings import load_settings

    settings = load_settings(
        {
            "base_url": args.base_url,
            "model": args.model,
            "config_path": args.config,
            "data_dir": args.data_dir,
            "demo": True if args.demo else None,
        }
    )
    if args.tools:
        from routmy_tui.config.toolsets import load_tools_arg
        from routmy_tui.core.toolsets import ToolSetError, to_params

        try:
            tools, notes = load_tools_arg(args.tools)
        except ToolSetError as exc:
            print(f"routmy-tui: --tools: {exc}", file=sys.stderr)
            return 2
        params = {**settings.params, "tools": to_params(tools)}
        settings = settings.with_changes(params=params, problems=[*settings.problems, *notes])
    server = None
    if settings.demo:
        from routmy_tui.demo.server import DemoServer

        # Bind now (the URL is known at once); serve once the first frame is drawn.
        server = DemoServer(record=False).start(hold=2.0)
        # The demo backend never needs the user's real key: keep it off the wire.
        settings = dataclasses.replace(settings, base_url=server.base_url, api_key=None)

    # The composition root: the services are made here (each opens on first use) and
    # handed to the app; nothing in the UI makes its own. Nothing is made before the first
    # frame (see `RoutmyApp.on_mount`).
    from routmy_tui.services.container import Services

    services = Services(settings)
    # The terminal is asked what pictures it draws while the app's modules load: the answers
    # come on stdin, so this must be done before Textual reads it.
    graphics = _Graphics()
    graphics.start()
    from routmy_tui.ui.app import RoutmyApp

    graphics.finish()
    try:
        RoutmyApp(services, after_first_frame=server.go if server else None).run()
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
