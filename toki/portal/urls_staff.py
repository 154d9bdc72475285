"""The portal's staff pages and the survey endpoint, included at /portal/ by toki/urls.py:
`path("portal/", include("toki.portal.urls_staff"))`. Nothing under /portal/ is counted as a page view."""

from django.urls import path

from toki.portal import views_staff

app_name = "portal_staff"
urlpatterns = [
    path("mode/", views_staff.mode, name="mode"),
    path("kpi/", views_staff.kpi_page, name="kpi"),
    path("kpi.json", views_staff.kpi_json, name="kpi_json"),
    path("survey/", views_staff.survey, name="survey"),
]
