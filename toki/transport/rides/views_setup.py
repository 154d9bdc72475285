"""The service settings pages (運行設定, docs/rides.md "Setting up the service"): an area's vehicles in or out of
service and their shifts, the calendar's 運休日 and 臨時運行日, the booking rule and the fares, without a file; the
whole definition as a file to download, and the import of a file with a review step. The area's operators (HQ
or its branch office) only; every change goes through `actions_setup`, which refuses what would strand a booked
ride and names it."""

from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from toki.areas.selectors import default_municipality
from toki.transport.rides import actions_setup, actions_vehicle, permissions, selectors_setup
from toki.transport.rides.actions_setup import ServiceChangeRefused, ServicePlan
from toki.transport.rides.forms_setup import (
    RULE_KIND_LABELS,
    BookingRuleForm,
    ConfirmImportForm,
    ExceptionForm,
    FareFormSet,
    ImportForm,
    OutOfServiceForm,
    ShiftFormSet,
    place_errors,
    rule_initial,
)
from toki.transport.rides.models import ServiceArea, Vehicle, VehicleOutOfService
from toki.transport.rides.service_changes import shown_value
from toki.transport.rides.service_file import ServiceFileError, area_document, dumps, parse

RECENT_EXCEPTION_DAYS = 30  # the calendar shows the exceptions from this many days back


def _municipality():
    municipality = default_municipality()
    if municipality is None:
        raise Http404
    return municipality


def _area(request, code: str) -> ServiceArea:
    try:
        return selectors_setup.area_for_setup(request.user, _municipality(), code)
    except ServiceArea.DoesNotExist:
        raise Http404 from None


def _vehicle(request, area: ServiceArea, code: str) -> Vehicle:
    vehicle = next((v for v in selectors_setup.vehicles_for_setup(request.user, area) if v.code == code), None)
    if vehicle is None:
        raise Http404
    return vehicle


def _done(request, plan) -> None:
    if plan.changes:
        messages.success(request, _("Saved: %(changes)s") % {"changes": "; ".join(str(c) for c in plan.changes)})
    else:
        messages.info(request, _("Nothing changed."))


def _overview(request, area: ServiceArea, *, status: int = 200, **extra):
    document = area_document(selectors_setup.area_spec(area))
    shifts = {v["code"]: v["shifts"] for v in document["vehicles"]}
    since = timezone.localdate() - timedelta(days=RECENT_EXCEPTION_DAYS)
    rule = document["booking_rule"]
    spans = selectors_setup.spans_for_setup(request.user, area, timezone.localdate())
    out_form, out_vehicle = extra.pop("out_form", None), extra.pop("out_vehicle", None)
    return render(request, "rides/setup/service.html", {
        "area": area, "document": document,
        "today": timezone.localdate(),
        # Each vehicle: its shifts in words, its spans out of service in force or to come, and its 「運休にする」 form
        # (bound, with the errors on its fields, for the vehicle whose change was just refused).
        "vehicles": [(v, shown_value("shifts", shifts.get(v.code, [])), spans.get(v.pk, []),
                      out_form if out_form is not None and out_vehicle == v.code
                      else OutOfServiceForm(auto_id=f"{v.code}-%s"))
                     for v in selectors_setup.vehicles_for_setup(request.user, area)],
        "weekdays": shown_value("weekdays", document["weekdays"]),
        "exceptions": [e for e in document["exceptions"] if e["day"] >= since.isoformat()],
        "rule_kind": RULE_KIND_LABELS.get(rule["kind"], rule["kind"]), "rule": rule,
        "points_out": selectors_setup.points_out_of_service(request.user, area),
        "exception_form": extra.pop("exception_form", None) or ExceptionForm(initial={"runs": "0"}),
        **extra}, status=status)


@login_required
def service(request, area_code: str):
    return _overview(request, _area(request, area_code))


