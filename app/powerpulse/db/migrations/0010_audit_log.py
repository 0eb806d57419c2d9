from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_api_tokens')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('user_id', fields.IntField(null=True, db_index=True)),
                ('username', fields.CharField(null=True, max_length=64)),
                ('token_id', fields.IntField(null=True)),
                ('token_name', fields.CharField(null=True, max_length=100)),
                ('address', fields.CharField(null=True, max_length=64)),
                ('action', fields.CharField(db_index=True, max_length=96)),
                ('method', fields.CharField(null=True, max_length=8)),
                ('path', fields.CharField(null=True, max_length=255)),
                ('status', fields.IntField(null=True)),
                ('target_type', fields.CharField(null=True, max_length=48)),
                ('target_id', fields.CharField(null=True, max_length=32)),
                ('target_name', fields.CharField(null=True, max_length=255)),
                ('before', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('after', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('request', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'audit_log', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One change or action (`powerpulse.audit`): who, when, from where, what, and the subject'},
            bases=['Model'],
        ),
    ]
