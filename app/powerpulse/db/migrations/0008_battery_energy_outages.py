from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_shutdown_plans')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BatteryInstall',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ups', fields.ForeignKeyField('models.UpsSystem', source_field='ups_id', db_constraint=True, to_field='id', related_name='battery_installs', on_delete=OnDelete.CASCADE)),
                ('installed_on', fields.DateField()),
                ('source', fields.CharField(default='admin', max_length=16)),
                ('expected_life_months', fields.IntField(null=True)),
                ('note', fields.CharField(default='', max_length=200)),
                ('replaced_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('current_ups_id', fields.IntField(null=True, unique=True)),
                ('age_alerted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'battery_installs', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One battery (set) in one UPS: when it went in, how long it should last, when it came out.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DigestSchedule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('enabled', fields.BooleanField(default=True)),
                ('period', fields.CharField(default='weekly', max_length=8)),
                ('hour', fields.IntField(default=8)),
                ('timezone', fields.CharField(default='UTC', max_length=64)),
                ('channels', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('last_period', fields.CharField(null=True, max_length=16)),
                ('last_sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'digest_schedules', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A report sent through shared channels: `period` daily, weekly (Monday) or monthly'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Outage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ups', fields.ForeignKeyField('models.UpsSystem', source_field='ups_id', db_constraint=True, to_field='id', related_name='outages', on_delete=OnDelete.CASCADE)),
                ('start_event_id', fields.BigIntField(unique=True)),
                ('end_event_id', fields.BigIntField(null=True)),
                ('started_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('duration_seconds', fields.FloatField(null=True)),
                ('min_charge', fields.FloatField(null=True)),
                ('min_runtime', fields.FloatField(null=True)),
                ('energy_wh', fields.FloatField(null=True)),
                ('energy_coverage', fields.FloatField(null=True)),
                ('shutdown_runs', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'outages', 'app': 'models', 'indexes': [Index(fields=['ups_id', 'started_at'])], 'pk_attr': 'id', 'table_description': 'One power failure of one UPS, from its on_battery event to its online event.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SelfTestSchedule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('enabled', fields.BooleanField(default=True)),
                ('ups', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('test_type', fields.CharField(default='quick', max_length=8)),
                ('frequency', fields.CharField(default='monthly', max_length=8)),
                ('weekday', fields.IntField(null=True)),
                ('day_of_month', fields.IntField(null=True)),
                ('time_of_day', fields.CharField(default='03:00', max_length=5)),
                ('timezone', fields.CharField(default='UTC', max_length=64)),
                ('min_charge', fields.FloatField(default=90)),
                ('quiet_hours', fields.IntField(default=24)),
                ('last_due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'self_test_schedules', 'app': 'models', 'pk_attr': 'id', 'table_description': 'When battery self-tests run: weekly (`weekday` 0 = Monday) or monthly (`day_of_month`'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SelfTest',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ups', fields.ForeignKeyField('models.UpsSystem', source_field='ups_id', db_constraint=True, to_field='id', related_name='self_tests', on_delete=OnDelete.CASCADE)),
                ('schedule', fields.ForeignKeyField('models.SelfTestSchedule', source_field='schedule_id', null=True, db_constraint=True, to_field='id', related_name='tests', on_delete=OnDelete.SET_NULL)),
                ('test_type', fields.CharField(default='quick', max_length=8)),
                ('command', fields.CharField(default='', max_length=64)),
                ('state', fields.CharField(default='requested', db_index=True, max_length=16)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('raw_result', fields.CharField(null=True, max_length=255)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('readings', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('active_ups_id', fields.IntField(null=True, unique=True)),
                ('started_by', fields.CharField(null=True, max_length=64)),
                ('alerted', fields.BooleanField(default=False)),
            ],
            options={'table': 'self_tests', 'app': 'models', 'indexes': [Index(fields=['ups_id', 'requested_at'])], 'pk_attr': 'id', 'table_description': 'One battery self-test of one UPS, asked for by a schedule or a user.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Sample',
            name='power_source',
            field=fields.CharField(null=True, max_length=16),
        ),
        ops.AddField(
            model_name='SampleRollup',
            name='energy_seconds',
            field=fields.FloatField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='SampleRollup',
            name='energy_wh',
            field=fields.FloatField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='SampleRollup',
            name='power_estimated_n',
            field=fields.IntField(default=0, db_default=0),
        ),
    ]
