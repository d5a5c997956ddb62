"""The back office's frame on django-unfold: the sidebar grouped by what a merchant does
(navigation), the sales dashboard (dashboard), the login and money form fields (forms).
Floor 0: it names the apps' admin pages by URL name only and gets their figures through the
registries in shopchat.dashboard, so it imports no app above the kernel."""
