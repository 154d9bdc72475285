from django.urls import path

from toki.hq.damage import views

app_name = "damage"

urlpatterns = [
    path("", views.index, name="index"),
    path("incidents/<int:incident_pk>/", views.dashboard, name="dashboard"),
    path("incidents/<int:incident_pk>/reports/new/", views.new_report, name="new_report"),
    path("incidents/<int:incident_pk>/issued/", views.issued_list, name="issued_list"),
    path("incidents/<int:incident_pk>/issued/<int:number>/", views.issued_detail, name="issued"),
    path("incidents/<int:incident_pk>/issued/<int:number>.xlsx", views.issued_xlsx, name="issued_xlsx"),
    path("incidents/<int:incident_pk>/issued/<int:number>/trace/<slug:item>/", views.trace, name="trace"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/correct/", views.correct_report, name="correct"),
    path("reports/<int:pk>/confirm/", views.confirm_report, name="confirm"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
