"""Alembic migrations of the cmq database (run programmatically by `cmq.store.schema`)."""
