"""Our own reader for Dalvik .dex files: just enough to find call sites without androguard.

androguard's `Analysis` builds the whole cross-reference graph (tens of seconds, GBs on large
apps). The scanner only needs the instructions that touch a handful of catalog members, so this
module reads the id tables (strings, types, protos, fields, methods, class defs), marks the ids
that matter, finds candidate instructions in one vectorised pass (numpy) over the file's 16-bit
code units, and decodes instruction by instruction only the methods that contain a candidate.

Every offset and index is bounds-checked; a malformed file raises `DexError` (one line), never
IndexError/struct.error, and every loop advances, so a corrupt file cannot hang the scan.
Format reference: the Dalvik executable format and bytecode pages of source.android.com.
"""
from __future__ import annotations

import bisect
import re
import struct
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional

import numpy as np

HEADER_SIZE = 0x70
NO_INDEX = 0xFFFFFFFF
_MAGIC = re.compile(rb"dex\n0[0-9][0-9]\x00")


class DexError(ValueError):
    """The file is not a dex file we can read; the message names the problem in one line."""


# ----------------------------------------------------------------------------- opcode widths
# Width in 16-bit code units of every opcode, by instruction format (10x=1, 21c=2, 35c=3, ...).
# Unused opcodes count as 1 unit, as the verifier would reject them anyway.
_WIDTH = [1] * 256
for _op, _w in (
    (0x02, 2), (0x03, 3), (0x05, 2), (0x06, 3), (0x08, 2), (0x09, 3),
    (0x13, 2), (0x14, 3), (0x15, 2), (0x16, 2), (0x17, 3), (0x18, 5), (0x19, 2),
    (0x1A, 2), (0x1B, 3), (0x1C, 2), (0x1F, 2), (0x20, 2), (0x22, 2), (0x23, 2),
    (0x24, 3), (0x25, 3), (0x26, 3), (0x29, 2), (0x2A, 3), (0x2B, 3), (0x2C, 3),
    (0xFA, 4), (0xFB, 4), (0xFC, 3), (0xFD, 3), (0xFE, 2), (0xFF, 2),
):
    _WIDTH[_op] = _w
for _lo, _hi, _w in (
    (0x2D, 0x31, 2), (0x32, 0x37, 2), (0x38, 0x3D, 2), (0x44, 0x51, 2), (0x52, 0x5F, 2),
    (0x60, 0x6D, 2), (0x6E, 0x72, 3), (0x74, 0x78, 3), (0x90, 0xAF, 2), (0xD0, 0xE2, 2),
):
    for _op in range(_lo, _hi + 1):
        _WIDTH[_op] = _w

OPCODE_WIDTHS = tuple(_WIDTH)  # public, read-only view for whole-file (vectorised) decoders

# Which register an opcode writes: the low nibble of byte 1 (12x/11n formats), the whole byte
# (11x/21c/22x/23x...), or none (branches, stores, returns). Lets callers forget a constant
# once its register is overwritten.
_NIBBLE_DEST = frozenset([0x01, 0x04, 0x07, 0x12, 0x21, *range(0x7B, 0x90), *range(0xB0, 0xD0)])
_NO_DEST = frozenset([0x00, 0x0E, 0x0F, 0x10, 0x11, 0x1D, 0x1E, 0x1F, 0x24, 0x25, 0x26, 0x27,
                      0x28, 0x29, 0x2A, 0x2B, 0x2C, *range(0x32, 0x44), *range(0x4B, 0x52),
                      *range(0x59, 0x60), *range(0x67, 0x6E), 0x73, 0x79, 0x7A,
                      *range(0xE3, 0xFA), 0xFC, 0xFD])

INVOKE_OPS = frozenset([*range(0x6E, 0x73), *range(0x74, 0x79), 0xFA, 0xFB])
INVOKE_RANGE_OPS = frozenset([*range(0x74, 0x79), 0xFB])
INVOKE_STATIC_OPS = frozenset([0x71, 0x77])
SGET_OPS = frozenset(range(0x60, 0x67))
CONST_STRING, CONST_STRING_JUMBO = 0x1A, 0x1B


# ----------------------------------------------------------------------------- small readers


def _u4(data: bytes, off: int) -> int:
    if off < 0 or off + 4 > len(data):
        raise DexError(f"offset 0x{off:x} outside the file")
    return struct.unpack_from("<I", data, off)[0]


