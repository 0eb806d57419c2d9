"""Tortoise models: the whole PowerPulse schema.

Writers: the api worker writes configuration (users, settings, servers, UPS); the poller writes
live state, samples, events and notification outcomes. Every configuration write bumps the
`config` counter (see `powerpulse.db.counters`) so that the poller reloads without a signal.

Model docstrings become SQL comments in the migrations: no semicolons in them.

Times are stored in UTC (Tortoise `use_tz=True`). Foreign keys cascade so that deleting a NUT
server deletes its UPS and everything recorded about them.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from powerpulse.roles import ROLE_ADMIN, ROLE_USER, ROLES

__all__ = ["ROLES", "ROLE_ADMIN", "ROLE_USER"]  # re-exported: `powerpulse.roles` owns them


class User(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    email = fields.CharField(max_length=254, null=True, unique=True)
    password_hash = fields.CharField(max_length=128)
    role = fields.CharField(max_length=16, default=ROLE_USER)
    # Bumped on password change, role change or deletion: tokens carrying an older value are
    # rejected at once, which is how a JWT is revoked before it expires.
    token_version = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Made by a single sign-on (`OidcIdentity`): no usable password, and never counted as the
    # local administrator that must always remain.
    sso_only = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "users"


class ApiToken(Model):
    """A personal API token. Only the SHA-256 of the secret is stored."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="api_tokens", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    scope = fields.CharField(max_length=8, default="read")  # read | role (roles.TOKEN_SCOPES)
    token_hash = fields.CharField(max_length=64, unique=True)
    # The first characters of the token, shown in lists so the owner can tell tokens apart.
    prefix = fields.CharField(max_length=16)
    expires_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    last_used_ip = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "api_tokens"


class OidcIdentity(Model):
    """A user's account at the OpenID provider (`iss` + `sub`): how a single sign-on finds them."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="oidc_identities", on_delete=fields.CASCADE
    )
    issuer = fields.CharField(max_length=255)
    subject = fields.CharField(max_length=255)
    last_login_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "oidc_identities"
        unique_together = (("issuer", "subject"),)


class OidcLogin(Model):
    """A single sign-on in progress: the state sent to the provider with its nonce and PKCE
    verifier, used once by the callback (and pruned after `oidc.flow.LOGIN_SECONDS`)."""

    state = fields.CharField(max_length=64, primary_key=True)
    nonce = fields.CharField(max_length=64)
    verifier = fields.CharField(max_length=128)
    next_path = fields.CharField(max_length=255, default="/")
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "oidc_logins"


class TwoFactor(Model):
    """A local account's TOTP second factor (`powerpulse.totp`): the secret sealed
    (`secret_box`), in force once a first code matched (`confirmed_at`); `last_step` refuses a
    code used before; recovery codes as SHA-256, each removed when used."""

    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="two_factor", on_delete=fields.CASCADE
    )
    secret = fields.CharField(max_length=255)
    confirmed_at = fields.DatetimeField(null=True)
    last_step = fields.BigIntField(default=0)
    recovery_hashes: Any = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "two_factors"


class AuditEntry(Model):
    """One change or action (`powerpulse.audit`): who, when, from where, what, and the subject
    before and after, secrets masked. No foreign keys: a record outlives the account, token or
    row it names, so the names are copied in."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    user_id = fields.IntField(null=True, db_index=True)
    username = fields.CharField(max_length=64, null=True)
    token_id = fields.IntField(null=True)
    token_name = fields.CharField(max_length=100, null=True)
    address = fields.CharField(max_length=64, null=True)
    action = fields.CharField(max_length=96, db_index=True)  # "<area>.<handler>", or "system.…"
    method = fields.CharField(max_length=8, null=True)
    path = fields.CharField(max_length=255, null=True)
    status = fields.IntField(null=True)  # the HTTP status answered
    target_type = fields.CharField(max_length=48, null=True)
    target_id = fields.CharField(max_length=32, null=True)
    target_name = fields.CharField(max_length=255, null=True)
    before: Any = fields.JSONField(null=True)
    after: Any = fields.JSONField(null=True)
    request: Any = fields.JSONField(null=True)  # the body sent, secrets masked

    class Meta:
        table = "audit_log"


