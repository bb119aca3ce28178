"""One Markdown block (or part of one) rendered to strips, with size caps and link definitions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from copy import copy
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text
from textual.strip import Strip

from routmy_tui.core.markdown_blocks import Block
from routmy_tui.core.text import make_safe
from routmy_tui.ui.chat.strips import BLANK, is_blank, render_strips

SHOW_ALL_HINT = "a or click here: show all"
"""Said under a block drawn in part (past the size cap)."""

if TYPE_CHECKING:
    from rich.markdown import Markdown

_CONTAINERS = frozenset({"bullet_list_open", "ordered_list_open", "blockquote_open", "table_open"})


@dataclass
class RenderedBlock:
    """The lines of one block and what joining it to its neighbours needs.

    Attributes:
        block: What was rendered.
        strips: Its lines, as Rich draws the block alone (no margins added).
        new_line: A blank line comes between it and the next block (not after a rule).
        has_tokens: It holds something at all (a block of link definitions does not).
        leaf_start: It starts with a leaf (paragraph, heading, code, rule, HTML). Rich puts
            the blank line before a container (list, quote, table) itself, so the block's
            own lines have it (so for an empty heading: `starts_with_leaf`); before a
            leaf, the blank line comes from the block before.
        hidden: Characters left out by the size cap.
        labels: Link definitions from other blocks that were applied to it.
    """

    block: Block
    strips: list[Strip]
    new_line: bool = True
    has_tokens: bool = True
    leaf_start: bool = True
    hidden: int = 0
    labels: frozenset[str] = field(default_factory=frozenset)


def definitions_of(text: str) -> dict[str, str]:
    """Link reference definitions in `text` (`[d]: https://...`), as label -> a definition
    line that defines the same thing when appended to another block."""
    if "]:" not in text:
        return {}
    from markdown_it import MarkdownIt

    env: dict[str, object] = {}
    MarkdownIt().parse(text, env)
    references = env.get("references")
    if not isinstance(references, dict):
        return {}
    out: dict[str, str] = {}
    for label, value in references.items():
        href = str(value.get("href", ""))
        line = f"[{label}]: <{href}>"
        title = value.get("title")
        if title:
            escaped = str(title).replace("\\", "\\\\").replace('"', '\\"')
            line += f' "{escaped}"'
        out[str(label)] = line
    return out


def labels_used(text: str, definitions: Mapping[str, str]) -> frozenset[str]:
    """The defined labels `text` may refer to (a cheap over-estimate)."""
    if not definitions or "[" not in text:
        return frozenset()
    lowered = text.lower()
    return frozenset(label for label in definitions if "[" + label.lower() in lowered)


@cache
def _parser() -> Any:
    """The Markdown parser Rich's `Markdown` makes, made once (making one costs about a
    millisecond, as much as parsing a short block)."""
    from markdown_it import MarkdownIt

    return MarkdownIt().enable("strikethrough").enable("table")


@cache
def _template(code_theme: str) -> Markdown:
    from routmy_tui.ui.chat.code_markdown import CodeMarkdown  # off start-up

    return CodeMarkdown("", code_theme=code_theme, hyperlinks=False)


def markdown_of(text: str, code_theme: str) -> Markdown:
    """The `CodeMarkdown` of `text` (no hyperlinks), as `CodeMarkdown(text)` makes it, but
    parsed by one shared parser instead of a new one each time."""
    markdown = copy(_template(code_theme))
    markdown.markup = text
    markdown.parsed = _parser().parse(text)
    return markdown


def render_block(
    console: Console,
    block: Block,
    width: int,
    *,
    code_theme: str,
    definitions: Mapping[str, str],
    cap: int | None,
    open_end: bool = False,
) -> RenderedBlock:
    """Render one block at `width`.

    Args:
        console: Console to render with.
        block: The block.
        width: Cells per line.
        code_theme: Pygments theme of code.
        definitions: Link definitions known from the whole text; those the block uses are
            appended to it, so that `[the docs][d]` shows as a link whatever block defines d.
        cap: Characters drawn at most (the rest is counted in `hidden`); None: all.
        open_end: The block ends inside a code fence or an HTML block (definitions appended
            would become part of it).
    """
    from routmy_tui.ui.chat.code_blocks import HEADER_LINES

    text = block.text
    hidden = 0
    if cap is not None and len(text) > cap:
        cut = text.rfind("\n", 0, cap)
        if cut < cap // 2:
            cut = cap
        hidden = len(text) - cut
        text = text[:cut]
    code = bool(block.fence)
    if code and block.joined:
        text = f"{block.fence}\n{text}"
    labels = frozenset() if code or open_end else labels_used(text, definitions)
    if labels:
        # Before the block: the first definition of a label wins, and the one found earlier
        # in the reply must win over a later one in this block (as in a full render).
        text = "\n".join(definitions[label] for label in sorted(labels)) + "\n\n" + text
    markdown = markdown_of(make_safe(text), code_theme)
    try:
        strips = render_strips(console, markdown, width)
    except Exception:
        plain = Text(make_safe(block.text if cap is None else text))
        return RenderedBlock(block, render_strips(console, plain, width), hidden=hidden)
    if code:
        # A part of a long code block: only the block's first part has the header and the
        # top padding, only its last the bottom one.
        if block.joined and strips:
            strips = strips[HEADER_LINES + 1 :]
        if block.open_end and strips:
            strips = strips[:-1]
    new_line = True
    has_tokens = False
    for token in reversed(markdown.parsed):
        if token.level == 0 and token.nesting <= 0:
            has_tokens = True
            new_line = token.type != "hr"
            break
    return RenderedBlock(
        block, strips, new_line, has_tokens, starts_with_leaf(markdown.parsed), hidden, labels
    )


def starts_with_leaf(tokens: list[Any]) -> bool:
    """Whether a block's parse starts with a leaf that Rich draws without a blank line of
    its own before it (`RenderedBlock.leaf_start`).

    Rich puts the blank line before a container (list, quote, table) itself. It does so
    before an empty heading (`#`, `# #`) too: the heading's inline token has no children,
    so Rich takes it for an element of its own, and any element asks for a new line before
    the next one (here: the heading it is in).
    """
    if not tokens:
        return True
    if tokens[0].type in _CONTAINERS:
        return False
    if tokens[0].type == "heading_open" and len(tokens) > 1:
        inline = tokens[1]
        return not (inline.type == "inline" and not inline.children)
    return True


_SURELY_DRAWN = frozenset({"fence", "code_block", "hr", "table_open"})


def quick_facts(block: Block) -> tuple[bool, bool, bool] | None:
    """What joining the block after it needs, from a parse alone (no render): (it holds
    something, a blank line follows it, it draws a line that is not blank); None when only
    a render can tell (HTML, link definitions, nothing but markup)."""
    text = block.text
    if "<" in text or "]:" in text:
        return None
    if block.fence and block.joined:
        text = f"{block.fence}\n{text}"
    tokens = _parser().parse(make_safe(text))
    has_tokens = False
    new_line = True
    for token in reversed(tokens):
        if token.level == 0 and token.nesting <= 0:
            has_tokens = True
            new_line = token.type != "hr"
            break
    for token in tokens:
        if token.type in _SURELY_DRAWN or (
            token.type == "inline" and any(char.isalnum() for char in token.content)
        ):
            return has_tokens, new_line, True
    return None


@dataclass(frozen=True)
class Window:
    """The lines of a Markdown text that must be drawn exactly (the rest may be estimated).

    Attributes:
        top: First line wanted.
        bottom: The line after the last one wanted.
        from_end: When set, the last `from_end` lines are wanted instead (the view follows
            the end of a growing reply: whatever it grows to, the bottom is what shows).
        anchor: The line under the user's eye (the top of the viewport): drawing blocks
            above it changes its place, and `BlockLines.shift` says by how much.
    """

    top: int = 0
    bottom: int = 0
    from_end: int | None = None
    anchor: int | None = None


def estimate(block: Block, width: int) -> int:
    """Lines a block is guessed to take at `width` (with the blank line before it)."""
    text = block.text
    lines = text.count("\n") + 1 + len(text) // max(10, width)
    if block.fence or text.startswith(("```", "~~~")):
        lines += 2 if block.joined else 3  # a code block's header and padding
    return lines + (0 if block.joined else 1)


def is_visible(strips: list[Strip]) -> bool:
    """Whether any of the lines shows something."""
    return any(not is_blank(strip) for strip in strips)


def join_block(
    rendered: RenderedBlock, due: bool, started: bool, note: Callable[[str], list[Strip]]
) -> list[Strip]:
    """A block's lines under those before it, spaced as a whole render spaces them (`due`:
    a blank line is due after the block before; `started`: anything was drawn before)."""
    strips = rendered.strips
    block = rendered.block
    lines: list[Strip] = []
    if not started or (block.joined and not block.fence):
        skip = 0
        while skip < len(strips) and is_blank(strips[skip]):
            skip += 1
        strips = strips[skip:]
    elif due and rendered.has_tokens and rendered.leaf_start and not block.joined:
        lines.append(BLANK)
    lines.extend(strips)
    if rendered.hidden:
        lines.extend(note(f"… {rendered.hidden:,} more characters in this block · {SHOW_ALL_HINT}"))
    return lines


def clip_text(text: str, limit: int) -> tuple[str, int]:
    """At most `limit` characters of `text` (cut at a line end when one is near), and how
    many were left out: for displays of unbounded server text such as tool arguments."""
    if len(text) <= limit:
        return text, 0
    cut = text.rfind("\n", 0, limit)
    if cut < limit // 2:
        cut = limit
    return text[:cut], len(text) - cut


def cut_block(block: Block, size: int) -> list[Block]:
    """A block as parts of at most `size` characters, cut at line ends where possible."""
    text = block.text
    if len(text) <= size:
        return [block]
    fence = block.fence
    if not fence and text.startswith(("```", "~~~")):
        fence = text.split("\n", 1)[0]
    pieces: list[str] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            newline = text.rfind("\n", start, end)
            if newline > start + size // 2:
                end = newline + 1
        pieces.append(text[start:end].strip("\n"))
        start = end
    last = len(pieces) - 1
    return [
        Block(
            piece,
            joined=block.joined or index > 0,
            open_end=block.open_end or index < last,
            fence=fence,
            span=(block.span[0] + index, block.span[0] + index + 1) if index else block.span,
        )
        for index, piece in enumerate(pieces)
        if piece.strip()
    ]
