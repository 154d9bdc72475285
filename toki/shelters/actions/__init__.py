"""Every change to shelter operations (DESIGN.md rule 2), by topic: `importing` (the master import), `master`
(HQ edits the master, shelter teams), `openings`, `sync` (check-in events, also behind the staff forms),
`households` (pre-registration, merges), `supplies`."""

from toki.shelters.actions.importing import ImportResult, ShelterImportConflict, import_shelters

__all__ = ["ImportResult", "ShelterImportConflict", "import_shelters"]
