"""Search as the user feels it: full-text search over 100,000 and 1,000,000 stored messages.

Measures: `Store.search` (what the conversations browser runs on every keystroke: title hits,
then message hits newest first with snippets) for 30 queries, frequent and rare made-up
words, several words, prefixes as typed, FTS syntax typed by a user, no match; each query 3
times, the first time apart (cold). Floors, same run: an FTS5 `MATCH` of the same match string
(rowids only, newest first, same limit) on a bare FTS5 table of the same texts, and on one
with the app's prefix indexes (`prefix='2 3 4 5 6 7 8'`): the first is what FTS5 does out of
the box, the second what the app's query adds to its own index (joins, snippets, titles).
The databases (about 500 characters a message, Zipf-like words) are built once into
BENCH_CACHE (default: the temp folder's routmy-bench-cache), per schema version;
1,000,000 takes many minutes.
Leaves out: drawing the result list (the browser shows the first 50 hits). GC on.
Prints JSON. Run: `python tests/bench/bench_search.py` (BENCH_SIZES=100000,1000000).
Target (issue 13): median under 50 ms over 1,000,000 messages.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import machine, stats
from seed import CACHE

from routmy_tui.store import Store, open_database
from routmy_tui.store.schema import SCHEMA_VERSION
from routmy_tui.store.search import build_match_query

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "100000,1000000").split(",")]
PER_CONVERSATION = 100
REPEATS = 3
LIMIT = 50
POOL = 20_000
"""Distinct message texts generated; each message joins two (generating 1M is too slow)."""

_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "nu",
    "pe",
    "ra",
    "si",
    "to",
    "vu",
    "we",
    "xa",
    "yo",
    "ze",
    "bri",
    "cla",
    "dro",
    "fle",
    "gri",
    "plo",
    "stra",
    "tru",
]
_COMMON = [
    "the",
    "a",
    "of",
    "to",
    "and",
    "in",
    "is",
    "it",
    "that",
    "for",
    "on",
    "with",
    "as",
    "this",
    "be",
    "are",
    "you",
    "can",
    "use",
    "code",
    "function",
    "value",
    "list",
    "data",
    "file",
    "error",
    "model",
    "request",
    "python",
    "rust",
    "query",
    "table",
    "server",
    "client",
]


def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Made-up words, so term frequencies range from very common to rare."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def message_text(rng: random.Random, vocab: list[str], cum: list[float]) -> str:
    """About 500 characters of Markdown-ish text (`cum`: cumulative word weights)."""
    parts: list[str] = []
    size = 0
    while size < 500:
        kind = rng.random()
        word = rng.choice(_COMMON) if kind < 0.6 else rng.choices(vocab, cum_weights=cum)[0]
        if kind > 0.97:
            word = f"`{word}()`"
        elif kind > 0.94:
            word = f"**{word}**"
        parts.append(word)
        size += len(word) + 1
        if rng.random() < 0.03:
            parts.append("\n\n- ")
    return " ".join(parts)


BARE_TABLES = {"bare.db": "content", "bare_prefix.db": "content, prefix='2 3 4 5 6 7 8'"}
"""The floors' databases: a bare FTS5 table, and one with the app's prefix indexes."""


def build(messages: int) -> tuple[Path, list[Path], list[str]]:
    """The app's database and the floors' for `messages` messages (built on first use)."""
    folder = CACHE / f"search-{messages}-v{SCHEMA_VERSION}"
    app_db = folder / "routmy.db"
    bare_dbs = [folder / name for name in BARE_TABLES]
    rng = random.Random(42)
    vocab = vocabulary(rng)
    if app_db.exists() and all(path.exists() for path in bare_dbs):
        return app_db, bare_dbs, vocab
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        path.unlink()
    cum = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocab))))  # Zipf.
    pool = [message_text(rng, vocab, cum)[:260] for _ in range(POOL)]
    conn = open_database(app_db)
    conn.execute("BEGIN IMMEDIATE")
    now = time.time()
    conversations = [uuid.uuid4().hex for _ in range(messages // PER_CONVERSATION)]
    conn.executemany(
        "INSERT INTO conversations (id, title, created_at, updated_at, model) VALUES (?,?,?,?,?)",
        [
            (cid, f"Conversation {n} about {vocab[n % len(vocab)]}", now, now + n, "demo/chat")
            for n, cid in enumerate(conversations)
        ],
    )
    batch = []
    for n in range(messages):
        role = "user" if n % 2 == 0 else "assistant"
        text = pool[rng.randrange(POOL)] + " " + pool[rng.randrange(POOL)]
        parent = None if n % PER_CONVERSATION == 0 else n
        batch.append((n + 1, conversations[n // PER_CONVERSATION], parent, role, text, now, now))
        if len(batch) == 50_000:
            conn.executemany(
                "INSERT INTO messages (id, conversation_id, parent_id, role, content,"
                " created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
                batch,
            )
            batch.clear()
    conn.executemany(
        "INSERT INTO messages (id, conversation_id, parent_id, role, content,"
        " created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
        batch,
    )
    conn.execute("COMMIT")
    conn.close()
    for path in bare_dbs:
        bare = sqlite3.connect(path)
        bare.execute(f"CREATE VIRTUAL TABLE bare USING fts5 ({BARE_TABLES[path.name]})")
        bare.execute("ATTACH DATABASE ? AS app", (str(app_db),))
        bare.execute("INSERT INTO bare (rowid, content) SELECT id, content FROM app.messages")
        bare.commit()
        bare.close()
    return app_db, bare_dbs, vocab


def queries(vocab: list[str]) -> list[str]:
    """What users type: frequent and rare words, several words, prefixes, syntax, no match."""
    return (
        [vocab[i] for i in (0, 1, 2, 5, 10, 50)]
        + [vocab[i] for i in (500, 2000, 9000, 15000, 19999)]
        + ["python", "error model", "server client request", "function value"]
        + [vocab[3][:3], vocab[700][:4], "que", "cod"]
        + [f"{vocab[7]} {vocab[300]}", f'"{vocab[4]}" AND', "NEAR( x", "zzzznotthere"]
        + ["the", "data file", "table", f"{vocab[12]} the", "rust query", "cla", "stra"]
    )[:30]


def timed(fn: Callable[[], object]) -> float:
    """Milliseconds one call of `fn` takes."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def measure(messages: int) -> dict[str, object]:
    started = time.perf_counter()
    app_db, bare_dbs, vocab = build(messages)
    build_s = time.perf_counter() - started
    asked = queries(vocab)
    cold: list[float] = []
    warm: list[float] = []
    floors: list[list[float]] = [[] for _ in bare_dbs]
    slowest: list[tuple[float, str]] = []
    bares = [sqlite3.connect(path) for path in bare_dbs]
    floor_sql = "SELECT rowid FROM bare WHERE bare MATCH ? ORDER BY rowid DESC LIMIT ?"
    with Store.open(app_db) as store:
        for query in asked:
            match = build_match_query(query)
            cold.append(timed(lambda q=query: store.search(q)))  # type: ignore[misc]
            for _ in range(REPEATS - 1):
                warm.append(timed(lambda q=query: store.search(q)))  # type: ignore[misc]
            slowest.append((max(cold[-1], *warm[-REPEATS + 1 :]), query))
            if match is None:
                continue
            for bare, floor in zip(bares, floors, strict=True):
                for _ in range(REPEATS):
                    floor.append(
                        timed(lambda m=match, b=bare: b.execute(floor_sql, (m, LIMIT)).fetchall())  # type: ignore[misc]
                    )
    for bare in bares:
        bare.close()
    floor, floor_prefix = floors
    every = cold + warm
    return {
        "messages": messages,
        "db_mb": round(app_db.stat().st_size / 1e6, 1),
        "build_s_this_run": round(build_s, 1),
        "search_ms": stats(every, 2),
        "search_cold_ms": stats(cold, 2),
        "floor_bare_fts5_match_ms": stats(floor, 2),
        "floor_bare_fts5_match_same_prefix_indexes_ms": stats(floor_prefix, 2),
        "ratio_median_to_floor": round(
            stats(every)["median"] / max(stats(floor)["median"], 1e-3), 1
        ),
        "slowest_queries": [
            {"query": q, "ms": round(t, 1)} for t, q in sorted(slowest, reverse=True)[:5]
        ],
    }


def main() -> None:
    results: dict[str, object] = {"bench": "search", "machine": machine()}
    for messages in SIZES:
        results[str(messages)] = measure(messages)
    results["target"] = "1000000: search_ms median < 50"
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
