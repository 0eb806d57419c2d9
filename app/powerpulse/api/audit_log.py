"""`GET /api/audit-log`: who changed or did what (admins only), newest first; paged as JSON, or
streamed whole as CSV or JSON (`?format=` or `Accept: text/csv`, `powerpulse.export`).

Filters: `from`/`to` (ISO times), `user` (an id or a username; a token's actions are its
owner's), `action` (an exact action, or a prefix ending in `.` such as `nut_servers.`), and
`failed=true` for what was refused or failed (HTTP status 400 and above).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.queryset import QuerySet

from powerpulse.api import schemas
from powerpulse.api.auth import require_admin
from powerpulse.api.errors import bad_request
from powerpulse.api.report_filters import newest_first, time_range
from powerpulse.api.validation import ID_MAX
from powerpulse.db.models import AuditEntry
from powerpulse.export import pages as keyset
from powerpulse.export import stream as export
from powerpulse.timeutil import iso

bp = Blueprint("audit_log", url_prefix="/api/audit-log")

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
EXPORT_PAGE = 500

KEYS = tuple(schemas.AuditLogEntry.__annotations__)
TABLE = export.Table(keys=KEYS, headers=KEYS)


def entry_view(row: AuditEntry) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": iso(row.at),
        "userId": row.user_id,
        "username": row.username,
        "tokenId": row.token_id,
        "tokenName": row.token_name,
        "address": row.address,
        "action": row.action,
        "method": row.method,
        "path": row.path,
        "status": row.status,
        "targetType": row.target_type,
        "targetId": row.target_id,
        "targetName": row.target_name,
        "before": row.before,
        "after": row.after,
        "request": row.request,
    }


def _text_arg(request: Request, name: str, max_length: int) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if len(raw) > max_length:
        raise bad_request(name, f"{name} must be at most {max_length} characters")
    return raw


def filtered(request: Request) -> QuerySet[AuditEntry]:
    start, end = time_range(request)
    query = AuditEntry.all()
    if start is not None:
        query = query.filter(at__gte=start)
    if end is not None:
        query = query.filter(at__lte=end)
    if (user := _text_arg(request, "user", 64)) is not None:
        if user.isascii() and user.isdigit() and len(user) <= 10 and int(user) <= ID_MAX:
            query = query.filter(user_id=int(user))
        else:
            query = query.filter(username__iexact=user)
    if (action := _text_arg(request, "action", 96)) is not None:
        query = (
            query.filter(action__startswith=action)
            if action.endswith(".")
            else query.filter(action=action)
        )
    failed = request.args.get("failed")
    if failed not in (None, "", "true", "false"):
        raise bad_request("failed", "failed must be true or false")
    if failed == "true":
        query = query.filter(status__gte=400)
    elif failed == "false":
        query = query.filter(status__lt=400)
    return query


async def _export_pages(query: QuerySet[AuditEntry]) -> AsyncIterator[list[tuple[Any, ...]]]:
    async for page in keyset.by_id(query, descending=True, size=EXPORT_PAGE):
        yield [tuple(entry_view(r)[k] for k in KEYS) for r in page]


@bp.get("/")
@openapi.summary("The audit log: every change and action, who, when, from where (admins)")
@openapi.description(
    "Newest first. `from`/`to` (ISO times), `user` (id or username), `action` (exact, or a "
    "prefix ending in `.`), `failed=true|false`. JSON pages of `limit` (default 100, max 1000) "
    "with `cursor`; `format=csv|json` (or `Accept: text/csv`) streams every matching entry."
)
@schemas.returns(schemas.AuditLogPage, text="text/csv")
@require_admin
async def list_audit_log(request: Request) -> HTTPResponse | None:
    query = filtered(request)
    fmt = export.requested_format(request)
    if fmt is not None:
        start, end = time_range(request)
        name = export.file_name("audit-log", start, end, fmt)
        await export.respond(request, TABLE, fmt, name, _export_pages(query))
        return None
    page, next_cursor = await newest_first(
        request, query, default_limit=DEFAULT_LIMIT, max_limit=MAX_LIMIT
    )
    return json({"entries": [entry_view(r) for r in page], "nextCursor": next_cursor})
