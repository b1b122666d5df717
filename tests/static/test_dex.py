"""Our dex reader against androguard's decoder, and on damaged input."""
from __future__ import annotations

import struct
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privascope.static.calls import find_call_sites
from privascope.static.dex import (
    CONST_STRING, CONST_STRING_JUMBO, INVOKE_OPS, SGET_OPS, DexError, DexFile, decode_mutf8,
    descriptor_to_java,
)

INTERESTING = INVOKE_OPS | SGET_OPS | {CONST_STRING, CONST_STRING_JUMBO}


def _dex(apk, name="classes.dex") -> bytes:
    with zipfile.ZipFile(apk) as zf:
        return zf.read(name)


def _ours(dex: DexFile):
    out = {}
    for m in dex.code_methods():
        ref = dex.method_ref(m.method_idx)
        key = (dex.class_desc_of(m.class_def), ref.name, ref.descriptor)
        out[key] = [(i.pc, i.op, i.index) for i in dex.instructions(m) if i.op in INTERESTING]
    return out


def _androguards(data: bytes):
    from loguru import logger

    logger.remove()
    from androguard.core.dex import DEX

    out = {}
    for method in DEX(data).get_encoded_methods():
        if method.get_code() is None:
            continue
        found, pc = [], 0
        for ins in method.get_instructions():
            op = ins.get_op_value()
            if op in INTERESTING:
                found.append((pc, op, ins.get_ref_kind()))
            pc += ins.get_length() // 2
        out[(method.get_class_name(), method.get_name(),
             method.get_descriptor().replace(" ", ""))] = found
    return out


@pytest.mark.parametrize("apk_name", [
    "droidbench_AndroidSpecific_DirectLeak1.apk", "androguard_politedroid_4.apk",
    "umeng_CNZZ.apk"])
def test_instruction_stream_matches_androguard(corpus_dir, apk_name):
    """Every invoke/sget/const-string at the same code-unit offset with the same index: the
    width table and payload skipping agree with androguard on every method of real dex files."""
    data = _dex(corpus_dir / apk_name)
    ours, theirs = _ours(DexFile(data)), _androguards(data)
    assert set(ours) == set(theirs)
    assert sum(len(v) for v in ours.values()) > 200  # a real comparison, not two empty lists
    assert ours == theirs


def test_payloads_in_the_middle_are_skipped(samples_build):
    dex = DexFile(_dex(samples_build / "sdk.apk"))
    (collect,) = [m for m in dex.code_methods()
                  if dex.method_ref(m.method_idx).name == "collect"]
    invoked = [dex.method_ref(i.index).name for i in dex.instructions(collect)
               if i.op in INVOKE_OPS]
    # after packed-switch, fill-array-data and sparse-switch payloads placed mid-method
    assert invoked == ["imei", "androidId", "installedApps", "upload"]
    assert _androguards(dex.data)[("Lcom/umeng/commonsdk/internal/DeviceInfo;", "collect",
                                   "(Landroid/content/Context;)V")] == \
        [(i.pc, i.op, i.index) for i in dex.instructions(collect) if i.op in INTERESTING]


def test_tables_and_names(samples_build):
    dex = DexFile(_dex(samples_build / "sdk.apk"))
    classes = {descriptor_to_java(d) for d in dex.class_descriptors()}
    assert "com.umeng.commonsdk.internal.DeviceInfo" in classes
    assert "com.example.sdkapp.MainActivity" in classes
    strings = {s for _i, s in dex.strings()}
    assert "https://alog.umeng.com/app_logs" in strings
    assert descriptor_to_java("[[Ljava/lang/String;") == "java.lang.String[][]"
    assert descriptor_to_java("J") == "long"


def test_mutf8():
    assert decode_mutf8(b"abc") == "abc"
    assert decode_mutf8(b"a\xc0\x80b") == "a\x00b"
    # U+1F600 as a CESU-8 surrogate pair
    assert decode_mutf8(b"\xed\xa0\xbd\xed\xb8\x80") == "\U0001F600"
    assert isinstance(decode_mutf8(b"\xff\xfe\xfd"), str)


def test_bad_headers(samples_build):
    good = _dex(samples_build / "sdk.apk")
    with pytest.raises(DexError, match="bad magic"):
        DexFile(b"not a dex" * 20)
    with pytest.raises(DexError):
        DexFile(good[:0x50])
    bad = bytearray(good)
    struct.pack_into("<I", bad, 0x3C, len(good) + 10)  # string_ids_off past the end
    with pytest.raises(DexError, match="string_ids table"):
        DexFile(bytes(bad))
    bad = bytearray(good)
    struct.pack_into("<I", bad, 0x28, 0x78563412)
    with pytest.raises(DexError, match="endianness"):
        DexFile(bytes(bad))


def _exercise(data: bytes, catalog) -> None:
    try:
        dex = DexFile(data)
        for m in dex.code_methods():
            for _ in dex.instructions(m):
                pass
        find_call_sites(dex, catalog)
    except DexError as exc:
        assert "\n" not in str(exc)


def test_every_truncation_is_a_dex_error(samples_build, static_catalog):
    good = _dex(samples_build / "sdk.apk")
    for cut in range(0, len(good), max(1, len(good) // 150)):
        _exercise(good[:cut], static_catalog)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1,
                max_size=12))
def test_random_byte_flips_never_escape(samples_build, static_catalog, flips):
    data = bytearray(_dex(samples_build / "sdk.apk"))
    for pos, value in flips:
        data[pos % len(data)] = value
    _exercise(bytes(data), static_catalog)


def _synthetic_dex(n_strings: int, region: int) -> bytes:
    """A header whose string table points every string one byte further into one long run
    of non-NUL bytes: overlapping strings, each as long as the rest of the file."""
    table_off = 0x70
    data_off = table_off + 4 * n_strings
    header = bytearray(0x70)
    header[0:8] = b"dex\n035\x00"
    struct.pack_into("<I", header, 0x28, 0x12345678)
    struct.pack_into("<II", header, 0x38, n_strings, table_off)
    table = struct.pack(f"<{n_strings}I", *(data_off + i for i in range(n_strings)))
    return bytes(header) + table + b"\x01" * region + b"\x00"


def test_overlapping_strings_are_rejected_not_quadratic():
    dex = DexFile(_synthetic_dex(100_000, 1_000_000))
    with pytest.raises(DexError, match="overlaps"):
        dex.all_strings()
