from django.urls import path

from toki.kpi import views

app_name = "kpi"

urlpatterns = [
    path("", views.plan_page, name="plan"),
    path("plan.csv", views.plan_csv, name="plan_csv"),
    path("plan.json", views.plan_json, name="plan_json"),
    path("plan.xlsx", views.plan_xlsx, name="plan_xlsx"),
    path("goals/<int:number>/evaluation.pdf", views.evaluation_pdf, name="evaluation_pdf"),
    path("mine/", views.my_kpis, name="mine"),
    path("import/", views.import_results, name="import"),
    path("<slug:code>/", views.kpi_page, name="kpi"),
    path("<slug:code>/result/", views.record_result, name="record_result"),
    path("<slug:code>/baseline/", views.set_baseline, name="set_baseline"),
    path("<slug:code>/notes/<int:year>/", views.write_note, name="write_note"),
    path("<slug:code>/notes/<int:year>/review/", views.review_note, name="review_note"),
]
