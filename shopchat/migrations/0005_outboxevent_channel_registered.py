import shopchat.channels
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('shopchat', '0004_whatsapp_moves_to_chat'),
    ]

    # The channels and their labels come from the apps that register them (shopchat.channels):
    # the column is unchanged, and a new channel needs no migration.
    operations = [
        migrations.AlterField(
            model_name='outboxevent',
            name='channel',
            field=models.CharField(choices=shopchat.channels.choices, default='webhook', max_length=10),
        ),
    ]
