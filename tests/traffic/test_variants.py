import base64
import hashlib
from urllib.parse import quote

from privascope.traffic.variants import NORMALIZERS, expand
from tests.traffic.values import IMEI, MAC


def _texts(variants):
    return {v.text: v.encoding for v in variants}


def test_every_encoding_of_a_value_is_present():
    got = _texts(expand(IMEI))
    data = IMEI.encode()
    assert got[IMEI] == "raw"
    assert got[base64.b64encode(data).decode()] == "base64"
    assert got[data.hex()] == "hex"
    for name in ("md5", "sha1", "sha256"):
        h = hashlib.new(name, data).hexdigest()
        assert got[h] == name and got[h.upper()] == name


def test_case_url_and_urlsafe_base64_variants():
    value = "Ab+/c?d=e&f~~g"
    got = _texts(expand(value))
    assert got["AB+/C?D=E&F~~G"] == "upper" and got["ab+/c?d=e&f~~g"] == "lower"
    assert got[quote(value, safe="")] == "url"
    b64u = base64.urlsafe_b64encode(value.encode()).decode()
    assert got[b64u] == "base64url" or got[b64u.rstrip("=")] == "base64url"
    unpadded = base64.b64encode(value.encode()).decode().rstrip("=")
    assert unpadded in got


def test_normal_forms_add_their_own_hashes():
    got = _texts(expand(MAC, ("no_separators", "upper")))
    flat = MAC.replace(":", "")
    assert got[flat] == "raw(no_separators)"
    assert got[hashlib.md5(flat.encode()).hexdigest()] == "md5(no_separators)"
    assert got[hashlib.sha1(MAC.upper().encode()).hexdigest()] == "sha1(upper)"
    # unknown normal forms are ignored, not fatal
    assert _texts(expand(MAC, ("no_such_form",))) == _texts(expand(MAC))


def test_variants_are_distinct_and_not_too_short():
    variants = expand(IMEI)
    assert len({v.text for v in variants}) == len(variants)
    short = _texts(expand("abc", min_length=6))
    assert "abc" not in short and "YWJj" not in short  # too short to search for
    assert all(len(t) >= 6 for t in short) and "616263" in short


def test_catalog_normal_forms_are_known(catalog):
    """Every `normalize` name the catalog uses must be one the matcher can apply."""
    for pi in catalog.pi_types.values():
        for form in pi.normalize:
            assert form in NORMALIZERS, f"{pi.id}: normal form {form!r} unknown to the matcher"


def test_catalog_encoding_chains():
    from privascope.traffic.variants import apply_chain

    digest = hashlib.md5(IMEI.encode()).digest()
    assert apply_chain(IMEI, "md5_bytes>base64") == base64.b64encode(digest).decode()
    assert apply_chain(IMEI, "md5>md5") == hashlib.md5(hashlib.md5(IMEI.encode()).hexdigest().encode()).hexdigest()
    bare_upper = MAC.replace(":", "").upper()
    assert apply_chain(MAC, "no_separators>upper>sha1") == hashlib.sha1(bare_upper.encode()).hexdigest()
    chained = {v.text: v.encoding for v in expand(IMEI, (), 6, ("md5_bytes>base64",))}
    padded = base64.b64encode(digest).decode()
    assert chained[padded] == "md5_bytes>base64" and chained[padded.rstrip("=")] == "md5_bytes>base64"
    assert padded not in {v.text for v in expand(IMEI)}  # only when the catalog asks for it


def test_every_chain_step_the_catalog_allows_is_implemented(catalog):
    from privascope.catalog import CHAIN_BYTES_STEPS, CHAIN_TEXT_STEPS
    from privascope.traffic.variants import apply_chain

    for step in CHAIN_TEXT_STEPS:
        assert isinstance(apply_chain(MAC, step), str)
    for step in CHAIN_BYTES_STEPS:
        assert isinstance(apply_chain(MAC, f"{step}>hex"), str)
    for pi in catalog.pi_types.values():
        for chain in pi.combinations:
            assert apply_chain(MAC, chain)
