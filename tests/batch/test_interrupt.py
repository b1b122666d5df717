"""An interrupted batch loses nothing: Ctrl-C mid-run keeps every finished result (and writes
the summary of what finished); --resume then does only the rest."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time

from privascope.batch import load_completed
from tests.conftest import REPO


def test_sigint_then_resume(corpus_dir, tmp_path):
    apks = sorted(corpus_dir.glob("*.apk"), key=lambda p: p.stat().st_size)[:10]
    src = tmp_path / "in"
    src.mkdir()
    for a in apks:
        shutil.copy(a, src / a.name)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "privascope.cli", "batch", str(src), "-o", str(out), "--jobs", "1",
           "--format", "json"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(load_completed(out)) < 2 and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    finished = load_completed(out)
    if proc.returncode == 0:  # the batch won the race and completed: nothing to resume
        assert len(finished) == len(apks)
    else:
        assert proc.returncode == 130 and "interrupted" in err
        assert 2 <= len(finished) < len(apks) + 1
        summary = json.loads((out / "summary.json").read_text())
        # the summary lists what the parent had received; the one APK in flight may have
        # placed its (complete) result just before the worker was stopped
        listed = {r["sha256"] for r in summary["apps"]}
        assert listed <= set(finished) and len(finished) - len(listed) <= 1

    rc = subprocess.run(cmd + ["--resume"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert rc.returncode == 0, rc.stderr
    apps = json.loads((out / "summary.json").read_text())["apps"]
    assert len(apps) == len(apks) and all(r["status"] != "error" for r in apps)
    assert sum(r["resumed"] for r in apps) == len(finished)
    # no half-written temp directory survives the resumed run
    assert not [p for p in (out / "apps").iterdir() if p.name.startswith(".")]
