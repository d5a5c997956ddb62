"""/api/v1/ endpoints of the support app."""
urlpatterns = []
