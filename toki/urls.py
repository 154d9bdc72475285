from django.urls import include, path

from toki.api import api

urlpatterns = [
    path("", include("toki.portal.urls")),
    path("accounts/", include("toki.accounts.urls")),
    path("api/v1/", api.urls),
]
