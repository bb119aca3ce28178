"""Pictures taken out of a streaming reply's Markdown, a line at a time, equal a full scan."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from routmy_tui.core.image_items import MarkdownPictures, split_markdown_images

_PIECES = st.sampled_from(
    [
        "![a](data:image/png;base64,AAAA)",
        "![](data:image/gif;base64,R0lG)",
        "![b](data:image/png;base64,AA",
        "![x](data:foo ",
        "](data:",
        "![c](https://x.io/c.png)",
        ")",
        "(",
        "!",
        "[",
        "]",
        "\n",
        "\n\n",
        " ",
        "word",
        "*",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30), st.lists(st.integers(1, 12), min_size=1, max_size=40))
def test_pictures_taken_out_as_a_reply_streams_match_a_scan_of_the_whole_text(
    pieces: list[str], cuts: list[int]
) -> None:
    text = "".join(pieces)
    pictures = MarkdownPictures()
    at = 0
    for cut in cuts * (len(text) // max(1, sum(cuts)) + 1):
        at = min(len(text), at + cut)
        assert pictures.split(text[:at]) == split_markdown_images(text[:at])
        if at == len(text):
            break
    # A text that is not the old one plus more (another reply in the same item) starts over.
    other = "![z](data:image/png;base64,BB)\n" + text[::-1]
    assert pictures.split(other) == split_markdown_images(other)
