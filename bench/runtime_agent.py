"""Runtime agent costs on the JVM host app (JDK 17, real Frida):

- build: compiling the agent with frida.Compiler (src/*.ts + frida-java-bridge);
- ready: launch -> attach -> load -> all catalog hooks installed (agent:ready), per run;
- per-call overhead of a hooked catalog method, against the same JVM without the agent, for a
  reported call (ANDROID_ID: value, stack, message) and for a call the key filter drops;
- session throughput: api:call messages converted, masked, attributed and written to JSONL per
  second (Session.replay, no Frida), and this process's peak RSS.
"""
from __future__ import annotations

import re
import resource
import statistics
import time
from pathlib import Path

from privascope.catalog import load_catalog
from privascope.runtime.agent_config import AGENT_DIR
from privascope.runtime.session import Session
from privascope.runtime.targets import JvmTarget, Target
from samples.jvm_host import build as host_build
from samples.jvm_host import values as V

CALLS = 3000
RUNS = 3
REPLAY = 20000
_BENCH = re.compile(r"reported_ns=(\d+) filtered_ns=(\d+) calls=(\d+)")


def _bench_line(target: JvmTarget) -> tuple[float, float]:
    assert target.wait_output("privhost: bench", 120), target.output[-5:]
    line = next(line for line in target.output if "privhost: bench" in line)
    m = _BENCH.search(line)
    n = int(m.group(3))
    return int(m.group(1)) / n, int(m.group(2)) / n


def _without_agent(classes: Path) -> tuple[float, float]:
    target = JvmTarget(str(classes), V.MAIN_CLASS, ["--bench", str(CALLS)], held=False)
    try:
        target.launch()
        return _bench_line(target)
    finally:
        target.stop()


def _with_agent(classes: Path, catalog, out: Path) -> tuple[float, float, float, int]:
    target = JvmTarget(str(classes), V.MAIN_CLASS, ["--bench", str(CALLS)])
    session = Session(target, catalog=catalog, events_path=out / "events.jsonl")
    t0 = time.perf_counter()
    try:
        ready = session.start()
        ready_s = time.perf_counter() - t0
        reported, filtered = _bench_line(target)
        session.wait_until(lambda s: len(s.api_calls) >= CALLS, 120)
    finally:
        session.stop()
    return ready_s, reported, filtered, len(ready.hooked)


class _NoTarget(Target):
    package = "bench"
    name = "bench:replay"

    def launch(self):
        raise AssertionError

    def frida_device(self):
        raise AssertionError

    def release(self):
        pass

    def stop(self):
        pass


def _replay_rate(catalog, out: Path) -> float:
    session = Session(_NoTarget(), catalog=catalog, events_path=out / "replay.jsonl")
    msg = {"type": "send", "payload": {
        "type": "api:call", "api": "android.provider.Settings$Secure.getString",
        "pi_type": "device.android_id", "value": V.ANDROID_ID, "values": None, "obtained": True,
        "exception": None, "thread": "main", "time": 1.0e12, "hooked": "android.provider.Settings$Secure.getString",
        "stack": ["android.provider.Settings$Secure.getString(Native Method)"]
                 + [f"androidx.lifecycle.Frame{i}.run(Frame.java:{i})" for i in range(25)]
                 + ["com.umeng.commonsdk.internal.DeviceCollector.androidId(DeviceCollector.java:22)",
                    "com.example.privhost.MainActivity.onCreate(MainActivity.java:29)"]}}
    t0 = time.perf_counter()
    session.replay([msg] * REPLAY)
    rate = REPLAY / (time.perf_counter() - t0)
    session._writer.close()
    return rate


def main(out_dir: Path) -> dict:
    import frida

    out_dir.mkdir(parents=True, exist_ok=True)
    classes = host_build.build()
    catalog = load_catalog()

    t0 = time.perf_counter()
    bundle = frida.Compiler().build("src/index.ts", project_root=str(AGENT_DIR), type_check="none")
    build_s = time.perf_counter() - t0

    base = [_without_agent(classes) for _ in range(RUNS)]
    hooked = [_with_agent(classes, catalog, out_dir) for _ in range(RUNS)]
    med = statistics.median
    result = {
        "agent_build_s": round(build_s, 2),
        "agent_bundle_bytes": len(bundle.encode()),
        "catalog_apis_hooked_on_jvm": hooked[0][3],
        "ready_s_median": round(med(h[0] for h in hooked), 2),
        "ready_s_runs": [round(h[0], 2) for h in hooked],
        "calls_per_run": CALLS,
        "ns_per_call_without_agent": round(med(b[0] for b in base)),
        "ns_per_reported_call_with_agent": round(med(h[1] for h in hooked)),
        "ns_per_filtered_call_with_agent": round(med(h[2] for h in hooked)),
        "session_messages_per_s": round(_replay_rate(catalog, out_dir)),
        "peak_rss_mb_python": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    for k, v in result.items():
        print(f"  {k}: {v}")
    return result
