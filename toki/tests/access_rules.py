"""Who may reach each URL of the site and of the API: the one table the access-matrix test reads
(`toki/tests/test_access_matrix.py`). A new URL without a row here fails that test.

Rules:
- PUBLIC: anyone, anonymous included.
- LOGIN: any logged-in account (eve too); anonymous visitors are sent to log in (API: 401).
- a tuple of persona names: staff only; anonymous visitors are sent to log in (API: 401), and each persona named
  is refused (403 or 404; 400 where an API endpoint checks its body first; for a POST-only view the POST is
  tried): eve (no role) and the personas of the wrong kind, district or shelter for this URL. The objects
  behind the ids are made by the test: bob's 両津 damage report, an instruction to 両津支所, carol's opening with
  a household, a supply request, a notice, a lifeline.

Personas (toki/test.py, plus two made by the test through the accounts actions): alice HQ admin; bob 両津 branch
office; carol shelter team of 両津小学校; dave welfare (相川); eve no membership; frank 相川 branch office (the
wrong district); grace shelter team of 相川中学校 (the wrong shelter).
- TOKEN: anyone with a secret in the URL (a bogus one: 404).
- SIGNED: POST only, refused without a valid signature (400/405), whoever sends it.
- DEBUG_ONLY: routed only when DEBUG is on (development); production serves these from nginx.
"""

PUBLIC, LOGIN, TOKEN, SIGNED, DEBUG_ONLY = "public", "login", "token", "signed", "debug-only"

HQ_ONLY = ("eve", "bob", "carol", "dave", "frank", "grace")  # HQ (alice) only
INCIDENT_READERS = ("eve", "dave")  # incident work: HQ, branch offices and shelter teams read; welfare does not
FILERS = ("eve", "carol", "dave", "grace")  # damage reports are filed by HQ and branch offices (and agencies)
ORDER_ISSUERS = ("eve", "carol", "dave", "grace")  # alerts and evacuation orders: HQ and branch offices
RYOTSU_OFFICE = ("eve", "carol", "dave", "frank", "grace")  # bob's district or org unit only (and HQ)
SHELTER_TEAMS = ("eve", "bob", "dave", "frank")  # any shelter team (carol, grace) and HQ
CAROLS_SHELTER = ("eve", "bob", "dave", "frank", "grace")  # only the team of this shelter (and HQ)
RIDES_DESKS = ("eve", "carol", "dave", "grace")  # shared rides' phone desks: branch offices (any area) and HQ

