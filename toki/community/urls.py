"""/community/: staff pages for household tablets."""

from django.urls import path

from toki.community import views_staff

app_name = "community"

urlpatterns = [
    path("", views_staff.dashboard, name="dashboard"),
    path("households/", views_staff.households, name="households"),
    path("households/<int:pk>/", views_staff.household, name="household"),
    path("households/<int:pk>/enrol/", views_staff.enrol_code, name="enrol_code"),
    path("households/<int:pk>/note/", views_staff.add_note, name="add_note"),
    path("households/<int:pk>/watch/", views_staff.set_watch, name="set_watch"),
    path("devices/<int:pk>/sign-out/", views_staff.sign_out, name="sign_out"),
    path("items/", views_staff.items, name="items"),
    path("items/<int:pk>/", views_staff.item, name="item"),
    path("watch/", views_staff.watch, name="watch"),
    path("watch/<int:pk>/resolve/", views_staff.resolve_watch, name="resolve_watch"),
    path("fleet/", views_staff.fleet, name="fleet"),
]
