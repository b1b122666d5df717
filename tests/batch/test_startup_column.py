"""The batch index column "SDKs started before consent": from the worker record of a real scan
of the startup sample to the rendered index (escaped, sortable by count)."""
from __future__ import annotations

import re

import pytest

from privascope.batch.worker import _started_sdks, error_record
from privascope.reports.batch_index import render_index


@pytest.fixture(scope="module")
def startup_bundle(samples_build, catalog):
    from privascope.static.scan import scan_apk

    apk = samples_build / "startup.apk"
    if not apk.exists():
        pytest.fail("samples/build/startup.apk is missing: run `make samples`")
    return scan_apk(apk, catalog)


def test_record_lists_ungated_starts_only(startup_bundle, catalog):
    rec = _started_sdks(startup_bundle)
    # Umeng (from the Application) and Firebase (its own provider); JPush is behind the flag
    assert rec["sdks_started"] == sorted([catalog.sdks["umeng-common"].name_en,
                                          catalog.sdks["firebase-common"].name_en])
    assert catalog.sdks["jpush"].name_zh not in rec["sdks_started_zh"]
    assert "友盟基础组件库" in rec["sdks_started_zh"]


def test_index_column(startup_bundle):
    rec = {"file": "/in/s.apk", "file_name": "s.apk", "sha256": "ab" * 32, "status": "ok",
           "package": "com.example.startapp", "label": "Start", "version": "1",
           "verdict": "review", "severity_counts": {}, "sdks": [], "top_findings": [],
           **_started_sdks(startup_bundle)}
    for key in ("sdks_started", "sdks_started_zh"):
        rec[key] = rec[key] + ['<img src=x onerror=alert(1)>']
    for lang, header in (("en", "SDKs started before consent"), ("zh", "同意前启动的SDK")):
        html = render_index([rec, error_record("/in/bad.apk", "not a valid APK")], lang=lang)
        assert header in html
        assert "<img src=x" not in html and "&lt;img src=x" in html
        cells = re.findall(r'<td data-sort="(\d+)">([^<]*)</td>', html)
        assert "3" in [n for n, _ in cells]  # Firebase, Umeng and the hostile name
        assert ("0", "") in cells  # the error record: none
