"""Every change to notices (DESIGN.md rules 2 and 3): keyword-only `acting_user`, one transaction, an
AuditEvent, and the public-change hook sent on commit."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from toki.accounts import audit
from toki.notices import richtext
from toki.notices.events import public_notice_changed
from toki.notices.models import SOURCE_LANGUAGE, Notice, NoticeRevision, NoticeVersion
from toki.notices.permissions import may_manage_notices

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
TITLE_MAX = NoticeVersion._meta.get_field("title").max_length


def _check_permission(user) -> None:
    if not may_manage_notices(user):
        raise PermissionDenied("managing notices needs an editor or admin role in HQ or a department")


def _clean_versions(versions: dict) -> dict[str, tuple[str, str]]:
    """{language: (title, body)} validated and with bodies cleaned. Languages with neither title nor body are
    left out (an empty translation means "none"); Japanese must be complete."""
    cleaned, errors = {}, {}
    for language, (title, body) in versions.items():
        if language not in LANGUAGE_CODES:
            errors[f"title_{language}"] = f"unknown language {language!r}"
            continue
        title = " ".join((title or "").split())
        body = richtext.normalise(body or "")
        has_body = bool(richtext.plain_text(body))
        if not title and not has_body:
            continue
        if not title:
            errors[f"title_{language}"] = "give a title (or leave this language's body empty too)"
        elif len(title) > TITLE_MAX:
            errors[f"title_{language}"] = f"a title has at most {TITLE_MAX} characters"
        if not has_body:
            errors[f"body_{language}"] = "write the notice (or leave this language's title empty too)"
        elif len(body) > richtext.MAX_LENGTH:
            errors[f"body_{language}"] = f"the text is too long (at most {richtext.MAX_LENGTH} characters)"
        cleaned[language] = (title, body)
    if SOURCE_LANGUAGE not in cleaned and f"title_{SOURCE_LANGUAGE}" not in errors:
        errors[f"title_{SOURCE_LANGUAGE}"] = "the Japanese title and text are required"
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_districts(municipality, districts) -> list:
    districts = list(districts)
    if any(d.municipality_id != municipality.pk for d in districts):
        raise ValidationError({"districts": "all districts must belong to the notice's municipality"})
    return districts


def _check_category(category: str) -> None:
    if category not in Notice.Category.values:
        raise ValidationError({"category": f"unknown category {category!r}"})


def _write_versions(notice: Notice, cleaned: dict, acting_user) -> dict[str, list[str]]:
    """Make the stored versions match `cleaned`, with an append-only NoticeRevision for every text written or
    removed; return which languages were added, changed and removed."""
    existing = {v.language: v for v in notice.versions.select_for_update()}
    report = {"added": [], "changed": [], "removed": []}
    revisions = []
    for language, (title, body) in cleaned.items():
        version = existing.pop(language, None)
        if version is None:
            NoticeVersion.objects.create(notice=notice, language=language, title=title, body=body)
            report["added"].append(language)
        elif (version.title, version.body) != (title, body):
            version.title, version.body = title, body
            version.save(update_fields=["title", "body", "updated_at"])
            report["changed"].append(language)
        else:
            continue
        revisions.append(NoticeRevision(notice=notice, language=language, title=title, body=body,
                                        created_by=acting_user))
    for language, version in existing.items():
        version.delete()
        report["removed"].append(language)
        revisions.append(NoticeRevision(notice=notice, language=language, removed=True, created_by=acting_user))
    NoticeRevision.objects.bulk_create(revisions)
    return report


def create_notice(*, acting_user, municipality, category: str, versions: dict, districts=(),
                  is_important: bool = False) -> Notice:
    """A draft notice. `versions` is {language: (title, body)}; Japanese is required. Publish it separately."""
    _check_permission(acting_user)
    _check_category(category)
    cleaned = _clean_versions(versions)
    districts = _check_districts(municipality, districts)
    with transaction.atomic():
        notice = Notice.objects.create(municipality=municipality, category=category, is_important=is_important,
                                       created_by=acting_user)
        notice.districts.set(districts)
        _write_versions(notice, cleaned, acting_user)
        audit.record(actor=acting_user, action="notices.create", obj=notice, changes={
            "category": category, "important": is_important, "districts": [d.code for d in districts],
            "languages": sorted(cleaned),
        })
    return notice


def update_notice(*, acting_user, notice: Notice, category: str, versions: dict, districts=(),
                  is_important: bool = False) -> Notice:
    """Replace the notice's fields and versions: a language missing from `versions` (or left empty) is removed."""
    _check_permission(acting_user)
    _check_category(category)
    cleaned = _clean_versions(versions)
    districts = _check_districts(notice.municipality, districts)
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        changes = {}
        if notice.category != category:
            changes["category"] = [notice.category, category]
        if notice.is_important != is_important:
            changes["important"] = [notice.is_important, is_important]
        before = sorted(notice.districts.values_list("code", flat=True))
        after = sorted(d.code for d in districts)
        if before != after:
            changes["districts"] = [before, after]
            notice.districts.set(districts)
        changes.update({k: v for k, v in _write_versions(notice, cleaned, acting_user).items() if v})
        notice.category, notice.is_important = category, is_important
        notice.save(update_fields=["category", "is_important", "updated_at"])
        audit.record(actor=acting_user, action="notices.update", obj=notice, changes=changes)
        if notice.is_published and changes:
            public_notice_changed(notice)
    return notice


def publish_notice(*, acting_user, notice: Notice) -> Notice:
    """Show the notice on the public pages. The first publication sets `published_at`; publishing an already
    published notice changes nothing."""
    _check_permission(acting_user)
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.is_published:
            return notice
        if not notice.versions.filter(language=SOURCE_LANGUAGE).exists():
            raise ValidationError("a notice needs its Japanese version before it is published")
        first = notice.published_at is None
        notice.is_published = True
        if first:
            notice.published_at = timezone.now()
        notice.save(update_fields=["is_published", "published_at", "updated_at"])
        audit.record(actor=acting_user, action="notices.publish", obj=notice, changes={"first": first})
        public_notice_changed(notice)
    return notice


def unpublish_notice(*, acting_user, notice: Notice) -> Notice:
    """Withdraw the notice from the public pages (it stays, as a draft, for staff)."""
    _check_permission(acting_user)
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if not notice.is_published:
            return notice
        notice.is_published = False
        notice.save(update_fields=["is_published", "updated_at"])
        audit.record(actor=acting_user, action="notices.unpublish", obj=notice, changes={})
        public_notice_changed(notice)
    return notice
