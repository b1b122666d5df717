"""Rules + report rendering on a large synthetic bundle (20k runtime reads, 2k requests, 5k call
sites): time per stage, output sizes, peak RSS; compared with the obvious alternatives:
  - consent timeline grouped per SDK/PI/state between markers vs one row per runtime event;
  - frequency rule with a two-pointer window vs counting neighbours of every read (O(n²)).
Run: .venv/bin/python -m bench.run --only reports
"""
from __future__ import annotations

import json
import random
import resource
import time
from pathlib import Path

from privascope.catalog import load_catalog
from privascope.model import (ApiCallSite, AppInfo, AppState, Bundle, ConsentEvent, ConsentKind,
                            ConsentPhase, Destination, MaskedValue, Method, PIMatch,
                            RuntimeEvent, RuntimeEvidence, Tool, TrafficEvent, Via)


def synthetic_bundle(n_events=20_000, n_traffic=2_000, n_sites=5_000, seed=7) -> Bundle:
    rnd = random.Random(seed)
    cat = load_catalog()
    sdks = [s for s in list(cat.sdks)[:10]]
    apis = [a for a in cat.apis.values() if a.kind in ("method", "static_method")][:40]
    t0, accept = 1_767_000_000.0, 30.0
    events = []
    for i in range(n_events):
        t = rnd.uniform(0, 600)
        api = rnd.choice(apis)
        events.append(RuntimeEvent(
            id=f"r{i}", time=t0 + t, api=api.id, pi_type=api.pi_type,
            value=MaskedValue("hmac-sha256:00", "86*********0123", 15), obtained=rnd.random() > .1,
            exception=None, thread="main", stack=("a.b.C.d(C.java:1)",), sdk=rnd.choice(sdks + [None]),
            caller="a.b.C.d", app_state=AppState.BACKGROUND if t > 400 else AppState.FOREGROUND,
            consent_phase=ConsentPhase.BEFORE if t < accept else ConsentPhase.AFTER_ACCEPT))
    events.sort(key=lambda e: e.time)
    traffic = []
    for i in range(n_traffic):
        t = rnd.uniform(0, 600)
        sdk = rnd.choice(sdks)
        host = (cat.sdks[sdk].hosts or ("example.com",))[0]
        traffic.append(TrafficEvent(
            id=f"t{i}", time=t0 + t, method="POST", scheme=rnd.choice(("https", "https", "http")),
            host=host, port=443, path="/log", destination=Destination.THIRD_PARTY, sdk=sdk,
            matches=(PIMatch("device.android_id", "md5", "body", "aid", "9a***12", "known"),),
            consent_phase=ConsentPhase.BEFORE if t < accept else ConsentPhase.AFTER_ACCEPT))
    sites = [ApiCallSite(id=f"s{i}", api=(a := rnd.choice(apis)).id, pi_type=a.pi_type,
                         caller_class=f"com.x.C{i % 700}", caller_method="m()V", dex="classes.dex",
                         sdk=rnd.choice(sdks + [None]), via=Via.INVOKE) for i in range(n_sites)]
    rt = RuntimeEvidence(target="bench", started_at=t0, ended_at=t0 + 600, api_calls=tuple(events),
                         consent=(ConsentEvent("c1", t0 + 10, ConsentKind.DIALOG_SHOWN, "bench"),
                                  ConsentEvent("c2", t0 + accept, ConsentKind.ACCEPT, "bench")))
    return Bundle(tool=Tool("privascope", "bench"), app=AppInfo(package="com.bench"),
                  api_calls=tuple(sites), runtime=rt, traffic=tuple(traffic),
                  method=Method(kinds=("static", "runtime", "traffic")))


def _naive_max_in_window(times, window):
    return max(sum(1 for u in times if 0 <= u - t <= window) for t in times)


def main(out_dir: Path) -> dict:
    from privascope.rules import evaluate
    from privascope.rules.evaluators.runtime import max_in_window
    from privascope.reports import write_reports
    from privascope.reports.html import environment

    out_dir.mkdir(parents=True, exist_ok=True)
    cat = load_catalog()
    res: dict = {}
    t = time.perf_counter()
    bundle = synthetic_bundle()
    res["build_bundle_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    bundle = evaluate(bundle, catalog=cat)
    res["evaluate_s"] = round(time.perf_counter() - t, 3)
    res["findings"] = len(bundle.findings)
    for fmt in ("json", "html", "sarif"):
        t = time.perf_counter()
        path = write_reports(bundle, out_dir, (fmt,), catalog=cat)[fmt]
        res[f"{fmt}_s"] = round(time.perf_counter() - t, 3)
        res[f"{fmt}_bytes"] = path.stat().st_size
    html = (out_dir / "report.html").read_text(encoding="utf-8")
    res["timeline_rows_grouped"] = html.count('class="tl-read')
    # alternative: one timeline row per runtime event
    naive_tpl = environment().from_string(
        "<table>{% for e in events %}<tr><td>{{ e.time }}</td><td>{{ e.sdk }}</td>"
        "<td>{{ e.api }}</td><td>{{ e.app_state.value }}</td><td>{{ e.consent_phase.value }}</td>"
        "</tr>{% endfor %}</table>")
    t = time.perf_counter()
    naive = naive_tpl.render(events=bundle.runtime.api_calls)
    res["timeline_per_event_render_s"] = round(time.perf_counter() - t, 3)
    res["timeline_rows_per_event"] = len(bundle.runtime.api_calls)
    res["timeline_per_event_bytes"] = len(naive.encode())
    # frequency window: two pointers vs all pairs, on 4,000 reads of one SDK/PI
    times = sorted(random.Random(1).uniform(0, 600) for _ in range(4000))
    t = time.perf_counter()
    fast = max_in_window(times, 60.0)[0]
    res["window_two_pointer_s"] = round(time.perf_counter() - t, 4)
    t = time.perf_counter()
    slow = _naive_max_in_window(times, 60.0)
    res["window_all_pairs_s"] = round(time.perf_counter() - t, 3)
    assert fast == slow, (fast, slow)
    res["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    (out_dir / "figures.json").write_text(json.dumps(res, indent=2))
    return res


if __name__ == "__main__":
    print(json.dumps(main(Path("out/bench/reports")), indent=2))
