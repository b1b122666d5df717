"""Issue 11 item 11 through `privascope dynamic`: a program whose connections go around the proxy
(Proxy.NO_PROXY, a raw socket, UDP to 443) gets a limit naming them, in the bundle and the
report, so an empty traffic section never reads as "nothing sent"."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from privascope.cli import main
from privascope.runtime.targets import JDK17_JAVA
from tests.runtime.test_net_agent import BYPASS_SOURCE, TEST_NET


def test_connections_that_bypassed_the_proxy_are_a_limit_with_their_hosts(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "Bypass.java").write_text(BYPASS_SOURCE, encoding="utf-8")
    javac = Path(JDK17_JAVA).with_name("javac")
    subprocess.run([str(javac), "-d", str(src), str(src / "Bypass.java")], check=True, timeout=120)
    out = tmp_path / "out"
    code = main(["dynamic", "--target", f"jvm:{src}:Bypass", "--scenario", "launch-idle",
                 "--duration", "1", "-o", str(out), "--format", "json,html", "--lang", "en"])
    assert code in (0, 1)
    bundle = json.loads((out / "bundle.json").read_text(encoding="utf-8"))
    limit = (f"3 connection(s) of the app bypassed the proxy: {TEST_NET}:8080, "
             f"raw.bypass.invalid:5222, {TEST_NET}:443/udp - their content was not seen")
    assert limit in bundle["method"]["limits"], bundle["method"]["limits"]
    assert bundle["traffic"] == []  # nothing reached the proxy, and the report says why
    assert limit in (out / "report.html").read_text(encoding="utf-8")
