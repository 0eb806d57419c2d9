from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_server_auto_add_self_test_notifications')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApiInstance',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=96)),
                ('host', fields.CharField(max_length=255)),
                ('pid', fields.IntField()),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('heartbeat_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_instances', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A running api worker process (one per Sanic worker, in any container), as it last'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Poller',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=96)),
                ('host', fields.CharField(max_length=255)),
                ('pid', fields.IntField()),
                ('sites', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('heartbeat_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'pollers', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A running poller process, as it last reported itself (its heartbeat).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PollerLease',
            fields=[
                ('nut_server', fields.OneToOneField('models.NutServer', source_field='nut_server_id', primary_key=True, db_index=True, db_constraint=True, to_field='id', related_name='lease', on_delete=OnDelete.CASCADE)),
                ('poller_id', fields.CharField(max_length=96)),
                ('acquired_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'poller_leases', 'app': 'models', 'pk_attr': 'nut_server_id', 'table_description': 'Which poller polls a NUT server, until when. A poller renews its leases every tick, and'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RateLimitHit',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('bucket', fields.CharField(max_length=128)),
                ('at', fields.FloatField()),
            ],
            options={'table': 'rate_limit_hits', 'app': 'models', 'indexes': [Index(fields=['bucket', 'at'])], 'pk_attr': 'id', 'table_description': 'One counted attempt under a rate limit, shared by every api instance (api/ratelimit.py).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UsedStreamTicket',
            fields=[
                ('jti', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('expires_at', fields.FloatField()),
            ],
            options={'table': 'used_stream_tickets', 'app': 'models', 'pk_attr': 'jti', 'table_description': 'The id of a stream ticket once it has opened a stream, until it expires: a second use'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='NutServer',
            name='site',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
