"""Database plumbing shared by the domain packages (policies_kb, consultations, agent_desk).

One place decides how a URL is resolved, how SQLite is made safe for several processes writing at
once, and how a package's own Alembic migrations run. Framework-free, like its users.
"""

from storage.database import (
    DEFAULT_DATABASE_URL,
    REPO_ROOT,
    make_engine,
    resolve_database_url,
    run_package_migrations,
    upgrade,
    write_engine,
)
from storage.unit_of_work import UnitOfWork

__all__ = [
    "DEFAULT_DATABASE_URL",
    "REPO_ROOT",
    "UnitOfWork",
    "make_engine",
    "resolve_database_url",
    "run_package_migrations",
    "upgrade",
    "write_engine",
]
