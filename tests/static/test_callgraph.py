"""The whole-APK call graph: the vectorised instruction walk agrees with the sequential decoder
on real dex files, hostile bytes cannot hang or crash it, CHA fan-out is bounded and reported."""
from __future__ import annotations

import random
import zipfile

import pytest

from privascope.catalog.startup import startup_catalog
from privascope.static.callgraph import CallGraphError
from privascope.static.dex import INVOKE_OPS, DexError, DexFile
from privascope.static.startup import build_graph, new_graph

RANGE_AND_CUSTOM = {0xFA, 0xFB, 0xFC, 0xFD}  # polymorphic/custom: not followed by the graph


def _dexes(apk):
    with zipfile.ZipFile(apk) as z:
        return [DexFile(z.read(n), n) for n in z.namelist()
                if n.endswith(".dex") and "/" not in n]


@pytest.mark.parametrize("apk", ["bugly_hotfix_demo.apk", "androguard_abcore_multidex.apk"])
def test_invokes_match_the_sequential_decoder(corpus_dir, static_catalog, apk):
    dexes = _dexes(corpus_dir / apk)
    g = build_graph(dexes, startup_catalog(static_catalog))
    checked = 0
    for dex in dexes:
        for m in dex.code_methods():
            ref = dex.method_ref(m.method_idx)
            caller = g.find(ref.class_desc, ref.name, ref.descriptor)
            assert caller, (ref.class_desc, ref.name)
            want = sorted((ins.pc, _display(dex, ins.index)) for ins in dex.instructions(m)
                          if ins.op in INVOKE_OPS and ins.op not in RANGE_AND_CUSTOM)
            got = sorted((pc, g.display(c)) for c, _op, pc in g.invokes(caller[0]))
            # a method defined in two dex files (multidex duplicates) has both lists merged
            assert set(want) <= set(got), (ref.class_desc, ref.name)
            checked += 1
    assert checked > 1000 and g.edge_count > 5000


def _display(dex, idx):
    from privascope.static.dex import descriptor_to_java

    r = dex.method_ref(idx)
    return f"{descriptor_to_java(r.class_desc)}.{r.name}{r.descriptor}"


def test_hostile_code_bytes_terminate(samples_build, static_catalog):
    """Random bytes written over the code area: the walk still ends, each step advances, and
    only DexError/CallGraphError may come out."""
    data = bytearray(zipfile.ZipFile(samples_build / "startup.apk").read("classes.dex"))
    dex = DexFile(bytes(data))
    methods = dex.code_methods()
    lo, hi = methods[0].insns_off, methods[-1].insns_off + 2 * methods[-1].insns_units
    rnd = random.Random(13)
    for trial in range(30):
        bad = bytearray(data)
        for _ in range(40):
            bad[rnd.randrange(lo, hi)] = rnd.randrange(256)
        if trial % 3 == 0:  # payload idents with huge sizes
            at = rnd.randrange(lo, hi - 4) & ~1
            bad[at:at + 4] = b"\x00\x03\xff\xff"
        graph = new_graph(startup_catalog(static_catalog))
        try:
            graph.add_dex(DexFile(bytes(bad)))
        except (DexError, CallGraphError):
            continue
        graph.finish()
        for mid in range(graph.method_count):
            if graph.defined[mid]:
                graph.edges(mid)


def test_fanout_cap_drops_and_reports(samples_build, static_catalog, monkeypatch):
    from privascope.static import callgraph, startup

    monkeypatch.setattr(callgraph, "MAX_FANOUT", 1)
    monkeypatch.setattr(startup, "MAX_FANOUT", 1)
    from privascope.static.scan import scan_apk

    b = scan_apk(samples_build / "startup.apk", static_catalog)
    apis = {r.api for r in b.startup.reachable_calls}
    assert "android.telephony.TelephonyManager.getCellLocation" not in apis  # via Tracker, 2 targets
    assert "android.telephony.TelephonyManager.getDeviceId" in apis
    assert any("more than 1 possible targets" in x for x in b.startup.limits)


def test_packed_key_limits(static_catalog):
    g = new_graph(startup_catalog(static_catalog)).finish()
    assert g.method_count == 0 and g.find("La/B;", "c") == []


def test_field_ids_naming_types_out_of_range(samples_build, static_catalog):
    """Found by fuzzing: a field id whose class index lies past the type table (the reader
    does not check field ids it never resolves) must not take the graph down."""
    import struct

    data = bytearray(zipfile.ZipFile(samples_build / "startup.apk").read("classes.dex"))
    size, off = struct.unpack_from("<II", data, 0x50)
    assert size > 0
    for i in range(size):
        struct.pack_into("<H", data, off + 8 * i, 0xFFFF)
    graph = new_graph(startup_catalog(static_catalog))
    graph.add_dex(DexFile(bytes(data)))
    graph.finish()
    assert graph.edge_count > 0
    for mid in range(graph.method_count):
        if graph.defined[mid]:
            graph.edges(mid)
