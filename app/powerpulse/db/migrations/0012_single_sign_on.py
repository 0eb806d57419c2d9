from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_two_factors')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OidcIdentity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='oidc_identities', on_delete=OnDelete.CASCADE)),
                ('issuer', fields.CharField(max_length=255)),
                ('subject', fields.CharField(max_length=255)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'oidc_identities', 'app': 'models', 'unique_together': (('issuer', 'subject'),), 'pk_attr': 'id', 'table_description': "A user's account at the OpenID provider (`iss` + `sub`): how a single sign-on finds them."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OidcLogin',
            fields=[
                ('state', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('nonce', fields.CharField(max_length=64)),
                ('verifier', fields.CharField(max_length=128)),
                ('next_path', fields.CharField(default='/', max_length=255)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'oidc_logins', 'app': 'models', 'pk_attr': 'state', 'table_description': 'A single sign-on in progress: the state sent to the provider with its nonce and PKCE'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='User',
            name='sso_only',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
