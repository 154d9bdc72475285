"""The registry's panel on the HQ live board (toki.hq.panels): 安否確認 counts per district of the open round for
the incident's municipality (a drill incident shows the drill round). Counts only, no names."""

from toki.hq.panels import BoardPanel


def safety_panel(incident) -> dict | None:
    from toki.registry.selectors_safety import open_round_for, safety_counts

    round_ = open_round_for(incident.municipality_id, is_drill=incident.is_drill)
    return safety_counts(round_) if round_ is not None else None


PANELS = [BoardPanel(key="registry_safety", template="registry/board_safety.html", context=safety_panel)]
