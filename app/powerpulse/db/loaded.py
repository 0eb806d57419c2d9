"""Reading a relation that `prefetch_related` / `select_related` loaded, without a query."""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


def fetched(row: Any, relation: str, model: type[T]) -> T | None:
    """The related row if it was loaded, else None (Tortoise would answer a query object)."""
    value = row.__dict__.get(f"_{relation}")
    return value if isinstance(value, model) else None
