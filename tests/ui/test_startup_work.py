"""Start-up does only what the first frame and the first reply need."""

from __future__ import annotations

import gc
import json
import ssl
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import routmy_tui.ui.chat.render as render
from routmy_tui.core.client import tls_for
from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from tests.ui.helpers import last_reply, make_app, send, wait_for

NOT_BEFORE_USE = (
    "PIL",  # decoding pictures (the viewer, attachments, a reply with a picture)
    "textual_image",  # the picture viewer (the command line asks the terminal, not the app)
    "jsonschema",  # checking tool sets
    "routmy_tui.ui.tools.approval",
    "routmy_tui.ui.compare.compare_view",
    "routmy_tui.ui.history.sidebar",
    "routmy_tui.ui.history.browser",
    "routmy_tui.ui.inspector.inspector",
    "routmy_tui.ui.models.model_picker",
    "routmy_tui.ui.settings.settings_screen",
    "routmy_tui.ui.settings.key_dialog",
    "routmy_tui.store.export",
    "routmy_tui.store.import_json",
    "routmy_tui.store.import_markdown",
    "ctypes",  # giving freed memory back (`core.heap`), once the user is idle after a reply
)
"""Modules a first reply does without: each loads when its feature is first used."""

FIRST_REPLY = """
import asyncio, json, sys
from pathlib import Path
from routmy_tui.config.settings import Settings
from routmy_tui.ui.app import RoutmyApp
from tests.ui.helpers import last_reply, send, wait_for

async def main() -> None:
    data = Path(sys.argv[2])
    settings = Settings(base_url=sys.argv[1], model="demo/chat", api_key=None, demo=True,
                        data_dir=data, config_path=data / "config.toml", cache_dir=data)
    app = RoutmyApp(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hello")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        print(json.dumps(sorted(sys.modules)))

asyncio.run(main())
"""


MARKDOWN_BEFORE_THE_FIRST_TOKEN = """
import asyncio, json, sys
from pathlib import Path
from routmy_tui.config.settings import Settings
from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from tests.ui.helpers import last_reply, send, wait_for

async def main() -> None:
    data = Path(sys.argv[1])
    with DemoServer(tps=0, ttft=60) as server:  # headers at once, the first token much later
        settings = Settings(base_url=server.base_url, model="demo/chat", api_key=None,
                            demo=True, data_dir=data, config_path=data / "config.toml",
                            cache_dir=data)
        app = RoutmyApp(settings)
        async with app.run_test(size=(120, 40)) as pilot:
            before = "rich.markdown" in sys.modules
            await send(pilot, "hello")
            await wait_for(pilot, lambda: "rich.markdown" in sys.modules, timeout=20)
            reply = last_reply(app).reply
            print(json.dumps([before, reply.status, reply.content, app._warmed]))
            await pilot.press("escape")

asyncio.run(main())
"""


