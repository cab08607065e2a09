"""Screenshot of ``fabula serve``'s report page (``make screenshot-web``): starts the app on a free loopback port,
opens the start page in headless Chromium (Debian's /usr/bin/chromium via Playwright), analyses a bundled
sample story and saves the report's first screen as a PNG.

    .venv/bin/python scripts/web_screenshot.py [--out docs/img/web-report.png] [--sample the_lighthouse_keeper.txt]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "web-report.png")
    ap.add_argument("--sample", default="the_lighthouse_keeper.txt")
    ap.add_argument("--width", type=int, default=1200)
    ap.add_argument("--height", type=int, default=900)
    ap.add_argument("--full", action="store_true", help="the whole page, not just the first screen")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    from fabula.web import Settings
    from fabula.web.serve import background

    with background(Settings(workers=1)) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        page.goto(url + "/")
        page.click(f"form:has(input[value='{args.sample}']) button")
        page.wait_for_url("**/jobs/*/report", timeout=120_000)
        page.wait_for_load_state("networkidle")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.out), full_page=args.full)
        browser.close()
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1024:.0f} KB)")
    return 0 if size < 500 * 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
