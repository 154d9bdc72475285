"""Every registry page but the second-factor page itself asks registry users for a fresh second factor
(second_factor.required) and keeps their sessions short."""

from django.urls import path

from toki.registry import (
    views,
    views_activation,
    views_apply,
    views_household,
    views_log,
    views_mailings,
    views_mode,
    views_otp,
    views_plans,
    views_refresh,
    views_safety,
    views_safety_sync,
)
from toki.registry.second_factor import required

app_name = "registry"
urlpatterns = [
    path("second-factor/", views_otp.second_factor_page, name="second_factor"),
    # 手上げ: the public form (anyone, no second factor: it reads nothing of the register).
    path("apply/", views_apply.apply, name="apply"),
    path("apply/sent/", views_apply.apply_sent, name="apply_sent"),
    path("second-factor/recovery-codes/", required(views_otp.recovery_codes), name="recovery_codes"),
    path("second-factor/reset/", required(views_otp.reset_page), name="second_factor_reset"),
    path("", required(views.index), name="index"),
    path("districts/<int:district_id>/", required(views.district), name="district"),
    path("districts/<int:district_id>/export/", required(views.export), name="export_create"),
    path("exports/<int:pk>/", required(views.export_download), name="export"),
    path("activations/", required(views_activation.activations), name="activations"),
    path("activations/<int:pk>/", required(views_activation.activation), name="activation"),
    path("access-log/", required(views_log.access_log), name="access_log"),
    path("refreshes/", required(views_refresh.refreshes), name="refreshes"),
    path("refreshes/<int:pk>/", required(views_refresh.refresh_page), name="refresh"),
    path("safety/", required(views_safety.rounds), name="safety_rounds"),
    path("safety/<int:pk>/", required(views_safety.round_page), name="safety_round"),
    path("safety/<int:pk>/districts/<int:district_id>/", required(views_safety.round_district),
         name="safety_district"),
    path("safety/<int:pk>/people/<int:person_id>/", required(views_safety.record), name="safety_record"),
    path("safety/mine/", required(views_safety_sync.mine), name="safety_mine"),
    path("safety/mine/sw.js", views_safety_sync.service_worker, name="safety_mine_sw"),
    path("safety/mine/list.json", required(views_safety_sync.mine_list), name="safety_mine_list"),
    path("safety/mine/events", required(views_safety_sync.mine_events), name="safety_mine_events"),
    path("people/<int:person_id>/supporters/", required(views_safety_sync.person_supporters),
         name="person_supporters"),
    path("people/<int:person_id>/household/", required(views_household.person_household),
         name="person_household"),
    path("applications/", required(views_apply.queue), name="applications"),
    path("applications/paper/", required(views_apply.paper), name="application_paper"),
    path("applications/<int:pk>/", required(views_apply.application), name="application"),
    path("mailings/", required(views_mailings.mailing_list), name="mailings"),
    path("mailings/answers/", required(views_mailings.answers), name="mailing_answers"),
    path("mailings/<int:pk>/", required(views_mailings.mailing), name="mailing"),
    path("mailings/<int:pk>/print/", required(views_mailings.mailing_print), name="mailing_print"),
    path("mailings/<int:pk>/visits/", required(views_mailings.mailing_visits), name="mailing_visits"),
    path("consent-mode/", required(views_mode.consent_mode), name="consent_mode"),
    # 個別避難計画 and the supporters' map (views_plans.py)
    path("plans/", required(views_plans.index), name="plans"),
    path("plans/districts/<int:district_id>/", required(views_plans.district), name="plans_district"),
    path("plans/people/<int:person_id>/", required(views_plans.edit), name="plan_edit"),
    path("plans/<int:pk>/", required(views_plans.plan), name="plan"),
    path("plans/<int:pk>/print/", required(views_plans.print_plan), name="plan_print"),
    path("plans/<int:pk>/supporters/", required(views_plans.add_supporter), name="plan_supporters"),
    path("plans/supporters/<int:pk>/", required(views_plans.supporter), name="plan_supporter"),
    path("plans/map/", required(views_plans.map_page), name="plan_map"),
    path("plans/map.json", required(views_plans.map_data), name="plan_map_data"),
]
