"""The WhatsApp adapter's models leave the kernel's state: they belong to the chat app now
(`chat.0001_initial` adds them there first, and declares that it runs before this). Their
tables stay where they are, so the database is not touched."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('shopchat', '0003_idempotency_business_index_covered_by_unique'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='Conversation'),
                migrations.DeleteModel(name='OutboundMessage'),
                migrations.DeleteModel(name='InboundMessage'),
                migrations.DeleteModel(name='DeadLetter'),
                migrations.DeleteModel(name='WhatsAppConfig'),
            ],
        ),
    ]
