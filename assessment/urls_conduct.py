"""Assessment URLs: conduct."""

urlpatterns: list = []
