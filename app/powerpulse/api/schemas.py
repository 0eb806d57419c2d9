"""Every response shape of the API, declared once, and how it reaches the OpenAPI document.

The shapes are TypedDicts (the serializers build plain dicts; the shapes say what is in them).
Pydantic turns each into a JSON schema, which is rewritten to OpenAPI 3.0 (the version sanic-ext
declares) and registered as a component under the class name; routes refer to it with

    @schemas.returns(schemas.Ups)               # 200, application/json
    @schemas.returns(list[schemas.Ups])         # an array of them
    @schemas.returns(schemas.UpsCreated, 201)
    @schemas.accepts(schemas.LoginBody)         # a request body

`/docs/openapi.json` is what the web UI's TypeScript types are generated from
(`scripts/openapi_dump.py`, `npm run gen:api`), and tests validate real answers against these
classes (`validator(Ups)`), so a field the API sends and the document does not name fails a test.

Response shapes are closed (`additionalProperties: false`): every field is declared. Request
bodies are open (the API ignores fields it does not know) and every field in them is optional;
the handlers validate and answer 400 naming the field.
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, NotRequired, Required, TypeVar, get_args, get_origin

from pydantic import AfterValidator, ConfigDict, TypeAdapter, WithJsonSchema, with_config
from sanic_ext import openapi
from sanic_ext.extensions.openapi.builders import SpecificationBuilder
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

from powerpulse.nut.units import Flag as VariableFlag
from powerpulse.nut.units import Kind as VariableKind
from powerpulse.oidc.flow import SignOnCode
from powerpulse.shutdown.states import ActiveRunState, RunState, StepState

T = TypeVar("T")
REF_PREFIX = "#/components/schemas/"

_CLOSED = ConfigDict(extra="forbid")
_OPEN = ConfigDict(extra="allow")
closed = with_config(_CLOSED)  # a response: every field declared
open_body = with_config(_OPEN)  # a request body or a free-form record


def _iso(value: str) -> str:
    datetime.fromisoformat(value)  # raises ValueError (a validation error) when it is not one
    return value


IsoTime = Annotated[
    str, AfterValidator(_iso), WithJsonSchema({"type": "string", "format": "date-time"})
]
"""An ISO 8601 UTC time as the API writes it: `2025-02-27T12:00:00.000Z`."""

Details = dict[str, Any]
"""A detail group: camelCase NUT variable names → parsed value (only what the UPS reports)."""

# --- the status model (values must match `powerpulse.nut.status`; tests/api check they do) ----

# Ranked best to worst, as nut.status ranks them: not knowing is worse than good news.
Severity = Literal["ok", "info", "unknown", "warning", "critical"]
PowerStateCode = Literal[
    "online", "on_battery", "low_battery", "fsd", "calibration", "self_test", "off", "unknown"
]
PowerStateLabel = Literal[
    "Online",
    "On Battery",
    "Low Battery",
    "Forced Shutdown",
    "Calibration",
    "Self Test",
    "Off",
    "Unknown",
]
SummaryBucket = Literal["online", "onBattery", "alarm", "unknown"]
# The same four as `powerpulse.roles.ROLES` (a test keeps them equal).
Role = Literal["viewer", "user", "operator", "admin"]


@closed
class Message(TypedDict):
    """An answer that only says what happened."""

    message: str


@closed
class ErrorInfo(TypedDict):
    """What went wrong talking to upsd: a machine code and a human message."""

    code: str
    message: str


@open_body
class ErrorBody(TypedDict):
    """Every error answer (4xx/5xx). Some carry more: `field` (400: the field to fix),
    `retryAfter` (429, seconds), `results` (502 of a send: each channel's outcome)."""

    message: str
    error: str
    """A machine code, e.g. `validation_error`, `not_found`, `rate_limited`."""
    field: NotRequired[str]
    retryAfter: NotRequired[int]


# --- UPS -----------------------------------------------------------------------------------------


@closed
class Condition(TypedDict):
    """A battery or alarm condition beside the power state (never the headline)."""

    code: str
    """replace_battery, overload, bypass, alarm, charging, discharging, trimming, boosting,
    high_battery, eco, low_battery (LB while on line), off, calibration, self_test, unknown_flag."""
    label: str
    severity: Severity


@closed
class LastKnown(TypedDict):
    """The last fresh state and readings, kept while the live fields say "Unknown"."""

    at: IsoTime
    status: PowerStateLabel
    powerState: PowerStateCode
    severity: Severity
    conditions: list[Condition]
    statusTokens: list[str]
    batteryCharge: int | None
    batteryVoltage: float | None
    inputVoltage: float | None
    outputVoltage: float | None
    runtimeRemaining: int | None
    """Minutes."""
    load: int | None
    temperature: float | None


@closed
class KioskUps(TypedDict):
    """A UPS as the public kiosk (and the kiosk stream) sends it: no driver details, serials or
    error texts."""

    id: int
    name: str
    nickname: str | None
    displayName: str
    """The nickname, else the UPS's own `ups.id`, else its name."""
    upsName: str
    """The UPS's name on its NUT server."""
    nutServerId: int
    site: str | None
    """Its NUT server's site (null: the server has none)."""
    tags: list[str]
    """Labels an admin gave it: the dashboard, the kiosk and `/metrics` group and filter by them."""
    status: PowerStateLabel
    """The power state only; "Unknown" while the data is stale or the server unreachable."""
    model: str | None
    batteryCharge: int | None
    """Percent."""
    batteryVoltage: float | None
    inputVoltage: float | None
    outputVoltage: float | None
    runtimeRemaining: int | None
    """Minutes."""
    load: int | None
    """Percent."""
    temperature: float | None
    """Degrees Celsius."""
    batteryDetails: Details
    deviceDetails: Details
    inputDetails: Details
    outputDetails: Details
    upsDetails: Details
    powerState: PowerStateCode
    conditions: list[Condition]
    severity: Severity
    """The worst of the power state's and the conditions' severities."""
    summaryBucket: SummaryBucket
    statusTokens: list[str]
    """The raw `ups.status` tokens (empty while the data is not live)."""
    lastKnown: LastKnown | None
    lastUpdated: IsoTime | None
    """The last successful poll."""
    stale: bool
    reachable: bool | None
    """null: not polled yet."""
    error: ErrorInfo | None


@closed
class Ups(KioskUps):
    """A UPS with its live state (`GET /api/ups-systems`, `/:id`, the `ups` stream message):
    the kiosk's fields and the driver's details."""

    driverDetails: Details
    """Driver name/version/state, and its configuration under `parameters`."""
    mutedUntil: IsoTime | None
    """Its notifications are recorded, not sent, until then (null: not muted; maintenance
    windows are listed at `/api/maintenance-windows`)."""
    muteReason: str | None


@closed
class ServerAddress(TypedDict):
    id: int
    host: str
    port: int


@closed
class DebugUps(Ups):
    """`GET /api/debug/ups-status-raw`: a UPS as the poller last saw it."""

    raw_status: str
    """`ups.status` exactly as upsd last sent it."""
    server: ServerAddress


@closed
class UpsRef(TypedDict):
    """A UPS named in a setup or server answer (e.g. one discovery added)."""

    id: int
    name: str
    upsName: str
    nutServerId: int


@closed
class UpsConfig(TypedDict):
    """A UPS's configuration after a create or an update."""

    message: str
    id: int
    name: str
    nickname: str | None
    nutServerId: int
    upsName: str
    site: str | None
    tags: list[str]


@closed
class NicknameSet(TypedDict):
    message: str
    id: int
    nickname: str | None


@closed
class UpsDeleted(TypedDict):
    message: str
    id: int


@closed
class BatterySample(TypedDict):
    """A battery charge sample (the seed's names)."""

    id: int
    ups_id: int
    charge_percent: float | None
    timestamp: IsoTime


@closed
class BatteryRecorded(TypedDict):
    message: str
    id: int
    upsId: int
    chargePercent: float
    timestamp: IsoTime


@closed
class Outage(TypedDict):
    """A power failure, from its on_battery event to the online event that ended it."""

    durationSeconds: int
    """Until the restore was confirmed (it includes the restore hold of about two polls)."""
    lowestCharge: float | None
    """Percent: the lowest battery.charge the events and samples between them recorded."""
    startedAt: IsoTime
    """When the on_battery event occurred."""


@closed
class UpsEvent(TypedDict):
    """A power event of one UPS."""

    id: int
    upsId: int
    kind: str
    """on_battery, online, low_battery, fsd, replace_battery, overload, bypass, off, comm_lost,
    comm_restored, self_test, ups_added, ups_removed, host_unprotected, host_protected,
    battery_age."""
    previousStatus: str
    newStatus: str
    occurredAt: IsoTime
    details: dict[str, Any]
    """Readings at the time; self_test: `phase` ("started"/"ended") and `result`."""
    dispatched: bool
    """Notifications for it have been queued."""
    outage: Outage | None
    """kind online: the power failure it ended (null: other kinds, or no matching
    on_battery event)."""


@closed
class EventsPage(TypedDict):
    """Events newest first; pass `nextBefore` as `?before=` for the next page (null: no more)."""

    events: list[UpsEvent]
    nextBefore: int | None


@closed
class MinAvgMax(TypedDict):
    min: float | None
    avg: float | None
    max: float | None


@closed
class HistoryPoint(TypedDict):
    """One time bucket: samples in it and min/avg/max of each reading."""

    time: IsoTime
    """Start of the bucket."""
    samples: int
    charge: MinAvgMax
    runtimeSeconds: MinAvgMax
    load: MinAvgMax
    inputVoltage: MinAvgMax
    outputVoltage: MinAvgMax
    batteryVoltage: MinAvgMax
    temperature: MinAvgMax
    """°C: `ups.temperature`, else `battery.temperature`."""
    inputFrequency: MinAvgMax
    realPower: MinAvgMax


@closed
class HistoryMetric(TypedDict):
    """One reading the history keeps (a field of `HistoryPoint`)."""

    name: str
    """Its field in `HistoryPoint` and its column in the CSV."""
    label: str
    """English; the UI translates by `name`."""
    unit: str
    """Of the values served: "%", "s", "V", "°C", "Hz", "W"."""
    chart: str
    """Metrics with the same `chart` are drawn in one chart (the voltages)."""
    variables: list[str]
    """The NUT variables it is read from, the first one reported wins."""
    min: float
    max: float
    """Its physical range: a reading outside it is stored as none."""


@closed
class HistoryMetrics(TypedDict):
    """`GET /api/history/metrics`: every metric of the history, in display order."""

    metrics: list[HistoryMetric]


# Functional form: "from" is a Python keyword.
HistoryResponse = TypedDict(
    "HistoryResponse",
    {
        "upsId": int,
        "from": IsoTime,
        "to": IsoTime,
        "bucketSeconds": int,
        "source": Literal["samples", "hourly"],
        "points": list[HistoryPoint],
        "sampleSeconds": float,
        "firstSample": IsoTime | None,
    },
)
closed(HistoryResponse)
HistoryResponse.__doc__ = """Time buckets from `from` to `to` (source: raw samples, or hourly
rollups for long ranges); buckets without samples are left out. `sampleSeconds`: the interval
samples are stored at (`HISTORY_INTERVAL`), so a longer stretch without buckets is a gap in the
data; `firstSample`: the time of the UPS's oldest stored sample (null: none yet)."""


@closed
class UpsCommand(TypedDict):
    """An instant command the UPS lists."""

    name: str
    description: str
    warning: str | None
    """What the command does to the load, when it needs `confirm`."""
    allowed: bool
    """Whether the caller may run it: operators run only the commands without a warning."""


@closed
class UpsCommands(TypedDict):
    commands: list[UpsCommand]
    credentials: bool
    """The server has a NUT user configured (upsd needs one to run commands)."""


@closed
class CommandSent(TypedDict):
    message: str
    command: str


@closed
class WritableVariable(TypedDict):
    """A writable NUT variable with what upsd says about its type."""

    name: str
    value: str
    description: str
    type: Literal["string", "number", "enum", "range"]
    maxLength: int | None
    options: list[str]
    ranges: list[tuple[float, float]]
    """Allowed [low, high] pairs (type range)."""


@closed
class UpsVariables(TypedDict):
    variables: list[WritableVariable]
    credentials: bool


@closed
class VariableSet(TypedDict):
    message: str
    name: str
    value: str


@closed
class NutVariable(TypedDict):
    """One NUT variable as the UPS last reported it, with what the UI needs to show it
    (`powerpulse.nut.units` owns the kinds and units)."""

    name: str
    value: str
    """Exactly what upsd sent (display-safe): the UI shows it on hover."""
    kind: VariableKind
    unit: str
    """"V", "A", "Hz", "W", "VA", "°C", "%", "s" (a duration), or "" (date, boolean, text)."""
    number: float | None
    """The value when it is a number inside its quantity's range (null: show `value`)."""
    date: str | None
    """kind date: the day as `YYYY-MM-DD` when `value` could be read as one."""
    flag: VariableFlag | None
    """kind boolean: the normalised word (true/Y → yes); null: show `value`."""
    description: str | None
    """What upsd says the variable is (`GET DESC`); null: none, or not fetched yet."""


@closed
class UpsNutVariables(TypedDict):
    """`GET /api/ups-systems/:id/nut-variables`: every variable of the last successful poll,
    sorted by name."""

    upsId: int
    lastUpdated: IsoTime | None
    variables: list[NutVariable]


# --- status model --------------------------------------------------------------------------------


@closed
class PowerStateInfo(TypedDict):
    code: PowerStateCode
    label: PowerStateLabel
    severity: Severity
    bucket: SummaryBucket
    """The summary bucket when no condition is worse than the power state."""


@closed
class ConditionInfo(TypedDict):
    code: str
    label: str
    """`{token}` in unknown_flag's label stands for the token."""
    severity: Severity
    token: str
    """The `ups.status` token (empty for unknown_flag)."""


@closed
class BucketInfo(TypedDict):
    code: SummaryBucket
    label: str


@closed
class TokenInfo(TypedDict):
    token: str
    meaning: str


@closed
class StatusModel(TypedDict):
    """`GET /api/status-model`: the one status table, for the UI's labels."""

    severities: list[Severity]
    """Ranked best to worst."""
    powerStates: list[PowerStateInfo]
    conditions: list[ConditionInfo]
    buckets: list[BucketInfo]
    """In display order."""
    tokens: list[TokenInfo]


# --- users and auth ------------------------------------------------------------------------------


@closed
class User(TypedDict):
    """A user (`/api/users`, `/api/auth/me`)."""

    id: int
    username: str
    email: str | None
    role: Role
    isAdmin: bool
    """role == "admin" (the first PowerPulse client reads this)."""
    created_at: IsoTime
    twoFactor: NotRequired[bool]
    """In the admins' user list: two-factor sign-in is on."""
    totpEnrolmentRequired: NotRequired[bool]
    """In `/api/auth/me`: this session must set up two-factor sign-in first."""
    sso: NotRequired[bool]
    """Made by single sign-on: signs in at the OpenID provider, has no password of its own
    (until an admin sets one) and no two-factor set-up here."""


@closed
class LoginUser(TypedDict):
    """The user in a login, registration or password-change answer."""

    id: int
    username: str
    email: str | None
    role: Role
    isAdmin: bool


@closed
class SetupUser(TypedDict):
    id: int
    username: str
    email: str | None
    role: Role
    isAdmin: bool


@closed
class CheckSetup(TypedDict):
    isFirstTimeSetup: bool


@closed
class LoginResponse(TypedDict):
    message: str
    user: LoginUser
    token: str
    """A bearer token, valid 24 h."""
    totpEnrolmentRequired: NotRequired[bool]
    """Present (true) when the policy requires two-factor sign-in for this user's role and they
    have none yet: the token then opens only `/api/auth/totp` and `/api/auth/me`."""


@closed
class TwoFactorState(TypedDict):
    enabled: bool
    pending: bool
    """A set-up was started (`enrol`) but not confirmed with a code."""
    confirmedAt: IsoTime | None
    recoveryCodesLeft: int
    required: bool
    """The policy requires it for your role."""


@closed
class TwoFactorEnrolment(TypedDict):
    secret: str
    """Base32, for typing into an app by hand."""
    otpauthUri: str
    qrCode: str
    """The `otpauth://` URI as a QR code, an SVG `data:` URI."""


@closed
class TwoFactorConfirmed(TypedDict):
    message: str
    recoveryCodes: list[str]
    """Shown only this once; each works once in place of a code."""
    token: str
    """A fresh bearer token (no longer limited to the set-up)."""


@closed
class RecoveryCodes(TypedDict):
    recoveryCodes: list[str]


@closed
class OidcPublic(TypedDict):
    enabled: bool
    """The login page offers single sign-on."""
    label: str


@closed
class SsoFailure(TypedDict):
    """What `GET /api/auth/oidc/callback` puts in the login page's fragment when a sign-on
    fails (`/login#ssoError=<code>`)."""

    ssoError: SignOnCode


@closed
class OidcGroups(TypedDict):
    viewer: list[str]
    user: list[str]
    operator: list[str]
    admin: list[str]


@closed
class OidcSettings(TypedDict):
    enabled: bool
    issuer: str
    clientId: str
    hasClientSecret: bool
    """The secret is write-only."""
    label: str
    scopes: str
    roleClaim: str
    """The claim holding the groups (`groups`; dotted for nested ones, `realm_access.roles`)."""
    groupsByRole: OidcGroups
    """For each role, the groups that give it; the highest matching role wins."""
    defaultRole: Role | None
    """The role of someone in none of the groups; null: they are refused."""
    redirectUri: str
    """Register this at the provider."""


@closed
class OidcSettingsBody(TypedDict, total=False):
    enabled: bool
    issuer: str
    clientId: str
    clientSecret: str | None
    """Empty or absent: keep the stored one; null: clear it."""
    label: str
    scopes: str
    roleClaim: str
    groupsByRole: dict[str, list[str]]
    defaultRole: Role | None


@closed
class SecuritySettings(TypedDict):
    totpRequiredFrom: Role | None
    """The lowest role that must use two-factor sign-in; null: nobody has to."""


@closed
class UserCreated(TypedDict):
    message: str
    user: LoginUser


@closed
class UserUpdated(TypedDict):
    message: str
    user: User
    token: NotRequired[str]
    """Only when you set your own password: your old token stopped working."""


@closed
class RoleInfo(TypedDict):
    role: Role
    description: str


@closed
class Roles(TypedDict):
    """The roles, lowest first (`GET /api/auth/roles`)."""

    roles: list[RoleInfo]


@closed
class ApiToken(TypedDict):
    """A personal API token as listed: never its secret."""

    id: int
    name: str
    scope: Literal["read", "role"]
    """read: only reads, with the owner's rights; role: acts as the owner, with their role."""
    prefix: str
    """The token's first characters, to tell tokens apart."""
    expiresAt: IsoTime | None
    lastUsedAt: IsoTime | None
    lastUsedFrom: str | None
    createdAt: IsoTime
    expired: bool


@closed
class ApiTokenCreated(ApiToken):
    """The new token: `token` is shown this once and never again."""

    token: str


@closed
class ApiTokenBody(TypedDict, total=False):
    name: Required[str]
    scope: Literal["read", "role"]
    """Default read."""
    expiresInDays: int | None
    """1 to 3650; null or absent: never expires."""


@closed
class SetupServer(TypedDict):
    id: int
    host: str
    port: int


@closed
class SetupResult(TypedDict):
    message: str
    user: SetupUser
    token: str
    nutServer: SetupServer
    upsSystemsDiscovered: int
    upsSystemsAdded: list[UpsRef]
    discoveryError: NotRequired[ErrorInfo]
    """The NUT server could not be listed (yet): its UPS are found when it answers."""


@closed
class StreamTicket(TypedDict):
    ticket: str
    """Pass as `GET /api/stream?ticket=`; single use, valid `expiresIn` seconds."""
    expiresIn: int


# --- NUT servers ---------------------------------------------------------------------------------


@closed
class NutServer(TypedDict):
    """A NUT server (never its password) with reachability as the poller last saw it."""

    id: int
    host: str
    port: int
    username: str | None
    hasPassword: bool
    starttls: bool
    autoAdd: bool
    """UPS that rediscovery finds on this server are added without asking."""
    site: str | None
    """Pollers started with POLLER_SITES take only their sites' servers; null: no site."""
    updated_at: IsoTime
    reachable: bool | None
    """null: none of its UPS polled yet."""
    lastChecked: IsoTime | None
    error: ErrorInfo | None
    pollerMissing: bool
    """No live poller takes this server's site: nobody polls it."""


@closed
class NutServerCreated(TypedDict):
    message: str
    id: int
    host: str
    port: int
    username: str | None
    hasPassword: bool
    starttls: bool
    autoAdd: bool
    site: str | None
    updated_at: IsoTime
    upsSystemsDiscovered: int
    upsSystemsAdded: list[UpsRef]
    discoveryError: NotRequired[ErrorInfo]
    """The NUT server could not be listed (yet): `message` says so and its UPS are found when
    it answers (with `autoAdd` on)."""


@closed
class NutServerUpdated(TypedDict):
    message: str
    id: int
    host: str
    port: int
    username: str | None
    hasPassword: bool
    starttls: bool
    autoAdd: bool
    site: str | None
    updated_at: IsoTime


@closed
class UpsName(TypedDict):
    id: int
    name: str


@closed
class NutServerDeleted(TypedDict):
    message: str
    deletedUpsSystems: list[UpsName]


@closed
class NutServerRescan(TypedDict):
    """`LIST UPS` run now, compared with the configuration."""

    message: str
    found: list[str]
    """Every UPS name upsd lists."""
    added: list[UpsRef]
    """Configured just now (the server's `autoAdd` is on)."""
    notAdded: list[str]
    """Listed but not configured, because `autoAdd` is off: add them as UPS by hand."""
    missing: list[str]
    """Configured but no longer listed: kept with their history, shown unreachable."""


@closed
class NutTestResult(TypedDict):
    message: str
    upsList: list[str]
    """The UPS names upsd lists."""


# --- settings and notifications ------------------------------------------------------------------


@closed
class UserSettings(TypedDict):
    """Your settings (the seed's shape: flags as 0/1)."""

    inactivity_timeout: int
    """Minutes."""
    discord_webhook_url: str
    slack_webhook_url: str
    notifications_enabled: Literal[0, 1]
    battery_notifications: Literal[0, 1]
    low_battery_notifications: Literal[0, 1]
    self_test_notifications: Literal[0, 1]
    """Battery self-tests and calibrations (off by default)."""
    email_notifications: Literal[0, 1]
    email_recipients: str
    """Comma-separated addresses."""
    poll_interval: int
    """Seconds (the UI's refresh)."""


@closed
class UserSettingsUpdated(UserSettings):
    message: str


@closed
class NotificationSettings(TypedDict):
    """Your notification settings (flags as booleans)."""

    discord_webhook_url: str
    slack_webhook_url: str
    notifications_enabled: bool
    battery_notifications: bool
    low_battery_notifications: bool
    email_notifications: bool
    self_test_notifications: bool
    email_recipients: str


@closed
class NotificationSettingsUpdated(NotificationSettings):
    message: str


@closed
class NotificationDelivery(TypedDict):
    """One channel's delivery of a notification (never its URL or address)."""

    channel: str
    """The channel kind: discord, slack, email, ntfy, … (`/api/notification-channels/kinds`)"""
    channelId: NotRequired[int | None]
    channelName: NotRequired[str | None]
    """The channel's name (null: an ad-hoc test, or the channel was deleted)."""
    state: str
    """pending, retry, delivered, failed"""
    attempts: int
    lastError: str | None
    deliveredAt: IsoTime | None
    nextAttemptAt: NotRequired[IsoTime | None]


@closed
class NotificationHistoryItem(TypedDict):
    """A notification sent to you (`X-Total-Count` gives the total)."""

    id: int
    user_id: int | None
    """Always yours in your history; null on the notification log for a rule's messages."""
    ups_id: int | None
    ups_name: str
    status: str
    previous_status: str
    kind: str
    event_id: int | None
    created_at: IsoTime
    deliveries: list[NotificationDelivery]
    rule: NotRequired[RuleRef | None]
    """The alert rule that sent it (null: the user's personal channels)."""
    alert_id: NotRequired[int | None]
    drill_id: NotRequired[int | None]
    """Set on a fire drill's messages."""
    suppressed: NotRequired[str | None]
    """"muted": recorded, not sent."""


@closed
class RuleRef(TypedDict):
    id: int
    name: str


@closed
class ChannelResult(TypedDict):
    success: bool
    error: NotRequired[str | None]


@closed
class ChannelResults(TypedDict):
    """Each channel's outcome; null: not sent there."""

    discord: ChannelResult | None
    slack: ChannelResult | None
    email: ChannelResult | None


@closed
class NotificationsSent(TypedDict):
    message: str
    results: ChannelResults


# --- notification channels, rules, templates, thresholds, mutes, alerts, drills --------------


@closed
class ChannelField(TypedDict):
    """One config key of a channel kind, as the UI draws it."""

    key: str
    label: str
    type: Literal["text", "url", "secret", "emails", "select", "number", "headers", "template"]
    required: bool
    secret: bool
    """Write-only: a saved value comes back as `{"set": true}`."""
    help: NotRequired[str]
    placeholder: NotRequired[str]
    default: NotRequired[Any]
    options: NotRequired[list[str]]


@closed
class ChannelKindInfo(TypedDict):
    kind: str
    label: str
    adminOnly: bool
    """Only admins may create it (it can reach any host)."""
    selfHosted: bool
    """When an admin creates it, any host is allowed."""
    fields: list[ChannelField]


@closed
class LastDelivery(TypedDict):
    state: str
    at: IsoTime | None
    error: str | None


@closed
class NotificationChannel(TypedDict):
    """A saved channel. Secret config values come back as `{"set": true}`, never in clear."""

    id: int
    kind: str
    name: str
    enabled: bool
    shared: bool
    """Shared (admin-managed, used by rules) or personal."""
    ownerId: int | None
    slot: str | None
    """The seed field this personal channel stands for (discord, slack, email), if any."""
    config: dict[str, Any]
    summary: str
    createdAt: IsoTime
    lastDelivery: LastDelivery | None


@closed
class NotificationChannelBody(TypedDict, total=False):
    kind: str
    name: str
    config: dict[str, Any]
    """Keys of the kind's descriptor; on update a secret left out (or `{"set": true}`) is kept."""
    enabled: bool
    shared: bool
    """Admins: create a shared channel (default for admins: false, personal)."""


@closed
class SecretState(TypedDict):
    set: bool


# Functional form: "from" is a Python keyword.
SmtpSettings = TypedDict(
    "SmtpSettings",
    {
        "host": str,
        "port": int,
        "user": str,
        "password": SecretState,
        "from": str,
        "security": Literal["starttls", "tls", "none"],
        "source": Literal["environment", "settings"],
        "locked": list[Literal["host", "port", "user", "password", "from", "security"]],
    },
)
closed(SmtpSettings)
SmtpSettings.__doc__ = """The email server email channels use: saved in the UI (`source`
"settings") or the container's SMTP_* environment; a variable that is set wins over the saved
field, listed in `locked`. The password never comes back."""

SmtpSettingsBody = TypedDict(
    "SmtpSettingsBody",
    {
        "host": str,
        "port": int,
        "user": str,
        "password": str,
        "from": str,
        "security": Literal["starttls", "tls", "none"],
    },
    total=False,
)
closed(SmtpSettingsBody)
SmtpSettingsBody.__doc__ = """A password left out (or `{"set": true}`) keeps the saved one."""


@closed
class SmtpTestBody(TypedDict):
    to: str
    """The one address the test mail goes to."""


@closed
class SmtpTestResult(TypedDict):
    message: str


@closed
class SystemSetting(TypedDict):
    """One runtime setting; `source` says where `value` comes from (`env`: the variable is set,
    the value cannot be changed here)."""

    key: Literal[
        "poll_interval",
        "history_interval",
        "history_retention_days",
        "comm_grace_seconds",
        "discovery_interval",
        "audit_retention_days",
    ]
    env: str
    value: float
    default: float
    min: float
    max: float
    unit: Literal["seconds", "days"]
    integer: bool
    source: Literal["env", "database", "default"]


@closed
class SystemSettings(TypedDict):
    settings: list[SystemSetting]


@closed
class SystemSettingsBody(TypedDict, total=False):
    """Any of the settings' keys with a number, or null to go back to the default."""

    poll_interval: float | None
    history_interval: float | None
    history_retention_days: int | None
    comm_grace_seconds: float | None
    discovery_interval: float | None
    audit_retention_days: int | None


@closed
class ChannelTestResult(TypedDict):
    message: str
    delivery: NotificationDelivery


@closed
class EventKindInfo(TypedDict):
    kind: str
    title: str
    severity: str
    neverMuted: bool
    """Low battery and forced shutdown: a mute silences them only for a rule that says so."""


@closed
class AlertRule(TypedDict):
    id: int
    name: str
    enabled: bool
    ups: Literal["all"] | list[int]
    events: list[str]
    channels: list[int]
    """Shared channel ids."""
    repeat_every: int | None
    """Seconds between reminders while the condition holds (null: no reminders)."""
    templates: dict[str, Any]
    """Event kind -> {"title", "body"} (Jinja2), over the global templates."""
    mute_critical: bool
    createdAt: IsoTime


@closed
class AlertRuleBody(TypedDict, total=False):
    name: str
    enabled: bool
    ups: Literal["all"] | list[int]
    events: list[str]
    channels: list[int]
    repeat_every: int | None
    templates: dict[str, Any]
    mute_critical: bool


@closed
class MessageTemplateItem(TypedDict):
    kind: str
    title: str
    body: str
    defaultTitle: str
    defaultBody: str


@closed
class MessageTemplateBody(TypedDict, total=False):
    title: str
    body: str


@closed
class TemplatePreviewBody(TypedDict, total=False):
    kind: str
    channel_kind: str
    title: str
    body: str


@closed
class TemplatePreview(TypedDict):
    title: str
    body: str
    payload: dict[str, Any]
    """What the channel kind would post (with a sample UPS)."""


@closed
class ThresholdMetric(TypedDict):
    metric: str
    kind: str
    unit: str
    variables: list[str]


@closed
class Threshold(TypedDict):
    id: int
    name: str
    enabled: bool
    ups: Literal["all"] | list[int]
    metric: str
    above: float | None
    below: float | None
    hold: int
    """Seconds past the limit before it fires (and back inside before it clears)."""
    hysteresis: float
    kind: str
    """The event kind it fires (for rules)."""


@closed
class ThresholdBody(TypedDict, total=False):
    name: str
    enabled: bool
    ups: Literal["all"] | list[int]
    metric: str
    above: float | None
    below: float | None
    hold: int
    hysteresis: float


@closed
class MaintenanceWindowItem(TypedDict):
    id: int
    upsId: int | None
    """null: every UPS."""
    days: list[int]
    """0 = Monday … 6 = Sunday"""
    start: str
    """HH:MM in `timezone`"""
    minutes: int
    timezone: str
    reason: str
    openUntil: IsoTime | None
    """When the current occurrence ends, if one is open now."""


@closed
class MaintenanceWindowBody(TypedDict, total=False):
    ups_id: int | None
    days: list[int]
    start: str
    minutes: int
    timezone: str
    reason: str


@closed
class MuteBody(TypedDict, total=False):
    minutes: int
    reason: str


@closed
class MuteState(TypedDict):
    message: str
    mutedUntil: IsoTime | None
    muteReason: str | None
    count: NotRequired[int]
    """`/api/ups-systems/mute`: how many UPS."""


@closed
class AckInfo(TypedDict):
    by: str | None
    at: IsoTime | None
    note: str | None


@closed
class AlertItem(TypedDict):
    """An ongoing (or, with ?state=all, past) alert."""

    id: int
    upsId: int
    upsName: str
    kind: str
    title: str
    severity: str
    status: str
    startedAt: IsoTime
    clearedAt: IsoTime | None
    acknowledged: AckInfo | None


@closed
class AckBody(TypedDict, total=False):
    note: str


@closed
class AckResult(TypedDict):
    message: str
    alert: AlertItem
    told: int
    """How many people/rules were told who acknowledged it."""


@closed
class DrillBody(TypedDict, total=False):
    restore_after: int
    """Seconds between "power lost" and "power restored" (default 30)."""


@closed
class DrillDelivery(TypedDict):
    phase: Literal["power_lost", "power_restored"]
    rule: RuleRef | None
    userId: int | None
    channel: str
    channelId: int | None
    channelName: str | None
    state: str
    attempts: int
    lastError: str | None
    deliveredAt: IsoTime | None
    nextAttemptAt: IsoTime | None


@closed
class DrillReport(TypedDict):
    id: int
    upsId: int
    upsName: str
    restoreAfter: int
    startedAt: IsoTime
    startedBy: str | None
    done: bool
    """Every delivery has its final outcome."""
    deliveries: list[DrillDelivery]


# --- debug ---------------------------------------------------------------------------------------


@closed
class TableName(TypedDict):
    name: str


@closed
class TableColumn(TypedDict):
    """SQLite's `PRAGMA table_info` row."""

    cid: int
    name: str
    type: str
    notnull: int
    dflt_value: Any
    pk: int


@closed
class RowCount(TypedDict):
    count: int


@closed
class MaskedSettings(TypedDict):
    """Notification settings with webhook URLs as "Configured" / "Not configured"."""

    notifications_enabled: bool
    battery_notifications: bool
    low_battery_notifications: bool
    discord_webhook_url: str
    slack_webhook_url: str
    email_notifications: bool
    email_recipients: str


@closed
class ChannelFlags(TypedDict):
    discord: bool
    slack: bool
    email: bool


@closed
class MonitoringTestResult(TypedDict):
    success: bool
    notifications: ChannelFlags
    reason: NotRequired[str]
    errors: NotRequired[dict[str, str | None]]


@closed
class MonitoringTest(TypedDict):
    message: str
    result: MonitoringTestResult


@closed
class UserSendResult(TypedDict):
    user_id: int
    success: bool
    results: ChannelResults


@closed
class ForcedStatusChange(TypedDict):
    message: str
    ups_id: int | None
    old_status: str
    new_status: str
    results: list[UserSendResult]


@closed
class RawNotificationTest(TypedDict):
    message: str
    status: str
    translated_status: str
    webhook_type: str
    result: str


@closed
class DebugChannels(TypedDict):
    discord_webhook_url: str
    slack_webhook_url: str
    email_notifications: bool
    email_recipients: str


@closed
class DebugNotification(TypedDict):
    message: str
    settings: DebugChannels
    response: Message


# --- system --------------------------------------------------------------------------------------


@closed
class SelfUpdateInfo(TypedDict):
    possible: bool
    reason: str | None


@closed
class VersionInfo(TypedDict):
    """The running version; image details for admins."""

    version: str
    imageRef: NotRequired[str | None]
    imageDigest: NotRequired[str | None]
    selfUpdate: NotRequired[SelfUpdateInfo]


@closed
class UpdateCheck(TypedDict):
    updateAvailable: bool
    currentDigest: str | None
    latestDigest: str | None
    imageRef: str | None
    reason: NotRequired[str]


@closed
class UpdateStarted(TypedDict):
    message: str
    details: str


@closed
class UpdateStep(TypedDict):
    at: IsoTime
    state: str
    message: str


@open_body
class UpdateStatus(TypedDict):
    """The last self-update's progress (steps newest last). The runner may record more fields
    (image, versions, container ids)."""

    state: str
    """idle, pulling, …, succeeded, rolled-back, failed."""
    inProgress: bool
    message: str
    startedAt: NotRequired[IsoTime | None]
    finishedAt: NotRequired[IsoTime | None]
    steps: list[UpdateStep]


@closed
class HeldLease(TypedDict):
    nutServerId: int
    host: str
    port: int
    site: str | None
    expiresAt: IsoTime
    """Renewed about every second while the poller lives."""


@closed
class PollerInfo(TypedDict):
    """A poller process, as its heartbeat row says."""

    id: str
    """host:pid:random, made when it started."""
    host: str
    pid: int
    sites: list[str]
    """Its POLLER_SITES; empty: it takes every server."""
    leases: list[HeldLease]
    """The NUT servers it polls now."""
    startedAt: IsoTime
    lastHeartbeat: IsoTime
    alive: bool
    """Its heartbeat is younger than one lease."""


@closed
class ApiInstanceInfo(TypedDict):
    id: str
    host: str
    pid: int
    startedAt: IsoTime
    lastHeartbeat: IsoTime
    alive: bool


@closed
class SystemStatus(TypedDict):
    """Every poller and api instance that reported itself (dead ones for an hour)."""

    leaseSeconds: float
    """How long a poller's lease lasts without renewal (the failover time)."""
    pollers: list[PollerInfo]
    apiInstances: list[ApiInstanceInfo]


# --- live stream messages (documented for the client; sent as SSE `data`) -------------------------


@closed
class StreamEvent(TypedDict):
    """`event: event` on the logged-in stream: a new power event."""

    id: int
    upsId: int
    upsName: str | None
    kind: str
    previousStatus: str
    newStatus: str
    occurredAt: IsoTime
    details: dict[str, Any]


@closed
class StreamRemoved(TypedDict):
    """`event: removed`: a UPS was deleted."""

    id: int


@closed
class StreamShutdownStep(TypedDict):
    """One step of a `shutdown_run` message: where it is in the plan and its state."""

    id: int
    section: Literal["phase", "restore"]
    phase: int
    position: int
    state: StepState


@closed
class StreamShutdownRun(TypedDict):
    """`event: shutdown_run` on the logged-in stream: a shutdown run progressed (sent on every
    run or step change, and for each active run right after the snapshot). No outputs, no
    errors: `GET /api/shutdown-runs/:id` has them."""

    id: int
    plan_id: int | None
    plan_name: str
    state: RunState
    phase: int
    phases: int
    reason: str | None
    steps: list[StreamShutdownStep]


# --- request bodies ------------------------------------------------------------------------------


Flag = bool | Literal[0, 1]


@open_body
class UserSettingsBody(TypedDict, total=False):
    """Every field optional; flags as true/false or 1/0."""

    inactivity_timeout: int
    """Minutes, 1 to 1440."""
    discord_webhook_url: str
    slack_webhook_url: str
    notifications_enabled: Flag
    battery_notifications: Flag
    low_battery_notifications: Flag
    self_test_notifications: Flag
    email_notifications: Flag
    email_recipients: str
    poll_interval: int
    """Seconds, 1 to 3600."""


@open_body
class NotificationSettingsBody(TypedDict, total=False):
    discord_webhook_url: str
    """A Discord webhook URL; "" clears."""
    slack_webhook_url: str
    notifications_enabled: bool
    battery_notifications: bool
    low_battery_notifications: bool
    self_test_notifications: bool
    email_notifications: bool
    email_recipients: str


@open_body
class DiscordTestBody(TypedDict, total=False):
    discord_webhook_url: str
    """Else your saved one."""


@open_body
class SlackTestBody(TypedDict, total=False):
    slack_webhook_url: str
    """Else your saved one."""


@open_body
class EmailTestBody(TypedDict, total=False):
    email_recipients: str
    """Else your saved ones."""


@open_body
class UpsStatusBody(TypedDict, total=False):
    ups_id: int
    """Required."""
    status: str
    """Required: the new status word, e.g. "On Battery"."""
    previous_status: str
    ups_name: str
    discord_webhook_url: str
    slack_webhook_url: str
    email_notifications: bool
    email_recipients: str


@open_body
class MonitoringTestBody(TypedDict, total=False):
    new_status: str
    old_status: str
    ups_id: int
    ups_name: str


@open_body
class ForceStatusBody(TypedDict, total=False):
    new_status: str
    old_status: str
    ups_id: int


@open_body
class RawNotificationBody(TypedDict, total=False):
    status: str
    """A raw NUT status, e.g. "OB LB"."""
    webhook_type: Literal["discord", "slack"]
    webhook_url: str


@open_body
class DebugNotificationBody(TypedDict, total=False):
    status: str
    previous_status: str
    ups_name: str


# --- shutdown plans (issue 12) -------------------------------------------------------------------

_PLAN_EXAMPLE: dict[str, Any] = {
    "name": "Rack A",
    "enabled": True,
    "ups": [1],
    "min_healthy": None,
    "triggers": {"runtime_below_minutes": 10, "on_battery_seconds": 300},
    "stabilise_seconds": 5,
    "cancel_on_restore": True,
    "phases": [
        {
            "name": "Hosts",
            "delay_seconds": 0,
            "timeout_seconds": 300,
            "actions": [
                {
                    "id": "3f9a1c07",
                    "type": "ssh",
                    "host": "db1.lan",
                    "port": 22,
                    "username": "root",
                    "password": {"set": True},
                    "command": "poweroff",
                    "host_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA…",
                    "timeout_seconds": 60,
                }
            ],
        },
        {
            "name": "UPS",
            "delay_seconds": 30,
            "timeout_seconds": 60,
            "actions": [{"id": "b2c4d6e8", "type": "nut_fsd", "ups_id": 1}],
        },
    ],
    "restore": {
        "after_seconds": 120,
        "min_charge_percent": 50,
        "actions": [{"id": "0a1b2c3d", "type": "wol", "mac": "00:11:22:33:44:55"}],
    },
    "protected_hosts": [{"ups_id": 1, "host": "db1.lan"}],
}


def _example(value: Any) -> ConfigDict:
    """A closed shape with an example in the document."""
    return ConfigDict(extra="forbid", json_schema_extra={"example": value})


@closed
class SecretSet(TypedDict):
    """A write-only value that is stored: it is never sent back."""

    set: Literal[True]


@open_body
class ShutdownAction(TypedDict):
    """One action: `type` says which fields it has (ssh: host, port, username, password or
    private_key, command, host_key, timeout_seconds; http: method, url, headers, body,
    timeout_seconds, verify_tls; nut_fsd: ups_id; nut_command: ups_id, command, param;
    wait_down: host, port, timeout_seconds; wol: mac, address, port). Secrets (password,
    private_key, headers) come back as `{"set": true}`."""

    id: str
    """Kept across edits: runs' steps and the test endpoint name the action by it."""
    type: Literal["ssh", "http", "nut_fsd", "nut_command", "wait_down", "wol"]
    host: NotRequired[str]
    """ssh, wait_down."""
    port: NotRequired[int]
    """ssh (22), wait_down, wol (9)."""
    username: NotRequired[str]
    password: NotRequired[SecretSet]
    private_key: NotRequired[SecretSet]
    command: NotRequired[str]
    """ssh: the shell command; nut_command: the instant command."""
    host_key: NotRequired[str]
    """ssh: the pinned OpenSSH public key line (POST /api/shutdown-plans/ssh-host-key)."""
    timeout_seconds: NotRequired[float]
    method: NotRequired[str]
    url: NotRequired[str]
    headers: NotRequired[SecretSet]
    body: NotRequired[str | None]
    verify_tls: NotRequired[bool]
    ups_id: NotRequired[int]
    """nut_fsd, nut_command."""
    param: NotRequired[str | None]
    mac: NotRequired[str]
    address: NotRequired[str]
    """wol: where the magic packet goes (default 255.255.255.255)."""


@open_body
class ShutdownActionBody(TypedDict, total=False):
    """An action as sent: a secret sent as `{"set": true}` or left out keeps the stored one
    (of the action with the same `id` and type); leave `id` out for a new action."""

    id: str
    type: Literal["ssh", "http", "nut_fsd", "nut_command", "wait_down", "wol"]
    host: str
    port: int | None
    username: str
    password: str | SecretSet | None
    private_key: str | SecretSet | None
    command: str
    host_key: str
    timeout_seconds: float | None
    method: str
    url: str
    headers: dict[str, str] | SecretSet | None
    body: str | None
    verify_tls: bool
    ups_id: int
    param: str | None
    mac: str
    address: str | None


@with_config(_CLOSED)
class ShutdownTriggers(TypedDict, total=False):
    """Any of them; only those set are sent back. Per UPS, a trigger holds while on battery
    (a self-test is not), except `fsd`."""

    on_battery_seconds: float | None
    """On battery for at least this long."""
    runtime_below_minutes: float | None
    charge_below_percent: float | None
    low_battery: bool
    fsd: bool
    """The UPS's primary upsd is shutting its clients down."""
    comm_lost_on_battery_seconds: float | None
    """No answer from the NUT server for this long while on battery."""


@closed
class ShutdownPhase(TypedDict):
    name: str
    delay_seconds: float
    """Waited after the previous phase ended (after the run started, for the first)."""
    timeout_seconds: float
    """The phase's actions run together; whatever still runs after this is stopped."""
    actions: list[ShutdownAction]


@closed
class ShutdownRestore(TypedDict):
    after_seconds: float
    """Seconds of steady mains before the restore sequence starts."""
    min_charge_percent: float | None
    actions: list[ShutdownAction]


@closed
class ShutdownProtectedHost(TypedDict):
    ups_id: int
    host: str


@closed
class ShutdownActiveRun(TypedDict):
    id: int
    state: ActiveRunState
    phase: int


@with_config(
    _example(
        {
            "id": 1,
            **_PLAN_EXAMPLE,
            "created_at": "2026-01-02T10:00:00.000Z",
            "updated_at": "2026-01-02T10:00:00.000Z",
            "updated_by": "admin",
            "active_run": None,
        }
    )
)
class ShutdownPlan(TypedDict):
    """A shutdown plan (secrets as `{"set": true}`)."""

    id: int
    name: str
    enabled: bool
    ups: list[int]
    """The UPS it watches."""
    min_healthy: int | None
    """"At least N of these UPS healthy": fewer starts the plan. null: any UPS triggering."""
    triggers: ShutdownTriggers
    stabilise_seconds: float
    """How long a trigger must hold before the plan starts."""
    cancel_on_restore: bool
    """The mains back before a phase starts cancels the rest (the restore sequence runs if
    a phase already ran)."""
    phases: list[ShutdownPhase]
    restore: ShutdownRestore | None
    protected_hosts: list[ShutdownProtectedHost]
    created_at: IsoTime
    updated_at: IsoTime
    updated_by: str | None
    active_run: ShutdownActiveRun | None


@open_body
class ShutdownPhaseBody(TypedDict, total=False):
    name: str
    delay_seconds: float
    timeout_seconds: float
    actions: list[ShutdownActionBody]


@open_body
class ShutdownRestoreBody(TypedDict, total=False):
    after_seconds: float
    min_charge_percent: float | None
    actions: list[ShutdownActionBody]


@with_config(ConfigDict(extra="allow", json_schema_extra={"example": _PLAN_EXAMPLE}))
class ShutdownPlanBody(TypedDict, total=False):
    """The whole plan (PUT replaces it). Required: name, ups, phases, and a trigger or
    min_healthy. A 400 names the culprit in `field` (`phases[1].actions[0].port`)."""

    name: str
    enabled: bool
    ups: list[int]
    min_healthy: int | None
    triggers: ShutdownTriggers
    stabilise_seconds: float
    cancel_on_restore: bool
    phases: list[ShutdownPhaseBody]
    restore: ShutdownRestoreBody | None
    protected_hosts: list[ShutdownProtectedHost]


@closed
class ShutdownUpsState(TypedDict, total=False):
    """A UPS's readings for a dry run; each field given replaces the live one."""

    status: str
    """NUT status tokens, e.g. "OB LB"."""
    charge: float
    """%"""
    runtime: float
    """Seconds, as NUT reports it."""
    on_battery_seconds: float
    """On battery for this long (without `status`, the UPS is taken to be on battery)."""
    comm_lost_seconds: float
    """Seconds without an answer from its NUT server."""


@with_config(
    ConfigDict(
        extra="allow",
        json_schema_extra={"example": {"state": {"1": {"status": "OB DISCHRG", "runtime": 240}}}},
    )
)
class ShutdownDryRunBody(TypedDict, total=False):
    state: dict[str, ShutdownUpsState]
    """By UPS id (watched by the plan); the others keep their live readings."""


@closed
class ShutdownDryRunUps(TypedDict):
    ups_id: int
    name: str
    failing: bool
    reasons: list[str]
    due_in_seconds: float | None
    """When a time-based trigger would hold if nothing changes."""


@closed
class ShutdownDryRunStep(TypedDict):
    section: Literal["phase", "restore"]
    phase: int
    phase_name: str
    action_id: str
    type: str
    description: str
    starts_at_seconds: float
    """The latest it starts: seconds after the run starts (the trigger having held for
    `stabilise_seconds`; restore: after the mains are back), every earlier phase taking its
    delay and whole timeout. A phase that finishes sooner lets the next start sooner."""
    timeout_seconds: float
    """Its own timeout within its phase's."""
    destructive: bool
    """Testing it needs `confirm: true`."""


@closed
class ShutdownDryRunRestore(TypedDict):
    after_seconds: float
    min_charge_percent: float | None


@with_config(
    _example(
        {
            "triggered": True,
            "reason": "Rack A: runtime 4.0 min is below 10 min",
            "ups": [
                {
                    "ups_id": 1,
                    "name": "Rack A",
                    "failing": True,
                    "reasons": ["runtime 4.0 min is below 10 min"],
                    "due_in_seconds": None,
                }
            ],
            "healthy": 0,
            "due_in_seconds": None,
            "worst_case_seconds": 390,
            "steps": [
                {
                    "section": "phase",
                    "phase": 0,
                    "phase_name": "Hosts",
                    "action_id": "3f9a1c07",
                    "type": "ssh",
                    "description": "ssh root@db1.lan: poweroff",
                    "starts_at_seconds": 0,
                    "timeout_seconds": 60,
                    "destructive": True,
                },
                {
                    "section": "phase",
                    "phase": 1,
                    "phase_name": "UPS",
                    "action_id": "b2c4d6e8",
                    "type": "nut_fsd",
                    "description": "FSD on Rack A",
                    "starts_at_seconds": 330,
                    "timeout_seconds": 60,
                    "destructive": True,
                },
            ],
            "restore": {"after_seconds": 120, "min_charge_percent": 50},
            "warnings": ["The plan needs up to 6 min, Rack A reports 4 min of runtime"],
        }
    )
)
class ShutdownDryRun(TypedDict):
    """What the plan would do: its triggers now (or for the given state) and its timeline.
    Nothing runs."""

    triggered: bool
    reason: str
    ups: list[ShutdownDryRunUps]
    healthy: int
    """Watched UPS not failing (those read at least once)."""
    due_in_seconds: float | None
    """When the plan would trigger if nothing changes."""
    worst_case_seconds: float
    """From the run's start to the end of the last phase, every phase taking its whole
    timeout (the runtime warnings add `stabilise_seconds`)."""
    steps: list[ShutdownDryRunStep]
    restore: ShutdownDryRunRestore | None
    warnings: list[str]


@closed
class ShutdownActionTestBody(TypedDict, total=False):
    confirm: bool
    """Required for an action that may switch something off."""


@with_config(
    _example({"ok": True, "output": "", "exit_code": 0, "error": None, "duration_ms": 412})
)
class ShutdownActionTest(TypedDict):
    """How the test ended: `ok` false with `error` when the action failed (still a 200)."""

    ok: bool
    output: str
    exit_code: int | None
    error: str | None
    duration_ms: int


@closed
class SshHostKeyBody(TypedDict, total=False):
    host: str
    port: int
    """Default 22."""


@with_config(
    _example(
        {
            "host": "db1.lan",
            "port": 22,
            "key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI…",
            "fingerprint": "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8",
            "algorithm": "ssh-ed25519",
        }
    )
)
class SshHostKey(TypedDict):
    """What the server presented: show the fingerprint, and once confirmed, save `key` as the
    action's host_key."""

    host: str
    port: int
    key: str
    fingerprint: str
    algorithm: str


ShutdownRunState = RunState


@with_config(
    _example(
        {
            "id": 7,
            "plan_id": 1,
            "plan_name": "Rack A",
            "state": "running",
            "trigger": {"reason": "Rack A: runtime 4.0 min is below 10 min"},
            "reason": None,
            "phase": 0,
            "phases": 2,
            "started_at": "2026-01-02T10:00:00.000Z",
            "finished_at": None,
            "started_by": None,
        }
    )
)
class ShutdownRun(TypedDict):
    id: int
    plan_id: int | None
    """null once the plan was deleted (the run keeps its name)."""
    plan_name: str
    state: ShutdownRunState
    trigger: dict[str, Any] | None
    """What started it, as the engine recorded it (`reason`, the UPS, when)."""
    reason: str | None
    """Why it ended (or was cancelled)."""
    phase: int
    """The phase running or next; `phases` once every phase ran."""
    phases: int
    started_at: IsoTime
    finished_at: IsoTime | None
    started_by: str | None
    """null: a trigger; else who started it."""


@closed
class ShutdownRunStep(TypedDict):
    id: int
    section: Literal["phase", "restore"]
    phase: int
    position: int
    action_id: str
    action_type: str
    description: str
    state: StepState
    attempts: int
    started_at: IsoTime | None
    finished_at: IsoTime | None
    exit_code: int | None
    output: str
    error: str | None


@closed
class ShutdownRunDetail(ShutdownRun):
    """A run with its steps: the phases' in order, then the restore sequence's."""

    steps: list[ShutdownRunStep]


# --- protection coverage (`api/protection.py`) ---------------------------------------------------


@closed
class ProtectionClient(TypedDict):
    """One upsmon client logged in to the UPS, as upsd lists it (LIST CLIENT)."""

    address: str
    """Its IP address, as upsd lists it."""
    expected: bool
    """It is one of the hosts the UPS must protect."""
    label: str | None
    """The operator's label of that host."""


@closed
class ProtectedHost(TypedDict):
    """A host that must stay attached to the UPS: the operator's, or a shutdown plan's."""

    id: int | None
    """The operator's entry (what DELETE takes); null for a plan's."""
    host: str
    """A host name or IP address (names are resolved to compare with the clients)."""
    label: str | None
    attached: bool
    """It was among the clients at the last read (false while unknown)."""
    source: Literal["operator", "plan"]
    plan_id: int | None
    plan_name: str | None


@closed
class Protection(TypedDict):
    """Protection coverage of one UPS."""

    clients: list[ProtectionClient]
    read_at: IsoTime | None
    """When the poller last read the clients (null: not yet)."""
    supported: bool
    """False when the NUT server refuses LIST CLIENT: coverage unknown, no alerts."""
    protected_hosts: list[ProtectedHost]


@open_body
class ProtectedHostBody(TypedDict, total=False):
    host: str
    """Required: a host name or IP address, 1 to 255 characters."""
    label: str
    """At most 100 characters."""


# --- battery self-tests (issue 13, `api/self_tests.py`) -----------------------------------------

SelfTestState = Literal[
    "blocked", "error", "requested", "running", "passed", "failed", "aborted", "unknown"
]


@closed
class SelfTestReadingsPoint(TypedDict):
    """Readings of the UPS at one moment of a test (null: not reported)."""

    charge: float | None
    runtimeSeconds: float | None
    batteryVoltage: float | None
    load: float | None


@closed
class SelfTestReadings(TypedDict):
    start: SelfTestReadingsPoint | None
    """When the test was asked for."""
    lowest: SelfTestReadingsPoint | None
    """The lowest of each reading while it ran."""
    end: SelfTestReadingsPoint | None
    """When it finished."""


@closed
class SelfTest(TypedDict):
    """One battery self-test of one UPS."""

    id: int
    upsId: int
    scheduleId: int | None
    testType: Literal["quick", "deep"]
    command: str
    """The instant command sent (test.battery.start.quick, …); empty when none was."""
    state: SelfTestState
    reason: str | None
    """blocked: the rule's code (not_online, low_charge, recent_outage, muted, group_testing,
    unsupported, already_testing, no_contact); error / unknown: what happened, in words."""
    rawResult: str | None
    """ups.test.result as the driver worded it."""
    requestedAt: IsoTime
    startedAt: IsoTime | None
    finishedAt: IsoTime | None
    readings: SelfTestReadings
    startedBy: str | None
    """The user who asked for it; null: a schedule."""


@closed
class SelfTestSchedule(TypedDict):
    """When battery self-tests run, for which UPS, with which safety limits."""

    id: int
    name: str
    enabled: bool
    ups: list[int] | None
    """null: every UPS."""
    testType: Literal["quick", "deep"]
    frequency: Literal["weekly", "monthly"]
    weekday: int | None
    """weekly: 0 = Monday … 6 = Sunday."""
    dayOfMonth: int | None
    """monthly: 1 to 28."""
    timeOfDay: str
    """HH:MM in `timezone`."""
    timezone: str
    minCharge: float
    quietHours: int
    nextRunAt: IsoTime | None
    lastDueAt: IsoTime | None
    """The last occurrence handled (each runs once)."""


@open_body
class SelfTestScheduleBody(TypedDict, total=False):
    name: str
    enabled: bool
    ups: list[int] | None
    testType: Literal["quick", "deep"]
    frequency: Literal["weekly", "monthly"]
    weekday: int | None
    dayOfMonth: int | None
    timeOfDay: str
    timezone: str
    minCharge: float
    quietHours: int


@open_body
class SelfTestBody(TypedDict, total=False):
    testType: Literal["quick", "deep"]
    minCharge: float
    """Default 90."""
    quietHours: int
    """Default 24."""


# --- outage records, fleet timeline, digests (issue 13, `api/outage_records.py`, `api/timeline.py`,
# `api/digests.py`) ------------------------------------------------------------------------------


@closed
class OutageShutdownRun(TypedDict):
    id: int | None
    plan: str | None
    state: str | None


@closed
class OutageNotification(TypedDict):
    """One channel of one notification about an event of the outage."""

    kind: str
    """The event kind the notification was about (on_battery, low_battery, online …)."""
    channel: str | None
    """The channel kind; null for a notification recorded but not sent (muted)."""
    state: str
    """pending, retry, delivered, failed; or muted."""
    at: IsoTime | None


@closed
class OutageRecord(TypedDict):
    id: int
    upsId: int
    upsName: str
    displayName: str
    site: str | None
    startedAt: IsoTime
    endedAt: IsoTime | None
    """null while still on battery."""
    durationSeconds: float | None
    minCharge: float | None
    minRuntimeSeconds: float | None
    energyWh: float | None
    """Drawn from the battery; null when no power readings covered the outage."""
    energyCoverage: float | None
    """Share (0-1) of the outage with power readings."""
    shutdownRuns: list[OutageShutdownRun]
    notifications: list[OutageNotification]


@closed
class FleetSummaryUps(TypedDict):
    id: int
    name: str
    """The display name (nickname, else name)."""
    site: str | None
    status: PowerStateLabel
    severity: Severity
    charge: int | None
    """Percent."""
    runtimeMinutes: int | None
    load: int | None
    """Percent."""


@closed
class FleetSummary(TypedDict):
    """Flat fields for widgets; the four bucket counts add up to `total`."""

    total: int
    online: int
    onBattery: int
    alarm: int
    unknown: int
    worstSeverity: Severity | None
    lowestCharge: int | None
    lowestChargeUps: str | None
    shortestRuntimeMinutes: int | None
    shortestRuntimeUps: str | None
    highestLoad: int | None
    lastUpdated: IsoTime | None
    ups: list[FleetSummaryUps]


@closed
class AuditLogEntry(TypedDict):
    """One change or action. `before`/`after` hold the fields it changed (the whole row for a
    create or delete), `request` the body sent; secrets in all three are masked as `•••`."""

    id: int
    at: str
    userId: int | None
    username: str | None
    """Who (for a failed sign-in, the name tried); null for what PowerPulse did by itself."""
    tokenId: int | None
    tokenName: str | None
    """The API token used, if any."""
    address: str | None
    action: str
    """`<area>.<handler>` of the route (e.g. `nut_servers.update_server`), or `system.<what>`."""
    method: str | None
    path: str | None
    status: int | None
    """The HTTP status answered (400 and above: refused or failed)."""
    targetType: str | None
    targetId: str | None
    targetName: str | None
    before: Any
    after: Any
    request: Any


@closed
class AuditLogPage(TypedDict):
    entries: list[AuditLogEntry]
    nextCursor: str | None
    """Pass as `cursor` for the next (older) page; null on the last one."""


@closed
class OutagePage(TypedDict):
    outages: list[OutageRecord]
    nextCursor: str | None
    """Pass as `cursor` for the next (older) page; null on the last one."""


@closed
class TimelineEvent(TypedDict):
    id: int
    upsId: int
    upsName: str
    displayName: str
    site: str | None
    kind: str
    previousStatus: str
    newStatus: str
    occurredAt: IsoTime
    details: dict[str, Any]


@closed
class TimelinePage(TypedDict):
    events: list[TimelineEvent]
    nextBefore: int | None
    """Pass as `before` for the next (older) page; null on the last one."""


DigestPeriod = Literal["daily", "weekly", "monthly"]


@closed
class DigestSchedule(TypedDict):
    id: int
    name: str
    enabled: bool
    period: DigestPeriod
    """daily, weekly (sent on Monday) or monthly (sent on the 1st), for the period just ended."""
    hour: int
    """Hour of the day (0-23, in `timezone`) it is sent at."""
    timezone: str
    channels: list[int]
    """Shared notification channel ids."""
    lastPeriod: str | None
    """The key of the period last sent: "2026-12-04", "2026-W49", "2026-11"."""
    lastSentAt: IsoTime | None
    nextSendAt: IsoTime | None
    """null while disabled."""


@open_body
class DigestScheduleBody(TypedDict, total=False):
    name: str
    enabled: bool
    period: DigestPeriod
    hour: int
    timezone: str
    channels: list[int]


@closed
class DigestDelivery(TypedDict):
    channel: str
    channelId: int | None
    state: str
    error: str | None


@closed
class DigestSent(TypedDict):
    period: str
    """The key of the period the report covers."""
    title: str
    text: str
    """The report as plain text."""
    deliveries: list[DigestDelivery]


# --- battery lifecycle (issue 13, `api/battery.py`) ---------------------------------------------

BatteryHealthState = Literal["good", "fair", "poor", "unknown"]


@closed
class BatteryDeviceDate(TypedDict):
    """The install date the UPS reports, when it is a plausible date."""

    variable: Literal["battery.date", "battery.mfr.date"]
    value: str
    """As the driver worded it."""
    date: str
    """YYYY-MM-DD."""


@closed
class BatteryCurrent(TypedDict):
    """The battery in the UPS now."""

    id: int
    installedOn: str
    """YYYY-MM-DD."""
    source: Literal["device", "admin"]
    """device: read from battery.date / battery.mfr.date; admin: set by an admin."""
    expectedLifeMonths: int
    expectedLifeIsDefault: bool
    """The default of the battery type (lead-acid 36, lithium 96 months)."""
    ageDays: int
    ageMonths: float
    dueOn: str
    """YYYY-MM-DD: installed on + expected life."""
    due: bool
    note: str


@closed
class BatteryPast(TypedDict):
    """A battery that was replaced."""

    id: int
    installedOn: str
    replacedAt: IsoTime | None
    source: Literal["device", "admin"]
    expectedLifeMonths: int
    note: str


@closed
class BatteryHealthPoint(TypedDict):
    at: IsoTime
    ratio: float


@closed
class BatteryHealth(TypedDict):
    """Battery health from the UPS's own history: runtime x load against its own baseline.
    Unknown (with the reason) when there is not enough data: then every number is null."""

    state: BatteryHealthState
    score: int | None
    """0-100: the runtime ratio in percent, capped at 100."""
    reason: Literal["not_enough_data", "no_runtime_reported", "no_discharge_history"] | None
    confidence: Literal["low", "medium", "high"] | None
    runtimeRatio: float | None
    """Latest runtime at load against the UPS's own baseline (1.0 = as new)."""
    referenceLoad: float | None
    """The % load the comparison is normalised to (median of the observations)."""
    trendPerYear: float | None
    """Change of the ratio per year (negative: degrading)."""
    replaceBy: str | None
    """YYYY-MM-DD the fitted ratio reaches 0.6 (degrading, enough data, within ten years)."""
    points: list[BatteryHealthPoint]


@closed
class BatteryLifecycle(TypedDict):
    """A UPS's battery: install date, age, expected life, past batteries, tests, health."""

    upsId: int
    batteryType: str | None
    """battery.type as reported."""
    defaultLifeMonths: int
    deviceDate: BatteryDeviceDate | None
    current: BatteryCurrent | None
    history: list[BatteryPast]
    """Replaced batteries, newest first."""
    tests: list[SelfTest]
    """Newest first, up to 20."""
    health: BatteryHealth


@closed
class BatteryFleetHealth(TypedDict):
    state: BatteryHealthState
    score: int | None


@closed
class BatteryLastTest(TypedDict):
    state: SelfTestState
    finishedAt: IsoTime | None


@closed
class BatteryFleetRow(TypedDict):
    """One UPS's battery for the dashboard's warnings."""

    upsId: int
    displayName: str
    installedOn: str | None
    ageMonths: float | None
    expectedLifeMonths: int
    dueOn: str | None
    due: bool
    health: BatteryFleetHealth
    lastTest: BatteryLastTest | None
    """The latest finished self-test."""
    warnings: list[Literal["battery_due", "test_failed", "health_poor"]]


@open_body
class BatteryLifecycleBody(TypedDict, total=False):
    installedOn: str
    """YYYY-MM-DD, not in the future, not before 1990-01-01."""
    expectedLifeMonths: int | None
    """6 to 240; null: the default of the battery type."""
    note: str
    """At most 200 characters."""


# --- OpenAPI ------------------------------------------------------------------------------------


def _openapi30(node: Any) -> Any:
    """Pydantic's JSON Schema (2020-12) → OpenAPI 3.0: `anyOf [X, null]` becomes a nullable X,
    `const` an enum of one, titles go (they only repeat the field names)."""
    if isinstance(node, list):
        return [_openapi30(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _openapi30(v) for k, v in node.items() if k not in ("title", "$defs")}
    if isinstance(node.get("properties"), dict):  # a property named "title" is a property
        out["properties"] = {k: _openapi30(v) for k, v in node["properties"].items()}
    if "const" in out:
        out["enum"] = [out.pop("const")]
    items = out.pop("prefixItems", None)
    if items:  # a tuple of one type (a [low, high] pair): 3.0 has no prefixItems
        if any(item != items[0] for item in items):
            raise ValueError("only tuples of one item type can be described in OpenAPI 3.0")
        out.update(items=items[0], minItems=len(items), maxItems=len(items))
    options = out.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        rest = [o for o in options if o != {"type": "null"}]
        del out["anyOf"]
        if len(rest) == 1 and "$ref" not in rest[0]:
            out = {**rest[0], **out}
        elif len(rest) == 1:
            out["allOf"] = rest  # a $ref cannot carry siblings in 3.0
        else:
            out["anyOf"] = rest
        out["nullable"] = True
    # Attribute docstrings of a field keep the source's indentation on continuation lines.
    if isinstance(out.get("description"), str):
        out["description"] = " ".join(out["description"].split())
    return out


@functools.cache
def _docstrings() -> dict[str, dict[str, str]]:
    """Attribute docstrings of each class in this module, from one parse of its source
    (pydantic's `use_attribute_docstrings` parses the whole module again for every class: five
    seconds for this one)."""
    out: dict[str, dict[str, str]] = {}
    for node in ast.parse(Path(__file__).read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.ClassDef):
            continue
        docs = out.setdefault(node.name, {})
        for field, doc in itertools.pairwise(node.body):
            if (
                isinstance(field, ast.AnnAssign)
                and isinstance(field.target, ast.Name)
                and isinstance(doc, ast.Expr)
                and isinstance(doc.value, ast.Constant)
                and isinstance(doc.value.value, str)
            ):
                docs[field.target.id] = inspect.cleandoc(doc.value.value)
    return out


def _field_docs(shape: Any) -> dict[str, str]:
    """Attribute docstrings of `shape` and of the TypedDicts it extends."""
    docs: dict[str, str] = {}
    for base in reversed(getattr(shape, "__orig_bases__", ())):
        if isinstance(base, type) and hasattr(base, "__required_keys__"):
            docs.update(_field_docs(base))
    docs.update(_docstrings().get(getattr(shape, "__name__", ""), {}))
    return docs


def _describe(schema: dict[str, Any], shape: Any) -> dict[str, Any]:
    props = schema.get("properties") or {}
    for name, doc in _field_docs(shape).items():
        if name in props and "description" not in props[name]:
            props[name]["description"] = doc
    return schema


@functools.cache
def component_schemas(shapes: tuple[Any, ...]) -> dict[str, dict[str, Any]]:
    """The OpenAPI components of `shapes` (TypedDicts) and of the shapes inside them, made in
    one pass (each nested shape is built once)."""
    every: Any = tuple[shapes]  # type: ignore[valid-type]
    schema = TypeAdapter(every).json_schema(ref_template=REF_PREFIX + "{model}")
    defs = schema.get("$defs", {})
    missing = {shape.__name__ for shape in shapes} - set(defs)
    if missing:
        raise ValueError(f"pydantic named no schema for {sorted(missing)}")
    return {name: _openapi30(_describe(d, globals().get(name))) for name, d in defs.items()}


# Shapes the routes named, by name. Their JSON schemas are made when the document is first
# built, not at import: pydantic takes about 1.5 s for all of them, which every start of the
# api worker paid before.
_REGISTERED: dict[str, Any] = {}


def register(shape: Any) -> dict[str, Any]:
    """Name `shape` in the document; its reference (or an array of it)."""
    if get_origin(shape) is list:
        return {"type": "array", "items": register(get_args(shape)[0])}
    known = _REGISTERED.setdefault(shape.__name__, shape)
    if known is not shape:
        raise ValueError(f"two different API shapes are called {shape.__name__}")
    return {"$ref": REF_PREFIX + shape.__name__}


def add_components(spec: SpecificationBuilder) -> None:
    """Put the components of every registered shape (and of the shapes inside) into `spec`."""
    for name, schema in component_schemas(tuple(_REGISTERED.values())).items():
        known = spec._components["schemas"].get(name)
        if known is not None and known != schema:
            raise ValueError(f"two different API shapes are called {name}")
        spec.add_component("schemas", name, schema)


_build_document = SpecificationBuilder.build


def _build_with_shapes(self: SpecificationBuilder, app: Any) -> Any:
    add_components(self)
    return _build_document(self, app)


# sanic-ext builds the document on each GET /docs/openapi.json; the components join it there.
SpecificationBuilder.build = _build_with_shapes  # type: ignore[method-assign]


def _with_errors(ok: Callable[[T], T]) -> Callable[[T], T]:
    """`ok`, the error answer, and an operationId of the handler's own: sanic-ext names an
    operation after whichever of its routes it saw last (a legacy alias path shares the
    handler), which changed from one start to the next."""
    error = openapi.response("default", {"application/json": register(ErrorBody)}, "An error")

    def decorate(handler: T) -> T:
        module = str(getattr(handler, "__module__", "")).rsplit(".", 1)[-1]
        name = openapi.operation(f"{module}.{getattr(handler, '__name__', 'handler')}")
        return name(ok(error(handler)))

    return decorate


def returns(
    shape: Any, status: int = 200, description: str = "OK", *, text: str | None = None
) -> Callable[[T], T]:
    """Document a route's JSON answer (and that errors come as `ErrorBody`); `text`: a media
    type it may answer instead (`?format=csv`)."""
    content: dict[str, Any] = {"application/json": register(shape)}
    if text is not None:
        content[text] = {"type": "string"}
    # A string key: the app's orjson refuses int keys (sanic-ext keeps the status as given).
    return _with_errors(openapi.response(str(status), content, description))  # type: ignore[arg-type]


def not_modified(handler: T) -> T:
    """Document the bodiless 304 a conditional GET (`If-None-Match: <ETag>`) gets."""
    response = openapi.response("304", None, "Not modified: the ETag sent in If-None-Match")  # type: ignore[arg-type]
    return response(handler)  # type: ignore[no-any-return]


def returns_text(media: str, description: str) -> Callable[[T], T]:
    """Document a non-JSON answer: `text/event-stream`, Prometheus text, the web UI's HTML."""
    content = {media: {"type": "string"}}
    return _with_errors(openapi.response("200", content, description))  # type: ignore[arg-type]


def redirects(description: str) -> Callable[[T], T]:
    """Document a route that answers by sending the browser on (a 302 with `Location`)."""
    return _with_errors(openapi.response("302", None, description))  # type: ignore[arg-type]


def accepts(shape: Any) -> Callable[[T], T]:
    """Document a JSON request body."""
    return openapi.body({"application/json": register(shape)})


# Shapes sent only as live-stream messages (and the sign-on's failure fragment): in the document
# so the UI's types include them.
STREAM_MESSAGES = (Ups, KioskUps, StreamEvent, StreamRemoved, StreamShutdownRun, SsoFailure)
for _shape in STREAM_MESSAGES:
    register(_shape)


@functools.cache
def validator(shape: Any) -> TypeAdapter[Any]:
    """A validator for answers of `shape`: `validator(Ups).validate_json(body, strict=True)`
    (strict: 1 is not true, "1" is not 1; an undeclared field is an error)."""
    return TypeAdapter(shape)


# -- energy (api/energy.py) ----------------------------------------------------------------
@closed
class EnergyFigures(TypedDict):
    kwh: float | None
    """Null when no time of the period is covered: unknown, never zero."""
    cost: float | None
    coverage: float
    """Share (0-1) of the period's UPS-time with power readings."""
    estimated: float
    """Share (0-1) of samples whose power is estimated from the load."""


@closed
class EnergyRow(TypedDict):
    key: str
    label: str
    upsId: NotRequired[int]
    kwh: float | None
    cost: float | None
    coverage: float
    estimated: float


EnergySummary = TypedDict(
    "EnergySummary",
    {
        "from": str,
        "to": str,
        "group": str,
        "currency": str | None,
        "pricePerKwh": float | None,
        "rows": list[EnergyRow],
        "total": EnergyFigures,
    },
)
closed(EnergySummary)


@closed
class Tariff(TypedDict):
    pricePerKwh: float | None
    currency: str


@closed
class EnergySettings(TypedDict):
    """The settings in force; a field an environment variable sets (POWER_FACTOR,
    ENERGY_PRICE_PER_KWH, ENERGY_CURRENCY) is listed in `locked` and cannot be changed here."""

    powerFactor: float
    tariff: Tariff
    locked: list[Literal["powerFactor", "pricePerKwh", "currency"]]


class EnergySettingsBody(TypedDict, total=False):
    powerFactor: float | None
    tariff: Tariff
