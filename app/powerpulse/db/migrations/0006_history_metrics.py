from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Samples stored before readings were range-checked (their physical ranges, frozen here as of this
# migration) keep absurd values such as a 4.6e251 % load: they flatten a chart's scale, and on
# PostgreSQL a SUM near 1.8e308 overflows (an error, where SQLite gives inf). Such readings become
# no reading; an hour's rollup of that metric is emptied (its min/max/sum carry them too).
_RANGES = {
    'charge': (0, 100),
    'runtime': (0, 8_640_000),
    'load': (0, 1000),
    'input_voltage': (0, 1500),
    'output_voltage': (0, 1500),
    'battery_voltage': (0, 1500),
    'temperature': (-100, 150),
}
_OUT = {c: f'({c} < {lo} OR {c} > {hi})' for c, (lo, hi) in _RANGES.items()}
_CLEANUP = [
    # One pass over samples (the big table, no index on these columns), not one per metric.
    'UPDATE samples SET '
    + ', '.join(f'{c} = CASE WHEN {out} THEN NULL ELSE {c} END' for c, out in _OUT.items())
    + ' WHERE ' + ' OR '.join(_OUT.values())
] + [
    f'UPDATE sample_rollups SET {c}_min = NULL, {c}_max = NULL, {c}_sum = 0, {c}_n = 0'
    f' WHERE {c}_min < {lo} OR {c}_max > {hi}'
    for c, (lo, hi) in _RANGES.items()
    if c != 'temperature'  # new in this migration: no rollup has it yet
]

class Migration(migrations.Migration):
    dependencies = [('models', '0005_notification_channels_rules_alerts')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Sample',
            name='input_frequency',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='Sample',
            name='realpower',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='SampleRollup',
            name='input_frequency_max',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='SampleRollup',
            name='input_frequency_min',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='SampleRollup',
            name='input_frequency_n',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='SampleRollup',
            name='input_frequency_sum',
            field=fields.FloatField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='SampleRollup',
            name='realpower_max',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='SampleRollup',
            name='realpower_min',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='SampleRollup',
            name='realpower_n',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='SampleRollup',
            name='realpower_sum',
            field=fields.FloatField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='SampleRollup',
            name='temperature_max',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='SampleRollup',
            name='temperature_min',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='SampleRollup',
            name='temperature_n',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='SampleRollup',
            name='temperature_sum',
            field=fields.FloatField(default=0, db_default=0),
        ),
        ops.RunSQL(_CLEANUP),
    ]
