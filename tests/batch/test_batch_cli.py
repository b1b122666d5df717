"""`privascope batch` end to end on real corpus APKs: outputs, resume, exit codes, progress."""
from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from privascope.batch import batch_exit_code, load_completed
from privascope.batch.progress import BatchProgress
from privascope.cli import main


def _batch(capsys, *argv):
    rc = main(["batch", *map(str, argv)])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


@pytest.fixture()
def apk_dir(small_apks, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for a in small_apks:
        shutil.copy(a, d / a.name)
    return d


def test_batch_writes_per_app_results_summary_and_index(apk_dir, tmp_path, capsys):
    out = tmp_path / "out"
    rc, stdout, stderr = _batch(capsys, apk_dir, "-o", out, "--jobs", "2", "--format", "json,html",
                                "--lang", "en")
    assert rc == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["total"] == 3 and summary["counts"]["error"] == 0
    for rec in summary["apps"]:
        assert rec["package"] and rec["sha256"] and rec["verdict"] in ("pass", "review", "fail")
        assert (out / rec["reports"]["json"]).is_file()
        assert (out / rec["app_dir"] / "result.json").is_file()
        rules = [f["rule"] for f in rec["top_findings"]]
        assert len(rules) == len(set(rules)) <= 3  # each rule once, with its count
        assert sum(f["count"] for f in rec["top_findings"]) <= rec["findings_total"]
    rows = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text(encoding="utf-8"))))
    assert sorted(r["sha256"] for r in rows) == sorted(r["sha256"] for r in summary["apps"])
    html = (out / "index.html").read_text(encoding="utf-8")
    assert all(r["package"] in html for r in summary["apps"])
    # non-TTY progress: one plain line per APK with the count, then the summary line
    assert stderr.count("] ok") + stderr.count("] partial") == 3 and "[3/3]" in stderr
    assert "3 APKs: " in stdout


def test_resume_skips_completed_apps_by_sha256_and_redoes_incomplete_ones(apk_dir, tmp_path, capsys):
    out = tmp_path / "out"
    assert _batch(capsys, apk_dir, "-o", out, "--jobs", "2")[0] == 0
    done = load_completed(out)
    assert len(done) == 3
    first = json.loads((out / "summary.json").read_text())["apps"]
    # simulate an interrupted run: one app directory lost its completion marker, a temp dir
    # of a half-written result is left over, and one APK was renamed (same bytes)
    victim = out / first[0]["app_dir"]
    (victim / "result.json").unlink()
    (out / "apps" / f".tmp-{victim.name}-999-dead").mkdir()
    renamed = apk_dir / first[1]["file_name"]
    renamed.rename(apk_dir / "renamed-copy.apk")
    kept = out / first[2]["app_dir"] / "result.json"
    kept_mtime = kept.stat().st_mtime_ns

    rc, _, stderr = _batch(capsys, apk_dir, "-o", out, "--jobs", "2", "--resume")
    assert rc == 0
    apps = json.loads((out / "summary.json").read_text())["apps"]
    by_sha = {r["sha256"]: r for r in apps}
    assert by_sha[first[0]["sha256"]]["resumed"] is False  # redone
    assert by_sha[first[1]["sha256"]]["resumed"] is True  # keyed by content, not by name
    assert by_sha[first[1]["sha256"]]["file_name"] == "renamed-copy.apk"
    assert by_sha[first[2]["sha256"]]["resumed"] is True
    assert kept.stat().st_mtime_ns == kept_mtime  # untouched
    assert not [p for p in (out / "apps").iterdir() if p.name.startswith(".")]
    assert len(load_completed(out)) == 3


def test_list_file_and_missing_entries(small_apks, tmp_path, capsys):
    lst = tmp_path / "todo.txt"
    lst.write_text(f"{small_apks[0]}\n# comment\n{tmp_path / 'missing.apk'}\n", encoding="utf-8")
    out = tmp_path / "out"
    rc, _, _ = _batch(capsys, lst, "-o", out, "--jobs", "1")
    assert rc == 0
    apps = json.loads((out / "summary.json").read_text())["apps"]
    assert [r["status"] for r in apps] in (["ok", "error"], ["partial", "error"])
    assert apps[1]["reason"].startswith("file not found")
    # the same batch with --fail-on-error exits 5: one listed APK could not be analysed
    rc, _, _ = _batch(capsys, lst, "-o", out, "--jobs", "1", "--fail-on-error", "--resume")
    assert rc == 5


def test_fail_on_reflects_findings_across_the_batch(apk_dir, tmp_path, capsys):
    out = tmp_path / "out"
    rc, _, _ = _batch(capsys, apk_dir, "-o", out, "--jobs", "2", "--fail-on", "info")
    apps = json.loads((out / "summary.json").read_text())["apps"]
    assert rc == (1 if any(r["max_severity"] for r in apps) else 0)


