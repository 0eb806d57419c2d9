"""Database: models, the SQLite engine, connection set-up and migrations."""
