from django.urls import path

from toki.shelters import views_tablet

urlpatterns = [
    # The offline tablet (shelter-pwa): page, service worker (scope /shelter-ops/), manifest.
    path("tablet/", views_tablet.tablet, name="shelter_tablet"),
    path("sw.js", views_tablet.service_worker, name="shelter_tablet_sw"),
    path("manifest.webmanifest", views_tablet.manifest, name="shelter_tablet_manifest"),
]