class UserSettings(Model):
    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="settings", on_delete=fields.CASCADE
    )
    inactivity_timeout = fields.IntField(default=30)
    # The seed's discord/slack/email fields live in the user's personal notification channels
    # (`notify.personal`); these switches are the default rule of those channels.
    notifications_enabled = fields.BooleanField(default=True)
    battery_notifications = fields.BooleanField(default=True)
    low_battery_notifications = fields.BooleanField(default=True)
    poll_interval = fields.IntField(default=30)
    # Opt-in: a UPS self-test or calibration starting or ending notifies only these users.
    # db_default on every field added after 0001: SQLite cannot add a NOT NULL column without
    # a DEFAULT to a table that has rows.
    self_test_notifications = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "user_settings"


class NutServer(Model):
    id = fields.IntField(primary_key=True)
    host = fields.CharField(max_length=255)
    port = fields.IntField(default=3493)
    username = fields.CharField(max_length=255, null=True)
    # Write-only in the API. Stored as given: upsd needs the plain text on every connection.
    password = fields.CharField(max_length=255, null=True)
    starttls = fields.BooleanField(default=False)
    # UPS that rediscovery (LIST UPS) finds on this server are added without asking.
    auto_add = fields.BooleanField(default=True, db_default=True)
    # Optional site ("paris", "lab-2"): pollers started with POLLER_SITES take only their sites'
    # servers; the UI groups by it. None is the default site.
    site = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "nut_servers"
        unique_together = (("host", "port"),)


