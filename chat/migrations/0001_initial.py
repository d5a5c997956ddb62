"""The WhatsApp adapter's models move from the kernel (`shopchat`) to the chat app.

Only Django's picture of the models moves: the tables keep their `shopchat_...` names (each
model's `db_table`), so no row is copied and nothing is locked. This migration adds the models
to the chat app's state; `shopchat.0004_whatsapp_moves_to_chat`, which runs after it
(`run_before`), takes them out of the kernel's. The content types move along, so permissions
granted on these models, and the admin's history of them, stay attached.
"""
import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

MODELS = ("whatsappconfig", "inboundmessage", "outboundmessage", "conversation", "deadletter")


def _move_content_types(apps, schema_editor, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MODELS:
        # A row already under `target` (created by a migrate that ran before this one) wins;
        # the one left under `source` is stale, as `remove_stale_contenttypes` would report.
        if not content_types.filter(app_label=target, model=model).exists():
            content_types.filter(app_label=source, model=model).update(app_label=target)


def content_types_to_chat(apps, schema_editor):
    _move_content_types(apps, schema_editor, "shopchat", "chat")


def content_types_to_shopchat(apps, schema_editor):
    _move_content_types(apps, schema_editor, "chat", "shopchat")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('shopchat', '0002_whatsapp'),  # created the tables and is the last to have changed them
    ]
    run_before = [
        ('shopchat', '0004_whatsapp_moves_to_chat'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Conversation',
                    fields=[
                    ],
                    options={
                        'verbose_name': 'WhatsApp conversation',
                        'proxy': True,
                        'indexes': [],
                        'constraints': [],
                    },
                    bases=('shopchat.customer',),
                ),
                migrations.CreateModel(
                    name='DeadLetter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reason', models.CharField(max_length=300)),
                        ('body', models.TextField()),
                        ('received_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('business', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='whatsapp_dead_letters', to='shopchat.business')),
                    ],
                    options={
                        'db_table': 'shopchat_deadletter',
                        'ordering': ['-received_at'],
                    },
                ),
                migrations.CreateModel(
                    name='InboundMessage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('wa_message_id', models.CharField(max_length=200, verbose_name='message id')),
                        ('wa_id', models.CharField(blank=True, max_length=32, verbose_name='from')),
                        ('profile_name', models.CharField(blank=True, max_length=200)),
                        ('type', models.CharField(max_length=20)),
                        ('payload', models.JSONField()),
                        ('received_at', models.DateTimeField(auto_now_add=True)),
                        ('processed_at', models.DateTimeField(blank=True, null=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('error', models.TextField(blank=True)),
                        ('business', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='whatsapp_inbound', to='shopchat.business')),
                        ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='whatsapp_inbound', to='shopchat.customer')),
                    ],
                    options={
                        'db_table': 'shopchat_inboundmessage',
                        'ordering': ['-id'],
                    },
                ),
                migrations.CreateModel(
                    name='OutboundMessage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(help_text='text, template or the interactive type', max_length=20)),
                        ('body', models.JSONField(help_text='The message object, without `to` and `messaging_product`.')),
                        ('wa_message_id', models.CharField(blank=True, db_index=True, max_length=200, verbose_name='WhatsApp message id')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('sent', 'Sent'), ('delivered', 'Delivered'), ('read', 'Read'), ('failed', 'Failed')], default='queued', max_length=10)),
                        ('error_code', models.IntegerField(blank=True, null=True)),
                        ('error_title', models.CharField(blank=True, max_length=500)),
                        ('note', models.CharField(blank=True, max_length=300)),
                        ('order_number', models.CharField(blank=True, db_index=True, max_length=20)),
                        ('ticket_id', models.CharField(blank=True, db_index=True, max_length=40)),
                        ('source_event', models.UUIDField(blank=True, help_text='The outbox event this message tells the customer about.', null=True, unique=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('status_at', models.DateTimeField(blank=True, null=True)),
                        ('business', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='whatsapp_outbound', to='shopchat.business')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='whatsapp_outbound', to='shopchat.customer')),
                        ('in_reply_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='replies', to='chat.inboundmessage')),
                    ],
                    options={
                        'db_table': 'shopchat_outboundmessage',
                        'ordering': ['-id'],
                    },
                ),
                migrations.CreateModel(
                    name='WhatsAppConfig',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('phone_number_id', models.CharField(help_text="From Meta's WhatsApp Manager (API setup).", max_length=32, unique=True, validators=[django.core.validators.RegexValidator('^\\d{1,32}$', 'Digits only, as Meta shows it.')], verbose_name='phone-number id')),
                        ('access_token', models.CharField(help_text='A system-user access token. Write-only.', max_length=1000)),
                        ('app_secret', models.CharField(help_text="The Meta app's secret; signs the webhooks. Write-only.", max_length=200)),
                        ('verify_token', models.CharField(help_text='The token you enter with the callback URL at Meta.', max_length=200)),
                        ('base_url', models.URLField(default='https://graph.facebook.com', help_text="Meta's Graph API, or a Solution Provider's compatible endpoint.", max_length=300)),
                        ('api_version', models.CharField(default='v23.0', max_length=8, validators=[django.core.validators.RegexValidator('^v\\d{1,3}\\.\\d{1,2}$', 'A Graph API version such as v23.0.')])),
                        ('catalog_id', models.CharField(blank=True, help_text='The Commerce Manager catalog linked to the number.', max_length=32, validators=[django.core.validators.RegexValidator('^\\d{1,32}$', 'Digits only, as Meta shows it.')])),
                        ('payment_configuration', models.CharField(blank=True, help_text='WhatsApp Payments configuration name; empty: customers pay by wallet or card link.', max_length=60)),
                        ('payment_gateway', models.CharField(choices=[('razorpay', 'Razorpay'), ('payu', 'PayU'), ('billdesk', 'BillDesk'), ('zaakpay', 'Zaakpay')], default='razorpay', max_length=10)),
                        ('template_name', models.CharField(blank=True, help_text='Approved template sent instead of a message when the customer last wrote over 24 hours ago.', max_length=512, validators=[django.core.validators.RegexValidator('^[a-z0-9_]{1,512}$', "Lower-case letters, digits and '_'.")])),
                        ('template_language', models.CharField(blank=True, default='en', max_length=15)),
                        ('enabled', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('business', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='whatsapp_config', to='shopchat.business')),
                    ],
                    options={
                        'verbose_name': 'WhatsApp settings',
                        'verbose_name_plural': 'WhatsApp settings',
                        'db_table': 'shopchat_whatsappconfig',
                    },
                ),
                migrations.AddIndex(
                    model_name='inboundmessage',
                    index=models.Index(condition=models.Q(('processed_at__isnull', True)), fields=['processed_at', 'received_at'], name='wa_inbound_pending_idx'),
                ),
                migrations.AddIndex(
                    model_name='inboundmessage',
                    index=models.Index(fields=['customer', '-id'], name='wa_inbound_customer_idx'),
                ),
                migrations.AddConstraint(
                    model_name='inboundmessage',
                    constraint=models.UniqueConstraint(fields=('business', 'wa_message_id'), name='wa_inbound_business_message_unique'),
                ),
                migrations.AddIndex(
                    model_name='outboundmessage',
                    index=models.Index(fields=['customer', '-id'], name='wa_outbound_customer_idx'),
                ),
            ],
        ),
        migrations.RunPython(content_types_to_chat, content_types_to_shopchat),
    ]
