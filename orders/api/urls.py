"""/api/v1/ endpoints of the orders app."""
urlpatterns = []
