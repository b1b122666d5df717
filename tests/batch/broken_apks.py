"""Generator of broken and hostile APKs for the batch tests and the fuzz corpus.

Each `make_*` function writes one file into `out_dir` from a small valid base APK and returns its
path. Hostile zips are written by hand (`write_zip`) because zipfile refuses to write some of
them (raw non-UTF-8 names flagged UTF-8, a deflate stream inflating to 2 GiB written without
ever holding 2 GiB). Nothing here touches the repository: callers pass pytest's tmp_path.
"""
from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional

UTF8_FLAG = 0x800
GIB = 1 << 30


@dataclass
class RawEntry:
    name: bytes
    data: Optional[bytes] = None  # stored (method 0) when given
    # or a pre-compressed deflate stream:
    compressed: Optional[bytes] = None
    crc: int = 0
    size: int = 0
    flags: int = 0

    def parts(self) -> tuple[int, int, int, int, bytes]:
        if self.data is not None:
            return 0, zlib.crc32(self.data), len(self.data), len(self.data), self.data
        return 8, self.crc, len(self.compressed), self.size, self.compressed


def write_zip(path: Path, entries: Iterable[RawEntry]) -> Path:
    """A plain (non-zip64) zip from raw entries: names are written byte for byte."""
    central = bytearray()
    count = 0
    with open(path, "wb") as fh:
        for e in entries:
            method, crc, csize, usize, payload = e.parts()
            offset = fh.tell()
            fh.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, e.flags, method, 0, 0x21,
                                 crc, csize, usize, len(e.name), 0))
            fh.write(e.name)
            fh.write(payload)
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, e.flags, method, 0,
                                   0x21, crc, csize, usize, len(e.name), 0, 0, 0, 0, 0, offset)
            central += e.name
            count += 1
        cd_offset = fh.tell()
        fh.write(central)
        fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central),
                             cd_offset, 0))
    return path


def base_entries(base_apk: Path) -> list[RawEntry]:
    with zipfile.ZipFile(base_apk) as zf:
        return [RawEntry(i.filename.encode("utf-8"), data=zf.read(i.filename),
                         flags=UTF8_FLAG if not i.filename.isascii() else 0)
                for i in zf.infolist() if not i.filename.startswith("META-INF/")]


def read_member(base_apk: Path, name: str) -> bytes:
    with zipfile.ZipFile(base_apk) as zf:
        return zf.read(name)


def _replace(entries: list[RawEntry], name: str, data: Optional[bytes]) -> list[RawEntry]:
    out = [e for e in entries if e.name != name.encode()]
    if data is not None:
        out.append(RawEntry(name.encode(), data=data))
    return out


