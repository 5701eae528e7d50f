"""Storage: engine and sessions, SQLAlchemy models, Alembic migrations."""
