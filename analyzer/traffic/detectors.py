"""Pattern detectors: personal data found by shape + validator when no known value exists.

Each detector is a small class with a stable `id` (reported as PIMatch.detector), the catalog
PI type it finds, a regex that proposes candidates and `valid()` that rejects near misses
(Luhn, GB 11643 check digit, ranges). The number detectors (IMEI, IMSI, ID card, mobile, bank
card) share one pass that finds digit runs. Detectors that need a telling field name (MEID,
advertising id, OAID) are skipped unless the request has such a key. `detectors_for(catalog)`
builds them all; the tables they check against (IMEI reporting bodies, MNCs, mobile number
segments, card issuer ranges, placeholder values) are catalog data (telecom.yaml, pi_types.yaml).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

from privascope.catalog import Catalog, load_catalog
from privascope.traffic.checksums import gb11643_check_char, luhn_ok, plausible_birth_date
from privascope.traffic.fragments import Fragment, FragmentIndex

# Not part of a longer token: a digit run inside a longer number or an identifier is not PI.
_NB = r"(?<![0-9A-Za-z])"
_NA = r"(?![0-9A-Za-z])"


@dataclass(frozen=True)
class Hit:
    detector: str
    pi_type: str
    value: str  # the matched text: masked/digested by the caller, never stored raw
    fragment: Fragment


class Detector:
    id: str = ""
    pi_type: str = ""
    pattern: re.Pattern = re.compile(r"(?!x)x")
    # Fragment keys that make a candidate credible (None = any key).
    key_pattern: Optional[re.Pattern] = None

    def __init__(self, catalog: Optional[Catalog] = None):
        # the default catalog when none is given (tests, one-off scans)
        self.catalog = catalog if catalog is not None else load_catalog()
        telecom = self.catalog.telecom
        assert telecom is not None, "load_catalog() always sets telecom"
        self.telecom = telecom

    def is_placeholder(self, value: str) -> bool:
        """A value the catalog lists as a placeholder of this detector's PI type."""
        t = self.catalog.pi_types.get(self.pi_type)
        return t is not None and t.is_placeholder(value)

    def valid(self, candidate: str) -> bool:
        return True

    def key_ok(self, fragment: Fragment, start: int) -> bool:
        if self.key_pattern is None:
            return True
        if fragment.key and self.key_pattern.search(fragment.key):
            return True
        # Unstructured text: "oaid=...", '"oaid":"...' just before the candidate.
        before = fragment.text[max(0, start - 40):start]
        m = re.search(r"([A-Za-z_][\w.-]{0,30})[\"']?\s*[:=]\s*[\"']?$", before)
        return bool(m and self.key_pattern.search(m.group(1)))

    def scan(self, fragment: Fragment) -> Iterator[Hit]:
        """One fragment (tests, small inputs)."""
        return self.scan_index(FragmentIndex([fragment]))

    def worth_scanning(self, index: FragmentIndex) -> bool:
        """A cheap test that lets a request skip this detector's regex pass entirely."""
        if self.key_pattern is None:
            return True
        return any(self._key_matches(k) for k in index.keys) \
            or bool(self.key_pattern.search(index.unkeyed_text))

    @functools.lru_cache(maxsize=4096)  # noqa: B019  (bounded; detectors live as long as the process)
    def _key_matches(self, key: str) -> bool:  # keys repeat across requests: cache the answer
        assert self.key_pattern is not None  # worth_scanning asks only a detector with one
        return bool(self.key_pattern.search(key))

    def scan_index(self, index: FragmentIndex) -> Iterator[Hit]:
        """One regex pass over all fragments of a request (joined by a separator no pattern
        crosses); only candidates are mapped back to their fragment."""
        if not self.worth_scanning(index):
            return
        for m in self.pattern.finditer(index.text):
            value = m.group(0)
            if not self.valid(value):
                continue
            fragment, start = index.locate(m.start())
            if self.key_ok(fragment, start):
                yield Hit(self.id, self.pi_type, value, fragment)


class DigitRunDetector(Detector):
    """Numbers (IMEI, IMSI, ID card, phone, bank card) share one pass that finds every run of
    11+ digits; each detector then looks at runs of its lengths."""

    lengths: frozenset = frozenset()

    def candidate(self, run: str) -> Optional[str]:
        """The value this detector reads in a whole digit run, or None."""
        return run if len(run) in self.lengths and self.valid(run) else None

    def scan_index(self, index: FragmentIndex) -> Iterator[Hit]:
        return scan_digit_runs(index, (self,))


# A maximal run of digits (an ID card number may end in X), not part of a longer token
# (letters/digits around it) nor the fraction of a decimal.
_DIGIT_RUN = re.compile(r"(?<![0-9A-Za-z.])\d{11,}[Xx]?(?![0-9A-Za-z]|\.\d)")


def scan_digit_runs(index: FragmentIndex, detectors) -> Iterator[Hit]:
    for m in _DIGIT_RUN.finditer(index.text):
        run = m.group(0)
        for d in detectors:
            value = d.candidate(run)
            if value is not None:
                fragment, start = index.locate(m.start())
                if d.key_ok(fragment, start):
                    yield Hit(d.id, d.pi_type, value, fragment)


