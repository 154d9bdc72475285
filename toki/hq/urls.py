from django.urls import path

from toki.hq.views import board, chronology, incidents, instructions

app_name = "hq"
urlpatterns = [
    path("", incidents.incident_list, name="incidents"),
    path("incidents/new/", incidents.incident_new, name="incident_new"),
    path("incidents/<int:pk>/", incidents.incident_detail, name="incident"),
    path("incidents/<int:pk>/status/", incidents.incident_status, name="incident_status"),
    path("incidents/<int:pk>/relief-act/", incidents.incident_relief, name="incident_relief"),
    path("incidents/<int:pk>/districts/", incidents.incident_districts, name="incident_districts"),
    path("incidents/<int:pk>/close/", incidents.incident_close, name="incident_close"),
    path("incidents/<int:pk>/board/", board.board_page, name="board"),
    path("incidents/<int:pk>/board/map.json", board.board_map, name="board_map"),
    path("incidents/<int:pk>/board/<str:part>/", board.board_part, name="board_part"),
    path("incidents/<int:pk>/kpi.json", board.kpi_json, name="kpi_json"),
    path("incidents/<int:pk>/instructions/", instructions.incident_instructions, name="incident_instructions"),
    path("incidents/<int:pk>/chronology/", chronology.chronology, name="chronology"),
    path("incidents/<int:pk>/chronology.csv", chronology.chronology_csv, name="chronology_csv"),
    path("incidents/<int:pk>/chronology/print/", chronology.chronology_print, name="chronology_print"),
    path("incidents/<int:pk>/chronology/entries/<int:entry_pk>/annotate/", chronology.annotate, name="annotate"),
    path("instructions/mine/", instructions.my_instructions, name="my_instructions"),
    path("instructions/<int:pk>/", instructions.instruction_detail, name="instruction"),
    path("instructions/<int:pk>/<str:step>/", instructions.instruction_step, name="instruction_step"),
]
