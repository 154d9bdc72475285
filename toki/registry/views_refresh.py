"""The refresh from the page (registry officers only): upload the welfare/resident system's file (checked all or
nothing, every problem as file:row: field: reason), then review its diff — new, changed with the old and new value
of each changed item side by side, left (why) — approve or reject each row, the selected rows or all undecided ones,
correct why a person left, and apply the approved rows (or discard the diff).

The values are decrypted for the reviewer only, and each person of the register shown is a look in the access log
(internal use, 第49条の11第1項, purpose register_upkeep) naming the items shown."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from toki.areas.selectors import default_municipality_or_404
from toki.registry import accesslog, refresh_upload
from toki.registry import refresh as refreshing
from toki.registry.importing import RegistryImportError
from toki.registry.models import AccessLog, Person, Refresh, RefreshChange
from toki.registry.permissions import may_keep_register
from toki.registry.views import render_registry

SHOWN_PER_KIND = 200
Decision = RefreshChange.Decision
# The reasons a reviewer may give for a person who left (moved, died, entered a facility, …); the file says moved
# or died when it knows.
REVIEW_LEFT_REASONS = RefreshChange.LeftReason.choices


def _require_keeper(request) -> None:
    if not may_keep_register(request.user):
        raise Http404


@csrf_exempt  # the upload handler must be set before the body is read; the CSRF check follows (csrf_protect)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def refreshes(request):
    _require_keeper(request)
    if request.method == "POST":
        if refresh_upload.body_too_large(request):
            return _list(request, _upload_problems(RegistryImportError([]), too_large=True), status=413)
        memory = refresh_upload.install_handler(request)
        return _upload(request, memory)
    return _list(request, [])


@csrf_protect
def _upload(request, memory):
    file = request.FILES.get("file")
    upload = refresh_upload.Upload(file.name, file.read()) if file else None
    try:
        staged = refresh_upload.stage_upload(actor=request.user, upload=upload, too_large=memory.too_large,
                                             encoding=request.POST.get("encoding", "auto"),
                                             municipality=default_municipality_or_404())
    except RegistryImportError as refused:
        return _list(request, _upload_problems(refused), status=400)
    return redirect("registry:refresh", pk=staged.pk)


def _upload_problems(refused: RegistryImportError, too_large: bool = False) -> list[str]:
    from toki.registry import conf

    if too_large:
        return [f"(file): is larger than {conf.upload_max_bytes() // (1024 * 1024)} MB"]
    return [str(problem) for problem in refused.errors[:200]] + (
        [f"… {len(refused.errors) - 200} more"] if len(refused.errors) > 200 else [])


def _list(request, problems: list[str], status: int = 200):
    from toki.registry import conf

    return render_registry(request, "registry/refreshes.html", {
        "refreshes": Refresh.objects.all()[:100], "problems": problems,
        "encodings": refresh_upload.ENCODINGS, "max_mb": conf.upload_max_bytes() // (1024 * 1024),
    }, status=status)


def _ids(values: list[str]) -> list[int]:
    if not all(value.isdigit() for value in values):
        raise ValueError(_("row: not a row id"))
    return [int(value) for value in values]


def _decide(request, found: Refresh) -> None:
    """One POST of the review form: a row's own button, the selected rows, all undecided rows, apply, discard."""
    post, op = request.POST, request.POST.get("op", "")
    reasons = {int(key[7:]): value for key, value in post.items() if key.startswith("reason-") and key[7:].isdigit()}
    if post.get("row"):  # a row's own button: "<id>:approved" or "<id>:rejected"
        row, _sep, decision = post["row"].partition(":")
        ids = _ids([row])
        refreshing.decide(actor=request.user, refresh=found, decision=decision, change_ids=ids,
                          left_reasons={pk: reasons[pk] for pk in ids if pk in reasons})
    elif op in ("approve_selected", "reject_selected"):
        ids = _ids(post.getlist("change"))
        if not ids:
            raise ValueError(_("select at least one row"))
        decision = Decision.APPROVED if op == "approve_selected" else Decision.REJECTED
        refreshing.decide(actor=request.user, refresh=found, decision=decision, change_ids=ids,
                          left_reasons={pk: reasons[pk] for pk in ids if pk in reasons})
    elif op in ("approve_rest", "reject_rest"):
        decision = Decision.APPROVED if op == "approve_rest" else Decision.REJECTED
        refreshing.decide(actor=request.user, refresh=found, decision=decision, left_reasons=reasons)
    elif op == "apply":
        refreshing.apply_refresh(actor=request.user, refresh=found)
    elif op == "approve":  # approve every undecided row and apply, in one step
        refreshing.decide(actor=request.user, refresh=found, decision=Decision.APPROVED, left_reasons=reasons)
        refreshing.apply_refresh(actor=request.user, refresh=found)
    elif op == "discard":
        refreshing.discard_refresh(actor=request.user, refresh=found)
    else:
        raise ValueError(_("op: approve_selected, reject_selected, approve_rest, reject_rest, apply or discard"))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def refresh_page(request, pk: int):
    _require_keeper(request)
    found = Refresh.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            _decide(request, found)
            return redirect("registry:refresh", pk=pk)
        except ValueError as refused:
            error = str(refused)
    groups, tally = [], {}
    if found.state == Refresh.State.PENDING:
        groups = _groups(request.user, found)
        tally = {d or "undecided": n for d, n in _tally(found).items()}
    return render_registry(request, "registry/refresh.html", {
        "refresh": found, "groups": groups, "error": error, "tally": tally, "left_reasons": REVIEW_LEFT_REASONS,
    }, status=400 if error else 200)


