"""Encrypted model fields: the database holds "<key id>:<token>", Python sees the value. Decryption errors are
RegistryKeyError (never swallowed, unlike django-fernet-encrypted-fields' to_python). No lookups, ordering or
indexes make sense on these columns: search goes through the blind-index columns of the model."""

import json
from datetime import date
from typing import Any

from django.db import models

from toki.registry import crypto


class EncryptedTextField(models.TextField):
    """A string (the empty string stays empty, unencrypted: it says nothing)."""

    # For django-stubs: the Python value's type; the subclasses narrow it.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def to_plain(self, value) -> str:
        return "" if value is None else str(value)

    def from_plain(self, text: str):
        return text

    def get_prep_value(self, value):
        text = self.to_plain(value)
        return crypto.encrypt(text) if text else ""

    def from_db_value(self, value, expression, connection):
        if not value:
            return self.from_plain("")
        return self.from_plain(crypto.decrypt(value))

    def get_lookup(self, lookup_name):
        if lookup_name not in ("isnull",):
            raise TypeError(f"encrypted field {self.name}: no {lookup_name!r} lookup (search the blind index)")
        return super().get_lookup(lookup_name)


class EncryptedDateField(EncryptedTextField):
    # For django-stubs: what the attribute holds in Python.
    _pyi_private_set_type: date | None
    _pyi_private_get_type: date | None

    def to_plain(self, value) -> str:
        return value.isoformat() if isinstance(value, date) else (value or "")

    def from_plain(self, text: str):
        return date.fromisoformat(text) if text else None


class EncryptedJSONField(EncryptedTextField):
    """A list or dict (emergency contacts, disabilities, devices)."""

    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def to_plain(self, value) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""

    def from_plain(self, text: str):
        return json.loads(text) if text else []