@login_required
@require_POST
def vehicle_status(request, area_code: str, vehicle_code: str):
    """運休 / 運行再開 of one vehicle (a breakdown, an inspection). Out of service with 「予約を他の車両へ移す」 ticked,
    its booked rides are moved or cancelled in the same step (actions_vehicle.retire_vehicle); without it, booked
    rides refuse the change, named."""
    area = _area(request, area_code)
    vehicle = _vehicle(request, area, vehicle_code)
    back = request.POST.get("active") == "1"
    form = OutOfServiceForm(request.POST, auto_id=f"{vehicle.code}-%s")
    try:
        if back:  # its later days' plans were deleted with it: bookings make them again
            actions_setup.set_vehicle_in_service(acting_user=request.user, area=area, vehicle=vehicle, active=True)
        elif not form.is_valid():
            return _overview(request, area, out_form=form, out_vehicle=vehicle.code)
        elif form.is_span(timezone.localdate()):
            return _out_for_span(request, area, vehicle, form)
        elif form.cleaned_data["move_booked"]:
            return _retired(request, area, vehicle, form.cleaned_data["note"])
        else:
            _done(request, actions_setup.set_vehicle_in_service(acting_user=request.user, area=area,
                                                                vehicle=vehicle, active=False))
    except (ServiceChangeRefused, ServiceFileError) as exc:
        return _overview(request, area, refused=_problems(exc), status=_status(exc))
    if back:
        messages.success(request, _("%(vehicle)s is back in service: new bookings may use it.")
                         % {"vehicle": vehicle.name})
        if request.POST.get("next") == "board":
            return redirect("rides:board", area_code=area.code)
    return redirect("rides:service", area_code=area.code)


def _out_for_span(request, area: ServiceArea, vehicle: Vehicle, form: OutOfServiceForm):
    """Out of service for a span of days (actions_vehicle.take_out_for_span); a refusal on the form's fields (409),
    the call list next if a ride was cancelled."""
    first_day = form.cleaned_data["first_day"] or timezone.localdate()
    try:
        done = actions_vehicle.take_out_for_span(
            acting_user=request.user, area=area, vehicle=vehicle, first_day=first_day,
            last_day=form.cleaned_data["last_day"], note=form.cleaned_data["note"])
    except ValidationError as exc:
        _add_errors(form, exc)
        return _overview(request, area, out_form=form, out_vehicle=vehicle.code, status=409)
    assert done.span is not None
    moved, cancelled = done.all_moved, done.all_cancelled
    messages.success(request, _("%(vehicle)s is out of service %(span)s: %(moved)d rides moved to other vehicles "
                                "within their promised times, %(cancelled)d cancelled (their riders are told on LINE "
                                "or on the call list).") % {
        "vehicle": vehicle.name, "span": actions_vehicle.span_label(done.span), "moved": len(moved),
        "cancelled": len(cancelled)})
    if done.today is not None and done.today.unsure:
        messages.warning(request, _("Still on %(vehicle)s, their pickup time passed without a mark from its tablet "
                                    "(the rider may be aboard): %(rides)s. Call the driver.") % {
            "vehicle": vehicle.name, "rides": ", ".join(f"#{b.pk}" for b in done.today.unsure)})
    if cancelled:
        return redirect(_calls_page(area, min(b.service_date for b in cancelled)))
    return redirect("rides:service", area_code=area.code)


@login_required
@require_POST
def vehicle_span_end(request, area_code: str, vehicle_code: str, pk: int):
    """「運行に戻す」 for a span out of service (ended from today), or its removal before it starts; from 運行設定 or
    the operations board (`next=board`)."""
    area = _area(request, area_code)
    vehicle = _vehicle(request, area, vehicle_code)
    try:
        span = selectors_setup.get_span_for_setup(request.user, area, vehicle, pk)
    except VehicleOutOfService.DoesNotExist:
        raise Http404 from None
    label = actions_vehicle.span_label(span)
    try:
        done = actions_vehicle.end_span(acting_user=request.user, area=area, span=span)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if done == "removed":
            messages.success(request, _("%(vehicle)s: the span out of service %(span)s is removed.")
                             % {"vehicle": vehicle.name, "span": label})
        else:
            messages.success(request, _("%(vehicle)s is back in service from today: new bookings may use it.")
                             % {"vehicle": vehicle.name})
    if request.POST.get("next") == "board":
        return redirect("rides:board", area_code=area.code)
    return redirect("rides:service", area_code=area.code)


