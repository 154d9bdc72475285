"""The one thing notify plans and delivers: a channel-neutral Announcement (issue 15 deliverable 2, ADR 0008).

A producing app (alerts, shelters, lifelines, notices) turns what happened into an Announcement in its own
`announce.py` and hands it to `toki.notify.actions.planning.announce` from its own subscriber: notify never reads
an Alert, a shelter or a notice, and imports no producing app (it imports only lib, accounts and areas).

    announce(Announcement(
        municipality_id=m.pk, dedupe_key=f"shelter_opening:{opening.pk}", category=Category.SHELTERS,
        title="避難所開設：両津小学校", district_codes=("ryotsu",), is_drill=incident.is_drill,
        texts={language: Content(language, title, short, body, url) for language in languages()}))

What it says, per language (`Content`: title, short preview text for the lock screen, body, link); to whom
(municipality, districts — none means the whole municipality —, category; a drill or test goes only to the test
audience); and its dedupe key: announcing the same key twice plans once, so a producer's subscriber may run again
after a crash. Every channel renders the same Content its own way (toki.notify.channels).

A **personal audience** (`subscriber_ids`): a message for one person (or a few named ones) rather than districts and
categories, e.g. a ride reminder to the rider who booked it through LINE. The producer names the Subscriber ids (it
learnt them when the person linked their account) and a dedupe key per thing told ("rides_reminder:evening:<pk>"):
the same outbox, retry keys, sweep and unique source key as any announcement, so it is sent once however often the
producer's job runs. Districts, categories and the test audience do not filter it (the person asked for it);
inactive subscribers (blocked the account) and channels without a transport are still left out.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone, translation

from toki.notify.channels import Content
from toki.notify.models import Category, Notification

__all__ = ["DELIVERY_WINDOW", "Announcement", "Category", "Content", "Kind", "in_every_language", "is_fresh",
           "languages"]

Kind = Notification.Kind  # new / update / cancel: what the staff page shows for it
KEY_MAX = 100  # Notification.source_key
SHORT_MAX = 100  # characters of a preview line (LINE shows about this much on a lock screen)
# What happened longer ago than this when its producer's subscriber runs is not pushed (a back-fill after downtime,
# an event redelivered hours later, an old notice edited): it stays on the portal.
DELIVERY_WINDOW = timedelta(hours=3)


def languages() -> list[str]:
    """The languages a producer writes an announcement in: every site language."""
    return [code for code, _name in settings.LANGUAGES]


def in_every_language(content: Callable[[str], Content]) -> dict[str, Content]:
    """`content(language)` for every site language, each called with that language active (gettext)."""
    texts = {}
    for language in languages():
        with translation.override(language):
            texts[language] = content(language)
    return texts


def is_fresh(happened_at: datetime, *, now: datetime | None = None) -> bool:
    """Whether something that happened at `happened_at` is still news to push (see DELIVERY_WINDOW)."""
    return happened_at >= (now or timezone.now()) - DELIVERY_WINDOW


@dataclass(frozen=True)
class Announcement:
    municipality_id: int
    dedupe_key: str  # unique per thing told, e.g. "alert:<pk>", "shelter_opening:<pk>"
    category: str  # a Category value: what subscribers chose to receive
    title: str  # for staff (the delivery page): the Japanese title
    texts: Mapping[str, Content]  # language → what it says; the site's default language is required
    district_codes: tuple[str, ...] = ()  # the districts it concerns; () = the whole municipality
    kind: str = Kind.NEW
    is_drill: bool = False  # 訓練: marked in its texts by the producer; the test audience only
    is_test: bool = False  # a test message: the test audience only
    extra: dict = field(default_factory=dict)  # for the audit record (ids only)
    subscriber_ids: tuple[int, ...] = ()  # a personal audience: exactly these subscribers (see the module doc)

    def __post_init__(self):
        problems = []
        if not self.dedupe_key or len(self.dedupe_key) > KEY_MAX:
            problems.append(f"dedupe_key must be 1–{KEY_MAX} characters")
        if self.category not in Category.values:
            problems.append(f"unknown category {self.category!r}")
        if self.kind not in Kind.values:
            problems.append(f"unknown kind {self.kind!r}")
        if self.subscriber_ids and (self.district_codes or self.test_audience_only):
            problems.append("a personal audience takes no districts and is neither a drill nor a test")
        if any(not isinstance(pk, int) or isinstance(pk, bool) for pk in self.subscriber_ids):
            problems.append("subscriber_ids must be Subscriber ids (integers)")
        if settings.LANGUAGE_CODE not in self.texts:
            problems.append(f"no text in the default language {settings.LANGUAGE_CODE!r}")
        for language, content in self.texts.items():
            if content.language != language or not content.title or not content.body:
                problems.append(f"the {language!r} text needs its language, a title and a body")
            elif len(content.short) > SHORT_MAX:
                problems.append(f"the {language!r} preview is longer than {SHORT_MAX} characters")
        if problems:
            raise ValueError(f"announcement {self.dedupe_key!r}: " + "; ".join(problems))

    @property
    def is_personal(self) -> bool:
        return bool(self.subscriber_ids)

    @property
    def test_audience_only(self) -> bool:
        return self.is_drill or self.is_test

    def text_in(self, language: str) -> Content:
        """What a reader of `language` gets: its own text, else the default language's, with the announcement's
        category, dedupe key and kind."""
        content = self.texts.get(language) or self.texts[settings.LANGUAGE_CODE]
        return replace(content, category=self.category, key=self.dedupe_key, kind=self.kind)