class UpsSystem(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=255)
    nickname = fields.CharField(max_length=255, null=True)
    nut_server: fields.ForeignKeyRelation[NutServer] = fields.ForeignKeyField(
        "models.NutServer", related_name="ups_systems", on_delete=fields.CASCADE
    )
    ups_name = fields.CharField(max_length=255)
    # Notifications of this UPS are recorded, not sent, until then (`notify.mutes`).
    muted_until = fields.DatetimeField(null=True)
    mute_reason = fields.CharField(max_length=200, null=True)
    # Free labels ("rack-a", "core") the dashboard, the kiosk and /metrics group and filter by
    # (`powerpulse.groups`). Null on rows older than the column means no tags.
    tags: Any = fields.JSONField(default=list, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ups_systems"
        unique_together = (("nut_server", "ups_name"),)


class UpsLiveState(Model):
    """What the poller last saw of one UPS. The api worker answers list requests from here."""

    ups: fields.OneToOneRelation[UpsSystem] = fields.OneToOneField(
        "models.UpsSystem", related_name="live", on_delete=fields.CASCADE, primary_key=True
    )
    variables: Any = fields.JSONField(default=dict)
    status_tokens = fields.CharField(max_length=255, default="")
    last_success_at = fields.DatetimeField(null=True)
    last_attempt_at = fields.DatetimeField(null=True)
    # Set while the last poll failed: a machine code (e.g. "data-stale", "unreachable") and words.
    error_code = fields.CharField(max_length=64, null=True)
    error_message = fields.TextField(null=True)
    # Monotonic across all rows (see counters.LIVE): the SSE watcher sends rows newer than the
    # last version it saw.
    version = fields.BigIntField(default=0, db_index=True)
    # The stable state event detection compares against, kept here so a restart neither repeats
    # nor misses an event.
    event_state: Any = fields.JSONField(null=True)
    # The upsmon clients attached to this UPS (upsd's LIST CLIENT: addresses), when last read.
    clients: Any = fields.JSONField(null=True)
    clients_at = fields.DatetimeField(null=True)

    ups_id: int  # the primary key's column (for the type checker)

    class Meta:
        table = "ups_live_state"


class Sample(Model):
    """One history point of one UPS. Runtime is in seconds, as NUT reports it."""

    id = fields.BigIntField(primary_key=True)
    ups: fields.ForeignKeyRelation[UpsSystem] = fields.ForeignKeyField(
        "models.UpsSystem", related_name="samples", on_delete=fields.CASCADE
    )
    timestamp = fields.DatetimeField(db_index=True)
    charge = fields.FloatField(null=True)
    runtime = fields.FloatField(null=True)
    load = fields.FloatField(null=True)
    input_voltage = fields.FloatField(null=True)
    output_voltage = fields.FloatField(null=True)
    battery_voltage = fields.FloatField(null=True)
    temperature = fields.FloatField(null=True)  # ups.temperature, else battery.temperature
    input_frequency = fields.FloatField(null=True)
    realpower = fields.FloatField(null=True)
    # Where `realpower` came from (energy.power.SOURCES): measured, or estimated from the load.
    power_source = fields.CharField(max_length=16, null=True)
    status = fields.CharField(max_length=255, null=True)

    class Meta:
        table = "samples"
        # Column names, not field names: SQLite takes an unknown quoted name in CREATE INDEX as
        # a string constant, so ("ups", ...) silently built a useless index.
        indexes = (("ups_id", "timestamp"),)


class SampleRollup(Model):
    """Hourly min / max / sum / count of one UPS's samples, kept next to the samples.

    A year of one-minute samples is 525600 rows per UPS and SQLite needs over half a second to
    aggregate that many, so long history ranges are answered from these rows instead (8760 a
    year). The poller upserts the row of the sample's hour in the transaction that writes the
    sample. `hour` is epoch seconds of the hour start (UTC).
    """

    id = fields.BigIntField(primary_key=True)
    ups: fields.ForeignKeyRelation[UpsSystem] = fields.ForeignKeyField(
        "models.UpsSystem", related_name="sample_rollups", on_delete=fields.CASCADE
    )
    hour = fields.BigIntField()
    samples = fields.IntField(default=0)
    charge_min = fields.FloatField(null=True)
    charge_max = fields.FloatField(null=True)
    charge_sum = fields.FloatField(default=0)
    charge_n = fields.IntField(default=0)
    runtime_min = fields.FloatField(null=True)
    runtime_max = fields.FloatField(null=True)
    runtime_sum = fields.FloatField(default=0)
    runtime_n = fields.IntField(default=0)
    load_min = fields.FloatField(null=True)
    load_max = fields.FloatField(null=True)
    load_sum = fields.FloatField(default=0)
    load_n = fields.IntField(default=0)
    input_voltage_min = fields.FloatField(null=True)
    input_voltage_max = fields.FloatField(null=True)
    input_voltage_sum = fields.FloatField(default=0)
    input_voltage_n = fields.IntField(default=0)
    output_voltage_min = fields.FloatField(null=True)
    output_voltage_max = fields.FloatField(null=True)
    output_voltage_sum = fields.FloatField(default=0)
    output_voltage_n = fields.IntField(default=0)
    battery_voltage_min = fields.FloatField(null=True)
    battery_voltage_max = fields.FloatField(null=True)
    battery_voltage_sum = fields.FloatField(default=0)
    battery_voltage_n = fields.IntField(default=0)
    # Added by 0006: a database default, so the rows of existing hours take the column.
    temperature_min = fields.FloatField(null=True)
    temperature_max = fields.FloatField(null=True)
    temperature_sum = fields.FloatField(default=0, db_default=0)
    temperature_n = fields.IntField(default=0, db_default=0)
    input_frequency_min = fields.FloatField(null=True)
    input_frequency_max = fields.FloatField(null=True)
    input_frequency_sum = fields.FloatField(default=0, db_default=0)
    input_frequency_n = fields.IntField(default=0, db_default=0)
    realpower_min = fields.FloatField(null=True)
    realpower_max = fields.FloatField(null=True)
    realpower_sum = fields.FloatField(default=0, db_default=0)
    realpower_n = fields.IntField(default=0, db_default=0)
    # Energy of the hour (energy.integrate): Wh between consecutive samples of this hour and
    # the seconds they cover; a gap longer than the limit is not covered (unknown, not zero).
    energy_wh = fields.FloatField(default=0, db_default=0)
    energy_seconds = fields.FloatField(default=0, db_default=0)
    power_estimated_n = fields.IntField(default=0, db_default=0)  # samples with estimated power

    class Meta:
        table = "sample_rollups"
        unique_together = (("ups", "hour"),)


class Event(Model):
    """A power event: an edge between two stable states of one UPS (or its NUT server)."""

    id = fields.BigIntField(primary_key=True)
    ups: fields.ForeignKeyRelation[UpsSystem] = fields.ForeignKeyField(
        "models.UpsSystem", related_name="events", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=32)
    previous_status = fields.CharField(max_length=64, default="")
    new_status = fields.CharField(max_length=64, default="")
    occurred_at = fields.DatetimeField(db_index=True)
    details: Any = fields.JSONField(default=dict)
    # Outbox flag: written False in the same transaction as the state change. The dispatcher
    # fans the event out to users' deliveries and sets it True in one transaction.
    dispatched = fields.BooleanField(default=False, db_index=True)

    ups_id: int  # the foreign key's column (for the type checker)

    class Meta:
        table = "events"
        indexes = (("ups_id", "occurred_at"),)


class NotificationLog(Model):
    """One notification to one user about one status change (the seed's history row)."""

    id = fields.BigIntField(primary_key=True)
    # The user told (personal channels); None for a rule's shared channels.
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notification_logs", on_delete=fields.CASCADE, null=True
    )
    rule: fields.ForeignKeyNullableRelation[AlertRule] = fields.ForeignKeyField(
        "models.AlertRule", related_name="notification_logs", on_delete=fields.SET_NULL, null=True
    )
    alert: fields.ForeignKeyNullableRelation[Alert] = fields.ForeignKeyField(
        "models.Alert", related_name="notification_logs", on_delete=fields.SET_NULL, null=True
    )
    drill: fields.ForeignKeyNullableRelation[Drill] = fields.ForeignKeyField(
        "models.Drill", related_name="notification_logs", on_delete=fields.CASCADE, null=True
    )
    # "muted": recorded, not sent (the UPS was muted); None: sent.
    suppressed = fields.CharField(max_length=16, null=True)
    ups: fields.ForeignKeyNullableRelation[UpsSystem] = fields.ForeignKeyField(
        "models.UpsSystem", related_name="notification_logs", on_delete=fields.CASCADE, null=True
    )
    event: fields.ForeignKeyNullableRelation[Event] = fields.ForeignKeyField(
        "models.Event", related_name="notification_logs", on_delete=fields.CASCADE, null=True
    )
    ups_name = fields.CharField(max_length=255, default="")
    status = fields.CharField(max_length=64, default="")
    previous_status = fields.CharField(max_length=64, default="")
    kind = fields.CharField(max_length=32, default="")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "notification_logs"