def test_a_first_reply_loads_markdown_while_the_server_thinks(tmp_path: Path) -> None:
    """A message sent at once (before the warm-up) is answered by a server that sends its
    headers, then thinks: Rich's Markdown (markdown-it, Pygments) loads meanwhile, so the
    first words do not wait for it (~35 ms of CPU on top of the reply, measured in
    bench_startup's ready)."""
    result = subprocess.run(
        [sys.executable, "-c", MARKDOWN_BEFORE_THE_FIRST_TOKEN, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
    )
    assert result.returncode == 0, result.stderr[-2000:]
    before, status, content, warmed = json.loads(result.stdout.strip().splitlines()[-1])
    assert before is False  # not loaded at start
    assert (status, content) == ("streaming", "")  # ...but before the first token
    assert warmed is True  # the warm-up was asked for, and held back by the reply


def test_a_first_reply_loads_no_module_of_a_feature_not_used(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    """A fresh interpreter starts the app, sends a message and reads the reply: none of the
    modules of pictures, tools, comparing, the inspector, the picker, settings or the
    history's lists was loaded (each costs start-up time in front of the first reply)."""
    result = subprocess.run(
        [sys.executable, "-c", FIRST_REPLY, demo_server.base_url, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "routmy_tui.ui.chat.chat_screen" in loaded  # the app did start
    assert "httpx" in loaded  # ...and the reply came over HTTP
    early = [name for name in NOT_BEFORE_USE if name in loaded]
    assert early == []


async def test_the_theme_is_styled_once_at_start(demo_server: DemoServer) -> None:
    """The chosen theme is in force before the styles are first read: nothing restyles
    the screen once it is there (that was a full parse, restyle and layout in front of
    the first keys)."""
    refreshed: list[bool] = []

    class Counting(RoutmyApp):
        def refresh_css(self, animate: bool = True) -> None:
            refreshed.append(bool(self.screen_stack))  # styles of a screen's widgets too
            super().refresh_css(animate)

    app: Any = make_app(demo_server.base_url, theme="routmy-light")
    app.__class__ = Counting
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.history_started)
        await send(pilot, "hello")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        assert app.theme == "routmy-light"
        assert True not in refreshed
        app.theme = "routmy-dark"  # a change of theme still restyles the screen
        await wait_for(pilot, lambda: True in refreshed)


async def test_the_collector_comes_back_after_the_first_frame_with_start_up_frozen(
    demo_server: DemoServer,
) -> None:
    """The command line starts the app with the cyclic collector off; once the first
    frame is drawn the app turns it on, with what start-up made frozen (never scanned)."""
    gc.disable()
    try:
        app = make_app(demo_server.base_url)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.screen.history_started)
            await wait_for(pilot, gc.isenabled)
            assert gc.get_freeze_count() > 10_000
            await send(pilot, "hello")
            await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
    finally:
        gc.enable()
        gc.unfreeze()


async def test_a_message_sent_at_once_is_answered_before_the_model_list_loads(
    demo_server: DemoServer,
) -> None:
    """The warm-up (the renderers' sample, the catalog's fetch) waits while the first
    reply streams, and runs once it ended."""

    def model_lists() -> int:
        return sum(1 for r in demo_server.requests if r.path.endswith("/models"))

    before = model_lists()
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "wait for me fault:hold")  # a reply that goes on until stopped
        await wait_for(pilot, lambda: app._warmed)  # the warm-up was asked for meanwhile
        assert app._replying() and model_lists() == before
        await pilot.press("escape")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "stopped")
        await wait_for(pilot, lambda: model_lists() == before + 1)


def test_plain_http_loads_no_certificates_and_trusts_none() -> None:
    """A plain-http server (local, demo) never uses TLS: no CA bundle is read for it, and
    its TLS set-up would refuse any certificate rather than skip the check."""
    context = tls_for("http://127.0.0.1:8000/v1")
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0
    assert tls_for("https://api.rout.my/v1") is True
    assert tls_for("HTTPS://example.test/v1") is True


async def test_the_warm_up_thread_never_waits_for_the_app(
    demo_server: DemoServer, monkeypatch: Any
) -> None:
    """Its end is queued for the app, not waited for: after the app closed it ends at once
    (it blocked until the loop ran it, and left a never-awaited coroutine behind)."""
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
    monkeypatch.setattr(app.services, "prepare", lambda: None)
    monkeypatch.setattr(render, "warm_up", lambda: None)
    ended = threading.Event()

    def warm_up_thread() -> None:
        app._warm_imports()
        ended.set()

    threading.Thread(target=warm_up_thread, daemon=True).start()
    # This loop is the one the app ran on: blocked here, it runs nothing for the thread.
    assert ended.wait(5)


async def test_nothing_is_made_before_the_first_frame(
    demo_server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history and the client wait for the chat screen to be drawn: the history opens
    on the app's own thread just after, the client in the warm-up. (A thread making both
    from the start took turns with the app's own start: the first frame, and a message
    sent at it, came later.)"""
    import routmy_tui.services.container as container

    made: list[tuple[str, str, bool]] = []
    app: Any = make_app(demo_server.base_url)

    def shown() -> bool:  # the chat screen laid out, its composer on screen
        composer = app.screen.query("#composer") if app.screen_stack else []
        return bool(composer) and composer[0].region.area > 0

    real_store, real_make_client = app.services._open_store, container.make_client

    def open_store() -> Any:
        if app.services._store is None:
            made.append(("history", threading.current_thread().name, shown()))
        return real_store()

    def make_client(settings: Any) -> Any:
        made.append(("client", threading.current_thread().name, shown()))
        return real_make_client(settings)

    monkeypatch.setattr(app.services, "_open_store", open_store)
    monkeypatch.setattr(container, "make_client", make_client)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(made) == 2)
        await send(pilot, "hello")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
    assert made[0] == ("history", "MainThread", True)
    assert made[1][0] == "client" and made[1][2] is True
    assert "routmy-prepare" not in {name for _, name, _ in made}
