"""Each pattern detector: true values are found, near misses stay silent."""
import pytest

from privascope.traffic import detectors as d
from privascope.traffic.checksums import gb11643_check_char, luhn_ok, plausible_birth_date
from privascope.traffic.fragments import Fragment, FragmentIndex
from tests.traffic.values import (
    BANK_CARD, BANK_CARD_BAD, EMAIL, ID_CARD, ID_CARD_BAD, IMEI, IMEI_BAD_LUHN, IMSI, LAT, LON,
    MAC, OAID, PHONE,
)


def found(detector, text, key=None):
    return [h.value for h in detector.scan(Fragment("body", key, text))]


CASES = [
    # detector, text, key, expected value (None = must stay silent)
    (d.ImeiDetector(), f"imei={IMEI}", None, IMEI),
    (d.ImeiDetector(), f"imei={IMEI_BAD_LUHN}", None, None),
    (d.ImeiDetector(), f"n=1{IMEI}", None, None),  # inside a longer number
    (d.ImeiDetector(), "ts=172887200012345", None, None),  # 15-digit counter, bad reporting body
    (d.MeidDetector(), "A1000049B2C3D4", "meid", "A1000049B2C3D4"),
    (d.MeidDetector(), "A1000049B2C3D4", "color", None),  # hex without an id-like key
    (d.MeidDetector(), "1F000049B2C3D4", "meid", None),  # first octet below A0
    (d.ImsiDetector(), f"imsi:{IMSI}", None, IMSI),
    (d.ImsiDetector(), "imsi:460991234567890", None, None),  # MNC 99 not allocated
    (d.ImsiDetector(), "imsi:310260123456789", None, None),  # not mainland China
    (d.ChineseIdCardDetector(), f"id={ID_CARD}", None, ID_CARD),
    (d.ChineseIdCardDetector(), f"id={ID_CARD_BAD}", None, None),  # wrong check digit
    (d.ChineseIdCardDetector(), "id=110105199013071234", None, None),  # month 13
    (d.CnMobileDetector(), f"phone={PHONE}", None, PHONE),
    (d.CnMobileDetector(), f"tel=+86 {PHONE}", None, PHONE),
    (d.CnMobileDetector(), f"tel=86{PHONE}", None, PHONE),  # country code glued on
    (d.CnMobileDetector(), "t=1732872000123", None, None),  # millisecond timestamp
    (d.CnMobileDetector(), "v=12345678901", None, None),  # 12x is not a mobile segment
    (d.CnMobileDetector(), "x=3.13912345678", None, None),  # part of a decimal
    (d.CnMobileDetector(), "ab13912345678cd", None, None),  # inside a token
    (d.EmailDetector(), f"mail={EMAIL}", None, EMAIL),
    (d.EmailDetector(), "src=icon@2x.png", None, None),
    (d.EmailDetector(), "user@localhost", None, None),
    (d.MacDetector(), f"mac={MAC}", None, MAC),
    (d.MacDetector(), f"mac={MAC.upper().replace(':', '-')}", None, MAC.upper().replace(":", "-")),
    (d.MacDetector(), "mac=02:00:00:00:00:00", None, None),  # Android's placeholder
    (d.MacDetector(), "mac=01:00:5e:00:00:fb", None, None),  # multicast
    (d.MacDetector(), "t=12:30:45:00:11:22:33", None, None),  # longer than a MAC
    (d.BankCardDetector(), f"card={BANK_CARD}", None, BANK_CARD),
    (d.BankCardDetector(), f"card={BANK_CARD_BAD}", None, None),
    (d.BankCardDetector(), "n=9999999999999999995", None, None),  # Luhn-valid, no issuer
    (d.AdvertisingIdDetector(), OAID, "gaid", OAID),
    (d.AdvertisingIdDetector(), f'{{"adid":"{OAID}"}}', None, OAID),
    (d.AdvertisingIdDetector(), OAID, "request_id", None),  # a UUID is not always an ad id
    (d.AdvertisingIdDetector(), "00000000-0000-0000-0000-000000000000", "gaid", None),
    (d.OaidDetector(), "0f9e8d7c6b5a4938", "oaid", "0f9e8d7c6b5a4938"),
    (d.OaidDetector(), "0f9e8d7c6b5a4938", "trace", None),
    (d.GpsPairDetector(), f"loc={LON},{LAT}", None, f"{LON},{LAT}"),
    (d.GpsPairDetector(), "loc=116.4,39.9", None, None),  # city-level precision
    (d.GpsPairDetector(), "v=1.2.3.4", None, None),  # a version string
    (d.GpsPairDetector(), "loc=123.456789,200.123456", None, None),  # out of range both ways
]


@pytest.mark.parametrize("detector,text,key,expected", CASES,
                         ids=[f"{c[0].id}-{i}" for i, c in enumerate(CASES)])
def test_detector_case(detector, text, key, expected):
    hits = found(detector, text, key)
    assert hits == ([expected] if expected else [])


def test_segment_173_is_valid_but_not_when_embedded():
    # 173xxxxxxxx is a real segment: a lone 11-digit 173 number is a phone number ...
    assert found(d.CnMobileDetector(), "phone=17328720001") == ["17328720001"]
    # ... but the same digits inside a 13-digit timestamp are not.
    assert found(d.CnMobileDetector(), "t=1732872000123") == []


def test_keyed_coordinate_pairs():
    frags = [Fragment("body", "lat", LAT, "$"), Fragment("body", "lng", LON, "$"),
             Fragment("body", "lat", "39.9", "$.1"), Fragment("body", "lng", "116.4", "$.1"),
             Fragment("query", "latitude", LAT, "query"), Fragment("body", "longitude", LON, "$.2")]
    hits = list(d.GpsPairDetector().scan_index(FragmentIndex(frags)))
    # only the precise pair in one object; fields of different objects do not pair
    assert [h.value for h in hits] == [f"{LAT},{LON}"]


def test_coordinate_list_under_a_location_key():
    frags = [Fragment("body", "coordinates", LON, "$[]"), Fragment("body", "coordinates", LAT, "$[]")]
    assert len(list(d.GpsPairDetector().scan_index(FragmentIndex(frags)))) == 1
    frags = [Fragment("body", "scores", LON, "$[]"), Fragment("body", "scores", LAT, "$[]")]
    assert list(d.GpsPairDetector().scan_index(FragmentIndex(frags))) == []


def test_detectors_have_unique_ids_and_catalog_pi_types(catalog):
    ids = [det.id for det in d.default_detectors()]
    assert len(ids) == len(set(ids)) and "known" not in ids
    for det in d.default_detectors():
        assert det.pi_type in catalog.pi_types, f"{det.id}: {det.pi_type} not in pi_types.yaml"


def test_checksums():
    assert luhn_ok(IMEI) and not luhn_ok(IMEI_BAD_LUHN) and not luhn_ok("12a4")
    assert gb11643_check_char("11010519491231002") == "X"  # the standard's worked example
    assert plausible_birth_date("19900307") and not plausible_birth_date("19900230")
    assert not plausible_birth_date("21000101")