class NotificationDelivery(Model):
    """The outbox: one channel of one notification, from pending to delivered or failed."""

    id = fields.BigIntField(primary_key=True)
    log: fields.ForeignKeyRelation[NotificationLog] = fields.ForeignKeyField(
        "models.NotificationLog", related_name="deliveries", on_delete=fields.CASCADE
    )
    channel = fields.CharField(max_length=16)  # the channel kind (notify.channels.KINDS)
    # The channel row it goes to; its config is read at send time. None for an ad-hoc send
    # (a test of a URL not saved): then `target` holds the config as JSON. Never returned.
    notification_channel: fields.ForeignKeyNullableRelation[NotificationChannel] = (
        fields.ForeignKeyField(
            "models.NotificationChannel",
            related_name="deliveries",
            on_delete=fields.SET_NULL,
            null=True,
        )
    )
    target = fields.TextField(default="")
    payload: Any = fields.JSONField(default=dict)
    state = fields.CharField(max_length=16, default="pending", db_index=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True, db_index=True)
    claimed_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    duration_ms = fields.IntField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "notification_deliveries"


class Counter(Model):
    """Named monotonic counters shared by both workers (see `powerpulse.db.counters`)."""

    name = fields.CharField(max_length=32, primary_key=True)
    value = fields.BigIntField(default=0)

    class Meta:
        table = "counters"


class KeyValue(Model):
    """Small pieces of process-wide state (e.g. the last self-update result)."""

    key = fields.CharField(max_length=64, primary_key=True)
    value: Any = fields.JSONField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "key_values"


