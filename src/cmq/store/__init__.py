"""Persistence: SQLAlchemy tables, database connection, migrations, repository."""
