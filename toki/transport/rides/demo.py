"""The Sado demo service (never needed in production), loaded from `data/sado_demo_service.json` by the service
importer (actions_setup.import_service, the same code as `manage.py rides_import`): two areas, 両津 (three
vehicles) and 相川 (two), each with a driver per vehicle, shifts, a booking rule, fares and meeting points at
public facilities. The coordinates of the meeting points are the GSI designated shelter and evacuation site data
for 佐渡市 (国土地理院「指定緊急避難場所・指定避難所データ」, ../shared/sado_gsi_shelters/): real public facilities.
The area polygons are hand-drawn rectangles around the towns' outskirts, not official boundaries."""

from pathlib import Path

from toki.transport.rides import actions_setup, selectors_setup
from toki.transport.rides.models import ServiceArea
from toki.transport.rides.service_file import parse

DEMO_FILE = Path(__file__).resolve().parent / "data" / "sado_demo_service.json"


def seed_rides_demo(municipality) -> list[ServiceArea]:
    """Create the demo areas that do not exist yet (an area already there is left as it is: the operators may have
    changed it); answers the demo's areas in the file's order. Safe to run twice."""
    areas = parse(DEMO_FILE.read_bytes(), district_codes=set(selectors_setup.district_codes(municipality)))
    existing = set(ServiceArea.objects.filter(municipality=municipality, code__in=[a.code for a in areas])
                   .values_list("code", flat=True))
    missing = [a for a in areas if a.code not in existing]
    if missing:
        actions_setup.import_service(acting_user=None, municipality=municipality, areas=missing,
                                     source=f"demo:{DEMO_FILE.name}")
    found = {a.code: a for a in ServiceArea.objects.filter(municipality=municipality, code__in=[a.code for a in areas])}
    return [found[a.code] for a in areas]