class RateLimitHit(Model):
    """One counted attempt under a rate limit, shared by every api instance (api/ratelimit.py).
    `bucket` is the limiter's name and a digest of its key; `at` is epoch seconds."""

    id = fields.BigIntField(primary_key=True)
    bucket = fields.CharField(max_length=128)
    at = fields.FloatField()

    class Meta:
        table = "rate_limit_hits"
        indexes = (("bucket", "at"),)


class UsedStreamTicket(Model):
    """The id of a stream ticket once it has opened a stream, until it expires: a second use
    is refused by whichever api instance it reaches."""

    jti = fields.CharField(max_length=64, primary_key=True)
    expires_at = fields.FloatField()  # epoch seconds

    class Meta:
        table = "used_stream_tickets"


class Poller(Model):
    """A running poller process, as it last reported itself (its heartbeat)."""

    id = fields.CharField(max_length=96, primary_key=True)  # host:pid:random, made at start
    host = fields.CharField(max_length=255)
    pid = fields.IntField()
    sites: Any = fields.JSONField(default=list)  # [] takes every site
    started_at = fields.DatetimeField()
    heartbeat_at = fields.DatetimeField()

    class Meta:
        table = "pollers"


class PollerLease(Model):
    """Which poller polls a NUT server, until when. A poller renews its leases every tick, and
    one that stops renewing loses them at `expires_at`: another poller takes them over."""

    nut_server: fields.OneToOneRelation[NutServer] = fields.OneToOneField(
        "models.NutServer", related_name="lease", on_delete=fields.CASCADE, primary_key=True
    )
    poller_id = fields.CharField(max_length=96)
    acquired_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()

    class Meta:
        table = "poller_leases"


class ApiInstance(Model):
    """A running api worker process (one per Sanic worker, in any container), as it last
    reported itself; listed by `/api/system/status`."""

    id = fields.CharField(max_length=96, primary_key=True)  # host:pid:random, made at start
    host = fields.CharField(max_length=255)
    pid = fields.IntField()
    started_at = fields.DatetimeField()
    heartbeat_at = fields.DatetimeField()

    class Meta:
        table = "api_instances"


class NotificationChannel(Model):
    """Somewhere notifications go: a service (`kind`, one of `notify.channels.KINDS`) and its
    config. `owner` None is a shared channel (admins manage it, rules use it); otherwise the
    user's personal channel. `slot` marks the personal channel behind one of the seed's fields
    (discord_webhook_url, slack_webhook_url, email_*): at most one per user and slot."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=32)
    name = fields.CharField(max_length=100)
    config: Any = fields.JSONField(default=dict)  # secrets inside: never returned by the API
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="channels", on_delete=fields.CASCADE, null=True
    )
    enabled = fields.BooleanField(default=True)
    slot = fields.CharField(max_length=16, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "notification_channels"
        unique_together = (("owner", "slot"),)


class AlertRule(Model):
    """What goes where: events of some UPS to some shared channels (`notify.rules`)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    enabled = fields.BooleanField(default=True)
    ups: Any = fields.JSONField(null=True)  # None: every UPS; else a list of UPS ids
    events: Any = fields.JSONField(default=list)  # event kinds
    channels: Any = fields.JSONField(default=list)  # shared channel ids
    repeat_every = fields.IntField(null=True)  # seconds, while the condition holds
    templates: Any = fields.JSONField(default=dict)  # kind -> {"title", "body"}
    # Low battery and forced shutdown ignore mutes unless the rule says otherwise.
    mute_critical = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "alert_rules"


