"""Models of shelter operations: the master (`master`), openings per incident (`openings`), evacuees and their
check-in history (`evacuees`), supply requests (`supplies`)."""

from toki.shelters.models.evacuees import (
    CARE_NEEDS,
    CheckinEvent,
    DuplicateCandidate,
    Household,
    Member,
    Registration,
    most_restrictive_disclosure,
)
from toki.shelters.models.master import (
    HAZARD_LABELS,
    HAZARDS,
    LALERT_KIND_CODES,
    STAYING_KINDS,
    Shelter,
    ShelterDesignation,
    ShelterKind,
    ShelterTeam,
)
from toki.shelters.models.openings import (
    PUBLIC_CROWDING_LABELS,
    Crowding,
    OpeningStatus,
    ShelterOpening,
    crowding_for,
)
from toki.shelters.models.supplies import SupplyItem, SupplyRequest

__all__ = [
    "CARE_NEEDS", "HAZARDS", "HAZARD_LABELS", "LALERT_KIND_CODES", "PUBLIC_CROWDING_LABELS", "STAYING_KINDS",
    "CheckinEvent", "Crowding", "DuplicateCandidate", "Household", "Member", "OpeningStatus",
    "Registration", "Shelter", "ShelterDesignation",
    "ShelterKind", "ShelterOpening", "ShelterTeam", "SupplyItem", "SupplyRequest", "crowding_for",
    "most_restrictive_disclosure",
]
