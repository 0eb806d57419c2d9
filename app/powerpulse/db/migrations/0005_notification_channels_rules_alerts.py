from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields


async def move_personal_channels(apps, schema_editor) -> None:
    """Each user's Discord/Slack/email columns become personal channel rows (the seed's slots),
    and open outbox deliveries carry their target as a JSON config, before the columns go."""
    from datetime import datetime, timezone

    import orjson

    from powerpulse.db import dialect

    conn = schema_editor.client
    now = datetime.now(timezone.utc)
    rows = await dialect.fetch(
        "SELECT user_id, discord_webhook_url, slack_webhook_url, email_notifications, "
        "email_recipients FROM user_settings ORDER BY id",
        conn=conn,
    )
    insert = (
        "INSERT INTO notification_channels (kind, name, config, owner_id, enabled, slot, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    for row in rows:
        found = []
        if row["discord_webhook_url"]:
            found.append(("discord", "Discord", {"url": row["discord_webhook_url"]}, True))
        if row["slack_webhook_url"]:
            found.append(("slack", "Slack", {"url": row["slack_webhook_url"]}, True))
        recipients = row["email_recipients"] or ""
        if row["email_notifications"] or recipients:
            found.append(
                ("email", "Email", {"recipients": recipients}, bool(row["email_notifications"]))
            )
        for kind, name, config, enabled in found:
            await dialect.execute(
                insert,
                (kind, name, orjson.dumps(config).decode(), row["user_id"], enabled, kind, now, now),
                conn=conn,
            )
    open_rows = await dialect.fetch(
        "SELECT id, channel, target FROM notification_deliveries "
        "WHERE state IN ('pending', 'retry')",
        conn=conn,
    )
    for row in open_rows:
        key = "recipients" if row["channel"] == "email" else "url"
        await dialect.execute(
            "UPDATE notification_deliveries SET target = ? WHERE id = ?",
            (orjson.dumps({key: row["target"]}).decode(), row["id"]),
            conn=conn,
        )


class Migration(migrations.Migration):
    dependencies = [('models', '0004_ups_tags')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Alert',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ups', fields.ForeignKeyField('models.UpsSystem', source_field='ups_id', db_constraint=True, to_field='id', related_name='alerts', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=32)),
                ('condition', fields.CharField(max_length=64)),
                ('event', fields.ForeignKeyField('models.Event', source_field='event_id', null=True, db_constraint=True, to_field='id', related_name='alerts', on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharField(default='', max_length=64)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('cleared_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('acknowledged_by', fields.ForeignKeyField('models.User', source_field='acknowledged_by_id', null=True, db_constraint=True, to_field='id', related_name='acknowledged_alerts', on_delete=OnDelete.SET_NULL)),
                ('acknowledged_name', fields.CharField(null=True, max_length=64)),
                ('acknowledged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('acknowledged_note', fields.CharField(null=True, max_length=200)),
                ('repeats', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('version', fields.IntField(default=0)),
            ],
            options={'table': 'alerts', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An ongoing condition (on battery, overload, a threshold …) from its event until it'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AlertRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('enabled', fields.BooleanField(default=True)),
                ('ups', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('events', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('channels', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('repeat_every', fields.IntField(null=True)),
                ('templates', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('mute_critical', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'alert_rules', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What goes where: events of some UPS to some shared channels (`notify.rules`).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Drill',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ups', fields.ForeignKeyField('models.UpsSystem', source_field='ups_id', db_constraint=True, to_field='id', related_name='drills', on_delete=OnDelete.CASCADE)),
                ('started_by', fields.ForeignKeyField('models.User', source_field='started_by_id', null=True, db_constraint=True, to_field='id', related_name='drills', on_delete=OnDelete.SET_NULL)),
                ('restore_after', fields.IntField()),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'drills', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A rehearsed outage of one UPS: messages marked as a drill, no event, no state.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MaintenanceWindow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ups', fields.ForeignKeyField('models.UpsSystem', source_field='ups_id', null=True, db_constraint=True, to_field='id', related_name='maintenance_windows', on_delete=OnDelete.CASCADE)),
                ('days', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('start', fields.CharField(max_length=5)),
                ('minutes', fields.IntField()),
                ('timezone', fields.CharField(default='UTC', max_length=64)),
                ('reason', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'maintenance_windows', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A weekly period in which a UPS (or every UPS: `ups` None) is muted.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MessageTemplate',
            fields=[
                ('kind', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('title', fields.TextField(default='', unique=False)),
                ('body', fields.TextField(default='', unique=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'message_templates', 'app': 'models', 'pk_attr': 'kind', 'table_description': "An admin's wording of one event kind for every channel (Jinja2, `notify.templating`)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotificationChannel',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=32)),
                ('name', fields.CharField(max_length=100)),
                ('config', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', null=True, db_constraint=True, to_field='id', related_name='channels', on_delete=OnDelete.CASCADE)),
                ('enabled', fields.BooleanField(default=True)),
                ('slot', fields.CharField(null=True, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'notification_channels', 'app': 'models', 'unique_together': (('owner', 'slot'),), 'pk_attr': 'id', 'table_description': 'Somewhere notifications go: a service (`kind`, one of `notify.channels.KINDS`) and its'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Threshold',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('enabled', fields.BooleanField(default=True)),
                ('ups', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('metric', fields.CharField(max_length=32)),
                ('above', fields.FloatField(null=True)),
                ('below', fields.FloatField(null=True)),
                ('hold', fields.IntField(default=30)),
                ('hysteresis', fields.FloatField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'thresholds', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A reading that becomes an event: it fires after `hold` seconds past its limit and clears'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='NotificationDelivery',
            name='notification_channel',
            field=fields.ForeignKeyField('models.NotificationChannel', source_field='notification_channel_id', null=True, db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.SET_NULL),
        ),
        ops.AlterField(
            model_name='NotificationLog',
            name='user',
            field=fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='notification_logs', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='NotificationLog',
            name='alert',
            field=fields.ForeignKeyField('models.Alert', source_field='alert_id', null=True, db_constraint=True, to_field='id', related_name='notification_logs', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='NotificationLog',
            name='drill',
            field=fields.ForeignKeyField('models.Drill', source_field='drill_id', null=True, db_constraint=True, to_field='id', related_name='notification_logs', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='NotificationLog',
            name='rule',
            field=fields.ForeignKeyField('models.AlertRule', source_field='rule_id', null=True, db_constraint=True, to_field='id', related_name='notification_logs', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='NotificationLog',
            name='suppressed',
            field=fields.CharField(null=True, max_length=16),
        ),
        ops.AddField(
            model_name='UpsSystem',
            name='mute_reason',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name='UpsSystem',
            name='muted_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunPython(move_personal_channels),
        ops.RemoveField(model_name='UserSettings', name='discord_webhook_url'),
        ops.RemoveField(model_name='UserSettings', name='email_notifications'),
        ops.RemoveField(model_name='UserSettings', name='email_recipients'),
        ops.RemoveField(model_name='UserSettings', name='slack_webhook_url'),
    ]