RULES = {
    '': PUBLIC,
    'accounts/': LOGIN,
    'accounts/audit/': HQ_ONLY,
    'accounts/held-logins/': HQ_ONLY,
    'accounts/held-logins/<int:pk>/unlock/': HQ_ONLY,
    'accounts/login/': PUBLIC,
    'accounts/logout/': PUBLIC,
    'accounts/password/': LOGIN,
    'alerts/': ORDER_ISSUERS,
    'alerts/orders/': ORDER_ISSUERS,
    'alerts/orders/lift/': HQ_ONLY,
    'kpi/': PUBLIC,
    'kpi/<slug:code>/': PUBLIC,
    'kpi/<slug:code>/baseline/': HQ_ONLY,  # plan administrators (HQ admins, TOKI_KPI_ADMIN_UNITS)
    'kpi/<slug:code>/notes/<int:year>/': HQ_ONLY,  # the KPI's owning department (hana's 地域づくり課) and HQ
    'kpi/<slug:code>/notes/<int:year>/review/': HQ_ONLY,
    'kpi/<slug:code>/result/': HQ_ONLY,  # the KPI's owning department and HQ
    'kpi/goals/<int:number>/evaluation.pdf': PUBLIC,
    'kpi/import/': LOGIN,  # each row is checked against who may update that KPI
    'kpi/mine/': LOGIN,
    'kpi/plan.csv': PUBLIC,
    'kpi/plan.json': PUBLIC,
    'kpi/plan.xlsx': PUBLIC,
    'api/v1/': PUBLIC,
    'api/v1/alerts': PUBLIC,
    'api/v1/alerts/<alert_id>': PUBLIC,
    'api/v1/alerts/current': PUBLIC,
    'api/v1/docs': PUBLIC,
    'api/v1/health': PUBLIC,
    'api/v1/hq/damage/incidents/<incident_id>/aggregate': INCIDENT_READERS,
    'api/v1/hq/damage/incidents/<incident_id>/issued': INCIDENT_READERS,
    'api/v1/hq/damage/incidents/<incident_id>/reports': INCIDENT_READERS,
    'api/v1/hq/damage/reports/<report_id>': INCIDENT_READERS,
    'api/v1/hq/damage/reports/<report_id>/corrections': RYOTSU_OFFICE,
    'api/v1/hq/incidents': INCIDENT_READERS,
    'api/v1/hq/incidents/<incident_id>': INCIDENT_READERS,
    'api/v1/hq/incidents/<incident_id>/chronology': INCIDENT_READERS,
    'api/v1/hq/incidents/<incident_id>/instructions': INCIDENT_READERS,
    'api/v1/hq/instructions/<instruction_id>/acknowledge': RYOTSU_OFFICE,
    'api/v1/hq/instructions/<instruction_id>/complete': RYOTSU_OFFICE,
    'api/v1/hq/instructions/<instruction_id>/start': RYOTSU_OFFICE,
    'api/v1/hq/instructions/mine': INCIDENT_READERS,
    'api/v1/lifelines': PUBLIC,
    'api/v1/notices': PUBLIC,
    'api/v1/openapi.json': PUBLIC,
    'api/v1/rides/areas': PUBLIC,
    'api/v1/rides/bookings': RIDES_DESKS,  # POST: the area's desk (checked per body: 400 for a body-less try)
    'api/v1/shelters/openings': PUBLIC,
    'api/v1/shelters/openings/<opening_id>/counts': CAROLS_SHELTER,
    'api/v1/shelters/openings/<opening_id>/events': CAROLS_SHELTER,
    'api/v1/shelters/openings/<opening_id>/roster': CAROLS_SHELTER,
    'api/v1/shelters/staff/board': HQ_ONLY,
    'api/v1/shelters/staff/openings': SHELTER_TEAMS,
    'api/v1/shelters/status': PUBLIC,
    'cap/alerts/<int:pk>.xml': PUBLIC,
    'cap/feed.atom': PUBLIC,
    'cap/import': HQ_ONLY,
    'hq/': INCIDENT_READERS,
    'hq/damage/': INCIDENT_READERS,
    'hq/damage/incidents/<int:incident_pk>/': INCIDENT_READERS,
    'hq/damage/incidents/<int:incident_pk>/issued/': INCIDENT_READERS,
    'hq/damage/incidents/<int:incident_pk>/issued/<int:number>.xlsx': INCIDENT_READERS,
    'hq/damage/incidents/<int:incident_pk>/issued/<int:number>/': INCIDENT_READERS,
    'hq/damage/incidents/<int:incident_pk>/issued/<int:number>/trace/<slug:item>/': INCIDENT_READERS,
    'hq/damage/incidents/<int:incident_pk>/reports/new/': FILERS,
    'hq/damage/photos/<int:pk>/': INCIDENT_READERS,
    'hq/damage/reports/<int:pk>/': INCIDENT_READERS,
    'hq/damage/reports/<int:pk>/confirm/': HQ_ONLY,
    'hq/damage/reports/<int:pk>/correct/': RYOTSU_OFFICE,
    'hq/incidents/<int:pk>/': INCIDENT_READERS,
    'hq/incidents/<int:pk>/board/': INCIDENT_READERS,
    'hq/incidents/<int:pk>/board/<str:part>/': INCIDENT_READERS,
    'hq/incidents/<int:pk>/board/map.json': INCIDENT_READERS,
    'hq/incidents/<int:pk>/chronology.csv': INCIDENT_READERS,
    'hq/incidents/<int:pk>/chronology/': INCIDENT_READERS,
    'hq/incidents/<int:pk>/chronology/entries/<int:entry_pk>/annotate/': HQ_ONLY,
    'hq/incidents/<int:pk>/chronology/print/': INCIDENT_READERS,
    'hq/incidents/<int:pk>/close/': HQ_ONLY,
    'hq/incidents/<int:pk>/districts/': HQ_ONLY,
    'hq/incidents/<int:pk>/instructions/': INCIDENT_READERS,
    'hq/incidents/<int:pk>/kpi.json': INCIDENT_READERS,
    'hq/incidents/<int:pk>/relief-act/': HQ_ONLY,
    'hq/incidents/<int:pk>/status/': HQ_ONLY,
    'hq/incidents/new/': HQ_ONLY,
    'hq/instructions/<int:pk>/': INCIDENT_READERS,
    'hq/instructions/<int:pk>/<str:step>/': RYOTSU_OFFICE,
    'hq/instructions/mine/': INCIDENT_READERS,
    'language/<str:code>/': PUBLIC,
    'lifelines/': PUBLIC,
    'lifelines/manage/': HQ_ONLY,
    'lifelines/manage/<int:pk>/': HQ_ONLY,
    'lifelines/manage/<int:pk>/edit/': HQ_ONLY,
    'lifelines/manage/new/': HQ_ONLY,
    'live.json': PUBLIC,
    'line/settings/<str:token>/': TOKEN,
    'line/webhook': SIGNED,
    'notices/': PUBLIC,
    'notices/<int:pk>/': PUBLIC,
    'notices/manage/': HQ_ONLY,
    'notices/manage/<int:pk>/': HQ_ONLY,
    'notices/manage/<int:pk>/edit/': HQ_ONLY,
    'notices/manage/<int:pk>/publish/': HQ_ONLY,
    'notices/manage/<int:pk>/unpublish/': HQ_ONLY,
    'notices/manage/new/': HQ_ONLY,
    'notify/': HQ_ONLY,
    'notify/<int:pk>/': HQ_ONLY,
    'notify/batches/<int:pk>/retry/': HQ_ONLY,
    'notify/kpi.json': HQ_ONLY,
    'notify/test-audience/': HQ_ONLY,
    'notify/test-audience/<int:pk>/remove/': HQ_ONLY,
    'opendata/': PUBLIC,
    'opendata/shelters.csv': PUBLIC,
    'opendata/shelters.geojson': PUBLIC,
    'portal/kpi.json': HQ_ONLY,
    'portal/kpi/': HQ_ONLY,
    'portal/mode/': HQ_ONLY,
    'portal/survey/': PUBLIC,
    'posts/': PUBLIC,
    'posts/moderate/': HQ_ONLY,
    'posts/moderate/<int:pk>/approve/': HQ_ONLY,
    'posts/moderate/<int:pk>/hide/': HQ_ONLY,
    'posts/moderate/<int:pk>/reject/': HQ_ONLY,
    'posts/new/': PUBLIC,
    'posts/thanks/': PUBLIC,
    'prepare/': PUBLIC,
    'registry/': HQ_ONLY,  # registry officers and cleared recipients (the matrix has none: toki/registry/tests)
    'registry/districts/<int:district_id>/': HQ_ONLY,
    'rides/': PUBLIC,  # the large-type booking page (anyone, also from the LINE menu)
    'rides/<slug:area_code>/': PUBLIC,
    'rides/b/<str:reference>/': TOKEN,  # the rider's own booking: the secret reference is the permission
    'rides/b/<str:reference>/cancel/': TOKEN,
    'rides/gtfs-flex.zip': PUBLIC,
    'rides/desk/': RIDES_DESKS,
    'rides/desk/<slug:area_code>/': RYOTSU_OFFICE,  # the area's branch office (bob for 両津) and HQ
    'rides/desk/<slug:area_code>/bookings/<int:pk>/cancel/': RYOTSU_OFFICE,
    'rides/desk/<slug:area_code>/bookings/<int:pk>/no-show/': RYOTSU_OFFICE,
    'rides/desk/<slug:area_code>/riders/<int:pk>/': RYOTSU_OFFICE,
    'rides/desk/<slug:area_code>/riders/<int:pk>/trips/': RYOTSU_OFFICE,
    'rides/desk/<slug:area_code>/riders/new/': RYOTSU_OFFICE,
    'rides/ops/<slug:area_code>/': RYOTSU_OFFICE,
    'rides/ops/<slug:area_code>/kpis.csv': RYOTSU_OFFICE,
    'shelter-ops/': SHELTER_TEAMS,
    'shelter-ops/duplicates/': SHELTER_TEAMS,
    'shelter-ops/duplicates/<int:candidate_id>/': SHELTER_TEAMS,
    'shelter-ops/manifest.webmanifest': PUBLIC,
    'shelter-ops/open/': SHELTER_TEAMS,
    'shelter-ops/openings/<int:pk>/': CAROLS_SHELTER,
    'shelter-ops/openings/<int:pk>/check-in/': CAROLS_SHELTER,
    'shelter-ops/openings/<int:pk>/check-in/code/': CAROLS_SHELTER,
    'shelter-ops/openings/<int:pk>/confirm/': CAROLS_SHELTER,
    'shelter-ops/openings/<int:pk>/crowding/': CAROLS_SHELTER,
    'shelter-ops/openings/<int:pk>/households/<uuid:household_id>/': CAROLS_SHELTER,
    'shelter-ops/openings/<int:pk>/households/<uuid:household_id>/check-out/': CAROLS_SHELTER,
    'shelter-ops/openings/<int:pk>/roster/': CAROLS_SHELTER,
    'shelter-ops/openings/<int:pk>/status/': CAROLS_SHELTER,
    'shelter-ops/openings/<int:pk>/supplies/new/': CAROLS_SHELTER,
    'shelter-ops/search/': SHELTER_TEAMS,
    'shelter-ops/shelters/<int:shelter_id>/edit/': HQ_ONLY,
    'shelter-ops/supplies/': SHELTER_TEAMS,
    'shelter-ops/supplies/<int:request_id>/answer/': HQ_ONLY,
    'shelter-ops/sw.js': PUBLIC,
    'shelter-ops/tablet/': SHELTER_TEAMS,
    'shelters/': PUBLIC,
    'shelters/register/': PUBLIC,
    'shelters/register/card.png': PUBLIC,
    'shelters/register/card/': PUBLIC,
    'shelters/safety/': PUBLIC,
    'tourist/': PUBLIC,
    'tourist/<str:code>/': PUBLIC,
    'warnings/': PUBLIC,
    "lite/": DEBUG_ONLY,
    "lite/<path:path>": DEBUG_ONLY,
    "^media/(?P<path>.*)$": DEBUG_ONLY,
}
