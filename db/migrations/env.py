"""Alembic environment: the engine comes from portal.db (or DATABASE_URL)."""
from alembic import context
from sqlmodel import SQLModel

import portal.models  # noqa: F401  (registers every table)
from portal.db import get_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or get_engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
