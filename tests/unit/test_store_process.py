"""Crash safety and two processes sharing one database."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from routmy_tui.store import Store

KILLED_MID_REPLY = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from routmy_tui.core.types import ChatMessage, Reply
    from routmy_tui.store import Store

    store = Store.open(Path(sys.argv[1]))
    cid = store.create_conversation("demo/model")
    store.set_meta("last_conversation_id", cid)
    store.set_draft(cid, "next question being typed")
    u = store.add_message(cid, None, ChatMessage("user", "Write a long story"))
    a = store.add_message(cid, u, ChatMessage("assistant", ""), status="streaming")
    reply = Reply(content="Once upon a time", status="streaming")
    store.checkpoint_reply(a, reply)
    reply.content += " there was a fox"
    store.checkpoint_reply(a, reply)
    reply.content += " that never got saved"  # Arrived after the last checkpoint.
    os.kill(os.getpid(), signal.SIGKILL)
    """
)

STREAMING_ELSEWHERE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from routmy_tui.core.types import ChatMessage
    from routmy_tui.store import Store

    store = Store.open(Path(sys.argv[1]))
    cid = store.create_conversation("m")
    u = store.add_message(cid, None, ChatMessage("user", "q"))
    store.add_message(cid, u, ChatMessage("assistant", "so far"), status="streaming")
    print("ready", flush=True)
    sys.stdin.readline()  # Keep "streaming" until the parent says stop.
    """
)

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from routmy_tui.core.types import ChatMessage
    from routmy_tui.store import Store

    path, cid, name, go = Path(sys.argv[1]), sys.argv[2], sys.argv[3], Path(sys.argv[4])
    store = Store.open(path)
    (go.parent / f"ready-{name}").touch()
    deadline = time.monotonic() + 20
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    parent = None
    for n in range(200):
        parent = store.add_message(cid, parent, ChatMessage("user", f"{name} message {n}"))
        if n % 50 == 0:
            store.set_draft(cid, f"{name} {n}")
    store.close()
    """
)


def test_sigkill_mid_reply_keeps_user_message_and_last_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    done = subprocess.run(
        [sys.executable, "-c", KILLED_MID_REPLY, str(path)], capture_output=True, timeout=60
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    with Store.open(path) as store:
        cid = store.get_meta("last_conversation_id")
        assert cid is not None
        assert store.get_draft(cid) == "next question being typed"
        path_before = store.current_path(cid)
        assert [(m.role, m.content, m.status) for m in path_before] == [
            ("user", "Write a long story", "complete"),
            ("assistant", "Once upon a time there was a fox", "streaming"),
        ]
        assert store.recover_interrupted() == 1
        reply = store.current_path(cid)[-1]
        assert reply.status == "interrupted"
        assert reply.content == "Once upon a time there was a fox"
        assert store.integrity_check() == ["ok"]


def test_two_processes_writing_concurrently_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    go = tmp_path / "go"
    with Store.open(path) as store:
        cid = store.create_conversation("m")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), cid, name, str(go)],
            stderr=subprocess.PIPE,
        )
        for name in ("alpha", "beta")
    ]
    # Start both together once both have opened the store, so their writes interleave.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(
        (tmp_path / f"ready-{name}").exists() for name in ("alpha", "beta")
    ):
        time.sleep(0.01)
    go.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
    with Store.open(path) as store:
        assert store.integrity_check() == ["ok"]
        assert store.list_conversations()[0].message_count == 400
        roots = store.children(None, cid)
        assert sorted(m.content or "" for m in roots) == ["alpha message 0", "beta message 0"]
        for root in roots:
            name = (root.content or "").split()[0]
            branch = store.path_to(store.deepest_leaf(root.id))
            assert [m.content for m in branch] == [f"{name} message {n}" for n in range(200)]
            hits = store.search(f"{name} 199")
            assert [h.message_id for h in hits if h.message_id] == [branch[-1].id]
        assert store.get_draft(cid) in {"alpha 150", "beta 150"}


def test_reply_streaming_in_another_live_process_is_not_marked_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    Store.open(path).close()
    proc = subprocess.Popen(
        [sys.executable, "-c", STREAMING_ELSEWHERE, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
        with Store.open(path) as store:
            assert store.recover_interrupted() == 0
            proc.kill()
            proc.wait(timeout=30)
            assert store.recover_interrupted() == 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)


def test_a_dead_but_unreaped_writer_counts_as_gone() -> None:
    import subprocess
    import time

    from routmy_tui.store.base import owner_alive

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    # Wait until it has exited but leave it unreaped: a zombie.
    while time.monotonic() < deadline:
        with open(f"/proc/{child.pid}/stat") as stat:
            if stat.read().rpartition(")")[2].split()[0] == "Z":
                break
    assert not owner_alive(f"{child.pid}:token")
    child.wait()
