"""CAP 1.2 URLs, included at /cap/ by toki/urls.py: `path("cap/", include("toki.alerts.urls_cap"))`."""

from django.urls import path

from toki.alerts import views_cap

app_name = "cap"
urlpatterns = [
    path("feed.atom", views_cap.feed, name="feed"),
    path("alerts/<int:pk>.xml", views_cap.alert_xml, name="alert"),
    path("import", views_cap.import_view, name="import"),
]
