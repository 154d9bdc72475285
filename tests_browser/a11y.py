"""Automated accessibility audit with axe-core (DESIGN.md rule 16; docs/accessibility.md).

axe-core comes from the npm registry (package.json pins the version; `npm ci` puts it in node_modules/) and is
injected into each page by Playwright, never loaded by the site itself. Each page (PUBLIC_PAGES anonymously,
STAFF_PAGES as alice) is audited in Japanese and in English at the phone size, against the WCAG 2.0, 2.1 and
2.2 A and AA rules plus axe's best practices. One check per page and language: it fails on any `serious` or
`critical` WCAG violation; `moderate`/`minor` ones and best-practice findings are printed as warnings. The
full results go to test-artifacts/axe/<page>-<language>.json.
"""

import json
import os

from tests_browser import server
from tests_browser.common import (
    LANGUAGES,
    Browser,
    Report,
    each_page,
    expect,
    open_checked,
    page_name,
    short,
)

AXE_JS = server.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
RESULTS_DIR = server.ARTIFACTS_DIR / "axe"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa")
RUN_TAGS = [*WCAG_TAGS, "best-practice"]
FAILING_IMPACTS = ("critical", "serious")
IMPACT_ORDER = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
TARGETS_SHOWN = 4  # per rule; the JSON file has them all

# Runs in the page: axe.run with the tags above, results cut down to what the report and the JSON need.
AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                           resultTypes: ['violations', 'incomplete']});
  const node = n => ({target: n.target.flat().join(' >> '), html: n.html.slice(0, 300),
                      impact: n.impact, summary: n.failureSummary});
  const rule = r => ({id: r.id, impact: r.impact, tags: r.tags, help: r.help, helpUrl: r.helpUrl,
                      nodes: r.nodes.map(node)});
  return {axe: axe.version, url: location.pathname, lang: document.documentElement.lang,
          violations: results.violations.map(rule), incomplete: results.incomplete.map(rule)};
}"""


def is_wcag(rule: dict) -> bool:
    return any(tag in WCAG_TAGS for tag in rule["tags"])


def is_failing(rule: dict) -> bool:
    return is_wcag(rule) and rule["impact"] in FAILING_IMPACTS


def criteria(rule: dict) -> str:
    """axe's tags as WCAG's names: `wcag21aa`, `wcag1410` -> `WCAG 2.1 AA, SC 1.4.10`; or `best-practice`."""
    if not is_wcag(rule):
        return "best-practice"
    levels = [f"{t[4]}.{t[5] if t[5].isdigit() else 0} {t.removeprefix('wcag').strip('0123456789').upper()}"
              for t in rule["tags"] if t in WCAG_TAGS]
    numbers = [f"{t[4]}.{t[5]}.{t[6:]}" for t in rule["tags"] if t[4:].isdigit() and len(t) >= 7]
    return f"WCAG {', '.join(levels)}" + (f", SC {', '.join(numbers)}" if numbers else "")


def describe(rule: dict) -> str:
    kind = criteria(rule)
    targets = "; ".join(n["target"] for n in rule["nodes"][:TARGETS_SHOWN])
    more = f" (+{len(rule['nodes']) - TARGETS_SHOWN} more)" if len(rule["nodes"]) > TARGETS_SHOWN else ""
    return (f"{rule['impact'] or '?':9} {rule['id']} [{kind}] {len(rule['nodes'])}x: {rule['help']}\n"
            f"               at {targets}{more}")


def print_results(name: str, results: dict) -> None:
    violations = sorted(results["violations"], key=lambda r: (IMPACT_ORDER.get(r["impact"], 9), r["id"]))
    counts = {}
    for rule in violations:
        counts[rule["impact"]] = counts.get(rule["impact"], 0) + 1
    summary = ", ".join(f"{n} {impact}" for impact, n in sorted(counts.items(), key=lambda i: IMPACT_ORDER[i[0]]))
    print(f"  {name}: {len(violations)} rule(s) violated{': ' + summary if summary else ''}", flush=True)
    for rule in violations:
        mark = "error  " if is_failing(rule) else "warning"
        print(f"    {mark} {describe(rule)}", flush=True)
    review = [f"{r['id']} ({len(r['nodes'])})" for r in results["incomplete"]]
    if review:
        print(f"    needs a human look (axe could not decide): {', '.join(review)}", flush=True)


def inject_axe(page) -> None:
    """Load axe-core into the page through the DevTools protocol (page.evaluate), which the site's
    Content-Security-Policy does not govern: a <script> tag (add_script_tag) would be refused, rightly."""
    loaded = page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;typeof window.axe")
    expect(loaded == "object", f"axe-core did not load ({loaded})")


def audit(report: Report, page, path: str, language: str, *, first: bool) -> None:
    """Open `path` in `language` (through the switcher link the first time), run axe and report."""
    name = f"axe {page_name(path)}@{language}"
    try:
        open_checked(page, path, language, first=first)
        inject_axe(page)
        results = page.evaluate(AXE_RUN, RUN_TAGS)
    except Exception as exc:
        report.fail(name, short(str(exc)))
        return
    (RESULTS_DIR / f"{page_name(path)}-{language}.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print_results(name, results)
    failing = [r for r in results["violations"] if is_failing(r)]
    if failing:
        report.fail(name, f"{len(failing)} serious or critical WCAG violation(s): "
                          + ", ".join(f"{r['id']} ({r['impact']}, {len(r['nodes'])}x)" for r in failing))
    else:
        report.ok(name)


def check_axe(report: Report, browser: Browser, staff_state: dict | None) -> None:
    if not report.check("axe-core is installed (npm ci)", lambda: expect(
            AXE_JS.exists(), f"{AXE_JS.relative_to(server.BASE_DIR)} is missing: run `npm ci`")):
        return
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    if not os.environ.get(server.SHARD_ENV):  # a sharded run's parent cleared them before any shard began
        for old in RESULTS_DIR.glob("*.json"):
            old.unlink()
    version = json.loads((AXE_JS.parent / "package.json").read_text())["version"]
    print(f"axe-core {version} at the phone size; rules tagged {', '.join(RUN_TAGS)}", flush=True)
    each_page(report, browser, staff_state, "axe", audit, context_kind="phone", languages=LANGUAGES)
