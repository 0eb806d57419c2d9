from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_shared_state_and_leases')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='PollerLease',
            options={'table': 'poller_leases', 'app': 'models', 'pk_attr': 'nut_server_id', 'table_description': 'Which poller polls a NUT server, until when. A poller renews its leases every tick, and'},
        ),
        ops.AddField(
            model_name='UpsSystem',
            name='tags',
            field=fields.JSONField(null=True, default=list, encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
