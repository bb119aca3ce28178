"""The block splitter: where streamed Markdown is cut, and that an open block stays small."""

from __future__ import annotations

from routmy_tui.core.markdown_blocks import (
    HTML_BLOCK_TAGS,
    PART_CHARS,
    PART_LINES,
    BlockSplitter,
    merge_parts,
)


def split(text: str, step: int = 1) -> BlockSplitter:
    """The text fed `step` characters at a time."""
    splitter = BlockSplitter()
    for end in range(0, len(text) + step, step):
        splitter.update(text[:end])
    return splitter


def texts(splitter: BlockSplitter) -> list[str]:
    return [block.text for block in splitter.finish()]


def test_blocks_end_at_a_blank_line_before_an_unindented_line() -> None:
    text = "# Title\n\nA paragraph\nstill it.\n\n    indented code\n\nLast.\n"
    assert texts(split(text)) == ["# Title", "A paragraph\nstill it.\n\n    indented code", "Last."]


def test_a_code_fence_is_never_cut_at_its_blank_lines() -> None:
    text = "```python\nx = 1\n\ny = 2\n\n~~~\n```\n\nAfter.\n"
    assert texts(split(text)) == ["```python\nx = 1\n\ny = 2\n\n~~~\n```", "After."]


def test_a_longer_fence_is_closed_only_by_as_long_a_fence() -> None:
    text = "````\n```\n\nstill code\n````\n\nAfter.\n"
    assert texts(split(text))[-1] == "After."
    assert len(texts(split(text))) == 2


def test_a_loose_list_stays_one_block_and_another_kind_of_list_starts_a_new_one() -> None:
    text = "- one\n\n- two\n\n  more\n\n- three\n\n1. first\n\n2. second\n\nEnd.\n"
    assert texts(split(text)) == [
        "- one\n\n- two\n\n  more\n\n- three",
        "1. first\n\n2. second",
        "End.",
    ]


def test_html_blocks_that_span_blank_lines_stay_whole() -> None:
    text = "<pre>\na\n\nb\n</pre>\n\n<!-- note\n\nstill -->\n\nEnd.\n"
    assert texts(split(text)) == ["<pre>\na\n\nb\n</pre>", "<!-- note\n\nstill -->", "End."]


def test_a_fence_or_comment_inside_an_html_block_that_a_blank_line_ends_opens_nothing() -> None:
    # `<div>` starts an HTML block up to the next blank line: the ``` in it is HTML, and
    # the ``` after the blank line opens a code block that runs to the end.
    text = "alpha\n\n<div>\n</div>\n```\n\n```\n\nbeta\n"
    assert texts(split(text)) == ["alpha", "<div>\n</div>\n```", "```\n\nbeta"]
    text = "<details>\n<!-- not a comment\n\n-->\n\nafter\n"
    assert texts(split(text)) == ["<details>\n<!-- not a comment", "-->", "after"]


def test_the_html_block_tags_are_those_of_the_parser() -> None:
    from markdown_it.common.html_blocks import block_names

    assert sorted(HTML_BLOCK_TAGS.split("|")) == sorted(block_names)


def test_a_long_paragraph_is_cut_into_parts_so_the_open_block_stays_small() -> None:
    lines = [f"row {i},{i * 3},alpha" for i in range(20 * PART_LINES)]
    text = "\n".join(lines) + "\n"
    splitter = BlockSplitter()
    longest_tail = 0
    for end in [*range(0, len(text), 7), len(text)]:
        splitter.update(text[:end])
        longest_tail = max(longest_tail, len(splitter.tail))
    assert longest_tail <= PART_CHARS
    blocks = splitter.finish()
    assert len(blocks) >= 20
    assert all(block.text.count("\n") < PART_LINES for block in blocks)
    assert [b.joined for b in blocks] == [False] + [True] * (len(blocks) - 1)
    assert [b.open_end for b in blocks] == [True] * (len(blocks) - 1) + [False]
    # Put back together, the parts are the paragraph as it was.
    assert [b.text for b in merge_parts(blocks, text, len(text))] == [text.strip("\n")]
    assert merge_parts(blocks, text, 100) == blocks  # too long to draw as one: kept in parts


def test_parts_of_a_long_code_block_know_their_fence() -> None:
    code = "\n".join(f"x{i} = {i}" for i in range(3 * PART_LINES))
    text = f"```python\n{code}\n```\n\nAfter.\n"
    blocks = split(text, 13).finish()
    parts = [b for b in blocks if b.fence]
    assert len(parts) >= 3
    assert all(b.fence == "```python" for b in parts)
    assert parts[0].text.startswith("```python\nx0 = 0")
    assert parts[-1].text.endswith("```")
    assert blocks[-1].text == "After."


def test_tables_and_a_single_long_line_are_not_cut() -> None:
    rows = "\n".join(f"| {i} | x |" for i in range(3 * PART_LINES))
    table = f"| a | b |\n|---|---|\n{rows}\n"
    assert len(split(table, 50).finish()) == 1
    line = "word " * 10_000
    splitter = split(line, 997)
    assert splitter.blocks == [] and splitter.tail == line  # the renderer caps what it draws


def test_update_reads_only_what_was_appended() -> None:
    splitter = BlockSplitter()
    text = "para\n\n" * 1000
    splitter.update(text)
    frozen = list(splitter.blocks)
    splitter.update(text + "more\n")
    assert splitter.blocks[: len(frozen)] == frozen
    assert [b.text for b in splitter.blocks[len(frozen) :]] == ["para"]
    assert splitter.tail == "more\n"
