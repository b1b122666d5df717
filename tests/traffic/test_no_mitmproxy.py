import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_analyzer_traffic_does_not_import_mitmproxy():
    """privascope.traffic is pure Python: the addon in hooks/ is the only mitmproxy code."""
    code = ("import sys, privascope.traffic, privascope.traffic.matcher, privascope.jsonlines; "
            "bad = [m for m in sys.modules if m.split('.')[0] == 'mitmproxy']; "
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