def zeros_deflate(total: int, chunk: int = 1 << 20) -> RawEntry:
    """A deflate stream of `total` zero bytes built by repeating one fully flushed block: the
    compressed form is ~1/1000 of the size and the zeros are never materialised."""
    assert total % chunk == 0
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = co.compress(bytes(chunk)) + co.flush(zlib.Z_FULL_FLUSH)
    tail = co.flush(zlib.Z_FINISH)
    crc = 0
    zero_chunk = bytes(chunk)
    for _ in range(total // chunk):
        crc = zlib.crc32(zero_chunk, crc)
    return RawEntry(b"", compressed=block * (total // chunk) + tail, crc=crc, size=total)


# --------------------------------------------------------------------------- dex surgery


def _uleb(data: bytes, off: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = data[off]
        off += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, off
        shift += 7


def _uleb_bytes(value: int) -> bytes:
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        if value:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _header(dex: bytes) -> dict:
    names = ("string_ids_size", "string_ids_off", "type_ids_size", "type_ids_off",
             "proto_ids_size", "proto_ids_off", "field_ids_size", "field_ids_off",
             "method_ids_size", "method_ids_off", "class_defs_size", "class_defs_off")
    return dict(zip(names, struct.unpack_from("<12I", dex, 0x38)))


def _code_offsets(dex: bytes) -> list[int]:
    """Offsets of every code item (walking class_data like the VM does)."""
    h = _header(dex)
    offs = []
    for ci in range(h["class_defs_size"]):
        cd_off = struct.unpack_from("<I", dex, h["class_defs_off"] + 32 * ci + 24)[0]
        if not cd_off:
            continue
        off = cd_off
        sizes = []
        for _ in range(4):
            v, off = _uleb(dex, off)
            sizes.append(v)
        for _ in range(2 * (sizes[0] + sizes[1])):
            _, off = _uleb(dex, off)
        for _ in range(sizes[2] + sizes[3]):
            for k in range(3):
                v, off = _uleb(dex, off)
                if k == 2 and v:
                    offs.append(v)
    return offs


def dex_out_of_range_indices(dex: bytes) -> bytes:
    """Every method id points at type/proto/name indices far past their tables, and half the
    string offsets point past the end of the file."""
    h = _header(dex)
    d = bytearray(dex)
    for i in range(h["method_ids_size"]):
        struct.pack_into("<HHI", d, h["method_ids_off"] + 8 * i, 0xFFFF, 0xFFFE, 0x7FFFFFF0 + (i % 8))
    for i in range(0, h["string_ids_size"], 2):
        struct.pack_into("<I", d, h["string_ids_off"] + 4 * i, len(d) + 1000 + i)
    return bytes(d)


def dex_code_past_end(dex: bytes) -> bytes:
    """Every code item claims more instruction units than the file holds."""
    d = bytearray(dex)
    for off in _code_offsets(dex):
        struct.pack_into("<I", d, off + 12, 0x0FFFFFFF)
    return bytes(d)


def dex_mid_instruction(dex: bytes) -> bytes:
    """Code items cut inside their first multi-unit instruction (an invoke or const-string)."""
    d = bytearray(dex)
    for off in _code_offsets(dex):
        units = struct.unpack_from("<I", d, off + 12)[0]
        op = d[off + 16] if units else 0
        if units >= 2 and op in (0x1A, 0x22, 0x6E, 0x6F, 0x70, 0x71, 0x72, 0x74, 0x75, 0x76, 0x77, 0x78):
            struct.pack_into("<I", d, off + 12, 1)
    return bytes(d)


def dex_class_data_offsets_past_end(dex: bytes) -> bytes:
    """class_data of every class re-encoded with code_off values past the end of the file."""
    h = _header(dex)
    d = bytearray(dex)
    appended = bytearray()
    for ci in range(h["class_defs_size"]):
        at = h["class_defs_off"] + 32 * ci + 24
        cd_off = struct.unpack_from("<I", dex, at)[0]
        if not cd_off:
            continue
        off = cd_off
        sizes = []
        out = bytearray()
        for _ in range(4):
            v, off = _uleb(dex, off)
            sizes.append(v)
            out += _uleb_bytes(v)
        for _ in range(2 * (sizes[0] + sizes[1])):
            v, off = _uleb(dex, off)
            out += _uleb_bytes(v)
        for _ in range(sizes[2] + sizes[3]):
            for k in range(3):
                v, off = _uleb(dex, off)
                out += _uleb_bytes(v if k < 2 or not v else 0x0FFFFFF0)
        struct.pack_into("<I", d, at, len(dex) + len(appended))
        appended += out
    d += appended
    struct.pack_into("<I", d, 0x20, len(d))  # file_size
    return bytes(d)


# --------------------------------------------------------------------------- AXML surgery


def axml_bad_chunks(axml: bytes) -> bytes:
    """Valid file header, then a first chunk whose header and size are nonsense."""
    d = bytearray(axml)
    struct.pack_into("<HHI", d, 8, 0x7777, 0xFFFF, 0xFFFFFFF0)
    return bytes(d)


def axml_huge_string_pool(axml: bytes) -> bytes:
    """The string pool claims 0x7FFFFFFF strings and styles (the file holds a few hundred)."""
    d = bytearray(axml)
    if len(d) >= 8 + 28 and struct.unpack_from("<H", d, 8)[0] == 0x0001:
        struct.pack_into("<II", d, 8 + 8, 0x7FFFFFFF, 0x7FFFFFFF)
    return bytes(d)


# --------------------------------------------------------------------------- the cases


def make_not_a_zip(base: Path, out: Path) -> Path:
    p = out / "not_a_zip.apk"
    p.write_bytes(b"this is not an APK\n" * 50)
    return p


def make_empty_file(base: Path, out: Path) -> Path:
    p = out / "empty_file.apk"
    p.write_bytes(b"")
    return p


def make_truncated_zip(base: Path, out: Path) -> Path:
    data = base.read_bytes()
    p = out / "truncated_zip.apk"
    p.write_bytes(data[: len(data) // 2])
    return p


def make_path_traversal(base: Path, out: Path) -> Path:
    entries = base_entries(base) + [
        RawEntry(b"../../evil.txt", data=b"escaped"),
        RawEntry(b"/tmp/privascope-absolute-evil.txt", data=b"absolute"),
        RawEntry(b"..\\..\\evil-win.txt", data=b"backslash"),
        RawEntry(b"assets/../../../evil2.txt", data=b"nested"),
    ]
    return write_zip(out / "path_traversal.apk", entries)


def make_duplicate_entries(base: Path, out: Path) -> Path:
    entries = base_entries(base)
    dupes = [RawEntry(e.name, data=b"\x00" * 64) for e in entries
             if e.name in (b"AndroidManifest.xml", b"classes.dex")]
    return write_zip(out / "duplicate_entries.apk", entries + dupes)


def make_zip_bomb(base: Path, out: Path, size: int = 2 * GIB) -> Path:
    bomb = zeros_deflate(size)
    bomb.name = b"classes2.dex"
    bomb2 = zeros_deflate(size)
    bomb2.name = b"assets/bomb.bin"
    return write_zip(out / "zip_bomb.apk", base_entries(base) + [bomb, bomb2])


def make_manifest_bomb(base: Path, out: Path, size: int = 2 * GIB) -> Path:
    """AndroidManifest.xml and resources.arsc that inflate to 2 GiB each (honest sizes)."""
    entries = [e for e in base_entries(base)
               if e.name not in (b"AndroidManifest.xml", b"resources.arsc")]
    bomb, arsc = zeros_deflate(size), zeros_deflate(size)
    bomb.name, arsc.name = b"AndroidManifest.xml", b"resources.arsc"
    return write_zip(out / "manifest_bomb.apk", [bomb, arsc] + entries)


def make_many_big_dex(base: Path, out: Path, n: int = 10, size: int = 160 << 20) -> Path:
    """Each dex under the scanner's per-file cap, together far over any sane memory budget:
    only the worker's memory limit bounds this one."""
    z = zeros_deflate(size)
    big = [RawEntry(f"classes{i}.dex".encode(), compressed=z.compressed, crc=z.crc, size=z.size)
           for i in range(2, n + 2)]
    return write_zip(out / "many_big_dex.apk", base_entries(base) + big)


def make_missing_manifest(base: Path, out: Path) -> Path:
    return write_zip(out / "missing_manifest.apk",
                     _replace(base_entries(base), "AndroidManifest.xml", None))


def make_manifest_bad_chunks(base: Path, out: Path) -> Path:
    m = axml_bad_chunks(read_member(base, "AndroidManifest.xml"))
    return write_zip(out / "manifest_bad_chunks.apk",
                     _replace(base_entries(base), "AndroidManifest.xml", m))


def make_manifest_huge_string_pool(base: Path, out: Path) -> Path:
    m = axml_huge_string_pool(read_member(base, "AndroidManifest.xml"))
    return write_zip(out / "manifest_huge_string_pool.apk",
                     _replace(base_entries(base), "AndroidManifest.xml", m))


def make_manifest_garbage(base: Path, out: Path) -> Path:
    return write_zip(out / "manifest_garbage.apk",
                     _replace(base_entries(base), "AndroidManifest.xml", b"\x03\x00\x08\x00" + b"\xff" * 200))


def _with_dex(base: Path, out: Path, name: str, fn: Callable[[bytes], bytes]) -> Path:
    dex = fn(read_member(base, "classes.dex"))
    return write_zip(out / name, _replace(base_entries(base), "classes.dex", dex))


def make_truncated_dex(base: Path, out: Path) -> Path:
    return _with_dex(base, out, "truncated_dex.apk", lambda d: d[: len(d) // 3])


def make_bad_dex_header(base: Path, out: Path) -> Path:
    return _with_dex(base, out, "bad_dex_header.apk",
                     lambda d: b"dey\n999\x00" + b"\xff" * 0x68 + d[0x70:])


def make_dex_out_of_range(base: Path, out: Path) -> Path:
    return _with_dex(base, out, "dex_out_of_range.apk", dex_out_of_range_indices)


def make_dex_code_past_end(base: Path, out: Path) -> Path:
    return _with_dex(base, out, "dex_code_past_end.apk", dex_code_past_end)


def make_dex_class_data_past_end(base: Path, out: Path) -> Path:
    return _with_dex(base, out, "dex_class_data_past_end.apk", dex_class_data_offsets_past_end)


def make_dex_mid_instruction(base: Path, out: Path) -> Path:
    return _with_dex(base, out, "dex_mid_instruction.apk", dex_mid_instruction)


def make_thousands_of_files(base: Path, out: Path, n_assets: int = 3000, n_dex: int = 60) -> Path:
    entries = base_entries(base)
    dex = read_member(base, "classes.dex")
    entries += [RawEntry(f"classes{i}.dex".encode(), data=dex) for i in range(2, n_dex + 2)]
    entries += [RawEntry(f"assets/a/{i:05d}.bin".encode(), data=b"x" * (i % 7)) for i in range(n_assets)]
    return write_zip(out / "thousands_of_files.apk", entries)


def make_non_utf8_names(base: Path, out: Path) -> Path:
    entries = base_entries(base) + [
        RawEntry(b"assets/\xff\xfe\xfd.bin", data=b"cp437 name"),
        RawEntry(b"assets/\xc3\x28bad.bin", data=b"utf8-flagged invalid", flags=UTF8_FLAG),
        RawEntry(b"res/raw/\xe4\xb8\xad\xe6\x96\x87.txt", data=b"valid utf-8", flags=UTF8_FLAG),
    ]
    return write_zip(out / "non_utf8_names.apk", entries)


CASES: dict[str, Callable[[Path, Path], Path]] = {
    name[len("make_"):]: fn for name, fn in sorted(globals().items())
    if name.startswith("make_") and callable(fn)
}


def generate_all(base: Path, out: Path, only: Optional[Iterable[str]] = None) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    return {name: fn(base, out) for name, fn in CASES.items() if only is None or name in only}
