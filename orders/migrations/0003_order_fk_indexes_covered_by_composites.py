import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0002_cart_history_shipping_counter'),
        ('shopchat', '0003_idempotency_business_index_covered_by_unique'),
    ]

    # The foreign key's own index goes (a composite index leads with its column); only the index
    # is dropped, so the constraint is not dropped and validated again over the whole table.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='order',
                    name='business',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='orders', to='shopchat.business'),
                ),
                migrations.AlterField(
                    model_name='order',
                    name='customer',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='shopchat.customer'),
                ),
            ],
            database_operations=[
                migrations.RunSQL("DROP INDEX IF EXISTS orders_order_business_id_7b283f65", reverse_sql="CREATE INDEX orders_order_business_id_7b283f65 ON orders_order (business_id)"),
                migrations.RunSQL("DROP INDEX IF EXISTS orders_order_customer_id_0b76f6a4", reverse_sql="CREATE INDEX orders_order_customer_id_0b76f6a4 ON orders_order (customer_id)"),
            ],
        ),
    ]
