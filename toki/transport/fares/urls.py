from django.urls import path

from toki.transport.fares import views_checker, views_public, views_resident, views_staff

app_name = "fares"

urlpatterns = [
    path("", views_resident.home, name="home"),
    path("residency/start/", views_resident.start, name="start"),
    path("residency/callback/", views_resident.callback, name="callback"),
    path("forget/", views_resident.forget, name="forget"),
    path("buy/", views_resident.buy, name="buy"),
    path("bought/<str:session_id>/", views_resident.bought, name="bought"),
    path("quasi/", views_resident.quasi, name="quasi"),
    path("staff/", views_staff.staff, name="staff"),
    path("staff/applications/<int:pk>/", views_staff.review, name="review"),
    path("staff/applications/<int:pk>/evidence/", views_staff.evidence, name="evidence"),
    path("staff/purchases/<int:pk>/refund/", views_staff.refund, name="refund"),
    path("checker/", views_checker.checker, name="checker"),
    path("checker/sw.js", views_checker.service_worker, name="checker_sw"),
    path("checker/revoked.json", views_checker.revoked, name="revoked"),
    path("checker/uses", views_checker.record_uses, name="uses"),
    path("webhooks/<slug:provider>/", views_public.webhook, name="webhook"),
]
