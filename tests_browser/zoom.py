"""Readable at 200% zoom (DESIGN.md rule 16; docs/accessibility.md explains the method).

A 1280x800 window zoomed to 200% is, for the page, a 640x400 CSS-pixel viewport with devicePixelRatio 2: that
is what Chromium's zoom does (media queries see 640px), so the context is made that way (VIEWPORTS["zoom200"])
rather than with CSS `zoom` on <html>, which media queries, vw/vh and position:fixed do not follow. Each page
(public ones anonymously, staff ones as alice), in Japanese and in English, is checked for:

- no sideways scrolling: document.documentElement.scrollWidth <= window.innerWidth + 1, and if not, which
  elements stick out past the right edge;
- no text cut off: no rendered element with text whose `overflow` hides or clips (hidden/clip) while its
  content is taller (scrollHeight > clientHeight + 2) or wider (scrollWidth > clientWidth + 2) than its box.
  Visually-hidden text for screen readers (1px boxes, clip/clip-path) and the map's panes are skipped.

A page that fails also leaves a screenshot, zoom200-<page>-<language>.png.
"""


from tests_browser.common import (
    LANGUAGES,
    Browser,
    Report,
    each_page,
    expect,
    open_checked,
    page_name,
    screenshot,
    short,
)

SHOWN = 5  # offending elements named per check

# Runs in the page; returns the viewport's and the page's widths, what sticks out, and what is cut off.
MEASURE = """() => {
  const describe = el => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      let part = e.tagName.toLowerCase();
      if (e.id) { parts.unshift(part + '#' + e.id); break; }
      const classes = [...e.classList].slice(0, 2);
      if (classes.length) part += '.' + classes.join('.');
      parts.unshift(part);
    }
    const text = (el.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return parts.join(' > ') + (text ? ` "${text}"` : '');
  };
  const rendered = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const hides = v => v === 'hidden' || v === 'clip';
  const srOnly = (el, s) => el.clientWidth <= 2 || el.clientHeight <= 2 || (s.clip && s.clip !== 'auto')
      || (s.clipPath && s.clipPath !== 'none');
  const inMap = el => el.closest('.leaflet-map-pane') !== null || el.classList.contains('leaflet-container');
  const all = [...document.body.querySelectorAll('*')].filter(rendered);
  const width = window.innerWidth;
  const wide = all.filter(el => {
    if (el.getBoundingClientRect().right <= width + 1 || inMap(el)) return false;
    const parent = el.parentElement;  // only where the overflow starts, not every ancestor and descendant
    return !parent || parent === document.body || parent.getBoundingClientRect().right <= width + 1;
  }).map(el => `${describe(el)} (right edge at ${Math.round(el.getBoundingClientRect().right)}px)`);
  const cut = [];
  for (const el of all) {
    const s = getComputedStyle(el);
    if (!(hides(s.overflowX) || hides(s.overflowY)) || inMap(el) || srOnly(el, s)) continue;
    if (!(el.innerText || '').trim()) continue;
    const tall = hides(s.overflowY) && el.scrollHeight > el.clientHeight + 2;
    const broad = hides(s.overflowX) && el.scrollWidth > el.clientWidth + 2;
    if (tall) cut.push(`${describe(el)} (${el.scrollHeight}px of content in ${el.clientHeight}px high box, `
                       + `overflow-y ${s.overflowY})`);
    else if (broad) cut.push(`${describe(el)} (${el.scrollWidth}px of content in ${el.clientWidth}px wide box, `
                             + `overflow-x ${s.overflowX})`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide, cut};
}"""


def listed(items: list[str]) -> str:
    more = f" (+{len(items) - SHOWN} more)" if len(items) > SHOWN else ""
    return "; ".join(items[:SHOWN]) + more


def check_page(report: Report, page, path: str, language: str, *, first: bool) -> None:
    name = f"zoom200 {page_name(path)}@{language}"
    try:
        open_checked(page, path, language, first=first)
        page.evaluate("document.fonts ? document.fonts.ready.then(() => true) : true")
        found = page.evaluate(MEASURE)
    except Exception as exc:
        report.fail(f"{name} loads", short(str(exc)))
        return
    fits = report.check(f"{name} no sideways scrolling", lambda: expect(
        found["scrollWidth"] <= found["innerWidth"] + 1,
        f"page is {found['scrollWidth']}px wide in {found['innerWidth']}px: {listed(found['wide'])}"))
    whole = report.check(f"{name} no text cut off", lambda: expect(
        not found["cut"], f"{len(found['cut'])} element(s): {listed(found['cut'])}"))
    if not (fits and whole):
        screenshot(report, page, f"zoom200-{page_name(path)}-{language}")


def check_zoom(report: Report, browser: Browser, staff_state: dict | None) -> None:
    each_page(report, browser, staff_state, "zoom200", check_page, context_kind="zoom200", languages=LANGUAGES)
