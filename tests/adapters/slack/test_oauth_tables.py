"""Migration 0002 creates exactly the tables slack_sdk's OAuth stores read and write."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, inspect

from storage.db import Database


def store_metadata() -> MetaData:
    metadata = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states")
    return metadata


def test_migration_builds_the_slack_stores_tables_exactly(database_url: str) -> None:
    metadata = store_metadata()
    names = set(metadata.tables)
    db = Database(database_url)
    try:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, kind, _parent: kind != "table" or name in names,
                },
            )
            diff = compare_metadata(context, metadata)
            indexes = {ix["name"] for table in names for ix in inspect(conn).get_indexes(table)}
        assert diff == [], f"migration 0002 and slack_sdk's stores disagree: {diff}"
        assert {"slack_installations_idx", "slack_bots_idx"} <= indexes
    finally:
        db.dispose()
