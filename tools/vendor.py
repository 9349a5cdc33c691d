"""Refresh or check the website's vendored JavaScript (a maintainer's tool; Python only).

The website loads nothing from outside its own site, so MathJax 3, require.js and the
ipywidgets embed manager are committed under ``vendor/site/assets/`` and copied into
the built site by Sphinx's ``html_extra_path``. Building the book needs none of this
script: it only refreshes the committed files from the npm registry.

    python tools/vendor.py            # download the pinned versions, rewrite the files
    python tools/vendor.py --check    # verify committed files against vendor/manifest.json

To update a package, change its version in PACKAGES, run the script, rebuild the book,
run the browser suite (pytest tests/website) and commit vendor/ together.

Each tarball is fetched over HTTPS from registry.npmjs.org and checked against the
registry's published sha512 integrity before anything is extracted; only the files
listed below are kept, and the manifest records each one's sha256.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "vendor"
SITE = VENDOR / "site" / "assets"  # html_extra_path = vendor/site -> /assets/ on the website
MANIFEST = VENDOR / "manifest.json"
REGISTRY = "https://registry.npmjs.org"


@dataclass(frozen=True)
class Package:
    name: str  # npm name
    version: str
    license: str  # SPDX identifier(s)
    dest: str  # folder under vendor/site/vendor/
    files: tuple[str, ...]  # glob patterns inside the tarball's package/ folder
    license_files: tuple[str, ...] = ()  # kept under vendor/LICENSES/<dest>/
    exclude: tuple[str, ...] = ()  # files matched by ``files`` but not kept
    why: str = ""


PACKAGES: tuple[Package, ...] = (
    Package(
        name="mathjax",
        version="3.2.2",
        license="Apache-2.0",
        dest="mathjax",
        # the combined TeX + CHTML component (without -full's 35 TeX extensions), the
        # extensions it autoloads when a page uses one (\boldsymbol, \cancel ...) and the
        # CHTML fonts; the browser fetches only what a page needs
        files=(
            "es5/tex-chtml.js",
            "es5/input/tex/extensions/*.js",
            "es5/output/chtml/fonts/woff-v2/*.woff",
        ),
        exclude=("es5/input/tex/extensions/all-packages.js",),  # every extension at once
        license_files=("LICENSE",),
        why="renders the maths (Sphinx mathjax_path)",
    ),
    Package(
        name="requirejs",
        version="2.3.8",
        license="MIT",
        dest="requirejs",
        files=("require.js",),
        why="AMD loader the widget manager needs (myst-nb nb_ipywidgets_js)",
    ),
    Package(
        name="@jupyter-widgets/html-manager",
        version="1.0.15",
        license="BSD-3-Clause (bundles MIT/BSD/ISC code; Font Awesome fonts: OFL-1.1)",
        dest="html-manager",
        # the embed bundle and the Font Awesome woff2 fonts its CSS names (browsers that
        # read woff2 never ask for the eot/ttf/svg/woff copies)
        files=("dist/embed-amd.js", "dist/*.woff2"),
        license_files=("dist/embed.js.LICENSE.txt",),
        why="renders the explorers' widget state with no kernel (nb_ipywidgets_js)",
    ),
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tarball_url(pkg: Package) -> str:
    base = pkg.name.split("/")[-1]
    return f"{REGISTRY}/{pkg.name}/-/{base}-{pkg.version}.tgz"


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as resp:  # noqa: S310 (https constant)
        return resp.read()


def fetch(pkg: Package) -> bytes:
    """Download ``pkg``'s tarball and check it against the registry's sha512 integrity."""
    meta = json.loads(_get(f"{REGISTRY}/{pkg.name}/{pkg.version}"))
    integrity = meta["dist"]["integrity"]
    algo, _, want = integrity.partition("-")
    if algo != "sha512":
        raise SystemExit(f"{pkg.name}: unexpected integrity algorithm {algo}")
    data = _get(meta["dist"]["tarball"])
    got = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if got != want:
        raise SystemExit(f"{pkg.name}@{pkg.version}: tarball does not match its integrity")
    return data


def extract(pkg: Package, data: bytes) -> list[dict]:
    """Write ``pkg``'s selected files; return their manifest entries."""
    out_dir = SITE / pkg.dest
    lic_dir = VENDOR / "LICENSES" / pkg.dest
    for d in (out_dir, lic_dir):
        if d.exists():
            for old in sorted(d.rglob("*"), reverse=True):
                old.unlink() if old.is_file() else old.rmdir()
    entries = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile() or not member.name.startswith("package/"):
                continue
            rel = member.name[len("package/") :]
            if rel in pkg.exclude:
                continue
            if any(fnmatch.fnmatch(rel, p) for p in pkg.files):
                target = out_dir / rel
            elif rel in pkg.license_files:
                target = lic_dir / Path(rel).name
            else:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            fh = tar.extractfile(member)
            assert fh is not None
            target.write_bytes(fh.read())
            entries.append(
                {
                    "path": target.relative_to(ROOT).as_posix(),
                    "sha256": sha256(target),
                    "bytes": target.stat().st_size,
                }
            )
    for pattern in pkg.files:
        if not any(fnmatch.fnmatch(e["path"], f"*/{pkg.dest}/{pattern}") for e in entries):
            raise SystemExit(f"{pkg.name}@{pkg.version}: no file matches {pattern!r}")
    return sorted(entries, key=lambda e: e["path"])


def refresh() -> None:
    manifest = {
        "about": "Third-party files served by the website; refresh with python tools/vendor.py",
        "packages": [],
    }
    for pkg in PACKAGES:
        print(f"fetching {pkg.name}@{pkg.version}", file=sys.stderr)
        files = extract(pkg, fetch(pkg))
        manifest["packages"].append(
            {
                "package": pkg.name,
                "version": pkg.version,
                "license": pkg.license,
                "tarball": tarball_url(pkg),
                "why": pkg.why,
                "files": files,
            }
        )
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    total = sum(f["bytes"] for p in manifest["packages"] for f in p["files"])
    print(f"wrote {MANIFEST.relative_to(ROOT)}: {total / 1e6:.2f} MB in vendor/", file=sys.stderr)


def check(root: Path = ROOT) -> list[str]:
    """Compare the committed files with the manifest; return a list of problems (empty = ok)."""
    manifest = json.loads((root / "vendor" / "manifest.json").read_text(encoding="utf-8"))
    problems = []
    listed = set()
    for pkg in manifest["packages"]:
        for key in ("package", "version", "license", "files"):
            if not pkg.get(key):
                problems.append(f"manifest entry {pkg.get('package')!r} lacks {key!r}")
        for f in pkg.get("files", []):
            path = root / f["path"]
            listed.add(path.resolve())
            if not path.is_file():
                problems.append(f"{f['path']} is listed in the manifest but missing")
            elif sha256(path) != f["sha256"]:
                problems.append(f"{f['path']} does not match its sha256 in the manifest")
    for path in (root / "vendor" / "site").rglob("*"):
        if path.is_file() and path.resolve() not in listed:
            problems.append(f"{path.relative_to(root)} is not listed in vendor/manifest.json")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="verify checksums only")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for p in problems:
            print(p, file=sys.stderr)
        print("vendor: ok" if not problems else f"vendor: {len(problems)} problem(s)")
        return 1 if problems else 0
    refresh()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