def test_batch_exit_code_rules():
    recs = [{"status": "ok", "max_severity": "medium"}, {"status": "error", "max_severity": None}]
    assert batch_exit_code(recs, None, False) == 0
    assert batch_exit_code(recs, "high", False) == 0
    assert batch_exit_code(recs, "medium", False) == 1
    assert batch_exit_code(recs, "high", True) == 5
    assert batch_exit_code(recs, "low", True) == 1  # findings take precedence over errors
    assert batch_exit_code(recs[:1], None, True) == 0


@pytest.mark.parametrize("argv, message", [
    (["--timeout", "0"], "--timeout"),
    (["--jobs", "-1"], "--jobs"),
    (["--max-memory", "10"], "--max-memory"),
])
def test_bad_options_are_one_line_errors(apk_dir, tmp_path, capsys, argv, message):
    rc, _, stderr = _batch(capsys, apk_dir, "-o", tmp_path / "o", *argv)
    assert rc == 2 and message in stderr and stderr.count("\n") == 1


def test_missing_input_and_unwritable_output_are_one_line_errors(apk_dir, tmp_path, capsys):
    rc, _, stderr = _batch(capsys, tmp_path / "nope", "-o", tmp_path / "o")
    assert rc == 2 and "no such file" in stderr
    blocker = tmp_path / "file"
    blocker.write_text("x")
    rc, _, stderr = _batch(capsys, apk_dir, "-o", blocker / "out")
    assert rc == 2 and "cannot create output directory" in stderr


def test_progress_bar_on_a_terminal_shows_counts_rate_and_eta():
    buf = io.StringIO()
    p = BatchProgress(4, stream=buf, tty=True)
    for status in ("ok", "error", "partial"):
        p.update({"status": status, "file_name": f"{status}.apk", "reason": "[bold]why"})
    text = buf.getvalue()
    p.close()
    text = buf.getvalue()
    assert "3/4" in text and "error 1" in text and "/min" in text and "ETA" in text
    assert "[3/4]" not in text  # not the plain-line format
    assert "error.apk  [bold]why" in text  # failures are named, app text is not rich markup


def test_plain_progress_lines_name_the_reason():
    buf = io.StringIO()
    p = BatchProgress(2, stream=buf, tty=False)
    p.update({"status": "error", "file_name": "bad.apk", "reason": "timeout after 5 s"})
    assert buf.getvalue().startswith("[1/2] error   bad.apk  timeout after 5 s")


def test_undecodable_file_name_is_scanned_and_reported(small_apks, tmp_path, capsys):
    """POSIX file names are bytes; a submission named with invalid UTF-8 must not break the
    worker pipe, the bundle writer, the summary or the index (regression)."""
    import os

    src = tmp_path / "in"
    src.mkdir()
    bad = os.fsdecode(bytes(src) + b"/bad\xff\xfename.apk")
    shutil.copy(small_apks[0], bad)
    out = tmp_path / "out"
    rc, _, _ = _batch(capsys, src, "-o", out, "--jobs", "1", "--format", "json,html")
    assert rc == 0
    doc = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    (rec,) = doc["apps"]
    assert rec["status"] in ("ok", "partial") and rec["file_name"] == "bad\ufffd\ufffdname.apk"
    bundle = json.loads((out / rec["reports"]["json"]).read_text(encoding="utf-8"))
    assert bundle["app"]["file_name"] == "bad\ufffd\ufffdname.apk"
    assert "bad\ufffd\ufffdname.apk" in (out / "index.html").read_text(encoding="utf-8")
    rc, _, _ = _batch(capsys, src, "-o", out, "--jobs", "1", "--resume")
    assert rc == 0


def test_bad_suppression_file_fails_once_before_any_work(apk_dir, tmp_path, capsys):
    sup = tmp_path / "sup.yaml"
    sup.write_text("suppressions: [ {rule: 12, reason: }\n", encoding="utf-8")
    rc, _, stderr = _batch(capsys, apk_dir, "-o", tmp_path / "o", "--suppress", sup)
    assert rc == 2 and str(sup) in stderr and stderr.count("\n") == 1
    assert not (tmp_path / "o" / "summary.json").exists()


def test_identical_apks_under_several_names_share_one_result(small_apks, tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(6):  # scanned concurrently by two workers, placed into the same directory
        shutil.copy(small_apks[1], src / f"copy{i}.apk")
    out = tmp_path / "out"
    rc, _, _ = _batch(capsys, src, "-o", out, "--jobs", "2", "--format", "json")
    assert rc == 0
    apps = json.loads((out / "summary.json").read_text())["apps"]
    assert len(apps) == 6 and all(r["status"] in ("ok", "partial") for r in apps)
    assert len({r["app_dir"] for r in apps}) == 1
    assert [p.name for p in (out / "apps").iterdir()] == [apps[0]["app_dir"].split("/")[1]]
    assert (out / apps[0]["app_dir"] / "result.json").is_file()
