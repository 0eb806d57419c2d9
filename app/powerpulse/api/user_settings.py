"""user_settings routes (being written)."""

from __future__ import annotations

from sanic import Blueprint

bp = Blueprint("user_settings")