def _retired(request, area: ServiceArea, vehicle, note: str):
    """Out of service with its booked rides moved or cancelled; the call list next if any was cancelled."""
    try:
        done = actions_vehicle.retire_vehicle(acting_user=request.user, area=area, vehicle=vehicle, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("rides:service", area_code=area.code)
    moved, cancelled = done.all_moved, done.all_cancelled
    messages.success(request, _("%(vehicle)s is out of service until brought back: %(moved)d rides moved to other "
                                "vehicles within their promised times, %(cancelled)d cancelled (their riders are "
                                "told on LINE or on the call list).") % {
        "vehicle": vehicle.name, "moved": len(moved), "cancelled": len(cancelled)})
    if cancelled:
        return redirect(_calls_page(area, min(b.service_date for b in cancelled)))
    return redirect("rides:service", area_code=area.code)


@login_required
@require_POST
def vehicle_withdraw(request, area_code: str, vehicle_code: str):
    """A vehicle out of service for the rest of today, its rides moved onto the others or cancelled
    (actions_vehicle.withdraw_vehicle); from the operations board."""
    area = _area(request, area_code)
    vehicle = _vehicle(request, area, vehicle_code)
    board = reverse("rides:board", args=[area.code])
    try:
        done = actions_vehicle.withdraw_vehicle(acting_user=request.user, area=area, vehicle=vehicle,
                                                note=request.POST.get("note", "")[:200])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(board)
    messages.success(request, _("%(vehicle)s is out of service today: %(moved)d rides moved to other vehicles within "
                                "their promised times, %(cancelled)d cancelled (their riders are told on LINE or on "
                                "the call list).") % {"vehicle": vehicle.name, "moved": len(done.moved),
                                                      "cancelled": len(done.cancelled)})
    if done.unsure:
        messages.warning(request, _("Still on %(vehicle)s, their pickup time passed without a mark from its tablet "
                                    "(the rider may be aboard): %(rides)s. Call the driver.") % {
            "vehicle": vehicle.name, "rides": ", ".join(f"#{b.pk}" for b in done.unsure)})
    if done.cancelled:
        return redirect(_calls_page(area, done.plan.day))
    return redirect(board)


@login_required
@require_POST
def vehicle_reinstate(request, area_code: str, vehicle_code: str):
    """A vehicle taken out of service today back in service (from the operations board)."""
    area = _area(request, area_code)
    vehicle = _vehicle(request, area, vehicle_code)
    try:
        actions_vehicle.reinstate_vehicle(acting_user=request.user, area=area, vehicle=vehicle)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(vehicle)s is back in service today: new bookings may use it.")
                         % {"vehicle": vehicle.name})
    return redirect("rides:board", area_code=area.code)


def _status(exc: Exception) -> int:
    """A change refused for what is booked (or changed meanwhile) is a conflict; a field in error is a form to fix."""
    return 409 if isinstance(exc, ServiceChangeRefused) else 200


def _problems(exc: Exception) -> list[str]:
    if isinstance(exc, ServiceFileError):
        return [str(p) for p in exc.problems]
    return list(getattr(exc, "problems", [str(exc)]))


def _save(request, area: ServiceArea, save: Callable[[], ServicePlan],
          place: Callable[[list], list[str]]) -> tuple[HttpResponse | None, list[str], int]:
    """Run a page's change: (the redirect once it is done, [], 200), or (None, what to show, status) — fields in
    error placed on their form by `place`, a change refused for what is booked as a 409 naming the rides."""
    try:
        plan = save()
    except ServiceFileError as exc:
        return None, place(exc.problems), 200
    except ServiceChangeRefused as exc:
        return None, exc.problems, 409
    _done(request, plan)
    return redirect("rides:service", area_code=area.code), [], 200


@login_required
def shifts(request, area_code: str, vehicle_code: str):
    """The vehicle's shifts as a whole: weekdays, start, end and driver per row; a row left empty is not kept."""
    area = _area(request, area_code)
    vehicle = _vehicle(request, area, vehicle_code)
    drivers = list(area.drivers.order_by("code"))
    listed = next(v for v in area_document(selectors_setup.area_spec(area))["vehicles"] if v["code"] == vehicle.code)
    initial = [{"weekdays": [str(d) for d in s["weekdays"]], "start": s["start"], "end": s["end"],
                "driver": s["driver"] or ""} for s in listed["shifts"]]
    formset = ShiftFormSet(request.POST or None, initial=initial, drivers=drivers, prefix="shifts")
    refused: list[str] = []
    status = 200
    if request.method == "POST" and formset.is_valid():
        rows = [form for _i, form in formset.kept()]
        done, refused, status = _save(
            request, area,
            lambda: actions_setup.save_shifts(acting_user=request.user, area=area, vehicle=vehicle,
                                              shifts=[form.as_file() for form in rows]),
            lambda problems: place_errors(problems, r"areas\[0\]\.vehicles\[\d+\]\.shifts\[(\d+)\](?:\.(\w+))?",
                                          rows=rows))
        if done is not None:
            return done
    return render(request, "rides/setup/shifts.html", {"area": area, "vehicle": vehicle, "formset": formset,
                                                       "refused": refused}, status=status)


