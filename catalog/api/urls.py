"""/api/v1/ endpoints of the catalog app."""
urlpatterns = []
