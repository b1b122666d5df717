"""Privacy policy against behaviour: speed of reading and comparing, and what the policy step
adds to a scan that has no policy, plus the reader's precision/recall on the test policies.

- read+compare: a 50-page policy (about 100 000 characters of Chinese prose, lists and a
  300-row SDK table, built here from the test policies) read from HTML and compared with the
  evidence of a scanned sample, median of several runs; against the obvious alternative, a
  str.find loop over every vocabulary term per sentence (same matches, no automaton).
- no policy given: scan_apk alone vs scan_apk + the policy step (looking for policy assets in
  the APK) on the sample APKs and every corpus APK, the added milliseconds per APK.
- precision/recall of declared PI and SDKs on tests/policy/fixtures (gold.yaml).
"""
from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "policy" / "fixtures"
RUNS = 5
PAGE_CHARS = 2000  # a printed A4 page of Chinese policy text holds about this many characters


def _big_policy(pages: int, catalog) -> str:
    """An HTML policy of `pages` pages from the test policies' sentences, numbered so that no
    two sections are identical, and a long SDK table of catalog SDKs."""
    import html as h

    from privascope.policy.documents import read_file

    sentences = []
    for name in ("zh_table.html", "zh_prose.txt", "en_policy.html", "zh_sdk_list.md"):
        sentences += [b.text for b in read_file(FIXTURES / name).blocks if b.kind != "row"]
    parts, size, n = ["<html><body><h1>隐私政策（基准测试）</h1>"], 0, 0
    while size < pages * PAGE_CHARS:
        n += 1
        parts.append(f"<h2>第{n}节</h2>")
        for s in sentences:
            p = f"<p>{h.escape(s)}（第{n}节）</p>"
            parts.append(p)
            size += len(s)
    parts.append("<table><tr><th>SDK名称</th><th>第三方主体</th><th>使用目的</th>"
                 "<th>收集的个人信息</th></tr>")
    for sdk in list(catalog.sdks.values())[:300]:
        parts.append(f"<tr><td>{h.escape(sdk.name_zh)}</td><td>{h.escape(sdk.vendor)}</td>"
                     f"<td>统计分析</td><td>设备标识符（OAID）、IP地址</td></tr>")
    parts.append("</table></body></html>")
    return "".join(parts)


def _naive_pi(doc, catalog) -> int:
    """The alternative: every term searched in every sentence with str.find."""
    from privascope.policy.reading import sentences

    terms = list(catalog.policy_terms.pi_terms) + list(catalog.policy_terms.sdk_terms)
    hits = 0
    for block in doc.blocks:
        for sent in sentences(block.text):
            low = sent.lower()
            hits += sum(1 for t in terms if t in low)
    return hits


def _timed(fn, runs=RUNS) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _no_policy_overhead(catalog) -> dict:
    from privascope.policy import analyze_policy
    from privascope.static.scan import ScanError, scan_apk

    apks = sorted((REPO / "samples" / "build").glob("*.apk"))
    corpus = REPO.parent / "shared" / "corpus"
    if corpus.is_dir():
        apks += sorted(corpus.glob("*.apk"))
    added, scans, found = [], [], 0
    for apk in apks:
        try:
            t = time.perf_counter()
            bundle = scan_apk(apk, catalog)
            scans.append(time.perf_counter() - t)
        except ScanError:
            continue
        t = time.perf_counter()
        out = analyze_policy(bundle, apk=apk, catalog=catalog)
        added.append(time.perf_counter() - t)
        found += bool(out.policy.sources)
    return {"apks": len(added), "apks_with_policy_text_found": found,
            "scan_median_s": round(statistics.median(scans), 4),
            "policy_step_median_ms": round(statistics.median(added) * 1000, 2),
            "policy_step_max_ms": round(max(added) * 1000, 2),
            "share_of_scan_median": round(statistics.median(added) / statistics.median(scans), 4)}


def main(out_dir: Path) -> dict:
    from privascope.catalog import load_catalog
    from privascope.policy import analyze_policy, read_file, read_policy, recompare
    from privascope.static.scan import scan_apk

    out_dir.mkdir(parents=True, exist_ok=True)
    catalog = load_catalog()
    html = _big_policy(50, catalog)
    path = out_dir / "policy_50_pages.html"
    path.write_text(html, encoding="utf-8")
    base = scan_apk(REPO / "samples" / "build" / "sdk.apk", catalog)
    read_policy([read_file(path)], catalog)  # warm: matchers are built once per catalog

    def full():
        return analyze_policy(base, files=[path], catalog=catalog)

    doc = read_file(path)
    compared = full()
    result = {
        "policy_chars": sum(len(b.text) for b in doc.blocks),
        "policy_blocks": len(doc.blocks),
        "read_and_compare_median_s": round(_timed(full), 4),
        "read_only_median_s": round(_timed(lambda: read_policy([read_file(path)], catalog)), 4),
        "recompare_only_median_s": round(_timed(lambda: recompare(compared, catalog)), 4),
        "naive_find_loop_median_s": round(_timed(lambda: _naive_pi(doc, catalog), runs=2), 4),
    }
    reading = compared.policy
    result["declared"] = {"pi": len(reading.declared_pi), "sdks": len(reading.declared_sdks)}
    result["no_policy_given"] = _no_policy_overhead(catalog)
    import sys

    sys.path.insert(0, str(REPO))
    from tests.policy.measure import measure

    m = measure(catalog)
    result["accuracy_on_test_policies"] = {
        k: {x: (round(v[x], 3) if isinstance(v[x], float) else v[x])
            for x in ("precision", "recall", "tp", "fp", "fn")} for k, v in m.items()}
    (out_dir / "policy.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return result


if __name__ == "__main__":
    print(json.dumps(main(REPO / "out" / "bench" / "policy"), indent=2, ensure_ascii=False))
