"""Staff pages (/community/): households and their enrolment QR codes, devices and help-desk notes (city staff);
publishing circulars and the newsletter and who has read them (自治会 leaders, city staff); the watch-over call
list (民生委員, city staff); the fleet. Thin views: reads through selectors, writes through actions."""

import contextlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from toki.areas.selectors import default_municipality_or_404
from toki.community import actions, selectors
from toki.community.forms import HouseholdForm, ItemForm, WatchForm
from toki.community.permissions import is_city_staff, may_read_watch_list, may_use_publisher_pages
from toki.lib.qr import qr_svg


def _city_staff(request):
    if not is_city_staff(request.user):
        raise PermissionDenied


@login_required
def dashboard(request):
    if not (may_use_publisher_pages(request.user) or may_read_watch_list(request.user)):
        raise PermissionDenied
    return render(request, "community/staff/dashboard.html", {
        "city": is_city_staff(request.user), "publisher": may_use_publisher_pages(request.user),
        "watch": may_read_watch_list(request.user)})


@login_required
def households(request):
    _city_staff(request)
    municipality = default_municipality_or_404()
    form = HouseholdForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            household = actions.create_household(
                acting_user=request.user, municipality=municipality, district=data["district"],
                label=data["label"], jichikai=data["jichikai"], han=data["han"], watch_over=data["watch_over"],
                watch_hours=data["watch_hours"], resident_name=data["resident_name"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("community:household", pk=household.pk)
    return render(request, "community/staff/households.html", {
        "households": selectors.households_for_staff(request.user)[:500], "form": form})


@login_required
def household(request, pk):
    found = selectors.get_household_for_staff(request.user, pk)
    return render(request, "community/staff/household.html", {
        "household": found, "devices": selectors.devices_of_household(found), "members": found.members.all(),
        "notes": found.help_notes.select_related("author")[:50],
        "watch_form": WatchForm(initial={"watch_over": found.watch_over, "watch_hours": found.watch_hours}),
        "flags": found.watch_flags.all()[:20]})


@login_required
@require_POST
def enrol_code(request, pk):
    found = selectors.get_household_for_staff(request.user, pk)
    family = request.POST.get("family_name", "").strip()
    _code, secret = actions.create_enrolment_code(acting_user=request.user, household=found, family_name=family)
    url = request.build_absolute_uri(reverse("community_tablet:enrol", args=[secret]))
    return render(request, "community/staff/enrol_code.html", {
        "household": found, "qr": qr_svg(url), "enrol_url": url, "family": family,
        "hours": actions.ENROLMENT_HOURS})


@login_required
@require_POST
def add_note(request, pk):
    found = selectors.get_household_for_staff(request.user, pk)
    with contextlib.suppress(ValidationError):  # an empty note: nothing to keep
        actions.add_help_note(acting_user=request.user, household=found, text=request.POST.get("text", ""))
    return redirect("community:household", pk=found.pk)


@login_required
@require_POST
def set_watch(request, pk):
    found = selectors.get_household_for_staff(request.user, pk)
    form = WatchForm(request.POST)
    if form.is_valid():
        actions.set_watch_over(acting_user=request.user, household=found, **form.cleaned_data)
    return redirect("community:household", pk=found.pk)


@login_required
@require_POST
def sign_out(request, pk):
    device = selectors.get_device_for_staff(request.user, pk)
    actions.sign_out_device(acting_user=request.user, device=device)
    return redirect("community:household", pk=device.household_id)


@login_required
def items(request):
    if not may_use_publisher_pages(request.user):
        raise PermissionDenied
    choices = selectors.jichikai_for_publisher(request.user)
    form = ItemForm(request.POST or None, request.FILES or None, jichikai_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = actions.publish_item(
                acting_user=request.user, municipality=default_municipality_or_404(), kind=data["kind"],
                title=data["title"], body=data["body"], jichikai=data["jichikai"], han=data["han"],
                event_at=data["event_at"], attachments=[data["attachment"]] if data["attachment"] else [])
        except PermissionDenied:
            form.add_error("kind", "you may not publish this (the newsletter is the city's)")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("community:item", pk=item.pk)
    return render(request, "community/staff/items.html", {
        "items": selectors.items_for_publisher(request.user)[:200], "form": form})


@login_required
def item(request, pk):
    found = selectors.get_item_for_publisher(request.user, pk)
    try:
        days = max(0, min(int(request.GET.get("days", settings.TOKI_COMMUNITY_UNREAD_DAYS)), 365))
    except ValueError:
        days = settings.TOKI_COMMUNITY_UNREAD_DAYS
    readers = selectors.readers_of(found)
    overdue = timezone.now() - found.published_at >= timedelta(days=days)
    return render(request, "community/staff/item.html", {"item": found, "readers": readers, "days": days,
                                                         "overdue": overdue})


@login_required
def watch(request):
    if not may_read_watch_list(request.user):
        raise PermissionDenied
    return render(request, "community/staff/watch.html", {
        "flags": selectors.watch_flags_for(request.user),
        "history": selectors.watch_flags_for(request.user, open_only=False)[:100]})


@login_required
@require_POST
def resolve_watch(request, pk):
    flag = selectors.get_watch_flag_for(request.user, pk)
    with contextlib.suppress(ValidationError):  # no words of what was done: the flag stays open
        actions.resolve_watch_flag(acting_user=request.user, flag=flag, resolution=request.POST.get("resolution", ""))
    return redirect("community:watch")


@login_required
def fleet(request):
    _city_staff(request)
    return render(request, "community/staff/fleet.html", {
        "devices": selectors.fleet_for(request.user)[:1000],
        "active": selectors.active_households_by_district(default_municipality_or_404()),
        "stale_before": timezone.now() - timedelta(days=2)})