class ImeiDetector(DigitRunDetector):
    id = "imei"
    pi_type = "device.imei"
    lengths = frozenset({15})

    def valid(self, c: str) -> bool:
        # the first two digits of a real TAC are a GSMA reporting body
        return c[:2] in self.telecom.imei_reporting_bodies and luhn_ok(c) and len(set(c)) > 3


class MeidDetector(Detector):
    """MEID: 14 hex digits, first two in A0-FF. Hex ids are common, so a key must say so."""

    id = "meid"
    pi_type = "device.meid"
    pattern = re.compile(_NB + r"[A-Fa-f][0-9A-Fa-f]{13}" + _NA)
    key_pattern = re.compile(r"meid|imei|device_?id", re.I)

    def valid(self, c: str) -> bool:
        return int(c[:2], 16) >= 0xA0 and any(ch.isdigit() for ch in c)


class ImsiDetector(DigitRunDetector):
    id = "imsi"
    pi_type = "device.imsi"
    lengths = frozenset({15})

    def valid(self, c: str) -> bool:
        t = self.telecom
        return c[:3] == t.imsi_mcc and c[3:5] in t.imsi_mncs and len(set(c[5:])) > 2


class ChineseIdCardDetector(DigitRunDetector):
    id = "cn_id_card"
    pi_type = "id_card_number"
    lengths = frozenset({18})

    def valid(self, c: str) -> bool:
        return (c[0] in "12345678" and c[:17].isdigit() and plausible_birth_date(c[6:14])
                and gb11643_check_char(c[:17]) == c[17].upper())


class CnMobileDetector(DigitRunDetector):
    """11 digits in an allocated segment; also with the country code glued on (8613..., 008613...).
    "+86 139..." is found as its 11-digit run."""

    id = "cn_mobile"
    pi_type = "phone_number"

    def candidate(self, run: str) -> Optional[str]:
        cc = self.telecom.mobile_country_code
        if len(run) == 11 + len(cc) and run.startswith(cc) \
                or len(run) == 13 + len(cc) and run.startswith("00" + cc):
            run = run[-11:]
        return run if len(run) == 11 and self.valid(run) else None

    def valid(self, c: str) -> bool:
        return c.isdigit() and c[:3] in self.telecom.mobile_prefixes and len(set(c[3:])) > 1


# File names look like e-mail addresses ("icon@2x.png"): not a top-level domain.
_NOT_TLDS = {"png", "jpg", "jpeg", "gif", "webp", "svg", "js", "css", "html", "json", "xml",
             "so", "dex", "apk", "mp4", "mp3"}


class EmailDetector(Detector):
    id = "email"
    pi_type = "email"
    pattern = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
                         r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])")

    def worth_scanning(self, index: FragmentIndex) -> bool:
        return "@" in index.text

    def valid(self, c: str) -> bool:
        local, _, domain = c.rpartition("@")
        tld = domain.rsplit(".", 1)[-1].lower()
        return tld not in _NOT_TLDS and ".." not in local


class MacDetector(Detector):
    id = "mac"
    pi_type = "device.mac"
    # not a slice of a longer colon/dash run (times, IPv6, longer hardware ids)
    pattern = re.compile(r"(?<![0-9A-Za-z])(?<![0-9A-Fa-f][:-])[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}"
                         r"[0-9A-Fa-f]{2}(?![0-9A-Za-z]|[:-][0-9A-Fa-f])")

    def worth_scanning(self, index: FragmentIndex) -> bool:
        return ":" in index.text or "-" in index.text

    def valid(self, c: str) -> bool:
        # A multicast bit set means a group address, not a device.
        return not self.is_placeholder(c) and int(c[:2], 16) & 1 == 0


class BankCardDetector(DigitRunDetector):
    id = "bank_card"
    pi_type = "bank_card"
    lengths = frozenset(range(16, 20))

    def valid(self, c: str) -> bool:
        return (c.isdigit() and self.telecom.card_network(c) is not None and luhn_ok(c)
                and len(set(c)) > 3)


_UUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"


class AdvertisingIdDetector(Detector):
    """A UUID in a field named like an advertising id (GAID/AAID on Google Play devices)."""

    id = "advertising_id"
    pi_type = "device.gaid"
    pattern = re.compile(_NB + _UUID + _NA)
    key_pattern = re.compile(r"gaid|g_?adid|\badid\b|^adid|aaid|idfa|advertis|ad_?id$|googleadid", re.I)

    def valid(self, c: str) -> bool:
        return not self.is_placeholder(c)  # all zeros = limit-ad-tracking


class OaidDetector(AdvertisingIdDetector):
    """OAID (MSA, Chinese devices): a UUID or 16-64 hex digits in an oaid-named field."""

    id = "oaid"
    pi_type = "device.oaid"
    pattern = re.compile(_NB + r"(?:" + _UUID + r"|[0-9A-Fa-f]{16,64})" + _NA)
    key_pattern = re.compile(r"oaid", re.I)



