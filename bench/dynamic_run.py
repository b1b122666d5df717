"""`privascope dynamic` on the JVM host app, and its correlation step at scale.

1. End to end (real agent, real in-process mitmproxy, local sink): wall time per stage, peak RSS
   of privascope and of the JVM, and how many PI matches the live pass missed because the
   request reached the proxy before the agent's message (the late-canary rescan finds them).
   Compared with the obvious alternative: without the rescan, those matches are simply lost.
2. Correlation of N reads with M requests: privascope's index join (by canary source and by
   digest) vs the naive nested loop over every read for every match.
"""
from __future__ import annotations

import io
import json
import random
import resource
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MAIN = "com.example.privhost.HostMain"
RUNS = 3


def _e2e(out_dir: Path, clean: bool) -> dict:
    from rich.console import Console

    from privascope.dynamic_run import DynamicOptions, DynamicRun
    from privascope.dynamic_run.live_panel import Progress
    from privascope.dynamic_run.scenarios import get_scenario
    from samples.jvm_host.build import build

    classes = build()
    extra = " --clean" if clean else ""
    args = DynamicOptions(
        target=f"jvm:{classes}:{MAIN} --loop 6 --interval-ms 150 --no-pin-check{extra}",
        scenario="full", duration=1.0, out=out_dir)
    live_counts: list[int] = []
    run = DynamicRun(args, get_scenario("full"),
                     progress=Progress(console=Console(file=io.StringIO()), live=False))
    original = run._on_traffic

    def count_live(event):
        live_counts.append(sum(1 for m in event.matches if m.detector == "known"))
        original(event)

    run._on_traffic = count_live
    t0 = time.perf_counter()
    bundle = run.execute()
    wall = time.perf_counter() - t0
    final = sum(1 for t in bundle.traffic for m in t.matches if m.detector == "known")
    return {"wall_s": round(wall, 2), "stages_s": bundle.method.timings,
            "reads": len(bundle.runtime.api_calls) if bundle.runtime else 0,
            "requests": len(bundle.traffic), "known_matches_live": sum(live_counts),
            "known_matches_after_rescan": final}


def _synthetic(n_reads: int, n_requests: int, seed: int = 7):
    from privascope import privacy
    from privascope.model import (AppState, ConsentEvent, ConsentKind, ConsentPhase, Destination,
                                PIMatch, RuntimeEvent, RuntimeEvidence, TrafficEvent)

    rng = random.Random(seed)
    values = [f"86{rng.randrange(10**12, 10**13)}" for _ in range(200)]
    reads = []
    for i in range(n_reads):
        v = rng.choice(values)
        reads.append(RuntimeEvent(
            id=f"rt-{i:06d}", time=float(i), api="api", pi_type="device.imei",
            value=privacy.masked(v, b"bench"), obtained=True, exception=None, thread="t",
            stack=(), sdk=rng.choice(["umeng-common", "jpush", None]), caller=None,
            app_state=AppState.FOREGROUND, consent_phase=ConsentPhase.BEFORE))
    requests = []
    for j in range(n_requests):
        src = rng.choice(reads)
        matches = tuple(PIMatch(pi_type="device.imei", encoding="md5", location="body", key="k",
                                preview="86*", detector="known", digest=src.value.digest,
                                canary_source=None if k else src.id) for k in range(3))
        requests.append(TrafficEvent(id=f"t-{j}", time=float(rng.randrange(n_reads)),
                                     method="POST", scheme="http", host="alog.umeng.com",
                                     port=80, path="/", destination=Destination.UNKNOWN,
                                     sdk=None, matches=matches))
    consent = (ConsentEvent("c1", n_reads / 2, ConsentKind.REJECT, "scenario"),)
    return RuntimeEvidence(target="jvm:bench", started_at=0.0, ended_at=float(n_reads),
                           api_calls=tuple(reads), consent=consent), requests


def _naive(runtime, traffic) -> set[tuple[str, int, str]]:
    """The obvious way, same rule as correlate(): for every match, look at every read."""
    links = set()
    ids = {e.id for e in runtime.api_calls}
    for t in traffic:
        for k, m in enumerate(t.matches):
            same = [e for e in runtime.api_calls if e.value and e.value.digest == m.digest]
            typed = [e for e in same if e.pi_type == m.pi_type]
            same = typed or same
            before = [e for e in same if e.time <= t.time]
            pick = max(before, key=lambda e: e.time) if before else \
                (min(same, key=lambda e: e.time) if same else None)
            if pick is not None:
                links.add((t.id, k, pick.id))
            elif m.canary_source in ids:
                links.add((t.id, k, m.canary_source))
    return links


def _links(traffic) -> set[tuple[str, int, str]]:
    return {(t.id, k, m.canary_source) for t in traffic for k, m in enumerate(t.matches)
            if m.canary_source}


def _correlation(n_reads: int, n_requests: int) -> dict:
    from privascope.dynamic_run.correlate import correlate

    runtime, traffic = _synthetic(n_reads, n_requests)
    t0 = time.perf_counter()
    out = correlate(runtime, traffic)
    ours = time.perf_counter() - t0
    ours_links = _links(out)
    row = {"reads": n_reads, "requests": n_requests, "matches": 3 * n_requests,
           "privascope_s": round(ours, 4), "linked_matches": len(ours_links)}
    # the read -> request summary the live panel and the HTML timeline are built from
    from privascope.dynamic_run.correlate import summarise_reads
    from privascope.model import AppInfo, Bundle, Tool

    bundle = Bundle(tool=Tool("privascope", "bench"), app=AppInfo(package="bench"),
                    runtime=runtime, traffic=out)
    t0 = time.perf_counter()
    groups = summarise_reads(bundle)
    row["summary_s"] = round(time.perf_counter() - t0, 4)
    row["summary_flows"] = sum(len(g.flows) for g in groups)
    if n_reads * n_requests <= 20_000 * 500:  # the naive loop is quadratic
        t0 = time.perf_counter()
        naive_links = _naive(runtime, traffic)
        row["naive_s"] = round(time.perf_counter() - t0, 3)
        row["same_links_as_naive"] = naive_links == ours_links
    return row


def main(out_dir: Path) -> dict:
    import os

    out_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PRIVASCOPE_MITM_CONFDIR", str(out_dir / ".mitmproxy"))
    result: dict = {"e2e_full_scenario": {}, "correlation": []}
    for clean in (False, True):
        runs = [_e2e(out_dir / f"run-{'clean' if clean else 'violating'}-{i}", clean)
                for i in range(RUNS)]
        walls = [r["wall_s"] for r in runs]
        result["e2e_full_scenario"]["clean" if clean else "violating"] = {
            "runs": runs, "wall_median_s": statistics.median(walls)}
    result["peak_rss_mb"] = {
        "privascope": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "jvm_children": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}
    for n_reads, n_requests in ((2_000, 500), (20_000, 500), (200_000, 20_000)):
        result["correlation"].append(_correlation(n_reads, n_requests))
    (out_dir / "dynamic_run.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    print(json.dumps(main(Path("out/bench/dynamic_run")), indent=2))
