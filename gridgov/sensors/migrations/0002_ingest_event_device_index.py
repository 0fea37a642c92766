"""DeviceEvent.device loses its own index: the unique (device, event_id) and (device, ts) indexes
both start with device_id and serve its lookups, and every ingested event paid for a third copy.

Only the index is dropped (Django's AlterField would rebuild the table on SQLite and drop and
re-validate the foreign key on PostgreSQL: a long lock on a table of millions of events)."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "sensors_deviceevent_device_id_491326e6"


class Migration(migrations.Migration):

    dependencies = [
        ('sensors', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='deviceevent',
                    name='device',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name='events', to='sensors.device', verbose_name='设备'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{INDEX}"',
                                  reverse_sql=f'CREATE INDEX "{INDEX}" ON "sensors_deviceevent" ("device_id")'),
            ],
        ),
    ]
