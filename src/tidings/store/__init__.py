"""The store: SQLAlchemy over SQLite (WAL) by default, any SQLAlchemy URL (PostgreSQL) to scale out.

Stages never import it; the pipeline opens a `Transaction` per document and hands the stages the
interfaces they need (see `db.Transaction`). Read queries for the CLI and the web live in `queries`.
"""

from tidings.store.db import Store, StoreError, Transaction

__all__ = ["Store", "StoreError", "Transaction"]
