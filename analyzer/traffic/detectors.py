"""Pattern detectors: personal data found by shape + validator when no known value exists.

Each detector is a small class with a stable `id` (reported as PIMatch.detector), the catalog
PI type it finds, a regex that proposes candidates and `valid()` that rejects near misses
(Luhn, GB 11643 check digit, ranges). `DETECTORS` lists them explicitly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional, Sequence

from analyzer.traffic.checksums import gb11643_check_char, luhn_ok, plausible_birth_date
from analyzer.traffic.fragments import Fragment

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

    def candidates(self, fragment: Fragment) -> Iterator[tuple[str, int]]:
        for m in self.pattern.finditer(fragment.text):
            yield m.group(0), m.start()

    def scan(self, fragment: Fragment) -> Iterator[Hit]:
        for value, start in self.candidates(fragment):
            if self.valid(value) and self.key_ok(fragment, start):
                yield Hit(self.id, self.pi_type, value, fragment)

    def scan_request(self, fragments: Sequence[Fragment]) -> Iterator[Hit]:
        """Detectors that need several fragments at once (coordinate pairs) override this."""
        return iter(())


# GSMA reporting-body identifiers: the first two digits of a real TAC.
_IMEI_RBI = {"00", "01", "10", "30", "33", "35", "44", "45", "49", "50", "51", "52", "53",
             "54", "86", "91", "98", "99"}


class ImeiDetector(Detector):
    id = "imei"
    pi_type = "device.imei"
    pattern = re.compile(_NB + r"\d{15}" + _NA)

    def valid(self, c: str) -> bool:
        return c[:2] in _IMEI_RBI and luhn_ok(c) and len(set(c)) > 3


class MeidDetector(Detector):
    """MEID: 14 hex digits, first two in A0-FF. Hex ids are common, so a key must say so."""

    id = "meid"
    pi_type = "device.meid"
    pattern = re.compile(_NB + r"[A-Fa-f][0-9A-Fa-f]{13}" + _NA)
    key_pattern = re.compile(r"meid|imei|device_?id", re.I)

    def valid(self, c: str) -> bool:
        return int(c[:2], 16) >= 0xA0 and any(ch.isdigit() for ch in c)


# MCC 460 (mainland China) mobile network codes in use (ITU-T E.212 list).
_CN_MNC = {"00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "11", "15", "20"}


class ImsiDetector(Detector):
    id = "imsi"
    pi_type = "device.imsi"
    pattern = re.compile(_NB + r"460\d{12}" + _NA)

    def valid(self, c: str) -> bool:
        return c[3:5] in _CN_MNC and len(set(c[5:])) > 2


class ChineseIdCardDetector(Detector):
    id = "cn_id_card"
    pi_type = "id_card_number"
    pattern = re.compile(_NB + r"[1-8]\d{5}(?:18|19|20)\d{2}[01]\d[0-3]\d{4}[\dXx]" + _NA)

    def valid(self, c: str) -> bool:
        return plausible_birth_date(c[6:14]) and gb11643_check_char(c[:17]) == c[17].upper()


# Mainland mobile number segments (the first three digits) allocated by MIIT.
_CN_MOBILE_PREFIXES = {str(p) for p in range(130, 140)} | {
    "145", "146", "147", "148", "149", "150", "151", "152", "153", "155", "156", "157", "158",
    "159", "162", "165", "166", "167", "170", "171", "172", "173", "174", "175", "176", "177",
    "178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "190", "191",
    "192", "193", "195", "196", "197", "198", "199"}


class CnMobileDetector(Detector):
    id = "cn_mobile"
    pi_type = "phone_number"
    # An optional +86/0086 prefix; never a slice of a longer number or a decimal.
    pattern = re.compile(r"(?<![0-9A-Za-z.])(?:(?:\+|00)86[- ]?)?1[3-9]\d{9}(?![0-9A-Za-z]|\.\d)")

    def valid(self, c: str) -> bool:
        digits = c[-11:]
        return digits[:3] in _CN_MOBILE_PREFIXES and len(set(digits[3:])) > 1


# File names look like e-mail addresses ("icon@2x.png"): not a top-level domain.
_NOT_TLDS = {"png", "jpg", "jpeg", "gif", "webp", "svg", "js", "css", "html", "json", "xml",
             "so", "dex", "apk", "mp4", "mp3"}


class EmailDetector(Detector):
    id = "email"
    pi_type = "email"
    pattern = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
                         r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])")

    def valid(self, c: str) -> bool:
        local, _, domain = c.rpartition("@")
        tld = domain.rsplit(".", 1)[-1].lower()
        return tld not in _NOT_TLDS and ".." not in local


_MAC_NOT_PI = {"000000000000", "ffffffffffff", "020000000000"}  # 02:00:.. = Android's fake MAC


class MacDetector(Detector):
    id = "mac"
    pi_type = "device.mac"
    # not a slice of a longer colon/dash run (times, IPv6, longer hardware ids)
    pattern = re.compile(r"(?<![0-9A-Za-z])(?<![0-9A-Fa-f][:-])[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}"
                         r"[0-9A-Fa-f]{2}(?![0-9A-Za-z]|[:-][0-9A-Fa-f])")

    def valid(self, c: str) -> bool:
        flat = re.sub(r"[:-]", "", c).lower()
        # A multicast bit set means a group address, not a device.
        return flat not in _MAC_NOT_PI and int(flat[:2], 16) & 1 == 0


def _card_bin_ok(n: str) -> bool:
    if n[0] == "4":  # Visa
        return True
    if n[:2] == "62" or n[:2] in ("81",):  # UnionPay (62, and 81 for newer domestic cards)
        return True
    if "51" <= n[:2] <= "55" or "2221" <= n[:4] <= "2720":  # Mastercard
        return True
    if "3528" <= n[:4] <= "3589" or n[:4] == "6011" or n[:2] == "65":  # JCB, Discover
        return True
    return False


class BankCardDetector(Detector):
    id = "bank_card"
    pi_type = "bank_card"
    pattern = re.compile(_NB + r"\d{16,19}" + _NA)

    def valid(self, c: str) -> bool:
        return _card_bin_ok(c) and luhn_ok(c) and len(set(c)) > 3


_UUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"


class AdvertisingIdDetector(Detector):
    """A UUID in a field named like an advertising id (GAID/AAID on Google Play devices)."""

    id = "advertising_id"
    pi_type = "device.gaid"
    pattern = re.compile(_NB + _UUID + _NA)
    key_pattern = re.compile(r"gaid|g_?adid|\badid\b|^adid|aaid|idfa|advertis|ad_?id$|googleadid", re.I)

    def valid(self, c: str) -> bool:
        return c.strip("0-") != ""  # all zeros = limit-ad-tracking placeholder


class OaidDetector(AdvertisingIdDetector):
    """OAID (MSA, Chinese devices): a UUID or 16-64 hex digits in an oaid-named field."""

    id = "oaid"
    pi_type = "device.oaid"
    pattern = re.compile(_NB + r"(?:" + _UUID + r"|[0-9A-Fa-f]{16,64})" + _NA)
    key_pattern = re.compile(r"oaid", re.I)

    def valid(self, c: str) -> bool:
        return c.strip("0-") != ""


_LAT_KEY = re.compile(r"^(lat|latitude|y|gps_?lat\w*|\w*_lat|\w*latitude)$", re.I)
_LON_KEY = re.compile(r"^(lng|lon|long|longitude|x|gps_?(lng|lon)\w*|\w*_(lng|lon)|\w*longitude)$", re.I)
_LOC_KEY = re.compile(r"loc|gps|coord|position|geo|lnglat|latlng", re.I)
_COORD = re.compile(r"^-?\d{1,3}\.(\d+)$")
_PAIR = re.compile(r"(?<![\d.])(-?\d{1,3}\.\d{4,})\s*[,;| ]\s*(-?\d{1,3}\.\d{4,})(?![\d.])")
MIN_DECIMALS = 4  # ~11 m: below that a coordinate is a city, not a person's position


def _coord(text: str) -> Optional[float]:
    m = _COORD.match(text.strip())
    if not m or len(m.group(1)) < MIN_DECIMALS:
        return None
    return float(text)


def _lat_lon_ok(lat: float, lon: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lon <= 180 and not (abs(lat) < 1 and abs(lon) < 1)


class GpsPairDetector(Detector):
    """A latitude and a longitude near each other: two keyed fields of one object/form, or an
    adjacent "lat,lon" / "lon,lat" pair in one value (AMap and Baidu send lon first)."""

    id = "gps_pair"
    pi_type = "location.precise"

    def scan(self, fragment: Fragment) -> Iterator[Hit]:
        for m in _PAIR.finditer(fragment.text):
            a, b = float(m.group(1)), float(m.group(2))
            if _lat_lon_ok(a, b) or _lat_lon_ok(b, a):
                yield Hit(self.id, self.pi_type, m.group(0), fragment)

    def scan_request(self, fragments: Sequence[Fragment]) -> Iterator[Hit]:
        lats: dict[tuple, tuple[float, Fragment]] = {}
        lons: dict[tuple, tuple[float, Fragment]] = {}
        for f in fragments:
            if not f.key:
                continue
            value = _coord(f.text)
            if value is None:
                continue
            where = (f.location, f.group, f.via)
            if _LAT_KEY.match(f.key):
                lats.setdefault(where, (value, f))
            elif _LON_KEY.match(f.key):
                lons.setdefault(where, (value, f))
        for where, (lat, lat_f) in lats.items():
            if where in lons:
                lon, lon_f = lons[where]
                # x/y only count when the object is about a location.
                if lat_f.key.lower() == "y" and not _LOC_KEY.search(lat_f.group + (lat_f.key or "")):
                    continue
                if _lat_lon_ok(lat, lon):
                    yield Hit(self.id, self.pi_type, f"{lat_f.text},{lon_f.text}", lat_f)
        # A list of two numbers under a location key: "coordinates": [116.39, 39.90]
        lists: dict[tuple, list[Fragment]] = {}
        for f in fragments:
            if f.group.endswith("[]") and f.key and _LOC_KEY.search(f.key) and _coord(f.text) is not None:
                lists.setdefault((f.location, f.group, f.via), []).append(f)
        for items in lists.values():
            if len(items) == 2:
                a, b = (_coord(i.text) for i in items)
                if _lat_lon_ok(a, b) or _lat_lon_ok(b, a):
                    yield Hit(self.id, self.pi_type, f"{items[0].text},{items[1].text}", items[0])


DETECTORS: tuple[Detector, ...] = (
    ImeiDetector(), MeidDetector(), ImsiDetector(), ChineseIdCardDetector(), CnMobileDetector(),
    EmailDetector(), MacDetector(), BankCardDetector(), AdvertisingIdDetector(), OaidDetector(),
    GpsPairDetector(),
)


def detect(fragments: Sequence[Fragment], detectors: Iterable[Detector] = DETECTORS) -> Iterator[Hit]:
    detectors = tuple(detectors)
    for f in fragments:
        if len(f.text) < 6:
            continue
        for d in detectors:
            yield from d.scan(f)
    for d in detectors:
        yield from d.scan_request(fragments)