class MessageTemplate(Model):
    """An admin's wording of one event kind for every channel (Jinja2, `notify.templating`)."""

    kind = fields.CharField(max_length=32, primary_key=True)
    title = fields.TextField(default="")
    body = fields.TextField(default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "message_templates"


class MaintenanceWindow(Model):
    """A weekly period in which a UPS (or every UPS: `ups` None) is muted."""

    id = fields.IntField(primary_key=True)
    ups: fields.ForeignKeyNullableRelation[UpsSystem] = fields.ForeignKeyField(
        "models.UpsSystem", related_name="maintenance_windows", on_delete=fields.CASCADE, null=True
    )
    days: Any = fields.JSONField(default=list)  # 0 = Monday … 6 = Sunday
    start = fields.CharField(max_length=5)  # "HH:MM" in `timezone`
    minutes = fields.IntField()
    timezone = fields.CharField(max_length=64, default="UTC")
    reason = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "maintenance_windows"


class Alert(Model):
    """An ongoing condition (on battery, overload, a threshold …) from its event until it
    clears: what repeats while it holds, and what people acknowledge."""

    id = fields.BigIntField(primary_key=True)
    ups: fields.ForeignKeyRelation[UpsSystem] = fields.ForeignKeyField(
        "models.UpsSystem", related_name="alerts", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=32)
    condition = fields.CharField(max_length=64)  # what must hold (notify.conditions)
    event: fields.ForeignKeyNullableRelation[Event] = fields.ForeignKeyField(
        "models.Event", related_name="alerts", on_delete=fields.SET_NULL, null=True
    )
    status = fields.CharField(max_length=64, default="")
    started_at = fields.DatetimeField()
    cleared_at = fields.DatetimeField(null=True, db_index=True)
    acknowledged_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="acknowledged_alerts", on_delete=fields.SET_NULL, null=True
    )
    acknowledged_name = fields.CharField(max_length=64, null=True)
    acknowledged_at = fields.DatetimeField(null=True)
    acknowledged_note = fields.CharField(max_length=200, null=True)
    repeats: Any = fields.JSONField(default=dict)  # rule id -> [count, last sent epoch]
    version = fields.IntField(default=0)  # conditional updates: one dispatcher repeats

    class Meta:
        table = "alerts"


class Drill(Model):
    """A rehearsed outage of one UPS: messages marked as a drill, no event, no state."""

    id = fields.IntField(primary_key=True)
    ups: fields.ForeignKeyRelation[UpsSystem] = fields.ForeignKeyField(
        "models.UpsSystem", related_name="drills", on_delete=fields.CASCADE
    )
    started_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="drills", on_delete=fields.SET_NULL, null=True
    )
    restore_after = fields.IntField()
    started_at = fields.DatetimeField()

    class Meta:
        table = "drills"


class Threshold(Model):
    """A reading that becomes an event: it fires after `hold` seconds past its limit and clears
    once back past the limit by `hysteresis` for as long (`poller.thresholds`)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    enabled = fields.BooleanField(default=True)
    ups: Any = fields.JSONField(null=True)  # None: every UPS; else a list of UPS ids
    metric = fields.CharField(max_length=32)  # poller.thresholds.METRICS
    above = fields.FloatField(null=True)  # fires above this …
    below = fields.FloatField(null=True)  # … or below this (both: outside a range)
    hold = fields.IntField(default=30)
    hysteresis = fields.FloatField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "thresholds"


class ProtectedHost(Model):
    """A host an operator says must stay attached to a UPS as an upsmon client (LIST CLIENT
    shows its address): when it stops listening, an alert says so (`shutdown.coverage`)."""

    id = fields.IntField(primary_key=True)
    ups: fields.ForeignKeyRelation[UpsSystem] = fields.ForeignKeyField(
        "models.UpsSystem", related_name="protected_hosts", on_delete=fields.CASCADE
    )
    host = fields.CharField(max_length=255)  # as upsd lists it: usually an IP address
    label = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "protected_hosts"
        unique_together = (("ups", "host"),)


class ShutdownPlan(Model):
    """A shutdown plan: its definition is `shutdown.plan`'s JSON (secrets sealed)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    enabled = fields.BooleanField(default=True)
    definition: Any = fields.JSONField(default=dict)
    updated_by = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "shutdown_plans"


