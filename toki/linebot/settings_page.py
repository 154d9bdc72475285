"""The 受信設定 page opened from the one-time link sent in LINE: no login, no JavaScript, big touch targets.

GET shows the subscriber's settings in a form; POST saves them at once and uses up the link. A tampered link, an
expired one (24 h) or a used one gets a page that says so and how to get a new link (send 「設定」 in LINE).
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from toki.linebot.richmenu_sync import link_menu_for_audience
from toki.linebot.settings_link import LinkExpired, LinkInvalid, read_token
from toki.notify.actions.subscriptions import SettingsLinkUsed, save_settings_from_link, settings_link_was_used
from toki.notify.models import MAX_DISTRICTS, Category, Subscriber
from toki.notify.selectors import line_subscriber


class SubscriptionForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the messages"), choices=settings.LANGUAGES,
                                 widget=forms.RadioSelect)
    audience = forms.ChoiceField(label=_("You are"), choices=Subscriber.Audience.choices, widget=forms.RadioSelect)
    area = forms.ChoiceField(label=_("Alerts for"), widget=forms.RadioSelect,
                             choices=[("all", _("All of the city")), ("chosen", _("Only the districts I choose"))])
    districts = forms.MultipleChoiceField(label=_("Districts (up to three)"), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    categories = forms.MultipleChoiceField(label=_("Information to receive"), choices=Category.choices,
                                           widget=forms.CheckboxSelectMultiple,
                                           error_messages={"required": _("Choose at least one kind of information.")})

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        from toki.linebot.replies import district_name

        self.fields["districts"].choices = [(d.code, district_name(d)) for d in districts]

    def clean(self):
        data = super().clean()
        chosen = data.get("districts") or []
        if data.get("area") == "chosen":
            if not chosen:
                self.add_error("districts", _("Choose at least one district, or all of the city."))
            elif len(chosen) > MAX_DISTRICTS:
                self.add_error("districts", _("Choose at most three districts, or all of the city."))
        return data


def _initial(subscriber: Subscriber) -> dict:
    return {"language": subscriber.language, "audience": subscriber.audience,
            "area": "all" if subscriber.all_districts else "chosen",
            "districts": list(subscriber.districts.values_list("code", flat=True)),
            "categories": list(subscriber.categories)}


def _refusal(request, status: int, title, explanation):
    return render(request, "linebot/line_settings_refused.html", {"title": title, "explanation": explanation},
                  status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def settings_page(request, token: str):
    try:
        link = read_token(token)
    except LinkExpired:
        return _refusal(request, 410, _("This link has expired"),
                        _("Settings links work for 24 hours. Send “設定” (Settings) in LINE to get a new one."))
    except LinkInvalid:
        return _refusal(request, 404, _("This link is not valid"),
                        _("Open the link from the message in LINE, or send “設定” (Settings) in LINE for a new one."))
    subscriber = line_subscriber(link.subscriber_id)
    if subscriber is None:
        return _refusal(request, 404, _("This link is not valid"),
                        _("Open the link from the message in LINE, or send “設定” (Settings) in LINE for a new one."))
    if settings_link_was_used(subscriber.pk, link.nonce):
        return _already_saved(request, subscriber)
    # Shown in the subscriber's language unless this browser chose one with the language switcher.
    chosen_language = _page_language(request)
    language = chosen_language or subscriber.language
    districts = list(subscriber.municipality.districts.order_by("sort_order", "code"))
    link_audience = subscriber.audience
    with translation.override(language):
        form = SubscriptionForm(request.POST or None, initial=_initial(subscriber), districts=districts)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            everywhere = data["area"] == "all"
            try:
                subscriber = save_settings_from_link(
                    subscriber=subscriber, nonce=link.nonce, language=data["language"], audience=data["audience"],
                    all_districts=everywhere, district_codes=[] if everywhere else data["districts"],
                    categories=data["categories"])
            except SettingsLinkUsed:
                return _already_saved(request, subscriber)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                if subscriber.audience != link_audience:  # resident ↔ visitor: the menu follows
                    link_menu_for_audience(subscriber.address, subscriber.audience)
                with translation.override(chosen_language or subscriber.language):
                    return render(request, "linebot/line_settings_saved.html",
                                  {"subscriber": subscriber, "summary": _summary(subscriber)})
        return render(request, "linebot/line_settings.html", {"form": form, "max_districts": MAX_DISTRICTS})


def _already_saved(request, subscriber: Subscriber):
    """A used link (reloaded after saving, or the form sent twice): a link is only used by a save, so say the
    settings were saved, show them, and how to change them again (410: the link itself works no more)."""
    with translation.override(_page_language(request) or subscriber.language):
        return render(request, "linebot/line_settings_saved.html",
                      {"subscriber": subscriber, "summary": _summary(subscriber), "link_used": True}, status=410)


def _page_language(request) -> str | None:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in dict(settings.LANGUAGES) else None


def _summary(subscriber: Subscriber) -> list[str]:
    from toki.linebot.replies import settings_summary

    return settings_summary(subscriber)
