"""Opening the APK as a zip and collecting every piece of code in it: classes*.dex at the root
(multidex) and dex files nested in assets or elsewhere, directly or inside jar/apk/zip files.

Nesting is bounded (depth, count, size) so a zip bomb or a deliberately recursive archive cannot
exhaust memory or time; what is skipped is said in the errors.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

MAX_DEX_BYTES = 256 * 1024 * 1024  # one dex, decompressed
MAX_NESTED_BYTES = 64 * 1024 * 1024  # one nested archive or dex
MAX_NESTED = 32  # nested code files per APK
MAX_DEPTH = 2  # apk -> jar -> dex is depth 1; a jar inside that jar is depth 2
_ROOT_DEX = re.compile(r"^classes\d*\.dex$")
_ARCHIVE_EXT = (".jar", ".apk", ".zip", ".dex")
_DEX_MAGIC = b"dex\n"
_ZIP_MAGIC = b"PK\x03\x04"


class ZipProblem(ValueError):
    """The file is not a usable zip/APK: one line for the user."""


@dataclass
class CodeSources:
    dex: list[tuple[str, bytes]] = field(default_factory=list)  # (display name, dex bytes)
    errors: list[str] = field(default_factory=list)


def open_apk_zip(path: Path) -> zipfile.ZipFile:
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise ZipProblem(f"cannot read {path}: {exc.strerror or exc}") from None
    if path.is_dir():
        raise ZipProblem(f"{path} is a directory, not an APK")
    if size == 0:
        raise ZipProblem("not a valid APK: empty file")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        if head == _ZIP_MAGIC:
            raise ZipProblem("not a valid APK: truncated zip (no central directory)") from None
        raise ZipProblem("not a valid APK: not a zip file") from None
    except (OSError, ValueError, NotImplementedError, EOFError) as exc:
        raise ZipProblem(f"not a valid APK: unreadable zip ({exc})") from None
    if "AndroidManifest.xml" not in set(zf.namelist()):
        zf.close()
        raise ZipProblem("not a valid APK: AndroidManifest.xml missing")
    return zf


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.file_size > limit:
        raise ValueError(f"{info.file_size} bytes is over the {limit // 2**20} MB limit")
    with zf.open(info) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"decompresses to over {limit // 2**20} MB")
    return data


def _sniff(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with zf.open(info) as fh:
            return fh.read(4)
    except Exception:
        return b""


def collect_code(zf: zipfile.ZipFile) -> CodeSources:
    out = CodeSources()
    infos = zf.infolist()
    root = sorted((i for i in infos if _ROOT_DEX.match(i.filename)),
                  key=lambda i: (len(i.filename), i.filename))  # classes, classes2, ... classes10
    for info in root:
        try:
            out.dex.append((info.filename, _read(zf, info, MAX_DEX_BYTES)))
        except Exception as exc:
            out.errors.append(f"{info.filename}: cannot read ({exc})")
    budget = [MAX_NESTED]
    _nested(zf, "", infos, out, budget, depth=1, skip_root=True)
    return out


def _nested(zf, prefix: str, infos, out: CodeSources, budget: list[int], depth: int,
            skip_root: bool) -> None:
    for info in infos:
        name = info.filename
        if info.is_dir() or (skip_root and _ROOT_DEX.match(name)):
            continue
        lower = name.lower()
        # by name anywhere; by content only for extension-less blobs in assets/ and res/raw/
        # of the APK itself (where SDKs hide payloads), not for every entry of a nested jar
        candidate = lower.endswith(_ARCHIVE_EXT) or (
            skip_root and lower.startswith(("assets/", "res/raw/")) and info.file_size >= 0x70
            and _sniff(zf, info) in (_DEX_MAGIC, _ZIP_MAGIC))
        if not candidate:
            continue
        head = _sniff(zf, info)
        if head not in (_DEX_MAGIC, _ZIP_MAGIC):
            continue  # an encrypted or unrelated blob with a code-like name
        display = f"{prefix}{name}"
        if budget[0] <= 0:
            out.errors.append(f"{display}: skipped, more than {MAX_NESTED} nested code files")
            continue
        budget[0] -= 1
        try:
            data = _read(zf, info, MAX_NESTED_BYTES)
        except Exception as exc:
            out.errors.append(f"{display}: cannot read ({exc})")
            continue
        if head == _DEX_MAGIC:
            out.dex.append((display, data))
            continue
        if depth > MAX_DEPTH:
            out.errors.append(f"{display}: skipped, nested deeper than {MAX_DEPTH} archives")
            continue
        try:
            sub = zipfile.ZipFile(io.BytesIO(data))
            sub_infos = sub.infolist()
        except Exception as exc:
            out.errors.append(f"{display}: nested archive unreadable ({exc})")
            continue
        with sub:
            _nested(sub, display + "!", sub_infos, out, budget, depth + 1, skip_root=False)