@login_required
@require_POST
def exceptions(request, area_code: str):
    """Add a 運休日 / 臨時運行日 (the form), or remove one (`remove` = its day)."""
    area = _area(request, area_code)
    call: Callable[..., ServicePlan]
    if request.POST.get("remove"):
        form = ExceptionForm({"day": request.POST["remove"], "runs": "0"})
        if not form.is_valid():
            raise Http404
        call, kwargs = actions_setup.remove_exception, {"day": form.cleaned_data["day"]}
        form = ExceptionForm(initial={"runs": "0"})
    else:
        form = ExceptionForm(request.POST)
        if not form.is_valid():
            return _overview(request, area, exception_form=form)
        if form.cleaned_data["cancel_booked"]:
            return _suspend_day(request, area, form)
        call, kwargs = actions_setup.save_exception, form.exception()
    try:
        plan = call(acting_user=request.user, area=area, **kwargs)
    except ValidationError as exc:
        _add_errors(form, exc)
        return _overview(request, area, exception_form=form, status=409)
    except ServiceFileError as exc:
        left = place_errors(exc.problems, r"areas\[0\]\.exceptions\[\d+\]\.(\w+)", form=form)
        return _overview(request, area, exception_form=form, refused=left)
    except ServiceChangeRefused as exc:
        return _overview(request, area, exception_form=form, refused=exc.problems, status=409)
    _done(request, plan)
    return redirect("rides:service", area_code=area.code)


def _calls_page(area: ServiceArea, day) -> str:
    """The phone desk's call list of `day`, where the riders of cancelled rides are told first."""
    return f"{reverse('rides:calls', args=[area.code])}?day={day.isoformat()}"


