"""The head of a compare column: the model, its live speed, then timings, tokens and cost."""

from __future__ import annotations

import time

from rich.style import Style
from rich.text import Text

from routmy_tui.core.text import make_safe
from routmy_tui.core.types import Reply
from routmy_tui.ui.chat.assistant_item import RunInfo
from routmy_tui.ui.chat.items import SPINNER


def figures(reply: Reply, run: RunInfo, multiplier: float | None, now: float | None = None) -> str:
    """One line of figures: live tokens/s while streaming; when done, time to first token,
    total time, tokens, quota cost (`token_multiplier`) and `usage.cost`."""
    now = time.monotonic() if now is None else now
    if reply.status == "streaming":
        if run.retry_note:
            return run.retry_note
        if run.first_token is None:
            return f"waiting {now - run.started:.1f}s"
        speed = run.deltas / max(1e-6, now - run.first_token)
        return f"{run.deltas} tokens · {speed:.0f} tok/s"
    parts: list[str] = []
    if run.first_token is not None:
        parts.append(f"first token {run.first_token - run.started:.2f}s")
    if run.ended is not None:
        parts.append(f"total {run.ended - run.began:.2f}s")
    usage = reply.usage
    tokens = usage.completion_tokens if usage is not None else None
    parts.append(f"{tokens if tokens is not None else run.deltas} tokens")
    if run.first_token is not None and run.ended is not None and run.deltas > 1:
        streamed = run.ended - run.first_token
        if streamed >= 0.05:
            parts.append(f"{run.deltas / streamed:.0f} tok/s")
    if usage is not None:
        quota = usage.quota_cost(multiplier)
        if quota is not None:
            parts.append(f"quota {quota:g} (×{multiplier:g})")
        if usage.cost is not None:
            parts.append(f"cost {usage.cost:g}")
    return " · ".join(parts)


def state(reply: Reply, spinner: int) -> tuple[str, str]:
    """A word for where the reply stands, and its style name (ok, busy, error, warning)."""
    if reply.status == "streaming":
        return SPINNER[spinner % len(SPINNER)] + " streaming", "busy"
    if reply.status == "complete":
        return "✓ done", "ok"
    if reply.status == "error":
        return "✖ failed", "error"
    return f"■ {reply.status}", "warning"


def header(
    model: str,
    reply: Reply,
    run: RunInfo,
    multiplier: float | None,
    spinner: int = 0,
    styles: dict[str, Style] | None = None,
    *,
    number: int | None = None,
) -> Text:
    """The two head lines of a column (model and state; figures)."""
    styles = styles or {}
    text = Text()
    if number is not None:
        text.append(f"{number} ", style=styles.get("dim", Style(dim=True)))
    text.append(make_safe(model), style=styles.get("model", Style(bold=True)))
    word, kind = state(reply, spinner)
    text.append("  " + word, style=styles.get(kind, Style()))
    text.append("\n")
    line = make_safe(figures(reply, run, multiplier))
    text.append(line, style=styles.get("dim", Style(dim=True)))
    return text
