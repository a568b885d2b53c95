"""The state store in PostgreSQL: the same tables and answers as the SQLite file, for
builds that run on more than one host (see docs/operations.md)."""
