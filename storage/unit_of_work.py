"""One database transaction per use case, the house style of the domain packages.

`with SomeUnitOfWork(engine, write=True) as repo:` commits when the block ends normally and rolls
back when it raises. Write transactions start with BEGIN IMMEDIATE on SQLite, so a read followed by
a write cannot fail half-way on another writer's lock. A package subclasses it with its repository:

    class UnitOfWork(storage.UnitOfWork[Repository]):
        repository = Repository
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import ClassVar, Generic, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from storage.database import write_engine

R = TypeVar("R")


class UnitOfWork(Generic[R]):
    repository: ClassVar[Callable[[Session], R]]  # type: ignore[misc]

    def __init__(self, engine: Engine, *, write: bool = False) -> None:
        self._session = Session(write_engine(engine) if write else engine, future=True)

    def __enter__(self) -> R:
        self._session.begin()
        return type(self).repository(self._session)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                self._session.commit()
            else:
                self._session.rollback()
        finally:
            self._session.close()
