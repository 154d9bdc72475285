from django.urls import include, path
from django.views.i18n import set_language

from toki.api import api

urlpatterns = [
    path("", include("toki.portal.urls")),
    path("accounts/", include("toki.accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
]
