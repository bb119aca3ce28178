"""Full-text search: words, snippets, hostile input, deleted conversations, reindexing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from routmy_tui.core.types import ChatMessage, Reply
from routmy_tui.store import SNIPPET_END, SNIPPET_START, Store
from routmy_tui.store.search import build_match_query


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "db.sqlite") as opened:
        yield opened


def chat(store: Store, *texts: str, title: str = "Chat") -> tuple[str, list[int]]:
    cid = store.create_conversation("m", title=title)
    parent = None
    ids = []
    for n, text in enumerate(texts):
        parent = store.add_message(
            cid, parent, ChatMessage("user" if n % 2 == 0 else "assistant", text)
        )
        ids.append(parent)
    return cid, ids


def test_finds_words_in_messages_with_marked_snippet(store: Store) -> None:
    cid, ids = chat(store, "How do I sort a list in Python?", "Use sorted(items) or items.sort().")
    hits = store.search("sorted")
    assert [(h.conversation_id, h.message_id) for h in hits] == [(cid, ids[1])]
    assert f"{SNIPPET_START}sorted{SNIPPET_END}" in hits[0].snippet
    assert hits[0].plain() == "Use [sorted](items) or items.sort()."
    assert ("sorted", True) in hits[0].spans() and hits[0].role == "assistant"


def test_all_words_must_match_in_any_order_ignoring_case_and_accents(store: Store) -> None:
    _, ids = chat(store, "The café in Zürich serves crème brûlée", "unrelated text")
    assert [h.message_id for h in store.search("ZURICH cafe")] == [ids[0]]
    assert store.search("zurich unrelated") == []


def test_last_word_matches_as_prefix_while_typing(store: Store) -> None:
    _, ids = chat(store, "Kubernetes deployment strategies")
    assert [h.message_id for h in store.search("kubernetes deplo")] == [ids[0]]
    assert store.search("kubernetes deplo ") == []  # A finished word must match whole.


def test_title_matches_come_first_without_message(store: Store) -> None:
    cid, _ = chat(store, "body text", title="Quarterly budget")
    chat(store, "the budget is tight")
    hits = store.search("budget")
    assert hits[0].conversation_id == cid and hits[0].message_id is None
    assert hits[0].snippet == f"Quarterly {SNIPPET_START}budget{SNIPPET_END}"
    assert len(hits) == 2
    assert len(store.search("budget", limit=1)) == 1


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"unbalanced',
        "a AND",
        "OR",
        "NOT x",
        "NEAR(a b",
        "col:thing",
        "*",
        "-x",
        "^start",
        "(((",
        "'; DROP TABLE messages; --",
        "\x00",
        "🙂",
        "   ",
        "",
        'a"b',
        "+",
        "AND OR NOT",
    ],
)
def test_hostile_input_never_raises(store: Store, query: str) -> None:
    chat(store, "plain words here AND there, col:thing")
    assert isinstance(store.search(query), list)


def test_operators_are_plain_words(store: Store) -> None:
    _, ids = chat(store, "cats AND dogs", "cats or birds")
    assert [h.message_id for h in store.search("AND dogs")] == [ids[0]]
    assert store.search("NOT cats") == []  # "not" is a word to find, not an operator.


def test_unicode_words(store: Store) -> None:
    _, ids = chat(store, "Привет мир", "日本語 テキスト", "emoji 🙂 text")
    assert [h.message_id for h in store.search("мир")] == [ids[0]]
    assert [h.message_id for h in store.search("テキスト")] == [ids[1]]
    assert [h.message_id for h in store.search("emoji")] == [ids[2]]


def test_deleted_conversations_are_excluded_and_restored(store: Store) -> None:
    cid, _ = chat(store, "secret plan", title="secret title")
    store.delete_conversation(cid)
    assert store.search("secret") == []
    store.restore_conversation(cid)
    assert len(store.search("secret")) == 2
    store.delete_conversation(cid)
    store.purge_deleted()
    assert store.search("secret") == []


def test_updates_and_renames_are_reindexed(store: Store) -> None:
    cid, ids = chat(store, "question", "")
    store.checkpoint_reply(ids[1], Reply(content="first draft of the answer", status="streaming"))
    assert [h.message_id for h in store.search("draft")] == [ids[1]]
    store.checkpoint_reply(ids[1], Reply(content="final wording", status="complete"))
    assert store.search("draft") == []
    assert [h.message_id for h in store.search("wording")] == [ids[1]]
    store.rename_conversation(cid, "Renamed thing")
    assert [h.message_id for h in store.search("renamed")] == [None]
    assert store.search("question")[0].title == "Renamed thing"


def test_build_match_query_quotes_everything() -> None:
    assert build_match_query('say "hi" now') == '"say" """hi""" "now"*'
    assert build_match_query("...") is None
    assert build_match_query("done ") == '"done"'


def test_prefixes_of_every_length_find_what_a_plain_scan_finds(store: Store) -> None:
    # Prefixes of 2 to 8 characters are read from prefix indexes, others by merging words:
    # both must find the same messages, newest first.
    words = ["configuration", "configure", "confident", "cone", "con", "zebra", "conf"]
    texts = [" ".join(words[(n * k) % len(words)] for k in range(1, 4)) for n in range(40)]
    _, ids = chat(store, *texts, title="Q")
    for word in ("configuration", "confident", "zebra"):
        for length in range(1, len(word) + 1):
            prefix = word[:length]
            expected = [
                message_id
                for message_id, text in zip(ids, texts, strict=True)
                if any(token.startswith(prefix) for token in text.split())
            ][::-1]
            found = [h.message_id for h in store.search(prefix, limit=100)]
            assert found == expected, prefix


def test_a_history_from_before_the_prefix_indexes_is_searchable_after_the_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from routmy_tui.store import db

    path = tmp_path / "old.sqlite"
    monkeypatch.setattr(db, "MIGRATIONS", db.MIGRATIONS[:1])
    monkeypatch.setattr(db, "SCHEMA_VERSION", 1)
    with Store.open(path) as old:
        _, before = chat(old, "Kubernetes deployment strategies")
    monkeypatch.undo()
    with Store.open(path) as upgraded:
        assert [h.message_id for h in upgraded.search("deplo")] == before
        _, after = chat(upgraded, "a deployment later")
        assert [h.message_id for h in upgraded.search("deploy")] == after + before