def _uleb(data: bytes, off: int) -> tuple[int, int]:
    """ULEB128 at `off` -> (value, next offset). At most 5 bytes, as the format allows."""
    result = shift = 0
    for i in range(5):
        if off + i >= len(data):
            raise DexError(f"ULEB128 at 0x{off:x} runs past the end")
        b = data[off + i]
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, off + i + 1
        shift += 7
    raise DexError(f"ULEB128 at 0x{off:x} is longer than 5 bytes")


def decode_mutf8(raw: bytes) -> str:
    """Modified UTF-8 (NUL as C0 80, supplementary characters as surrogate pairs)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.replace(b"\xc0\x80", b"\x00").decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:  # not even MUTF-8 (corrupt or hostile dex): keep what decodes
        return raw.decode("utf-8", "replace")
    try:  # join CESU-8 surrogate pairs into real characters
        return text.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        return text.encode("utf-8", "replace").decode("utf-8", "replace")


def descriptor_to_java(desc: str) -> str:
    """'Landroid/os/Bundle;' -> 'android.os.Bundle', '[I' -> 'int[]'."""
    dims = len(desc) - len(desc.lstrip("["))
    base = desc[dims:]
    prim = {"V": "void", "Z": "boolean", "B": "byte", "S": "short", "C": "char", "I": "int",
            "J": "long", "F": "float", "D": "double"}
    if base.startswith("L") and base.endswith(";"):
        name = base[1:-1].replace("/", ".")
    else:
        name = prim.get(base, base)
    return name + "[]" * dims


# ----------------------------------------------------------------------------- the file

# method_id_item / field_id_item: u2 class_idx, u2 proto_idx (or type_idx), u4 name_idx
_ID_DTYPE = np.dtype([("cls", "<u2"), ("mid", "<u2"), ("name", "<u4")])


def _select(table, type_indices: Iterable[int]) -> list[tuple[int, int, int, int]]:
    wanted = np.fromiter(set(type_indices), dtype=np.uint16)
    if not len(wanted) or not len(table):
        return []
    rows = np.nonzero(np.isin(table["cls"], wanted))[0]
    sub = table[rows]
    return list(zip(rows.tolist(), sub["cls"].tolist(), sub["mid"].tolist(),
                    sub["name"].tolist()))



@dataclass(frozen=True)
class MethodRef:
    class_desc: str  # "Landroid/telephony/TelephonyManager;"
    name: str
    params: tuple[str, ...]  # descriptors
    ret: str

    @property
    def descriptor(self) -> str:
        return "(" + "".join(self.params) + ")" + self.ret


@dataclass
class CodeMethod:
    """A method with code: where its instructions are and who it is."""

    method_idx: int
    insns_off: int  # file offset of the first code unit
    insns_units: int
    class_def: int  # index into class_defs


@dataclass
class Instruction:
    pc: int  # code-unit offset inside the method
    op: int
    index: int  # method/field/string index the instruction refers to (or -1)
    regs: tuple[int, ...] = ()  # invoke-*: argument registers; others: the register written


class DexFile:
    """Parsed id tables of one dex. Construction validates the header and every table."""

    def __init__(self, data: bytes, name: str = "classes.dex"):
        self.name = name
        self.data = data = bytes(data)
        if len(data) < HEADER_SIZE or not _MAGIC.match(data, 0):
            raise DexError("not a dex file (bad magic)")
        (endian,) = struct.unpack_from("<I", data, 0x28)
        if endian != 0x12345678:
            raise DexError("unsupported dex endianness")
        (self.string_ids_size, self.string_ids_off, self.type_ids_size, self.type_ids_off,
         self.proto_ids_size, self.proto_ids_off, self.field_ids_size, self.field_ids_off,
         self.method_ids_size, self.method_ids_off, self.class_defs_size,
         self.class_defs_off) = struct.unpack_from("<12I", data, 0x38)
        for what, size, off, item in (
            ("string_ids", self.string_ids_size, self.string_ids_off, 4),
            ("type_ids", self.type_ids_size, self.type_ids_off, 4),
            ("proto_ids", self.proto_ids_size, self.proto_ids_off, 12),
            ("field_ids", self.field_ids_size, self.field_ids_off, 8),
            ("method_ids", self.method_ids_size, self.method_ids_off, 8),
            ("class_defs", self.class_defs_size, self.class_defs_off, 32),
        ):
            if size and (off < HEADER_SIZE or off + size * item > len(data)):
                raise DexError(f"{what} table (0x{off:x}, {size} entries) outside the file")
        # an empty table may carry any offset (unpack_from checks it even for 0 items)
        self._string_offs = struct.unpack_from(f"<{self.string_ids_size}I", data,
                                               self.string_ids_off) if self.string_ids_size else ()
        self._type_str = struct.unpack_from(f"<{self.type_ids_size}I", data,
                                            self.type_ids_off) if self.type_ids_size else ()
        self._all: Optional[list[str]] = None
        self._code_methods: Optional[list[CodeMethod]] = None
        # field/method id tables as numpy record views (no copy, no per-entry objects): a large
        # app has hundreds of thousands of method ids and the scan needs only a few of them
        self._field_ids = np.frombuffer(data, dtype=_ID_DTYPE, count=self.field_ids_size,
                                        offset=self.field_ids_off if self.field_ids_size else 0)
        self._method_ids = np.frombuffer(data, dtype=_ID_DTYPE, count=self.method_ids_size,
                                         offset=self.method_ids_off if self.method_ids_size else 0)
        self._type_str_arr = np.frombuffer(data, dtype="<u4", count=self.type_ids_size,
                                           offset=self.type_ids_off if self.type_ids_size else 0)
        self._protos = list(struct.iter_unpack("<III", data[
            self.proto_ids_off:self.proto_ids_off + 12 * self.proto_ids_size]))
        self._class_defs = list(struct.iter_unpack("<8I", data[
            self.class_defs_off:self.class_defs_off + 32 * self.class_defs_size]))
        self._proto_cache: dict[int, tuple[tuple[str, ...], str]] = {}

    # -- ids -------------------------------------------------------------------------------

    def string(self, idx: int) -> str:
        if not 0 <= idx < self.string_ids_size:
            raise DexError(f"string index {idx} out of range")
        return self.all_strings()[idx]

    def strings(self) -> Iterator[tuple[int, str]]:
        return enumerate(self.all_strings())

    def all_strings(self) -> list[str]:
        """Every string of the table, decoded once. The terminating NULs are located for all
        strings at once (numpy), so a hostile table of overlapping strings cannot make this
        quadratic; overlapping string data beyond the file size is rejected."""
        if self._all is not None:
            return self._all
        data, size = self.data, len(self.data)
        starts = []
        for i, off in enumerate(self._string_offs):
            start = off
            while start < size and data[start] >= 0x80 and start - off < 5:  # skip ULEB len
                start += 1
            start += 1
            if start > size:
                raise DexError(f"string {i} starts outside the file")
            starts.append(start)
        out: list[str] = []
        if starts:
            nuls = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0)
            at = np.searchsorted(nuls, np.asarray(starts, dtype=np.int64))
            if len(nuls) == 0 or int(at.max()) >= len(nuls):
                raise DexError("a string of the table is not terminated")
            ends = nuls[at].tolist()
            if sum(ends) - sum(starts) > size:
                raise DexError("string data overlaps itself (corrupt or hostile dex)")
            for start, end in zip(starts, ends):
                raw = data[start:end]
                out.append(raw.decode("ascii") if raw.isascii() else decode_mutf8(raw))
        self._all = out
        return out

    def type_desc(self, idx: int) -> str:
        if not 0 <= idx < self.type_ids_size:
            raise DexError(f"type index {idx} out of range")
        return self.string(self._type_str[idx])

    def proto(self, idx: int) -> tuple[tuple[str, ...], str]:
        hit = self._proto_cache.get(idx)
        if hit is None:
            if not 0 <= idx < self.proto_ids_size:
                raise DexError(f"proto index {idx} out of range")
            _shorty, ret_idx, params_off = self._protos[idx]
            params: tuple[str, ...] = ()
            if params_off:
                n = _u4(self.data, params_off)
                if params_off + 4 + 2 * n > len(self.data):
                    raise DexError(f"parameter list of proto {idx} outside the file")
                params = tuple(self.type_desc(t) for t in
                               struct.unpack_from(f"<{n}H", self.data, params_off + 4))
            hit = self._proto_cache[idx] = (params, self.type_desc(ret_idx))
        return hit

    @property
    def method_count(self) -> int:
        return self.method_ids_size

    def method_id(self, idx: int) -> tuple[int, int, int]:
        """(class type idx, proto idx, name string idx)."""
        if not 0 <= idx < self.method_ids_size:
            raise DexError(f"method index {idx} out of range")
        cls, proto, name = self._method_ids[idx].tolist()
        return cls, proto, name

    def types_named(self, string_indices: Iterable[int]) -> dict[int, int]:
        """Type index for each string index that is a type descriptor (type_ids are sorted by
        string index, so this is a binary search, not a walk of the table)."""
        out = {}
        arr = self._type_str_arr
        for si in string_indices:
            t = int(np.searchsorted(arr, si))
            if t < len(arr) and int(arr[t]) == si:
                out[si] = t
            else:  # an unsorted (hand-made) table: fall back to a scan
                hits = np.nonzero(arr == si)[0]
                if len(hits):
                    out[si] = int(hits[0])
        return out

    def method_ids_of(self, type_indices: Iterable[int]) -> list[tuple[int, int, int, int]]:
        """(method idx, class type idx, proto idx, name idx) of methods on the given types."""
        return _select(self._method_ids, type_indices)

    def field_ids_of(self, type_indices: Iterable[int]) -> list[tuple[int, int, int, int]]:
        """(field idx, class type idx, type idx, name idx) of fields on the given types."""
        return _select(self._field_ids, type_indices)

    def method_ref(self, idx: int) -> MethodRef:
        cls, proto, name = self.method_id(idx)
        params, ret = self.proto(proto)
        return MethodRef(self.type_desc(cls), self.string(name), params, ret)

    def method_ids(self) -> Iterable[tuple[int, tuple[int, int, int]]]:
        return enumerate(map(tuple, self._method_ids.tolist()))

    def field_ids(self) -> Iterable[tuple[int, tuple[int, int, int]]]:
        """(index, (class type idx, type idx, name string idx))."""
        return enumerate(map(tuple, self._field_ids.tolist()))

    def field_ref(self, idx: int) -> tuple[str, str]:
        if not 0 <= idx < self.field_ids_size:
            raise DexError(f"field index {idx} out of range")
        cls, _typ, name = self._field_ids[idx].tolist()
        return self.type_desc(cls), self.string(name)

    # -- classes and code ------------------------------------------------------------------

    def class_descriptors(self) -> list[str]:
        """Descriptors of the classes this dex defines."""
        return [self.type_desc(c[0]) for c in self._class_defs]

    @property
    def method_id_table(self):
        """The method_ids table as a numpy record array (cls, mid=proto, name); no copy."""
        return self._method_ids

    @property
    def field_id_table(self):
        """The field_ids table as a numpy record array (cls, mid=type, name); no copy."""
        return self._field_ids

    def type_descriptors(self) -> list[str]:
        """Descriptor of every type id, in type-id order (for tables over the whole dex)."""
        strings = self.all_strings()
        if any(s >= len(strings) for s in self._type_str):
            raise DexError("a type id names a string outside the string table")
        return [strings[s] for s in self._type_str]

    def proto_descriptors(self) -> list[str]:
        """"(Ljava/lang/String;I)V" for every proto id, in proto-id order."""
        tdesc, data, out = self.type_descriptors(), self.data, []
        try:
            for _shorty, ret, params_off in self._protos:
                if params_off:
                    n = _u4(data, params_off)
                    if params_off + 4 + 2 * n > len(data):
                        raise DexError(f"parameter list at 0x{params_off:x} outside the file")
                    params = struct.unpack_from(f"<{n}H", data, params_off + 4)
                    out.append("(" + "".join([tdesc[t] for t in params]) + ")" + tdesc[ret])
                else:
                    out.append("()" + tdesc[ret])
        except IndexError:
            raise DexError("a proto names a type outside the type table") from None
        return out

    def class_supertypes(self) -> list[tuple[int, int, tuple[int, ...]]]:
        """(class type idx, superclass type idx or NO_INDEX, interface type idxs) per class def."""
        out = []
        for cdef in self._class_defs:
            ifaces: tuple[int, ...] = ()
            if cdef[3]:
                n = _u4(self.data, cdef[3])
                if cdef[3] + 4 + 2 * n > len(self.data):
                    raise DexError(f"interface list at 0x{cdef[3]:x} outside the file")
                ifaces = struct.unpack_from(f"<{n}H", self.data, cdef[3] + 4)
            out.append((cdef[0], cdef[2], ifaces))
        return out

    def class_desc_of(self, class_def: int) -> str:
        return self.type_desc(self._class_defs[class_def][0])

    def code_methods(self) -> list[CodeMethod]:
        """Every method with a code item, sorted by the file offset of its instructions."""
        if self._code_methods is None:
            try:
                self._code_methods = self._read_code_methods()
            except IndexError:  # a ULEB128 running off the end of the file
                raise DexError("class_data runs past the end of the file") from None
        return self._code_methods

    def _read_code_methods(self) -> list[CodeMethod]:
        out = []
        data = self.data
        size = len(data)
        unpack_u4 = struct.Struct("<I").unpack_from
        consumed = 0  # class_data items never overlap in a real dex: bounds the total work
        for ci, cdef in enumerate(self._class_defs):
            off = cdef[6]
            if not off:
                continue
            begin = off
            counts = []
            for _ in range(4):
                v, off = _uleb(data, off)
                counts.append(v)
            n_fields, n_direct, n_virtual = counts[0] + counts[1], counts[2], counts[3]
            if n_fields > size or n_direct + n_virtual > size:
                raise DexError(f"class_data of class {ci} declares impossible sizes")
            for _ in range(2 * n_fields):  # field_idx_diff, access_flags: skip
                while data[off] >= 0x80:
                    off += 1
                off += 1
            for count in (n_direct, n_virtual):
                midx = 0
                for _ in range(count):
                    # method_idx_diff, access_flags, code_off, ULEB128 each, decoded inline
                    # (this loop runs once per method of the app)
                    b = data[off]
                    off += 1
                    diff = b & 0x7F
                    shift = 7
                    while b >= 0x80:
                        if shift > 28:
                            raise DexError(f"ULEB128 at 0x{off:x} is longer than 5 bytes")
                        b = data[off]
                        off += 1
                        diff |= (b & 0x7F) << shift
                        shift += 7
                    while data[off] >= 0x80:
                        off += 1
                    off += 1
                    b = data[off]
                    off += 1
                    code_off = b & 0x7F
                    shift = 7
                    while b >= 0x80:
                        if shift > 28:
                            raise DexError(f"ULEB128 at 0x{off:x} is longer than 5 bytes")
                        b = data[off]
                        off += 1
                        code_off |= (b & 0x7F) << shift
                        shift += 7
                    midx += diff
                    if not code_off:
                        continue
                    if code_off + 16 > size:
                        raise DexError(f"code item 0x{code_off:x} outside the file")
                    units = unpack_u4(data, code_off + 12)[0]
                    if code_off + 16 + 2 * units > size:
                        raise DexError(f"instructions at 0x{code_off:x} run past the end")
                    out.append(CodeMethod(midx, code_off + 16, units, ci))
            consumed += off - begin
            if consumed > size:
                raise DexError("class_data items overlap (corrupt or hostile dex)")
        out.sort(key=lambda m: m.insns_off)
        return out

    def instructions(self, m: CodeMethod) -> Iterator[Instruction]:
        """Decode one method's instructions, skipping switch/array payloads. Yields the
        instructions the scanner cares about (invoke-*, sget*, const-string*) in order, and
        `op` only for everything else (index -1), so callers can track register writes."""
        data, base, n = self.data, m.insns_off, m.insns_units
        pc = 0
        while pc < n:
            unit = data[base + 2 * pc] | (data[base + 2 * pc + 1] << 8)
            op = unit & 0xFF
            if op == 0x00 and unit != 0:  # payload pseudo-instructions
                ident = unit >> 8
                if pc + 4 > n and ident in (1, 2, 3):
                    return
                if ident == 1:  # packed-switch-payload: ident, size, first_key(2), targets
                    size = data[base + 2 * pc + 2] | (data[base + 2 * pc + 3] << 8)
                    width = size * 2 + 4
                elif ident == 2:  # sparse-switch-payload: ident, size, keys, targets
                    size = data[base + 2 * pc + 2] | (data[base + 2 * pc + 3] << 8)
                    width = size * 4 + 2
                elif ident == 3:  # fill-array-data-payload: ident, elem width, size(2), data
                    elem, size = struct.unpack_from("<HI", data, base + 2 * pc + 2)
                    width = (size * elem + 1) // 2 + 4
                else:
                    width = 1
                pc += width
                continue
            width = _WIDTH[op]
            if pc + width > n:
                return  # truncated last instruction: nothing more to read in this method
            at = base + 2 * pc
            if op in INVOKE_OPS:
                a = data[at + 1]
                idx = data[at + 2] | (data[at + 3] << 8)
                if op in INVOKE_RANGE_OPS:
                    first = data[at + 4] | (data[at + 5] << 8)
                    regs = tuple(range(first, first + a))
                else:
                    count = a >> 4
                    packed = data[at + 4] | (data[at + 5] << 8)
                    regs = tuple((packed >> (4 * k)) & 0xF for k in range(min(count, 4)))
                    if count == 5:
                        regs += (a & 0xF,)
                yield Instruction(pc, op, idx, regs)
            elif op in SGET_OPS:
                yield Instruction(pc, op, data[at + 2] | (data[at + 3] << 8), (data[at + 1],))
            elif op == CONST_STRING:
                yield Instruction(pc, op, data[at + 2] | (data[at + 3] << 8), (data[at + 1],))
            elif op == CONST_STRING_JUMBO:
                yield Instruction(pc, op, struct.unpack_from("<I", data, at + 2)[0],
                                  (data[at + 1],))
            elif op in _NIBBLE_DEST:
                yield Instruction(pc, op, -1, (data[at + 1] & 0xF,))
            elif op in _NO_DEST:
                yield Instruction(pc, op, -1, ())
            else:
                yield Instruction(pc, op, -1, (data[at + 1],))
            pc += width


# ----------------------------------------------------------------------------- candidates


@dataclass
class Targets:
    """Ids in one dex whose use the scanner wants to see."""

    methods: set[int] = field(default_factory=set)
    fields: set[int] = field(default_factory=set)
    strings: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.methods or self.fields or self.strings)



def _table(values: Iterable[int], size: int):
    t = np.zeros(size, dtype=bool)
    t[[v for v in values if 0 <= v < size]] = True
    return t


_INVOKE_TABLE = _table(INVOKE_OPS, 256)
_SGET_TABLE = _table(SGET_OPS, 256)


def candidate_positions(data: bytes, targets: Targets) -> list[int]:
    """File offsets of instructions that may use a target id, found vectorised: the file is
    viewed as 16-bit code units at even offsets; a unit whose low byte is a matching opcode and
    whose next unit (or next two, for const-string/jumbo) is a target index is a candidate.
    Data that happens to look like this is weeded out later by the real decode."""
    n = len(data) // 2
    if n < 3:
        return []
    units = np.frombuffer(data, dtype="<u2", count=n)
    ops = (units & 0xFF).astype(np.uint8)[:-2]
    nxt = units[1:-1]
    hit = np.zeros(n - 2, dtype=bool)
    if targets.methods:
        hit |= _INVOKE_TABLE[ops] & _table(targets.methods, 65536)[nxt]
    if targets.fields:
        hit |= _SGET_TABLE[ops] & _table(targets.fields, 65536)[nxt]
    if targets.strings:
        hit |= (ops == CONST_STRING) & _table(targets.strings, 65536)[nxt]
        jumbo = np.nonzero(ops == CONST_STRING_JUMBO)[0]
        if len(jumbo):
            idx = units[jumbo + 1].astype(np.uint32) | (units[jumbo + 2].astype(np.uint32) << 16)
            hit[jumbo[np.isin(idx, np.fromiter(targets.strings, dtype=np.uint32))]] = True
    pos = np.nonzero(hit)[0] * 2
    return [int(p) for p in pos if p >= HEADER_SIZE]


def candidate_methods(dex: DexFile, targets: Targets,
                      methods: Optional[list[CodeMethod]] = None) -> list[CodeMethod]:
    """Methods whose instructions may use a target id; only these are decoded (the decode
    confirms it is a real instruction, not data that looks like one)."""
    if not targets:
        return []
    positions = candidate_positions(dex.data, targets)
    if not positions:
        return []
    methods = methods if methods is not None else dex.code_methods()
    starts = [m.insns_off for m in methods]
    chosen: dict[int, CodeMethod] = {}
    for pos in positions:
        i = bisect.bisect_right(starts, pos) - 1
        if i >= 0:
            m = methods[i]
            if pos < m.insns_off + 2 * m.insns_units:
                chosen[id(m)] = m
    # code items never overlap in a real dex; overlapping ones would make decoding quadratic
    if sum(2 * m.insns_units for m in chosen.values()) > len(dex.data):
        raise DexError("code items overlap (corrupt or hostile dex)")
    return sorted(chosen.values(), key=lambda m: m.insns_off)