def _add_errors(form: ExceptionForm | OutOfServiceForm, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _suspend_day(request, area, form: ExceptionForm):
    """運休 of a day with its booked rides cancelled and their riders told (actions_setup.suspend_day)."""
    try:
        done = actions_setup.suspend_day(acting_user=request.user, area=area, day=form.cleaned_data["day"],
                                         note=form.cleaned_data["note"], from_time=form.cleaned_data["until"],
                                         to_time=form.cleaned_data["resumes"])
    except ValidationError as exc:
        _add_errors(form, exc)
        return _overview(request, area, exception_form=form, status=409)
    except (ServiceFileError, ServiceChangeRefused) as exc:
        return _overview(request, area, exception_form=form, refused=exc.problems, status=409)
    values = {"day": form.cleaned_data["day"].isoformat(), "count": done.cancelled}
    if form.cleaned_data["until"] and form.cleaned_data["resumes"]:
        messages.success(request, ngettext(
            "%(day)s: 運休 from %(time)s to %(resumes)s; %(count)d ride cancelled; its rider is told on LINE or on "
            "the call list.",
            "%(day)s: 運休 from %(time)s to %(resumes)s; %(count)d rides cancelled; their riders are told on LINE or "
            "on the call list.", done.cancelled) % {**values, "time": form.cleaned_data["until"].strftime("%H:%M"),
                                                    "resumes": form.cleaned_data["resumes"].strftime("%H:%M")})
    elif form.cleaned_data["until"]:
        messages.success(request, ngettext(
            "%(day)s: 運休 from %(time)s; %(count)d ride cancelled; its rider is told on LINE or on the call list.",
            "%(day)s: 運休 from %(time)s; %(count)d rides cancelled; their riders are told on LINE or on the call "
            "list.", done.cancelled) % {**values, "time": form.cleaned_data["until"].strftime("%H:%M")})
    else:
        messages.success(request, ngettext(
            "%(day)s is a 運休日: %(count)d ride cancelled; its rider is told on LINE or on the call list.",
            "%(day)s is a 運休日: %(count)d rides cancelled; their riders are told on LINE or on the call list.",
            done.cancelled) % values)
    return redirect(_calls_page(area, form.cleaned_data["day"]))


@login_required
def booking_rule(request, area_code: str):
    area = _area(request, area_code)
    rule = area_document(selectors_setup.area_spec(area))["booking_rule"]
    form = BookingRuleForm(request.POST or None, initial=rule_initial(rule))
    refused: list[str] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        done, refused, status = _save(
            request, area,
            lambda: actions_setup.save_booking_rule(acting_user=request.user, area=area, rule=form.as_file()),
            lambda problems: place_errors(problems, r"areas\[0\]\.booking_rule(?:\.(\w+))?", form=form))
        if done is not None:
            return done
    return render(request, "rides/setup/rule.html", {"area": area, "form": form, "refused": refused},
                  status=status)


@login_required
def fares(request, area_code: str):
    """The fare categories as a whole; a category marked for removal that saved riders have is refused."""
    area = _area(request, area_code)
    initial = area_document(selectors_setup.area_spec(area))["fares"]
    formset = FareFormSet(request.POST or None, initial=initial, prefix="fares")
    refused: list[str] = []
    status = 200
    if request.method == "POST" and formset.is_valid():
        rows = [form for _i, form in formset.kept()]
        done, refused, status = _save(
            request, area,
            lambda: actions_setup.save_fares(acting_user=request.user, area=area,
                                             fares=[form.as_file() for form in rows]),
            lambda problems: place_errors(problems, r"areas\[0\]\.fares\[(\d+)\](?:\.(\w+))?", rows=rows))
        if done is not None:
            return done
    return render(request, "rides/setup/fares.html", {"area": area, "formset": formset, "refused": refused},
                  status=status)


@login_required
def service_file(request, area_code: str):
    """The area's definition as a service file (edit it and import it again)."""
    area = _area(request, area_code)
    response = HttpResponse(dumps(selectors_setup.export_document(request.user, [area])),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rides-service-{area.code}.json"'
    return response


@login_required
def service_import(request):
    """Upload a service file → review what it would change (nothing written) → apply exactly that."""
    if not permissions.may_configure_any(request.user):
        raise Http404
    municipality = _municipality()
    context: dict = {"areas": selectors_setup.setup_areas_for(request.user, municipality)}
    form = ImportForm()
    if request.method == "POST" and "document" in request.POST:
        return _apply_import(request, municipality, context)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            context["name"] = upload.name[:100]
            plan, problems = _review(request, municipality, data)
            context.update(plan=plan, problems=problems)
            if plan is not None and not problems and plan.changes:
                context["confirm"] = ConfirmImportForm(initial={
                    "document": data.decode("utf-8-sig"), "reviewed": plan.fingerprint, "name": context["name"]})
    context["form"] = form
    refused = context.get("plan") is not None and context.get("problems")
    return render(request, "rides/setup/import.html", context, status=409 if refused else 200)


def _review(request, municipality, data: bytes):
    try:
        areas = parse(data, district_codes=set(selectors_setup.district_codes(municipality)))
    except ServiceFileError as exc:
        return None, [str(p) for p in exc.problems]
    try:
        return actions_setup.import_service(acting_user=request.user, municipality=municipality, areas=areas,
                                            apply=False), []
    except ServiceChangeRefused as exc:
        return actions_setup.ServicePlan(changes=exc.changes), exc.problems


def _apply_import(request, municipality, context: dict):
    confirm = ConfirmImportForm(request.POST)
    if not confirm.is_valid():
        context.update(form=ImportForm(), problems=[_("The reviewed file did not come back whole: upload it again.")])
        return render(request, "rides/setup/import.html", context, status=400)
    name = confirm.cleaned_data["name"]
    try:
        areas = parse(confirm.cleaned_data["document"].encode(),
                      district_codes=set(selectors_setup.district_codes(municipality)))
        plan = actions_setup.import_service(acting_user=request.user, municipality=municipality, areas=areas,
                                            reviewed=confirm.cleaned_data["reviewed"], source=f"page:{name}")
    except (ServiceFileError, ServiceChangeRefused) as exc:
        context.update(form=ImportForm(), problems=_problems(exc), name=name)
        return render(request, "rides/setup/import.html", context, status=_status(exc))
    context.update(form=ImportForm(), plan=plan, applied=True, name=name)
    return render(request, "rides/setup/import.html", context)
