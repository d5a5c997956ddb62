import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0003_whatsapp_pay_method'),
        ('shopchat', '0003_idempotency_business_index_covered_by_unique'),
    ]

    # The foreign key's own index goes (a composite index leads with its column); only the index
    # is dropped, so the constraint is not dropped and validated again over the whole table.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='payment',
                    name='business',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='shopchat.business'),
                ),
            ],
            database_operations=[
                migrations.RunSQL("DROP INDEX IF EXISTS payments_payment_business_id_1979d8ad", reverse_sql="CREATE INDEX payments_payment_business_id_1979d8ad ON payments_payment (business_id)"),
            ],
        ),
    ]
