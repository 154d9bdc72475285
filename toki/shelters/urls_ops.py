"""Staff pages of shelter operations, mounted at /shelter-ops/."""

from django.urls import path

from toki.shelters import views_hq, views_staff, views_tablet

# No app namespace: the tablet views (shelter-pwa) reverse "shelter_tablet…"; staff pages are "shelters_…".
urlpatterns = [
    # The offline tablet (shelter-pwa): page, service worker (scope /shelter-ops/), manifest.
    path("tablet/", views_tablet.tablet, name="shelter_tablet"),
    path("sw.js", views_tablet.service_worker, name="shelter_tablet_sw"),
    path("manifest.webmanifest", views_tablet.manifest, name="shelter_tablet_manifest"),
    path("", views_staff.index, name="shelters_index"),
    path("open/", views_staff.open_shelter, name="shelters_open"),
    path("openings/<int:pk>/", views_staff.opening_detail, name="shelters_opening"),
    path("openings/<int:pk>/status/", views_staff.set_status, name="shelters_set_status"),
    path("openings/<int:pk>/crowding/", views_staff.set_crowding, name="shelters_set_crowding"),
    path("openings/<int:pk>/confirm/", views_staff.confirm, name="shelters_confirm"),
    path("openings/<int:pk>/check-in/", views_staff.quick_check_in, name="shelters_quick_check_in"),
    path("openings/<int:pk>/check-in/code/", views_staff.token_check_in, name="shelters_token_check_in"),
    path("openings/<int:pk>/households/<uuid:household_id>/", views_staff.household, name="shelters_household"),
    path("openings/<int:pk>/households/<uuid:household_id>/check-out/", views_staff.check_out,
         name="shelters_check_out"),
    path("openings/<int:pk>/roster/", views_staff.roster_print, name="shelters_roster"),
    path("openings/<int:pk>/supplies/new/", views_hq.new_supply_request, name="shelters_new_supply_request"),
    path("supplies/", views_hq.supplies, name="shelters_supplies"),
    path("supplies/<int:request_id>/answer/", views_hq.answer_supplies, name="shelters_answer_supplies"),
    path("duplicates/", views_hq.duplicates, name="shelters_duplicates"),
    path("duplicates/<int:candidate_id>/", views_hq.resolve_duplicate, name="shelters_resolve_duplicate"),
    path("search/", views_hq.search, name="shelters_search"),
    path("shelters/<int:shelter_id>/edit/", views_hq.edit_shelter, name="shelters_edit_shelter"),
]
