"""Reads of the community app. Staff reads take the user (DESIGN.md rule 4: "not yours" is a 404); tablet reads
take the device's household, which the device cookie proved (toki.community.devices)."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from toki.community.models import (
    ActiveDay,
    Device,
    Household,
    Item,
    Jichikai,
    Receipt,
    SafetyReply,
    WatchFlag,
)
from toki.community.permissions import is_city_staff, led_org_unit_ids, watch_list_districts


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("not found") from None


# --- the tablet ---------------------------------------------------------------------------------------------

def audience_q(household: Household, prefix: str = "") -> Q:
    """Items addressed to `household`: the city's newsletter, its 自治会's circulars to everyone or to its 班."""
    p = prefix
    return (Q(**{f"{p}kind": Item.Kind.NEWSLETTER}) |
            (Q(**{f"{p}jichikai_id": household.jichikai_id}) & Q(**{f"{p}jichikai__isnull": False}) &
             (Q(**{f"{p}han__isnull": True}) | Q(**{f"{p}han_id": household.han_id}))))


def items_for_household(household: Household, *, kind: str = "", query: str = "") -> QuerySet[Item]:
    items = (Item.objects.filter(municipality_id=household.municipality_id).filter(audience_q(household))
             .select_related("jichikai", "han")
             .annotate(seen=Exists(Receipt.objects.filter(item=OuterRef("pk"), household=household))))
    if kind:
        items = items.filter(kind=kind)
    for word in query.split()[:5]:
        items = items.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return items.order_by("-published_at", "-pk")


def latest_item_id(household: Household) -> int | None:
    """The newest item addressed to `household` (one indexed query): the poll tells the tablet something new came."""
    return (Item.objects.filter(municipality_id=household.municipality_id).filter(audience_q(household))
            .order_by("-published_at", "-pk").values_list("pk", flat=True).first())


def get_item_for_household(household: Household, pk) -> Item:
    return _get(items_for_household(household).prefetch_related("attachments"), pk)


def unread_circulars(household: Household) -> int:
    seen = Receipt.objects.filter(household=household).values("item_id")
    return items_for_household(household).exclude(kind=Item.Kind.NEWSLETTER).exclude(pk__in=seen).count()


def open_watch_flag(household: Household) -> WatchFlag | None:
    return WatchFlag.objects.filter(household=household, resolved_at=None).first()


def tapped_today(household: Household) -> bool:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return household.taps.filter(at__gte=start).exists()


def devices_of_household(household: Household) -> list[Device]:
    return list(household.devices.filter(signed_out_at=None).select_related("member"))


# --- publishers --------------------------------------------------------------------------------------------

def jichikai_for_publisher(user) -> QuerySet[Jichikai]:
    if is_city_staff(user):
        return Jichikai.objects.select_related("district").all()
    return Jichikai.objects.select_related("district").filter(org_unit_id__in=led_org_unit_ids(user))


def items_for_publisher(user) -> QuerySet[Item]:
    items = Item.objects.select_related("jichikai", "han").annotate(read_count=Count("receipts"))
    if is_city_staff(user):
        return items.order_by("-published_at", "-pk")
    return items.filter(jichikai__org_unit_id__in=led_org_unit_ids(user)).order_by("-published_at", "-pk")


def get_item_for_publisher(user, pk) -> Item:
    return _get(items_for_publisher(user), pk)


def audience_of(item: Item) -> QuerySet[Household]:
    households = Household.objects.filter(municipality_id=item.municipality_id).select_related("district", "han")
    if item.kind != Item.Kind.NEWSLETTER:
        households = households.filter(jichikai=item.jichikai)
        if item.han_id:
            households = households.filter(han_id=item.han_id)
    return households


def readers_of(item: Item) -> dict:
    """Who has seen `item`, who has not, and (after `days`) whom to visit or hand paper to."""
    receipts = {r.household_id: r for r in Receipt.objects.filter(item=item).select_related("member")}
    seen: list[dict] = []
    unseen: list[dict] = []
    for household in audience_of(item).order_by("han__name", "label"):
        receipt = receipts.get(household.pk)
        (seen if receipt else unseen).append({"household": household, "receipt": receipt})
    return {"seen": seen, "unseen": unseen, "total": len(seen) + len(unseen)}


# --- staff: households, fleet, watch-over -------------------------------------------------------------------

def households_for_staff(user) -> QuerySet[Household]:
    if not is_city_staff(user):
        return Household.objects.none()
    return Household.objects.select_related("district", "jichikai", "han").annotate(
        device_count=Count("devices", filter=Q(devices__signed_out_at=None)))


def get_household_for_staff(user, pk) -> Household:
    return _get(households_for_staff(user), pk)


def get_device_for_staff(user, pk) -> Device:
    if not is_city_staff(user):
        raise Http404("not found")
    return _get(Device.objects.select_related("household"), pk)


def fleet_for(user) -> QuerySet[Device]:
    if not is_city_staff(user):
        return Device.objects.none()
    return (Device.objects.filter(signed_out_at=None).select_related("household__district", "member")
            .order_by("last_seen_at", "pk"))


def active_households_by_district(municipality, *, days: int = 7, today=None) -> list[dict]:
    """Households that used Toki on a device in the last `days` local days, per district (the KPI's figure)."""
    today = today or timezone.localdate()
    rows = (ActiveDay.objects.filter(household__municipality=municipality, day__gt=today - timedelta(days=days),
                                     day__lte=today)
            .values("district__name", "district__sort_order")
            .annotate(households=Count("household", distinct=True)).order_by("district__sort_order"))
    enrolled = dict(Household.objects.filter(municipality=municipality).values("district__name")
                    .annotate(n=Count("pk")).values_list("district__name", "n"))
    return [{"district": r["district__name"], "active": r["households"], "households": enrolled.get(
        r["district__name"], 0)} for r in rows]


def watch_flags_for(user, *, open_only: bool = True) -> QuerySet[WatchFlag]:
    districts = watch_list_districts(user)
    if districts == [] or not user.is_authenticated:
        return WatchFlag.objects.none()
    flags = WatchFlag.objects.select_related("household__district", "resolved_by")
    if districts is not None:
        flags = flags.filter(household__district_id__in=districts)
    if open_only:
        return flags.filter(resolved_at=None).order_by("stage", "raised_at")
    return flags.exclude(resolved_at=None).order_by("-resolved_at")


def get_watch_flag_for(user, pk) -> WatchFlag:
    return _get(watch_flags_for(user), pk)


# --- the HQ board (hq calls this) ---------------------------------------------------------------------------

def safety_summary(municipality, *, since, limit: int = 50) -> dict:
    """Safety replies from household tablets since `since`: each household's latest answer counted once (safe /
    needs help), and the households whose latest answer is 「助けが必要」, oldest first, with their district.
    Two queries."""
    latest = (SafetyReply.objects.filter(household__municipality=municipality, replied_at__gte=since)
              .order_by("household_id", "-replied_at", "-pk"))
    newest: dict[int, SafetyReply] = {}
    for reply in latest.select_related("household__district").only(
            "household_id", "status", "by_family", "replied_at", "household__label", "household__district__name"):
        newest.setdefault(reply.household_id, reply)
    needs = sorted((r for r in newest.values() if r.status == SafetyReply.Status.NEEDS_HELP),
                   key=lambda r: r.replied_at)
    safe = sum(1 for r in newest.values() if r.status == SafetyReply.Status.SAFE)
    return {"safe": safe, "needs_help": len(needs), "needs_list": needs[:limit],
            "households": Household.objects.filter(municipality=municipality).count()}


def safety_reply(reply_id) -> SafetyReply | None:
    """One tablet answer by id, for the listeners of `community.safety_reply_recorded` (the registry's 安否確認)."""
    return SafetyReply.objects.filter(pk=reply_id).first()
