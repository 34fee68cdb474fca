"""Assessment URLs: pages."""

urlpatterns: list = []