class ShutdownRun(Model):
    """One run of a plan, from its trigger to its end (and the restore sequence after it).

    `definition` is the plan as it was when the run started. `active_plan_id` is the plan's id
    while the run is not finished and NULL after: unique, so one plan has one active run even
    with several engines. `claimed_by` / `claimed_until` is the engine driving it (a lease: a
    killed engine's run is taken over when it expires)."""

    id = fields.IntField(primary_key=True)
    plan: fields.ForeignKeyNullableRelation[ShutdownPlan] = fields.ForeignKeyField(
        "models.ShutdownPlan", related_name="runs", on_delete=fields.SET_NULL, null=True
    )
    plan_name = fields.CharField(max_length=100)
    definition: Any = fields.JSONField(default=dict)
    state = fields.CharField(max_length=16, default="running", db_index=True)
    trigger: Any = fields.JSONField(default=dict)
    reason = fields.TextField(null=True)  # why it ended (or was cancelled)
    phase = fields.IntField(default=0)  # the phase running or next; len(phases) once all ran
    phase_due_at = fields.DatetimeField(null=True)  # when `phase` starts (its delay passed)
    phase_started_at = fields.DatetimeField(null=True)
    restore_since = fields.DatetimeField(null=True)  # mains steadily back since
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    active_plan_id = fields.IntField(null=True, unique=True)
    claimed_by = fields.CharField(max_length=96, null=True)
    claimed_until = fields.DatetimeField(null=True)
    started_by = fields.CharField(max_length=64, null=True)  # None: a trigger; else a user
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "shutdown_runs"


class ShutdownStep(Model):
    """One action of a run: `section` "phase" (with `phase`) or "restore", `position` its place
    in that list. State: pending, running, succeeded, failed, timed_out, skipped."""

    id = fields.BigIntField(primary_key=True)
    run: fields.ForeignKeyRelation[ShutdownRun] = fields.ForeignKeyField(
        "models.ShutdownRun", related_name="steps", on_delete=fields.CASCADE
    )
    section = fields.CharField(max_length=8, default="phase")
    phase = fields.IntField(default=0)
    position = fields.IntField(default=0)
    action_id = fields.CharField(max_length=16)
    action_type = fields.CharField(max_length=16)
    description = fields.TextField(default="")
    state = fields.CharField(max_length=16, default="pending")
    attempts = fields.IntField(default=0)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    exit_code = fields.IntField(null=True)
    output = fields.TextField(default="")
    error = fields.TextField(null=True)

    class Meta:
        table = "shutdown_steps"
        unique_together = (("run", "section", "phase", "position"),)


class BatteryInstall(Model):
    """One battery (set) in one UPS: when it went in, how long it should last, when it came out.

    The current battery has `replaced_at` NULL and `current_ups_id` = its UPS id (unique, so one
    current battery per UPS on every engine). `source` is "device" (battery.date or
    battery.mfr.date) or "admin". `expected_life_months` NULL: the default of its battery type."""

    id = fields.IntField(primary_key=True)
    ups: fields.ForeignKeyRelation[UpsSystem] = fields.ForeignKeyField(
        "models.UpsSystem", related_name="battery_installs", on_delete=fields.CASCADE
    )
    installed_on = fields.DateField()
    source = fields.CharField(max_length=16, default="admin")
    expected_life_months = fields.IntField(null=True)
    note = fields.CharField(max_length=200, default="")
    replaced_at = fields.DatetimeField(null=True)
    current_ups_id = fields.IntField(null=True, unique=True)
    age_alerted_at = fields.DatetimeField(null=True)  # its battery_age event was written
    created_by = fields.CharField(max_length=64, null=True)  # None: read from the device
    created_at = fields.DatetimeField(auto_now_add=True)

    ups_id: int  # the foreign key's column (for the type checker)

    class Meta:
        table = "battery_installs"


