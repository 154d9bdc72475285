"""The registry's panels on the HQ live board (toki.hq.panels), for the open 安否 round of the incident's
municipality (a drill incident shows the drill round):

- `registry_safety`: counts per district and status. No names: every reader of the board sees it.
- `registry_safety_people`: the people not yet confirmed (要救助, 連絡不能, 未確認) by name, for readers who are
  registry users with a fresh second factor, only in the districts of a live disaster activation and only the
  people the reader may see; every person shown is a look in the access log (selectors_safety.
  not_confirmed_for_board). Per viewer, so never cached; it polls every minute (each poll is logged looks)."""

from toki.hq.panels import BoardPanel

NAMES_POLL_SECONDS = 60


def _open_round(incident):
    from toki.registry.selectors_safety import open_round_for

    return open_round_for(incident.municipality_id, is_drill=incident.is_drill)


def safety_panel(incident) -> dict | None:
    from toki.registry.selectors_safety import safety_counts

    round_ = _open_round(incident)
    return safety_counts(round_) if round_ is not None else None


def people_panel(incident, request) -> dict | None:
    """None (nothing drawn) for readers who are not registry users or when no round is open."""
    from toki.registry.permissions import may_use_registry
    from toki.registry.second_factor import is_verified
    from toki.registry.selectors_safety import not_confirmed_for_board

    if not may_use_registry(request.user):
        return None
    round_ = _open_round(incident)
    if round_ is None:
        return None
    context = {"round": round_, "poll": NAMES_POLL_SECONDS, "verified": is_verified(request)}
    if context["verified"]:
        context.update(not_confirmed_for_board(request.user, round_))
    return context


PANELS = [
    BoardPanel(key="registry_safety", template="registry/board_safety.html", context=safety_panel, cache_seconds=0),
    BoardPanel(key="registry_safety_people", template="registry/board_safety_people.html", context=people_panel,
               cache_seconds=0, per_viewer=True),
]
