"""Validation against the OASIS CAP 1.2 schema (CAP-v1.2.xsd, shipped beside this file; © OASIS Open 2010).

lxml compiles the schema once per thread: a compiled `XMLSchema` keeps its error log on the object, so sharing
one between server threads would mix their errors.
"""

import threading
from pathlib import Path

from lxml import etree

from toki.alerts.cap import CAP_NS

XSD_PATH = Path(__file__).with_name("CAP-v1.2.xsd")
_MAX_ERRORS = 3

_per_thread = threading.local()  # a cache of the compiled schema, one per thread (see above)


def _schema() -> etree.XMLSchema:
    schema = getattr(_per_thread, "schema", None)
    if schema is None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        schema = etree.XMLSchema(etree.parse(str(XSD_PATH), parser))
        _per_thread.schema = schema
    return schema


def readable(message: str) -> str:
    """An lxml/libxml2 schema message with CAP's namespace left out: "Element 'sent': …"."""
    return message.replace(f"{{{CAP_NS}}}", "")


def schema_errors(root: etree._Element) -> list[str]:
    """The first few schema violations of a parsed document ("line N: …"), empty when it is valid CAP 1.2."""
    schema = _schema()
    if schema.validate(root):
        return []
    return [f"line {error.line}: {readable(error.message)}" for error in list(schema.error_log)[:_MAX_ERRORS]]