class SelfTestSchedule(Model):
    """When battery self-tests run: weekly (`weekday` 0 = Monday) or monthly (`day_of_month`
    1-28) at `time_of_day` ("HH:MM" in `timezone`), for `ups` (NULL: every UPS) with the safety
    limits. `last_due_at` is the last occurrence handled: each occurrence runs once."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    enabled = fields.BooleanField(default=True)
    ups: Any = fields.JSONField(null=True)  # None: every UPS; else a list of UPS ids
    test_type = fields.CharField(max_length=8, default="quick")  # quick | deep
    frequency = fields.CharField(max_length=8, default="monthly")  # weekly | monthly
    weekday = fields.IntField(null=True)
    day_of_month = fields.IntField(null=True)
    time_of_day = fields.CharField(max_length=5, default="03:00")
    timezone = fields.CharField(max_length=64, default="UTC")
    min_charge = fields.FloatField(default=90)
    quiet_hours = fields.IntField(default=24)  # no outage in the last this many hours
    last_due_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "self_test_schedules"


class SelfTest(Model):
    """One battery self-test of one UPS, asked for by a schedule or a user.

    State: blocked (a safety rule, in `reason`), error (the command failed), requested (sent,
    not seen running yet), running, then passed / failed / aborted / unknown
    (nut.test_result). `readings`: charge, runtime, voltage and load at the start, lowest and
    end. `active_ups_id` is the UPS id while requested or running (unique: one at a time)."""

    id = fields.BigIntField(primary_key=True)
    ups: fields.ForeignKeyRelation[UpsSystem] = fields.ForeignKeyField(
        "models.UpsSystem", related_name="self_tests", on_delete=fields.CASCADE
    )
    schedule: fields.ForeignKeyNullableRelation[SelfTestSchedule] = fields.ForeignKeyField(
        "models.SelfTestSchedule", related_name="tests", on_delete=fields.SET_NULL, null=True
    )
    test_type = fields.CharField(max_length=8, default="quick")
    command = fields.CharField(max_length=64, default="")
    state = fields.CharField(max_length=16, default="requested", db_index=True)
    reason = fields.TextField(null=True)
    raw_result = fields.CharField(max_length=255, null=True)  # ups.test.result, as worded
    requested_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    readings: Any = fields.JSONField(default=dict)
    active_ups_id = fields.IntField(null=True, unique=True)
    started_by = fields.CharField(max_length=64, null=True)  # None: a schedule
    alerted = fields.BooleanField(default=False)

    ups_id: int  # the foreign keys' columns (for the type checker)
    schedule_id: int | None

    class Meta:
        table = "self_tests"
        indexes = (("ups_id", "requested_at"),)


class Outage(Model):
    """One power failure of one UPS, from its on_battery event to its online event.

    Event ids are plain columns, not foreign keys: the record outlives event retention.
    `ended_at` NULL: still on battery. Energy is what the load drew from the battery
    (energy.integrate), `energy_coverage` the share of the outage with power readings
    (0-1; NULL: no readings at all). `shutdown_runs`: [{id, plan, state}] of runs started
    during it."""

    id = fields.BigIntField(primary_key=True)
    ups: fields.ForeignKeyRelation[UpsSystem] = fields.ForeignKeyField(
        "models.UpsSystem", related_name="outages", on_delete=fields.CASCADE
    )
    start_event_id = fields.BigIntField(unique=True)
    end_event_id = fields.BigIntField(null=True)
    started_at = fields.DatetimeField(db_index=True)
    ended_at = fields.DatetimeField(null=True)
    duration_seconds = fields.FloatField(null=True)
    min_charge = fields.FloatField(null=True)
    min_runtime = fields.FloatField(null=True)  # seconds
    energy_wh = fields.FloatField(null=True)
    energy_coverage = fields.FloatField(null=True)
    shutdown_runs: Any = fields.JSONField(default=list)
    updated_at = fields.DatetimeField(auto_now=True)

    ups_id: int  # the foreign key's column (for the type checker)

    class Meta:
        table = "outages"
        indexes = (("ups_id", "started_at"),)


class DigestSchedule(Model):
    """A report sent through shared channels: `period` daily, weekly (Monday) or monthly
    (the 1st), at `hour` in `timezone`, covering the period just ended. `last_period` is the
    key of the period last sent ("2026-12-04", "2026-W49", "2026-11"): each is sent once."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    enabled = fields.BooleanField(default=True)
    period = fields.CharField(max_length=8, default="weekly")
    hour = fields.IntField(default=8)
    timezone = fields.CharField(max_length=64, default="UTC")
    channels: Any = fields.JSONField(default=list)  # shared channel ids
    last_period = fields.CharField(max_length=16, null=True)
    last_sent_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "digest_schedules"