_LAT_KEY = re.compile(r"^(lat|latitude|y|gps_?lat\w*|\w*_lat|\w*latitude)$", re.I)
_LON_KEY = re.compile(r"^(lng|lon|long|longitude|x|gps_?(lng|lon)\w*|\w*_(lng|lon)|\w*longitude)$", re.I)
_LOC_KEY = re.compile(r"loc|gps|coord|position|geo|lnglat|latlng", re.I)
MIN_DECIMALS = 4  # ~11 m: below that a coordinate is a city, not a person's position
# A precise decimal number (not the tail of a version string: checked by the caller).
_DECIMAL = re.compile(r"-?\d{1,3}\.\d{%d,}(?![\d.])" % MIN_DECIMALS)
_NUMBERISH = set("0123456789.")
_PAIR_GAP = re.compile(r"\s*[,;| ]\s*")


def _lat_lon_ok(lat: float, lon: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lon <= 180 and not (abs(lat) < 1 and abs(lon) < 1)


class GpsPairDetector(Detector):
    """A latitude and a longitude near each other: two keyed fields of one object/form, or an
    adjacent "lat,lon" / "lon,lat" pair in one value (AMap and Baidu send lon first)."""

    id = "gps_pair"
    pi_type = "location.precise"

    def scan_index(self, index: FragmentIndex) -> Iterator[Hit]:
        text = index.text
        decimals = [m for m in _DECIMAL.finditer(text)
                    if not (m.start() and text[m.start() - 1] in _NUMBERISH)]
        yield from self._adjacent_pairs(index, decimals)
        yield from self._keyed_pairs(index, decimals)

    def _adjacent_pairs(self, index: FragmentIndex, decimals) -> Iterator[Hit]:
        text = index.text
        for m1, m2 in zip(decimals, decimals[1:]):
            gap = text[m1.end():m2.start()]
            if len(gap) > 3 or not _PAIR_GAP.fullmatch(gap):
                continue
            a, b = float(m1.group(0)), float(m2.group(0))
            if _lat_lon_ok(a, b) or _lat_lon_ok(b, a):
                yield Hit(self.id, self.pi_type, text[m1.start():m2.end()], index.locate(m1.start())[0])

    def _keyed_pairs(self, index: FragmentIndex, decimals) -> Iterator[Hit]:
        lats: dict[tuple, tuple[float, Fragment]] = {}
        lons: dict[tuple, tuple[float, Fragment]] = {}
        lists: dict[tuple, list[tuple[float, Fragment]]] = {}
        for m in decimals:
            f, start = index.locate(m.start())
            if not f.key or start != 0 or m.end() - m.start() != len(f.text):
                continue  # keyed pairs need the whole field to be the number
            value = float(m.group(0))
            where = (f.location, f.group, f.via)
            if _LAT_KEY.match(f.key):
                lats.setdefault(where, (value, f))
            elif _LON_KEY.match(f.key):
                lons.setdefault(where, (value, f))
            elif f.group.endswith("[]") and _LOC_KEY.search(f.key):
                lists.setdefault(where, []).append((value, f))
        for where, (lat, lat_f) in lats.items():
            if where in lons:
                lon, lon_f = lons[where]
                # x/y only count when the object is about a location.
                assert lat_f.key is not None  # only keyed fragments were collected above
                if lat_f.key.lower() == "y" and not _LOC_KEY.search(lat_f.group):
                    continue
                if _lat_lon_ok(lat, lon):
                    yield Hit(self.id, self.pi_type, f"{lat_f.text},{lon_f.text}", lat_f)
        # A list of two numbers under a location key: "coordinates": [116.39, 39.90]
        for items in lists.values():
            if len(items) == 2:
                (a, fa), (b, fb) = items
                if _lat_lon_ok(a, b) or _lat_lon_ok(b, a):
                    yield Hit(self.id, self.pi_type, f"{fa.text},{fb.text}", fa)


DETECTOR_CLASSES: tuple[type[Detector], ...] = (
    ImeiDetector, MeidDetector, ImsiDetector, ChineseIdCardDetector, CnMobileDetector,
    EmailDetector, MacDetector, BankCardDetector, AdvertisingIdDetector, OaidDetector,
    GpsPairDetector,
)


def detectors_for(catalog: Catalog) -> tuple[Detector, ...]:
    return tuple(cls(catalog) for cls in DETECTOR_CLASSES)


@functools.lru_cache(maxsize=1)
def default_detectors() -> tuple[Detector, ...]:
    """Every detector, on the default catalog."""
    return detectors_for(load_catalog())


def detect(index: FragmentIndex, detectors: Optional[Iterable[Detector]] = None) -> Iterator[Hit]:
    detectors = tuple(detectors) if detectors is not None else default_detectors()
    digit_runs = tuple(d for d in detectors if isinstance(d, DigitRunDetector))
    if digit_runs:
        yield from scan_digit_runs(index, digit_runs)  # one pass for all number detectors
    for d in detectors:
        if not isinstance(d, DigitRunDetector):
            yield from d.scan_index(index)
