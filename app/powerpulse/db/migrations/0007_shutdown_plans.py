from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_history_metrics')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ProtectedHost',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ups', fields.ForeignKeyField('models.UpsSystem', source_field='ups_id', db_constraint=True, to_field='id', related_name='protected_hosts', on_delete=OnDelete.CASCADE)),
                ('host', fields.CharField(max_length=255)),
                ('label', fields.CharField(default='', max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'protected_hosts', 'app': 'models', 'unique_together': (('ups', 'host'),), 'pk_attr': 'id', 'table_description': 'A host an operator says must stay attached to a UPS as an upsmon client (LIST CLIENT'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ShutdownPlan',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=100)),
                ('enabled', fields.BooleanField(default=True)),
                ('definition', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('updated_by', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'shutdown_plans', 'app': 'models', 'pk_attr': 'id', 'table_description': "A shutdown plan: its definition is `shutdown.plan`'s JSON (secrets sealed)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ShutdownRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plan', fields.ForeignKeyField('models.ShutdownPlan', source_field='plan_id', null=True, db_constraint=True, to_field='id', related_name='runs', on_delete=OnDelete.SET_NULL)),
                ('plan_name', fields.CharField(max_length=100)),
                ('definition', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('state', fields.CharField(default='running', db_index=True, max_length=16)),
                ('trigger', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('phase', fields.IntField(default=0)),
                ('phase_due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('phase_started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('restore_since', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('active_plan_id', fields.IntField(null=True, unique=True)),
                ('claimed_by', fields.CharField(null=True, max_length=96)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('started_by', fields.CharField(null=True, max_length=64)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'shutdown_runs', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One run of a plan, from its trigger to its end (and the restore sequence after it).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ShutdownStep',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('run', fields.ForeignKeyField('models.ShutdownRun', source_field='run_id', db_constraint=True, to_field='id', related_name='steps', on_delete=OnDelete.CASCADE)),
                ('section', fields.CharField(default='phase', max_length=8)),
                ('phase', fields.IntField(default=0)),
                ('position', fields.IntField(default=0)),
                ('action_id', fields.CharField(max_length=16)),
                ('action_type', fields.CharField(max_length=16)),
                ('description', fields.TextField(default='', unique=False)),
                ('state', fields.CharField(default='pending', max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('exit_code', fields.IntField(null=True)),
                ('output', fields.TextField(default='', unique=False)),
                ('error', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'shutdown_steps', 'app': 'models', 'unique_together': (('run', 'section', 'phase', 'position'),), 'pk_attr': 'id', 'table_description': 'One action of a run: `section` "phase" (with `phase`) or "restore", `position` its place'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='UpsLiveState',
            name='clients',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='UpsLiveState',
            name='clients_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
