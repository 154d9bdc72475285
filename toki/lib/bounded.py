"""Bounded input types for the API and a JSON reader with a depth limit (issue 13, finding 10).

The class of bug: Python's int and float take values the rest of the stack cannot. An integer past 2^63 makes
SQLite raise OverflowError and PostgreSQL "bigint out of range" (a 500, not a 4xx); `inf` and `nan` parse as
floats and then break distance sums and comparisons; JSON nested a few thousand levels deep makes `json.loads`
or anything that walks it hit Python's recursion limit. Every number the API takes from outside is therefore
one of the types below (finite, ranged), and every JSON body is read by `loads`. The schema test
`toki/tests/test_api_bounds.py` fails when an API parameter or body field is an unbounded number.
"""

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field

# Ids and offsets fit a signed 64-bit column with room to spare; nobody pages past a million rows.
MAX_ID = 2**53  # also the largest integer a JavaScript client reads exactly
MAX_OFFSET = 1_000_000
MAX_JSON_DEPTH = 32  # the deepest real body (a LINE event, a tablet sync batch) is under 10 levels

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description=f"Rows to skip (at most {MAX_OFFSET})")]
# A count or measure typed into a form (people, buildings, hectares): finite, and far beyond any real figure.
Quantity = Annotated[Decimal, Field(ge=-10**12, le=10**12, allow_inf_nan=False)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]


def _in_utc(value: datetime) -> datetime:
    # PostgreSQL refuses UTC offsets past ±15:59 that Python accepts ("-17:46"), and dates near the ends of the
    # calendar overflow when moved to UTC: both would be 500s. Stored in UTC anyway (DESIGN.md rule 11).
    if value.tzinfo is None:
        raise ValueError("give the time zone (for example +09:00 or Z)")
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
    return value.astimezone(UTC)


MIN_YEAR, MAX_YEAR = 1900, 2200
Moment = Annotated[datetime, AfterValidator(_in_utc)]


class TooDeep(ValueError):
    """A JSON document nested deeper than allowed; the message says how deep is allowed."""


def _depth_exceeds(value, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def loads(data: bytes | str, *, max_depth: int = MAX_JSON_DEPTH):
    """`json.loads` that refuses documents nested deeper than `max_depth` arrays/objects with TooDeep (a
    ValueError) instead of a RecursionError; other errors are json.JSONDecodeError as usual."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise TooDeep(f"the JSON is nested deeper than {max_depth} levels") from None
    if _depth_exceeds(value, max_depth):
        raise TooDeep(f"the JSON is nested deeper than {max_depth} levels")
    return value
