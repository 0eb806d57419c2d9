"""nut_servers routes (being written)."""

from __future__ import annotations

from sanic import Blueprint

bp = Blueprint("nut_servers")
blueprints = Blueprint.group(bp)
