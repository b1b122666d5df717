"""`make demo` entry, static half: scans the sdk sample with the real CLI and writes every report
(the dynamic half is tested in tests/dynamic_run/test_end_to_end.py)."""
from __future__ import annotations

import json

from privascope import demo


def test_demo_writes_reports(samples_build, tmp_path, capfd):
    # the scan runs as `privascope scan` in a child process: read what reached the file descriptor
    code = demo.main(["--out", str(tmp_path / "demo"), "--no-dynamic"])
    out = capfd.readouterr().out
    assert code == 0
    for name in ("bundle.json", "report.html", "report.sarif"):
        assert (tmp_path / "demo" / name).is_file()
        assert str(tmp_path / "demo" / name) in out
    bundle = json.loads((tmp_path / "demo" / "bundle.json").read_text())
    assert bundle["app"]["package"] == "com.example.sdkapp"
    sdks = {c["sdk"] for c in bundle["api_calls"]}
    assert None in sdks and any(s and "umeng" in s for s in sdks)


def test_demo_without_samples_says_so(tmp_path, capsys):
    code = demo.main(["--out", str(tmp_path / "o"), "--apk", str(tmp_path / "missing.apk")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3
    assert len(err) == 1 and "make samples" in err[0]
