"""Payroll URLs, one module per area: periods and their jobs; policy, inputs and packages; pay slips."""

from payroll import urls_packages, urls_periods, urls_slips

app_name = "payroll"

urlpatterns = [*urls_periods.urlpatterns, *urls_packages.urlpatterns, *urls_slips.urlpatterns]
