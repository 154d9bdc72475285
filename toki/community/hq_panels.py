"""The community app's panel on the HQ live board (toki.hq.panels): household tablets' 「無事です」/「助けが必要」
replies since the incident began, and the households that asked for help (docs/community.md). Not cached: two
queries, and a call for help must show at the next poll."""

from toki.hq.panels import BoardPanel


def safety_replies(incident) -> dict:
    from toki.community.selectors import safety_summary

    return safety_summary(incident.municipality, since=incident.started_at)


PANELS = [BoardPanel(key="community_safety", template="community/board_safety.html", context=safety_replies,
                     cache_seconds=0)]