def _tally(found: Refresh) -> dict[str, int]:
    from django.db.models import Count

    return dict(RefreshChange.objects.filter(refresh=found).values("decision").annotate(n=Count("id")).values_list(
        "decision", "n"))


def _label(name: str) -> str:
    from django.utils.translation import gettext

    if name == "district_id":
        return gettext("District")
    field = Person._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


# Codes stored on the register, as the reviewer reads them.
CODE_LABELS = {
    "unknown": _("unknown"), "male": _("male"), "female": _("female"), "not_applicable": _("not applicable"),
    "alone": _("lives alone"), "others": _("lives with others"), "care_level": _("care level"),
    "physical_disability": _("physical disability"), "intellectual_disability": _("intellectual disability"),
    "mental_disability": _("mental disability"), "intractable_disease": _("intractable disease"),
    "physical": _("physical"), "intellectual": _("intellectual"), "mental": _("mental"),
}


def _shown(value) -> str:
    """A value as the reviewer reads it: codes by their label, lists and records joined."""
    if isinstance(value, str):
        return str(CODE_LABELS.get(value, value))
    if isinstance(value, list):
        return "; ".join(" ".join(_shown(v) for v in item.values() if v) if isinstance(item, dict) else _shown(item)
                         for item in value)
    if isinstance(value, dict):
        return " ".join(_shown(v) for v in value.values() if v)
    return "" if value is None else str(value)


def _before(person: Person | None) -> dict:
    if person is None:
        return {}
    values = {name: getattr(person, name) for name in refreshing.COMPARED}
    values["birth_date"] = person.birth_date.isoformat() if person.birth_date else ""
    values["district_id"] = person.district_id
    return values


def _items(change: RefreshChange, person: Person | None, districts: dict) -> list[dict]:
    """The items of one row side by side: (item, before, after)."""
    if change.kind == RefreshChange.Kind.LEFT:
        return []
    before, after = _before(person), change.values or {}
    names = change.changed_fields if change.kind == RefreshChange.Kind.CHANGED else [
        name for name in (*refreshing.COMPARED, "district_id") if after.get(name) not in (None, "", [])]
    rows = []
    for name in names:
        old = before.get(name) if change.kind == RefreshChange.Kind.CHANGED else ""  # a new row: after only
        new = after.get(name)
        if name == "district_id":
            old, new = districts.get(old or 0, ""), districts.get(new or 0, "")
        rows.append({"label": _label(name), "before": _shown(old), "after": _shown(new)})
    return rows


def _groups(user, found: Refresh) -> list[dict]:
    """Per kind, the undecided rows first, with their items side by side; each register person shown logged."""
    from toki.areas.models import District

    districts = dict(District.objects.values_list("pk", "name"))
    groups, looks = [], []
    for kind, label in RefreshChange.Kind.choices:
        changes = list(RefreshChange.objects.filter(refresh=found, kind=kind).order_by("decision", "id")[
            :SHOWN_PER_KIND])  # "" (undecided) sorts first
        people = Person.objects.in_bulk([c.person_id for c in changes if c.person_id])
        rows = []
        for change in changes:
            person = people.get(change.person_id or 0)
            name = (change.values or {}).get("name", "") or (person.name if person else "")
            rows.append({"id": change.pk, "name": name, "decision": change.decision,
                         "decision_label": change.get_decision_display(),
                         "district": districts.get(change.district_id or 0, ""), "left_reason": change.left_reason,
                         "items": _items(change, person, districts)})
            if person is not None:
                shown = change.changed_fields if change.kind == RefreshChange.Kind.CHANGED else ()
                looks.append(accesslog.Look(person.pk, ("name", *shown), AccessLog.Basis.INTERNAL))
        groups.append({"kind": kind, "label": label, "count": found.counts.get(kind, 0), "rows": rows})
    accesslog.record(user, looks, action=AccessLog.Action.VIEW, purpose="register_upkeep")
    return groups
