"""Full-text search over conversation titles and message text."""

from __future__ import annotations

from routmy_tui.store.base import StoreBase
from routmy_tui.store.records import SNIPPET_END, SNIPPET_START, SearchHit


def build_match_query(text: str) -> str | None:
    """Turn what the user typed into a safe FTS5 query, or None when there is nothing to find.

    Every word is quoted (so `"`, `*`, `-`, `AND`, `NEAR(`, `:` are plain text and no input can
    be an FTS syntax error); all words must match; the last word also matches as a prefix
    unless the text ends with a space (search-as-you-type).
    """
    words = [word for word in text.split() if any(ch.isalnum() for ch in word)]
    if not words:
        return None
    parts = ['"' + word.replace('"', '""') + '"' for word in words]
    if not text[-1].isspace():
        parts[-1] += "*"
    return " ".join(parts)


_TITLE_SQL = """
SELECT c.id, c.title, highlight(titles_fts, 0, ?, ?)
FROM titles_fts JOIN conversations c ON c.rowid = titles_fts.rowid
WHERE titles_fts MATCH ? AND c.deleted_at IS NULL
ORDER BY c.updated_at DESC LIMIT ?
"""

_MESSAGE_SQL = """
SELECT m.conversation_id, m.id, c.title, m.role, snippet(messages_fts, 0, ?, ?, '…', 16)
FROM messages_fts
JOIN messages m ON m.id = messages_fts.rowid
JOIN conversations c ON c.id = m.conversation_id
WHERE messages_fts MATCH ? AND c.deleted_at IS NULL
ORDER BY messages_fts.rowid DESC LIMIT ?
"""
# Newest first, not by rank: FTS5 walks its index in rowid order and stops after LIMIT rows, so
# a word found in every message costs the same as a rare one, and snippets are only built for
# the rows returned. Ranking would score and snippet every match first (0.4 s for a word in
# all of 100,000 messages).


class SearchMixin(StoreBase):
    """Search methods of `Store`."""

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Find conversations by title and messages by text; deleted conversations are skipped.

        Title matches come first (newest conversation first), then message matches, newest first.
        Matching ignores case and accents; words may come in any order; the last word matches
        as a prefix. Any input is safe (see `build_match_query`).

        Args:
            query: What the user typed.
            limit: Most hits returned in all.

        Returns:
            Hits; each snippet marks matched terms with `SNIPPET_START`/`SNIPPET_END`.
        """
        match = build_match_query(query)
        if match is None or limit <= 0:
            return []
        marks = (SNIPPET_START, SNIPPET_END)
        with self._read() as conn:
            hits = [
                SearchHit(conversation_id=row[0], message_id=None, title=row[1], snippet=row[2])
                for row in conn.execute(_TITLE_SQL, (*marks, match, limit))
            ]
            left = limit - len(hits)
            if left > 0:
                hits.extend(
                    SearchHit(
                        conversation_id=row[0],
                        message_id=row[1],
                        title=row[2],
                        role=row[3],
                        snippet=row[4],
                    )
                    for row in conn.execute(_MESSAGE_SQL, (*marks, match, left))
                )
        return hits
