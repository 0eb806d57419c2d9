"""auth_routes routes (being written)."""

from __future__ import annotations

from sanic import Blueprint

bp = Blueprint("auth_routes")
