"""The same batch on a Dask distributed cluster (a LocalCluster on 127.0.0.1 started here):
same records as the local pool, limits applied inside each task, workers survive bad APKs."""
from __future__ import annotations

import json
import shutil
import socket

import pytest

from privascope.cli import main

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    c = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                     dashboard_address=None, protocol="tcp")
    yield c
    c.close()


@pytest.fixture()
def mixed_dir(small_apks, broken_dir, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for a in small_apks:
        shutil.copy(a, d / a.name)
    for name in ("not_a_zip.apk", "truncated_dex.apk", "zip_bomb.apk", "path_traversal.apk"):
        shutil.copy(broken_dir / name, d / name)
    return d


def _summary(out):
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))["apps"]


def _key(recs):
    return sorted((r["sha256"], r["status"], r["package"], r["reason"]) for r in recs)


def test_dask_batch_matches_the_local_batch(cluster, mixed_dir, tmp_path, capsys):
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    workers_before = set(cluster.scheduler_info["workers"])
    rc_d = main(["batch", str(mixed_dir), "-o", str(tmp_path / "dask"), "--scheduler",
                 cluster.scheduler_address, "--timeout", "120", "--max-memory", "1024"])
    rc_l = main(["batch", str(mixed_dir), "-o", str(tmp_path / "local"), "--jobs", "2",
                 "--timeout", "120", "--max-memory", "1024"])
    capsys.readouterr()
    assert rc_d == rc_l == 0
    dask_recs, local_recs = _summary(tmp_path / "dask"), _summary(tmp_path / "local")
    assert _key(dask_recs) == _key(local_recs)
    assert {r["status"] for r in dask_recs} >= {"ok", "error", "partial"}
    for r in dask_recs:
        if r["app_dir"]:  # files came back through Dask and were placed under OUTDIR/apps
            assert (tmp_path / "dask" / r["reports"]["json"]).is_file()
            assert (tmp_path / "dask" / r["app_dir"] / "result.json").is_file()
    # no Dask worker died on a hostile APK
    assert set(cluster.scheduler_info["workers"]) == workers_before


def test_limits_apply_inside_dask_tasks(cluster, small_apks, tmp_path, capsys):
    apk_dir = tmp_path / "in"
    apk_dir.mkdir()
    shutil.copy(small_apks[0], apk_dir / small_apks[0].name)
    rc = main(["batch", str(apk_dir), "-o", str(tmp_path / "t"), "--scheduler",
               cluster.scheduler_address, "--timeout", "0.05"])
    capsys.readouterr()
    assert rc == 0
    assert [r["reason"] for r in _summary(tmp_path / "t")] == ["timeout after 0.05 s"]
    workers_before = set(cluster.scheduler_info["workers"])
    rc = main(["batch", str(apk_dir), "-o", str(tmp_path / "m"), "--scheduler",
               cluster.scheduler_address, "--max-memory", "0", "--timeout", "60",
               "--fail-on-error"])
    capsys.readouterr()
    assert rc == 0 and _summary(tmp_path / "m")[0]["status"] in ("ok", "partial")
    assert set(cluster.scheduler_info["workers"]) == workers_before


def test_unreachable_scheduler_is_a_one_line_error(small_apks, tmp_path, capsys):
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rc = main(["batch", str(small_apks[0]), "-o", str(tmp_path / "o"), "--scheduler",
               f"tcp://127.0.0.1:{port}"])
    err = capsys.readouterr().err
    assert rc == 2 and "cannot reach Dask scheduler" in err and err.count("\n") == 1


def test_memory_blow_up_inside_a_task_kills_only_its_subprocess(cluster, small_apks, tmp_path):
    from privascope.batch.dask_runner import run_dask

    workers_before = set(cluster.scheduler_info["workers"])
    jobs = [{"index": i, "path": str(a), "apps_dir": str(tmp_path / "x"), "formats": ["json"],
             "lang": "en"} for i, a in enumerate(small_apks)]
    got = dict((job["index"], rec) for job, rec in
               run_dask(jobs, cluster.scheduler_address, tmp_path / "o", 120, 40))
    assert sorted(got) == [0, 1, 2]
    assert {r["reason"] for r in got.values()} == {"memory limit 40 MB exceeded"}
    assert set(cluster.scheduler_info["workers"]) == workers_before
    # and the same workers still scan normally afterwards
    ok = list(run_dask(jobs[:1], cluster.scheduler_address, tmp_path / "o", 120, 1024))
    assert ok[0][1]["status"] in ("ok", "partial")
