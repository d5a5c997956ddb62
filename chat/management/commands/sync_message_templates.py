"""sync_message_templates [BUSINESS_SLUG ...]

Reads the message templates of each business's WhatsApp number from Meta (every enabled number
with a WhatsApp Business Account id when no slug is given), as the back office's "Sync
templates from Meta" action does. A number Meta refused is reported on one line and the
command ends with exit code 1; the others are synced all the same."""
from django.core.management.base import BaseCommand, CommandError

from chat.errors import TemplateSyncFailed
from chat.models import WhatsAppConfig
from chat.template_sync import sync_message_templates


class Command(BaseCommand):
    help = "Sync the WhatsApp numbers' message templates from Meta."

    def add_arguments(self, parser):
        parser.add_argument("business_slugs", nargs="*")

    def handle(self, *args, **opts):
        configs = WhatsAppConfig.objects.select_related("business").order_by("pk")
        slugs = opts["business_slugs"]
        if slugs:
            configs = configs.filter(business__slug__in=slugs)
            missing = set(slugs) - {c.business.slug for c in configs}
            if missing:
                raise CommandError(f"No WhatsApp number for {', '.join(sorted(missing))}.")
        else:
            configs = configs.filter(enabled=True).exclude(waba_id="")
        failed = 0
        for config in configs:
            try:
                result = sync_message_templates(config=config)
            except TemplateSyncFailed as exc:
                failed += 1
                self.stderr.write(f"{config.business.slug} ({config.phone_number_id}): {exc.message}")
                continue
            self.stdout.write(f"{config.business.slug} ({config.phone_number_id}): {result.listed} templates, "
                              f"{result.created} new, {result.updated} changed, {result.removed} gone.")
        if failed:
            raise CommandError(f"{failed} number(s) not synced.")
