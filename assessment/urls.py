"""Assessment URLs, one module per area: cycles and ratings; conduct reports and dashboards."""

from assessment import urls_conduct, urls_pages

app_name = "assessment"

urlpatterns = [*urls_pages.urlpatterns, *urls_conduct.urlpatterns]
