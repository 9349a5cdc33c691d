"""Page weight: the bytes a browser transfers (gzipped) to show each page of the website.

    python benchmarks/page_weight.py --as before   # measure _build/html, store as "before"
    python benchmarks/page_weight.py --as after    # ... as "after" (the current state)
    python benchmarks/run.py --only weight         # the same as --as after

Serves a built site (default ``_build/html``; build it first) on 127.0.0.1, loads every page
of the table of contents in headless Chromium with every request off 127.0.0.1 blocked, and
counts each response as a gzip server would send it (``tests/website/transfer.py``): a first
visit with an empty cache, and a later visit after the previous page (cached files not
counted again). Stored in ``results/weight.json`` under the label; RESULTS.md shows the
"before" and "after" figures side by side.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from site_server import PAGES, launch, serve
from timing import RESULTS_DIR, ROOT, git_commit, load_average, log, machine

from tests.website.transfer import measure


def run(html: Path = ROOT / "_build" / "html") -> dict[str, Any]:
    """Measure every page; return ``{"pages": [...], "assets": [...]}`` (bytes as sent)."""
    from playwright.sync_api import sync_playwright

    with serve(html) as base, sync_playwright() as pw:
        browser = launch(pw)
        visits = measure(browser, base, PAGES)
        browser.close()
    pages, assets = [], {}
    for path in PAGES:
        first, later = visits[path]["first"], visits[path]["later"]
        pages.append(
            {
                "page": path,
                "first_bytes": first.total,
                "later_bytes": later.total,
                "html_bytes": first.files.get(path, 0),
                "requests_first": len(first.files),
                "requests_later": len(later.files),
                "largest_later": later.largest(4),
                "external": sorted(set(first.external)),
            }
        )
        for url, size in first.files.items():
            if not url.endswith(".html"):
                assets[url.split("?")[0]] = size
    top = sorted(assets.items(), key=lambda kv: -kv[1])[:10]
    return {"pages": pages, "largest_assets": [{"file": f, "bytes": b} for f, b in top]}


def store(label: str, data: dict[str, Any]) -> Path:
    """Keep ``data`` under ``label`` in results/weight.json (other labels are kept)."""
    path = RESULTS_DIR / "weight.json"
    stored = json.loads(path.read_text()) if path.exists() else {"part": "weight"}
    stored[label] = {
        "machine": machine(),
        "commit": git_commit(),
        "load_average": load_average(),
        **data,
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    path.write_text(json.dumps(stored, indent=1) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as", dest="label", choices=("before", "after"), default="after")
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    args = parser.parse_args(argv)
    data = run(args.html)
    for p in data["pages"]:
        log(
            f"{p['page']:40s} first {p['first_bytes'] / 1024:7.0f} KB   later "
            f"{p['later_bytes'] / 1024:7.0f} KB"
        )
    log(f"wrote {store(args.label, data)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
