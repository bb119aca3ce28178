"""Deterministic Markdown replies, reasoning text, and their split into stream tokens."""

from __future__ import annotations

import hashlib
import random
import re

# A token: a word plus one following space, a run of punctuation (plus a space), a newline,
# or a run of blanks; the last alternative keeps every other character so tokens join back.
_TOKEN_RE = re.compile(r"\w+ ?|[^\w\s]+ ?|\n|[ \t]+|\s")

_SUBJECTS = [
    "The stream",
    "A good terminal client",
    "Every token",
    "The parser",
    "This design",
    "A careful router",
    "The demo backend",
    "Incremental rendering",
    "The event loop",
    "A cached layout",
]
_VERBS = [
    "keeps",
    "measures",
    "buffers",
    "renders",
    "validates",
    "forwards",
    "batches",
    "tracks",
    "survives",
    "explains",
]
_OBJECTS = [
    "partial Markdown blocks",
    "the time to first token",
    "odd server-sent events",
    "usage and cost figures",
    "tool call fragments",
    "every byte of the reply",
    "the frozen part of the document",
    "retries with jittered backoff",
    "pictures drawn on the fly",
    "long conversations without lag",
]
_TAILS = [
    "without surprises",
    "one frame at a time",
    "even on a slow link",
    "so nothing is lost",
    "while the user keeps typing",
    "in well under a millisecond",
    "exactly as the spec says",
    "and shows what it did",
]
_NOUNS = ["latency", "throughput", "tokens", "frames", "events", "bytes", "retries", "widgets"]
_FUNCS = ["throughput", "moving_average", "chunk_sizes", "backoff_delays", "word_count"]


def seed_for(text: str) -> int:
    """A stable seed derived from a text (the last user message)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8", "replace")).digest()[:8], "big")


def tokenize(text: str) -> list[str]:
    """Split text into stream tokens; `"".join(tokenize(t)) == t` always holds."""
    return _TOKEN_RE.findall(text)


def quote_prompt(prompt: str, limit: int = 60) -> str:
    """A one-line, shortened form of the prompt for the first line of a reply."""
    flat = " ".join(prompt.split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return flat or "(an empty message)"


def _topic(prompt: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]{3,}", prompt) if not w.startswith("fault")]
    if not words:
        return "Streaming replies"
    best = sorted(dict.fromkeys(words), key=lambda w: (-len(w), w))[:2]
    return " and ".join(w.capitalize() for w in best)


def _sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}."
    )


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def _bullets(rng: random.Random, count: int) -> str:
    return "\n".join(
        f"- **{rng.choice(_NOUNS).capitalize()}**: {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
        for _ in range(count)
    )


def _numbered(rng: random.Random, count: int) -> str:
    return "\n".join(
        f"{i}. {rng.choice(_VERBS).capitalize()} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}"
        for i in range(1, count + 1)
    )


def _table(rng: random.Random, rows: int) -> str:
    lines = ["| Metric | Value | Note |", "|---|---:|---|"]
    for _ in range(rows):
        lines.append(f"| {rng.choice(_NOUNS)} | {rng.randint(2, 990)} | {rng.choice(_TAILS)} |")
    return "\n".join(lines)


def _code(rng: random.Random) -> str:
    name = rng.choice(_FUNCS)
    factor = rng.randint(2, 9)
    return "\n".join(
        [
            "```python",
            f"def {name}(values: list[float]) -> float:",
            f'    """Return the scaled mean of the values (factor {factor})."""',
            "    if not values:",
            "        return 0.0",
            f"    return sum(values) * {factor} / len(values)",
            "",
            f"print({name}([1.0, 2.5, 4.0]))",
            "```",
        ]
    )


def markdown_reply(prompt: str, *, extra_sections: int = 0) -> str:
    """The Markdown reply for a prompt: heading, paragraph, lists, table and code.

    Args:
        prompt: The last user text; it seeds the reply and is quoted in the first line.
        extra_sections: Further varied sections to append (for longer replies).

    Returns:
        The reply text, identical for identical prompts.
    """
    rng = random.Random(seed_for(prompt))
    parts = [
        f"You asked: *{quote_prompt(prompt)}*",
        f"## {_topic(prompt)}",
        _paragraph(rng, rng.randint(2, 3)),
        _bullets(rng, rng.randint(3, 4)),
        _numbered(rng, 3),
        _table(rng, rng.randint(2, 3)),
        _code(rng),
        _sentence(rng),
    ]
    text = "\n\n".join(parts)
    if extra_sections:
        text += "\n\n" + "\n\n".join(_section(rng, i + 1) for i in range(extra_sections))
    return text + "\n"


def _section(rng: random.Random, number: int) -> str:
    kind = number % 5
    body = [
        lambda: _paragraph(rng, rng.randint(2, 4)),
        lambda: _bullets(rng, rng.randint(3, 6)),
        lambda: _numbered(rng, rng.randint(3, 5)),
        lambda: _table(rng, rng.randint(3, 5)),
        lambda: _code(rng),
    ][kind]()
    return f"### Part {number}: {rng.choice(_NOUNS)}\n\n{_paragraph(rng, 1)}\n\n{body}"


def reply_tokens(prompt: str, *, count: int | None = None, extra_sections: int = 0) -> list[str]:
    """The reply for `prompt` as stream tokens.

    Args:
        prompt: The last user text.
        count: Exact number of tokens wanted (sections are appended until reached, then
            the list is cut); None for the natural length (about 150-300 tokens).
        extra_sections: Extra sections for the natural length (the slow model uses this).

    Returns:
        The tokens.
    """
    tokens = tokenize(markdown_reply(prompt, extra_sections=extra_sections))
    if count is None:
        return tokens
    rng = random.Random(seed_for(prompt) ^ 0x5EED)
    number = 1
    while len(tokens) < count:
        # Build many sections per tokenize call: the regex is the cheap part.
        block = "\n\n" + "\n\n".join(_section(rng, number + i) for i in range(20)) + "\n"
        number += 20
        tokens.extend(tokenize(block))
    return tokens[:count]


def reasoning_tokens(prompt: str) -> list[str]:
    """About 40-80 tokens of deterministic thinking text about the prompt."""
    rng = random.Random(seed_for(prompt) ^ 0xBEEF)
    text = (
        f"The user asks: {quote_prompt(prompt, 50)}. "
        f"I should explain {rng.choice(_OBJECTS)} clearly. "
        f"Plan: a heading, a short paragraph, a bullet list about {rng.choice(_NOUNS)}, "
        "numbered steps, a small table and a Python example. "
        f"Check: {rng.choice(_SUBJECTS).lower()} {rng.choice(_VERBS)} "
        f"{rng.choice(_OBJECTS)}, so mention that. Keep the tone friendly and the answer "
        "structured; verify the code runs and the numbers in the table look plausible. "
        f"Finally, {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}."
    )
    tokens = tokenize(text)
    return tokens[: rng.randint(40, min(80, len(tokens)))]
