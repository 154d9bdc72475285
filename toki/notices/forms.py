from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from toki.areas.models import District
from toki.notices import richtext
from toki.notices.models import SOURCE_LANGUAGE, Notice, NoticeVersion

TITLE_MAX = NoticeVersion._meta.get_field("title").max_length


def html_lang(code: str) -> str:
    """The BCP 47 tag for a site language code (やさしい日本語 is Japanese)."""
    return "ja" if code == "ja-easy" else code


class NoticeForm(forms.Form):
    """The notice and all its language versions on one page. Japanese is required; a language whose title and
    text are both left empty has no version (and an existing one is removed)."""

    category = forms.ChoiceField(label=_("Category"), choices=Notice.Category.choices)
    is_important = forms.BooleanField(label=_("Important (marked on the public pages)"), required=False)
    districts = forms.ModelMultipleChoiceField(
        label=_("Districts"), queryset=District.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("Leave all unticked for the whole city."),
    )

    def __init__(self, *args, municipality, notice: Notice | None = None, **kwargs):
        if notice is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(notice)
        super().__init__(*args, **kwargs)
        self.fields["districts"].queryset = municipality.districts.defer("boundary")
        self.fields["districts"].label_from_instance = lambda d: d.name
        for code, name in settings.LANGUAGES:
            required = code == SOURCE_LANGUAGE
            attrs = {"lang": html_lang(code)}
            self.fields[f"title_{code}"] = forms.CharField(
                label=format_lazy("{} ({})", _("Title"), name), max_length=TITLE_MAX, required=required,
                widget=forms.TextInput(attrs=attrs),
                error_messages={"required": _("The Japanese title is required.")},
            )
            self.fields[f"body_{code}"] = forms.CharField(
                label=format_lazy("{} ({})", _("Text"), name), required=required, strip=True,
                widget=forms.Textarea(attrs={**attrs, "rows": 10, "aria-describedby": "text-help"}),
                error_messages={"required": _("The Japanese text is required.")},
            )

    @staticmethod
    def initial_for(notice: Notice) -> dict:
        initial = {"category": notice.category, "is_important": notice.is_important,
                   "districts": [d.pk for d in notice.districts.all()]}
        for version in notice.versions.all():
            initial[f"title_{version.language}"] = version.title
            initial[f"body_{version.language}"] = version.body
        return initial

    def language_sections(self) -> list[dict]:
        """One section per language, Japanese first, for the template."""
        return [{"code": code, "name": name, "lang": html_lang(code), "required": code == SOURCE_LANGUAGE,
                 "title": self[f"title_{code}"], "body": self[f"body_{code}"]} for code, name in settings.LANGUAGES]

    def clean(self):
        cleaned = super().clean()
        for code, _name in settings.LANGUAGES:
            title = cleaned.get(f"title_{code}", "")
            body = cleaned.get(f"body_{code}", "")
            if f"title_{code}" in self.errors or f"body_{code}" in self.errors:
                continue
            has_text = bool(richtext.plain_text(richtext.normalise(body))) if body else False
            if body and not has_text:
                self.add_error(f"body_{code}", _("Nothing is left of this text once unsafe markup is removed."))
            elif title and not body:
                self.add_error(f"body_{code}", _("Write the text of this language's version, or clear its title."))
            elif body and not title:
                self.add_error(f"title_{code}", _("Give this language's version a title, or clear its text."))
            elif body and len(richtext.normalise(body)) > richtext.MAX_LENGTH:
                self.add_error(f"body_{code}", _("This text is too long."))
        return cleaned

    def versions(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {code: (data.get(f"title_{code}", ""), data.get(f"body_{code}", "")) for code, _n in settings.LANGUAGES}

    def notice_fields(self) -> dict:
        data = self.cleaned_data
        return {"category": data["category"], "is_important": data["is_important"], "districts": data["districts"],
                "versions": self.versions()}


class CategoryFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories")), *Notice.Category.choices])
