"""/api/v1/ endpoints of the payments app."""
urlpatterns = []
