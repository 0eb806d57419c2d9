from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_audit_log')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TwoFactor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.OneToOneField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='two_factor', on_delete=OnDelete.CASCADE)),
                ('secret', fields.CharField(max_length=255)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_step', fields.BigIntField(default=0)),
                ('recovery_hashes', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'two_factors', 'app': 'models', 'pk_attr': 'id', 'table_description': "A local account's TOTP second factor (`powerpulse.totp`): the secret sealed"},
            bases=['Model'],
        ),
    ]
