"""axe-core (https://github.com/dequelabs/axe-core, pinned by package-lock.json) in Chromium.

The script is added before each document loads (`BrowserContext.add_init_script`, which the
page's Content-Security-Policy does not govern), so the pages are checked under their own
policy, unchanged. `violations` runs the WCAG 2 A and AA rules (wcag2a, wcag2aa, wcag21a,
wcag21aa) and returns what fails, one line per rule and node.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import BrowserContext, Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def with_axe(context: BrowserContext) -> BrowserContext:
    """`context`, with axe-core in every page it opens."""
    context.add_init_script(path=str(AXE))
    return context


def violations(page: Page) -> list[str]:
    """The WCAG 2 A/AA violations axe-core finds on `page`, as `rule: target (summary)`."""
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => v.nodes.map(n => `${v.id}: ${n.target.join(' ')} ("
        "${n.failureSummary})`)).flat()",
        WCAG_AA,
    )
    return list(found)
