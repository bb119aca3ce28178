"""Drawn near the viewport only: a window shows what drawing everything shows, and so does the end.

(That drawing everything equals a full render is `test_markdown_stream`'s property.)
"""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rich.console import Console

from routmy_tui.ui.chat.markdown_lines import MarkdownLines, Window
from tests.ui.markdown_gen import cut_points, documents, drawn, normalise
from tests.ui.test_markdown_stream import rich_can_render

CONSOLE = Console(width=120, color_system="truecolor")
widths = st.integers(20, 100)


def streamed(text: str, cuts: list[int], width: int, window: Window) -> MarkdownLines:
    """The text fed in deltas, laid out after each with `window`, then made final."""
    lines = MarkdownLines()
    lines.window = window
    for cut in [*cuts, len(text)]:
        lines.set_text(text[:cut])
        lines.layout(CONSOLE, width)
    lines.set_text(text, final=True)
    lines.layout(CONSOLE, width)
    while lines.pending:
        lines.layout(CONSOLE, width)
    return lines


def everything(text: str, width: int) -> list[list[tuple[str, str]]]:
    """The final text drawn with no window (all of it at once)."""
    lines = MarkdownLines()
    lines.set_text(text, final=True)
    lines.layout(CONSOLE, width)
    while lines.pending:
        lines.layout(CONSOLE, width)
    return drawn(lines)


def shown(lines: MarkdownLines, top: int, bottom: int) -> list[list[tuple[str, str]]]:
    return [normalise(lines.line(index)) for index in range(top, min(bottom, lines.height))]


def contains(whole: list[list[tuple[str, str]]], part: list[list[tuple[str, str]]]) -> bool:
    return any(whole[i : i + len(part)] == part for i in range(len(whole) - len(part) + 1))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), documents(), widths, st.integers(1, 12))
def test_following_the_end_shows_the_end_of_a_full_render_and_measures_to_it(
    data: st.DataObject, text: str, width: int, seen: int
) -> None:
    assume(rich_can_render(text))
    lines = streamed(text, data.draw(cut_points(text)), width, Window(from_end=seen))
    reference = everything(text, width)
    # The last lines (what a view following the end shows) are those of a full draw.
    tail = shown(lines, max(0, lines.height - seen), lines.height)
    assert tail == reference[len(reference) - len(tail) :]
    # The rest is drawn in the background; once put in, it all is what a full draw is.
    while not lines.measure(float("inf")):
        pass
    lines.commit(None)
    assert not lines.unmeasured
    assert drawn(lines) == reference


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), documents(), widths, st.integers(1, 12))
def test_a_window_anywhere_shows_lines_of_a_full_render_and_keeps_its_anchor(
    data: st.DataObject, text: str, width: int, seen: int
) -> None:
    assume(rich_can_render(text))
    lines = streamed(text, [], width, Window(from_end=1))
    reference = everything(text, width)
    top = data.draw(st.integers(0, max(0, lines.height - 1)))
    anchor_text = shown(lines, top, top + 1)
    lines.window = Window(top, top + seen, anchor=top)
    lines.layout(CONSOLE, width)
    while lines.pending:
        lines.layout(CONSOLE, width)
    moved = top + lines.shift
    part = shown(lines, moved, moved + seen)
    assert not lines.missed
    assert contains(reference, part)
    if anchor_text and anchor_text[0]:
        # The line the user was looking at, if it was drawn, is still under the eye.
        assert shown(lines, moved, moved + 1) == anchor_text


def test_a_long_text_draws_only_what_the_window_shows() -> None:
    text = "\n\n".join(f"Paragraph {i} of a long reply." for i in range(2_000))
    lines = MarkdownLines()
    lines.window = Window(from_end=10)
    lines.set_text(text, final=True)
    lines.layout(CONSOLE, 80)
    while lines.pending:  # each layout has a time budget
        lines.layout(CONSOLE, 80)
    drawn_blocks = sum(rendered is not None for rendered in lines._rows.rendered)
    assert drawn_blocks < 20
    assert lines.unmeasured
    assert lines.line(lines.height - 1).text.strip() == "Paragraph 1999 of a long reply."
