"""CAP 1.2 (OASIS Common Alerting Protocol) in and out. See docs/cap.md.

- `parse`: untrusted bytes → a validated, immutable `CapMessage` (XSD plus the rules the schema cannot say), or
  a `CapError` with the reason. No database here.
- `relevance`: does a message concern a municipality (geocodes, polygons and circles, the area's name).
- `build`, `feed`: an Alert as a CAP 1.2 document with a Japanese and an English `info`; the Atom index of the
  public alerts (what Google Public Alerts reads).
- `selectors`: the public reads behind the feed, and who may import.

Importing (storing an Alert) is the action `toki.alerts.actions.cap.import_cap`.
"""

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
