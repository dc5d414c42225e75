"""The SQLite schema as a list of migrations, each moving a database one version forward.

`PRAGMA user_version` holds the version a database is at. Never edit a released entry: append a new one,
so a database created by any earlier release is carried forward step by step.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: headlines with title history, runs, validators
    """
    CREATE TABLE headlines (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        source TEXT NOT NULL,
        guid TEXT,
        published_at TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        sector TEXT,
        confidence REAL,
        tags TEXT,
        model_id TEXT,
        label TEXT,
        labeled_at TEXT
    );
    CREATE INDEX headlines_first_seen ON headlines (first_seen_at);
    CREATE INDEX headlines_source ON headlines (source);
    CREATE TABLE title_history (
        id INTEGER PRIMARY KEY,
        headline_id INTEGER NOT NULL REFERENCES headlines (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        replaced_at TEXT NOT NULL
    );
    CREATE TRIGGER keep_old_title AFTER UPDATE OF title ON headlines
    WHEN old.title IS NOT new.title
    BEGIN
        INSERT INTO title_history (headline_id, title, replaced_at)
        VALUES (old.id, old.title, new.last_seen_at);
    END;
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        crawl_id TEXT,
        source TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        found INTEGER NOT NULL DEFAULT 0,
        new INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        dropped TEXT NOT NULL DEFAULT '{}',
        error TEXT
    );
    CREATE INDEX runs_crawl ON runs (crawl_id);
    CREATE INDEX runs_source ON runs (source, started_at);
    CREATE TABLE validators (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        updated_at TEXT NOT NULL
    );
    """,
    # 2: the model's margin (for review by uncertainty), which process ran a run, and label provenance
    """
    ALTER TABLE headlines ADD COLUMN margin REAL;
    CREATE INDEX headlines_label ON headlines (label) WHERE label IS NOT NULL;
    ALTER TABLE runs ADD COLUMN host TEXT;
    ALTER TABLE runs ADD COLUMN pid INTEGER;
    CREATE INDEX runs_running ON runs (status) WHERE status = 'running';
    CREATE TABLE label_events (
        id INTEGER PRIMARY KEY,
        headline_id INTEGER NOT NULL REFERENCES headlines (id) ON DELETE CASCADE,
        label TEXT,
        via TEXT NOT NULL,
        reviewer TEXT,
        created_at TEXT NOT NULL,
        model_sector TEXT,
        model_confidence REAL,
        model_id TEXT
    );
    CREATE INDEX label_events_headline ON label_events (headline_id, id);
    """,
    # 3: how the current label came (review, import, rule), so rules never override a person
    """
    ALTER TABLE headlines ADD COLUMN label_via TEXT;
    UPDATE headlines SET label_via = 'import' WHERE label IS NOT NULL;
    """,
    # 4: export bookmarks (`export --new NAME`)
    """
    CREATE TABLE bookmarks (
        name TEXT PRIMARY KEY,
        last_id INTEGER NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
