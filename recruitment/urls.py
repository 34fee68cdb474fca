"""Recruitment URLs, one module per area: campaigns, on-site scoring, results."""

from recruitment import urls_campaign, urls_results, urls_scoring

app_name = "recruitment"

urlpatterns = [*urls_campaign.urlpatterns, *urls_scoring.urlpatterns, *urls_results.urlpatterns]
