"""Texts of Django itself that its own catalogues do not translate yet, so readers of Japanese, Chinese and
Korean got them in English (Django 6's blank choice of every select, issue 14 item 4). Marked here so that
`make messages` keeps the project's translations of them (locale/*/LC_MESSAGES/django.po, which Django reads
before its own)."""

from django.utils.translation import gettext_noop

UNTRANSLATED_BY_DJANGO = (
    gettext_noop("- Select an option -"),  # django.db.models.fields.BLANK_CHOICE_LABEL
)
