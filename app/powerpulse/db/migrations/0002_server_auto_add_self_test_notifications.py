from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='NutServer',
            name='auto_add',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AlterModelOptions(
            name='UpsLiveState',
            options={'table': 'ups_live_state', 'app': 'models', 'pk_attr': 'ups_id', 'table_description': 'What the poller last saw of one UPS. The api worker answers list requests from here.'},
        ),
        ops.AddField(
            model_name='UserSettings',
            name='self_test_notifications',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
