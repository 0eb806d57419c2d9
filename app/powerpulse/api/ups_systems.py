"""ups_systems routes (being written)."""

from __future__ import annotations

from sanic import Blueprint

bp = Blueprint("ups_systems")
blueprints = Blueprint.group(bp)
