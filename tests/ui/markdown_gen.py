"""Hypothesis strategies for Markdown documents, and the reference render to compare with."""

from __future__ import annotations

from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from textual.strip import Strip

from routmy_tui.core.text import make_safe
from routmy_tui.ui.chat.code_markdown import CodeMarkdown
from routmy_tui.ui.chat.render import MarkdownLines
from routmy_tui.ui.chat.strips import is_blank, render_strips

WORDS = [
    "alpha",
    "beta",
    "gamma",
    "*em*",
    "**bold**",
    "`code`",
    "~~gone~~",
    "[the docs][d]",
    "[Guide][]",
    "[guide]",
    "[x]",
    "[inline](https://example.com/i)",
    "<kbd>K</kbd>",
    "a|b",
    "1.",
    "-",
    "#",
    "\\",
    "ünï",
    "日本",
]

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join)
lines = st.lists(words, min_size=1, max_size=4)


@st.composite
def paragraph(draw: st.DrawFn) -> str:
    text = "\n".join(draw(lines))
    return text.lstrip("-#1. |<>\\") or "text"


@st.composite
def heading(draw: st.DrawFn) -> str:
    level = draw(st.integers(1, 6))
    return "#" * level + " " + draw(words)


@st.composite
def a_list(draw: st.DrawFn, depth: int = 0) -> str:
    ordered = draw(st.booleans())
    marker = draw(st.sampled_from(["1.", "1)"] if ordered else ["-", "*", "+"]))
    loose = draw(st.booleans())
    indent = " " * (len(marker) + 1)
    items: list[str] = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        mark = f"{number}{marker[1:]}" if ordered else marker
        item = f"{mark} {draw(paragraph()).replace(chr(10), chr(10) + indent)}"
        if depth < 2 and draw(st.booleans()):
            nested = draw(a_list(depth + 1))
            gap = "\n\n" if draw(st.booleans()) else "\n"
            item += gap + "\n".join(indent + line if line else "" for line in nested.split("\n"))
        if loose and draw(st.booleans()):
            more = draw(paragraph())
            item += "\n\n" + "\n".join(indent + line for line in more.split("\n"))
        items.append(item)
    return ("\n\n" if loose else "\n").join(items)


@st.composite
def table(draw: st.DrawFn) -> str:
    columns = draw(st.integers(1, 3))
    cells = st.sampled_from(["a", "1", "**b**", "`c`", "[the docs][d]", "x y"])
    rows = [[draw(cells) for _ in range(columns)] for _ in range(draw(st.integers(1, 4)))]
    head = "| " + " | ".join(f"h{i}" for i in range(columns)) + " |"
    rule = (
        "|"
        + "|".join(draw(st.sampled_from(["---", ":--", "--:", ":-:"])) for _ in range(columns))
        + "|"
    )
    return "\n".join([head, rule] + ["| " + " | ".join(row) + " |" for row in rows])


@st.composite
def code(draw: st.DrawFn) -> str:
    fence = draw(st.sampled_from(["```", "~~~", "````"]))
    language = draw(st.sampled_from(["", "python", "json", "text", "nosuchlang"]))
    body = draw(
        st.lists(
            st.sampled_from(["x = 1", "", "# not a heading", "- not a list", "[d]: nope", "  y"]),
            max_size=6,
        )
    )
    return "\n".join([fence + language, *body, fence])


@st.composite
def quote(draw: st.DrawFn) -> str:
    parts = [draw(paragraph()) for _ in range(draw(st.integers(1, 2)))]
    text = "\n>\n".join("\n".join("> " + line for line in p.split("\n")) for p in parts)
    if draw(st.booleans()):
        text += "\n> - in a list\n> - quoted"
    return text


html = st.sampled_from(
    [
        "<div>\nhtml <b>block</b>\n</div>",
        "<!-- a comment\n\nstill the comment -->",
        "<pre>\npre text\n\nafter a blank\n</pre>",
        "<details>\n<summary>More</summary>\n</details>",
    ]
)
rule = st.sampled_from(["---", "***", "___", "- - -"])
definition = st.sampled_from(
    [
        "[d]: https://example.com/docs",
        '[guide]: https://example.com/guide "The guide"',
        "[D]: <https://example.com/upper>",
    ]
)

blocks = st.one_of(
    paragraph(), heading(), a_list(), table(), code(), quote(), html, rule, definition
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    parts = draw(st.lists(blocks, min_size=1, max_size=7))
    out = parts[0]
    for part in parts[1:]:
        out += draw(st.sampled_from(["\n\n", "\n\n", "\n\n\n", "\n"])) + part
    return out + draw(st.sampled_from(["", "\n", "\n\n"]))


def cut_points(text: str) -> st.SearchStrategy[list[int]]:
    """Where the text is cut into deltas."""
    return st.lists(st.integers(0, len(text)), max_size=12).map(sorted)


# --- rendering ----------------------------------------------------------------------------


def normalise(strip: Strip) -> list[tuple[str, str]]:
    """A line as (text, style) runs, without the padding at its right end."""
    runs: list[list[object]] = []
    for segment in strip:
        # No style and a null style draw the same: compare them as one.
        style = segment.style or None
        if runs and runs[-1][1] == style:
            runs[-1][0] = str(runs[-1][0]) + segment.text
        else:
            runs.append([segment.text, style])
    while runs and not str(runs[-1][0]).strip() and is_blank(Strip([Segment(" ", runs[-1][1])])):  # type: ignore[arg-type]
        runs.pop()
    return [(str(text), str(style)) for text, style in runs]


def full_render(text: str, width: int, console: Console) -> list[list[tuple[str, str]]]:
    """The whole text rendered at once, without blank lines at either end.

    Raises:
        IndexError: Rich cannot render the text (a closing `</kbd>` without an opening one).
    """
    # The app's Markdown (code blocks get a header line): the same elements as the streamed
    # render, so the property compares the streaming, not two different element sets.
    markdown = CodeMarkdown(make_safe(text), hyperlinks=False)
    strips = render_strips(console, markdown, width)
    start, end = 0, len(strips)
    while start < end and is_blank(strips[start]):
        start += 1
    while end > start and is_blank(strips[end - 1]):
        end -= 1
    return [normalise(strip) for strip in strips[start:end]]


def drawn(lines: MarkdownLines) -> list[list[tuple[str, str]]]:
    """What a MarkdownLines shows now."""
    return [normalise(lines.line(index)) for index in range(lines.height)]


def lay_out(lines: MarkdownLines, console: Console, width: int) -> None:
    """Lay out until nothing is left to draw (each layout is time-boxed: on a busy machine
    one may not draw everything)."""
    lines.layout(console, width)
    while lines.pending:
        lines.layout(console, width)


def stream(text: str, cuts: list[int], width: int, console: Console) -> MarkdownLines:
    """The text fed in deltas cut at `cuts`, laid out after each (not made final)."""
    lines = MarkdownLines()
    for cut in [*cuts, len(text)]:
        lines.set_text(text[:cut])
        lines.layout(console, width)
    lay_out(lines, console, width)
    return lines
