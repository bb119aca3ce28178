"""Database schema: the ordered list of forward migrations."""

from __future__ import annotations

APPLICATION_ID = 0x526F7574
"""`PRAGMA application_id` of a routmy-tui database ("Rout"): a foreign SQLite file is refused."""

# Each migration is a list of single SQL statements, applied in order inside one transaction.
# Statements, not scripts: `executescript` would commit the surrounding transaction.
# Never edit a released migration; append a new one.
MIGRATIONS: list[list[str]] = [
    # 1: conversations, messages as a tree, exchanges, deduplicated images, full-text indexes.
    [
        """CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            title_custom INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            model TEXT,
            system_prompt TEXT,
            params_json TEXT NOT NULL DEFAULT '{}',
            current_leaf_id INTEGER,
            draft TEXT NOT NULL DEFAULT '',
            deleted_at REAL
        )""",
        "CREATE INDEX conversations_by_updated ON conversations (deleted_at, updated_at DESC)",
        """CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
            parent_id INTEGER REFERENCES messages (id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            content TEXT,
            reasoning TEXT NOT NULL DEFAULT '',
            tool_calls_json TEXT,
            tool_call_id TEXT,
            reasoning_details_json TEXT,
            status TEXT NOT NULL DEFAULT 'complete',
            error_json TEXT,
            model TEXT,
            usage_json TEXT,
            finish_reason TEXT,
            extra_json TEXT,
            owner TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )""",
        "CREATE INDEX messages_by_conversation ON messages (conversation_id, parent_id, id)",
        "CREATE INDEX messages_by_parent ON messages (parent_id, id)",
        "CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming'",
        """CREATE TABLE exchanges (
            message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
            data BLOB NOT NULL
        )""",
        """CREATE TABLE images (
            hash TEXT PRIMARY KEY,
            mime TEXT NOT NULL,
            data BLOB NOT NULL,
            created_at REAL NOT NULL
        )""",
        """CREATE TABLE message_images (
            message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            hash TEXT REFERENCES images (hash),
            url TEXT,
            PRIMARY KEY (message_id, position)
        )""",
        "CREATE INDEX message_images_by_hash ON message_images (hash)",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        # External-content FTS5 indexes: the text is stored once; triggers keep the index in sync.
        """CREATE VIRTUAL TABLE messages_fts USING fts5 (
            content, content='messages', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        )""",
        """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
            INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
        END""",
        """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content)
            VALUES ('delete', old.id, old.content);
        END""",
        """CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content)
            VALUES ('delete', old.id, old.content);
            INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
        END""",
        """CREATE VIRTUAL TABLE titles_fts USING fts5 (
            title, content='conversations', content_rowid='rowid',
            tokenize='unicode61 remove_diacritics 2'
        )""",
        """CREATE TRIGGER titles_fts_insert AFTER INSERT ON conversations BEGIN
            INSERT INTO titles_fts (rowid, title) VALUES (new.rowid, new.title);
        END""",
        """CREATE TRIGGER titles_fts_delete AFTER DELETE ON conversations BEGIN
            INSERT INTO titles_fts (titles_fts, rowid, title)
            VALUES ('delete', old.rowid, old.title);
        END""",
        """CREATE TRIGGER titles_fts_update AFTER UPDATE OF title ON conversations BEGIN
            INSERT INTO titles_fts (titles_fts, rowid, title)
            VALUES ('delete', old.rowid, old.title);
            INSERT INTO titles_fts (rowid, title) VALUES (new.rowid, new.title);
        END""",
        f"PRAGMA application_id = {APPLICATION_ID}",
    ],
    # 2: prefix indexes on the message text (search-as-you-type). The last word typed is a
    # prefix: without an index of its length, FTS5 merges the whole doclist of every word that
    # starts with it before it can return the newest rows (0.1-8 s over 1,000,000 messages);
    # with one, a prefix is read like a word (under a millisecond). About doubles the index.
    [
        "DROP TABLE messages_fts",
        """CREATE VIRTUAL TABLE messages_fts USING fts5 (
            content, content='messages', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2', prefix='2 3 4 5 6 7 8'
        )""",
        "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this code writes (`PRAGMA user_version`)."""
