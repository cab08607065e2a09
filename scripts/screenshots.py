"""Screenshots of seed 002's HTML report at desktop and phone widths (``make screenshots``).

Writes ``out/screenshots/report.html`` and ``report-desktop.png`` (1280 px wide), ``report-phone.png`` (390 px),
full page, with Debian's ``/usr/bin/chromium`` driven by Playwright (never a downloaded browser).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / ".." / "shared" / "data" / "seeds" / "002_5905779a0c223e00.txt"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("story", nargs="?", type=Path, default=SEED)
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "screenshots")
    args = ap.parse_args(argv)
    if not args.story.exists():
        print(f"{args.story} not found", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    from fabula import api
    from fabula.writers.html import render

    args.out.mkdir(parents=True, exist_ok=True)
    page_file = args.out / "report.html"
    page_file.write_text(render(api.analyze(args.story)), encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        for name, (w, h) in WIDTHS.items():
            page = browser.new_page(viewport={"width": w, "height": h})
            page.goto(page_file.resolve().as_uri())
            shot = args.out / f"report-{name}.png"
            page.screenshot(path=str(shot), full_page=True)
            print(shot)
            page.close()
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
