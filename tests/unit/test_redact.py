"""The client's redactor takes the app's own key out of whatever a server sends back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from routmy_tui.core.redact import REDACTED, KeyRedactor
from tests.conftest import FAKE_KEY


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def _collect(redactor: KeyRedactor, *parts: bytes) -> list[bytes]:
    return [chunk async for chunk in redactor.stream(_chunks(*parts))]


def test_text_bytes_and_headers_lose_the_key() -> None:
    redactor = KeyRedactor(FAKE_KEY)
    assert redactor.text(f"key {FAKE_KEY}!") == f"key {REDACTED}!"
    assert redactor.data(f"{FAKE_KEY}{FAKE_KEY}".encode()) == (REDACTED * 2).encode()
    assert redactor.headers({"X-Echo": f"Bearer {FAKE_KEY}"}) == {"X-Echo": f"Bearer {REDACTED}"}


@pytest.mark.parametrize("cut", [1, 5, len(FAKE_KEY) - 1])
async def test_a_key_cut_across_chunks_is_still_found(cut: int) -> None:
    key = FAKE_KEY.encode()
    chunks = await _collect(KeyRedactor(FAKE_KEY), b"data: " + key[:cut], key[cut:] + b"\n\n")
    assert b"".join(chunks) == f"data: {REDACTED}\n\n".encode()


async def test_chunks_without_a_key_prefix_pass_at_once() -> None:
    # Each event goes through as soon as it arrives: nothing is held back.
    chunks = await _collect(KeyRedactor(FAKE_KEY), b"data: a\n\n", b"data: sk\n\n")
    assert chunks == [b"data: a\n\n", b"data: sk\n\n"]


async def test_a_held_back_prefix_that_was_not_the_key_comes_out_at_the_end() -> None:
    chunks = await _collect(KeyRedactor(FAKE_KEY), b"the end: sk_te")
    assert b"".join(chunks) == b"the end: sk_te"


def test_no_key_or_a_short_one_changes_nothing() -> None:
    assert not KeyRedactor(None)
    assert KeyRedactor("abc").text("abc abc") == "abc abc"
