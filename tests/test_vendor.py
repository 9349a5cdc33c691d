"""The vendored web assets match their manifest (package, version, licence, sha256)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("vendor_tool", ROOT / "tools" / "vendor.py")
vendor = importlib.util.module_from_spec(_spec)
sys.modules["vendor_tool"] = vendor  # dataclasses look their module up there
_spec.loader.exec_module(vendor)


def test_committed_files_match_the_manifest():
    assert vendor.check(ROOT) == []


def test_manifest_lists_the_three_packages_with_licences():
    manifest = json.loads((ROOT / "vendor" / "manifest.json").read_text(encoding="utf-8"))
    pkgs = {p["package"]: p for p in manifest["packages"]}
    assert set(pkgs) == {"mathjax", "requirejs", "@jupyter-widgets/html-manager"}
    assert pkgs["mathjax"]["version"].startswith("3.")
    for p in pkgs.values():
        assert p["license"] and p["files"]
        assert p["tarball"].startswith("https://registry.npmjs.org/")
    # what _config.yml points at is in the manifest
    paths = {f["path"] for p in pkgs.values() for f in p["files"]}
    assert "vendor/site/assets/mathjax/es5/tex-chtml.js" in paths
    assert "vendor/site/assets/requirejs/require.js" in paths
    assert "vendor/site/assets/html-manager/dist/embed-amd.js" in paths
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    for used in (
        "assets/mathjax/es5/tex-chtml.js",
        "assets/requirejs/require.js",
        "assets/html-manager/dist/embed-amd.js",
    ):
        assert used in config


def test_check_notices_a_changed_missing_or_unlisted_file(tmp_path: Path):
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "vendor", copy / "vendor")
    require = copy / "vendor/site/assets/requirejs/require.js"
    require.write_text(require.read_text(encoding="utf-8") + "\n// edited\n", encoding="utf-8")
    (copy / "vendor/site/assets/mathjax/es5/tex-chtml.js").unlink()
    (copy / "vendor/site/assets/stray.js").write_text("1", encoding="utf-8")
    problems = "\n".join(vendor.check(copy))
    assert "require.js does not match its sha256" in problems
    assert "tex-chtml.js is listed in the manifest but missing" in problems
    assert "stray.js is not listed" in problems


def test_mathjax_can_autoload_what_the_lighter_component_leaves_out():
    """tex-chtml.js autoloads TeX extensions (boldsymbol, cancel ...) from the site itself."""
    manifest = json.loads((ROOT / "vendor" / "manifest.json").read_text(encoding="utf-8"))
    paths = {f["path"] for p in manifest["packages"] for f in p["files"]}
    ext = "vendor/site/assets/mathjax/es5/input/tex/extensions/"
    for name in ("boldsymbol", "cancel", "color", "mathtools", "physics", "braket"):
        assert f"{ext}{name}.js" in paths
    assert not any(p.endswith("tex-chtml-full.js") for p in paths)
