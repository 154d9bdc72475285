"""/tablet/: the household tablet (device cookie, no login)."""

from django.urls import path

from toki.community import views_pwa, views_tablet

app_name = "community_tablet"

urlpatterns = [
    path("", views_tablet.home, name="home"),
    path("items/", views_tablet.item_list, name="items"),
    path("items/<int:pk>/", views_tablet.item_detail, name="item"),
    path("items/<int:pk>/seen/", views_tablet.seen, name="seen"),
    path("items/<int:pk>/attend/", views_tablet.attend, name="attend"),
    path("items/<int:pk>/files/<int:attachment_pk>/", views_tablet.attachment, name="attachment"),
    path("search/", views_tablet.search, name="search"),
    path("alert/", views_tablet.alert, name="alert"),
    path("reply/", views_tablet.reply, name="reply"),
    path("well/", views_tablet.well, name="well"),
    path("family/", views_tablet.family, name="family"),
    path("enrol/<str:token>/", views_tablet.enrol, name="enrol"),
    path("poll.json", views_tablet.poll, name="poll"),
    path("push/subscribe/", views_tablet.push_subscribe, name="push_subscribe"),
    path("sw.js", views_pwa.service_worker, name="sw"),
    path("manifest.webmanifest", views_pwa.manifest, name="manifest"),
]
