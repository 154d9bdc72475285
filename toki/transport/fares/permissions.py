"""Who may do what in fares (the only place with these rules).

- Checkers (the ferry window, bus drivers, the demand-rides driver): reporters or above of a partner or agency org
  unit (the ferry company, the bus operator), and HQ members of reporter rank or above.
- Reviewers of 準住民 applications, refunds and the fares staff pages: editors or above of HQ or a department
  (the 交通政策 department runs the discount).
- Residents are not accounts: they act on their own holder record, known to their browser session only after the
  OpenID login (views keep the holder id in the session)."""

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role

CHECKER_KINDS = (OrgUnit.Kind.PARTNER, OrgUnit.Kind.AGENCY, OrgUnit.Kind.HQ)
REVIEWER_KINDS = (OrgUnit.Kind.HQ, OrgUnit.Kind.DEPARTMENT)


def may_check(user) -> bool:
    return has_role(user, Role.REPORTER, kinds=CHECKER_KINDS)


def may_review(user) -> bool:
    return has_role(user, Role.EDITOR, kinds=REVIEWER_KINDS)
