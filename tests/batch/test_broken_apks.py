"""Every broken or hostile APK yields a clear error record or a result flagged partial; no
hang, bounded memory, and nothing written outside the output directory."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from privascope.cli import main
from tests.batch.broken_apks import CASES
from tests.batch.conftest import tree

# what each case must give: a set of acceptable statuses
EXPECTED = {
    "not_a_zip": {"error"}, "empty_file": {"error"}, "truncated_zip": {"error"},
    "missing_manifest": {"error"}, "manifest_bad_chunks": {"error", "partial"},
    "manifest_huge_string_pool": {"error", "partial"}, "manifest_garbage": {"error", "partial"},
    "truncated_dex": {"partial"}, "bad_dex_header": {"partial"}, "dex_out_of_range": {"partial"},
    "dex_code_past_end": {"partial"}, "dex_class_data_past_end": {"partial"},
    # a cut last instruction ends the method's stream: nothing is lost that was decodable
    "dex_mid_instruction": {"ok", "partial"},
    "zip_bomb": {"partial", "error"}, "manifest_bomb": {"error"},
    "many_big_dex": {"partial", "error"}, "path_traversal": {"ok", "partial"},
    "duplicate_entries": {"error"}, "thousands_of_files": {"ok", "partial"},
    "non_utf8_names": {"error", "ok", "partial"},
}


def test_every_generated_case_has_an_expectation():
    assert set(CASES) == set(EXPECTED)


@pytest.fixture(scope="module")
def broken_batch(broken_dir, tmp_path_factory):
    root = tmp_path_factory.getbasetemp()
    work = tmp_path_factory.mktemp("hostile_cwd")
    out = tmp_path_factory.mktemp("hostile_out") / "out"
    before = tree(root)
    cwd = os.getcwd()
    os.chdir(work)  # relative traversal names would land around here if anything extracted them
    try:
        rc = main(["batch", str(broken_dir), "-o", str(out), "--jobs", "2", "--timeout", "120",
                   "--max-memory", "1024", "--format", "json,html", "--lang", "en"])
    finally:
        os.chdir(cwd)
    after = tree(root)
    return {"rc": rc, "out": out, "root": root, "before": before, "after": after, "cwd": work,
            "summary": json.loads((out / "summary.json").read_text(encoding="utf-8"))}


def test_batch_finishes_with_one_record_per_input(broken_batch, broken_dir):
    assert broken_batch["rc"] == 0  # errors alone do not fail a batch without --fail-on-error
    names = sorted(r["file_name"] for r in broken_batch["summary"]["apps"])
    assert names == sorted(p.name for p in broken_dir.glob("*.apk"))


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_case_outcome(broken_batch, case):
    rec = _record_for(broken_batch, case)
    assert rec["status"] in EXPECTED[case], (case, rec["status"], rec["reason"], rec["errors"])
    if rec["status"] == "error":
        reason = rec["reason"]
        assert reason and "\n" not in reason and len(reason) < 400
        # these would mean a bug or a blow-up, not a clear verdict on the input
        assert not reason.startswith(("analysis failed", "worker crashed", "timeout"))
    if rec.get("peak_rss_mb"):  # bounded by the worker's limit (--max-memory 1024)
        assert rec["peak_rss_mb"] < 1024
    if rec["status"] == "partial":
        assert rec["errors"], "a partial result says what could not be analysed"
        assert rec["app_dir"] and (broken_batch["out"] / rec["reports"]["json"]).is_file()


def test_manifest_bomb_is_refused_before_inflating(broken_batch):
    # regression: androguard inflated a 2 GiB AndroidManifest.xml whole (2 GB RSS)
    rec = _record_for(broken_batch, "manifest_bomb")
    assert "inflates to 2147483648 bytes, over the 32 MB limit" in rec["reason"]


def test_duplicate_entries_are_named(broken_batch):
    # regression: the message was "AndroidManifest.xml has no package name" (last copy read)
    rec = _record_for(broken_batch, "duplicate_entries")
    assert rec["reason"].startswith("not a valid APK: duplicate zip entry")


def _record_for(batch, case):
    # the generator names each file after its case
    return next(r for r in batch["summary"]["apps"] if Path(r["file"]).stem == case)


def test_nothing_is_written_outside_the_output_directory(broken_batch):
    out_rel = str(broken_batch["out"].relative_to(broken_batch["root"]))
    new = {p for p in broken_batch["after"] - broken_batch["before"]
           if p != out_rel and not p.startswith(out_rel + os.sep)}
    # tmp dirs pytest made for the run itself (out's parent, the cwd) are allowed
    new -= {str(Path(out_rel).parent)}
    assert all(p.startswith(("hostile_cwd", "hostile_out")) for p in new), new
    assert not any(Path(broken_batch["root"], p).is_file() for p in new), new
    assert not Path("/tmp/privascope-absolute-evil.txt").exists()
    for name in ("evil.txt", "evil2.txt", "evil-win.txt"):
        assert not list(broken_batch["root"].rglob(name))
    # where the traversal names point when resolved against the cwd or the output directory
    for base in (broken_batch["cwd"], broken_batch["out"], broken_batch["out"] / "apps"):
        for rel in ("../../evil.txt", "../../../evil2.txt", "../evil2.txt"):
            assert not (base / rel).exists()


def test_app_directories_are_named_by_us_only(broken_batch):
    apps = broken_batch["out"] / "apps"
    for d in apps.iterdir():
        assert d.is_dir() and not d.name.startswith(".")  # no temp dirs left behind
        sha16, _, rest = d.name.partition("-")
        assert len(sha16) == 16 and rest and "/" not in rest and ".." not in rest


def test_index_lists_errors_with_their_reason(broken_batch):
    html = (broken_batch["out"] / "index.html").read_text(encoding="utf-8")
    assert "not_a_zip.apk" in html and "not a valid APK" in html
