import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('shopchat', '0002_whatsapp'),
    ]

    # The foreign key's own index goes (a composite index leads with its column); only the index
    # is dropped, so the constraint is not dropped and validated again over the whole table.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='idempotencyrecord',
                    name='business',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='shopchat.business'),
                ),
            ],
            database_operations=[
                migrations.RunSQL("DROP INDEX IF EXISTS shopchat_idempotencyrecord_business_id_8fdb771a", reverse_sql="CREATE INDEX shopchat_idempotencyrecord_business_id_8fdb771a ON shopchat_idempotencyrecord (business_id)"),
            ],
        ),
    ]
