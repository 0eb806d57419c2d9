"""users routes (being written)."""

from __future__ import annotations

from sanic import Blueprint

bp = Blueprint("users")
