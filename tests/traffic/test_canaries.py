import hashlib
import os
import threading

import pytest

from privascope.traffic.canaries import CanaryStore, KnownValueError, file_permission_warning
from tests.traffic.values import ANDROID_ID, IMEI, MAC


def _hits(store, text):
    return [(h.canary.pi_type, h.encoding, text[h.start:h.end]) for h in store.scan(text)]


def test_finds_all_canaries_in_one_pass():
    store = CanaryStore()
    store.add("device.imei", IMEI, "rt-1")
    store.add("device.android_id", ANDROID_ID)
    md5 = hashlib.md5(IMEI.encode()).hexdigest()
    hits = _hits(store, f"a={md5}&b={ANDROID_ID.upper()}")
    assert ("device.imei", "md5", md5) in hits
    assert ("device.android_id", "upper", ANDROID_ID.upper()) in hits


def test_short_placeholder_and_duplicate_values_are_not_canaries(catalog):
    store = CanaryStore.for_catalog(catalog)
    assert store.add("device.imei", "0") is None
    assert store.add("device.mac", "02:00:00:00:00:00") is None  # Android's fake MAC
    assert store.add("device.mac", "02-00-00-00-00-00") is None  # any separator
    assert store.add("device.android_id", "9774D56D682E549C") is None  # the buggy Android 2.2 id
    assert store.add("device.serial", "UNKNOWN") is None  # placeholders of every type
    assert store.add("device.imei", IMEI, "rt-1") is not None
    assert store.add("device.imei", IMEI, "rt-2") is None
    assert len(store) == 1 and store.canaries()[0].source == "rt-1"
    # a placeholder of one type may be a value of another: the lists are per PI type
    assert store.add("device.imei", "00000000-0000-0000-0000-000000000000") is not None


def test_digit_value_inside_a_longer_number_is_not_a_hit():
    store = CanaryStore()
    store.add("device.imei", IMEI)
    assert _hits(store, f"x=9{IMEI}") == []
    assert _hits(store, f"x={IMEI}1") == []
    assert len(_hits(store, f"x={IMEI}&")) == 1


def test_automaton_rebuilt_only_when_values_change():
    store = CanaryStore()
    store.add("device.imei", IMEI)
    list(store.scan("warm up the automaton"))
    first = store._current_automaton()
    list(store.scan("another flow"))
    assert store._current_automaton() is first  # not rebuilt per flow
    store.add("device.android_id", ANDROID_ID)
    assert store._current_automaton() is not first
    assert _hits(store, ANDROID_ID)


def test_values_added_live_from_another_thread_are_found():
    store = CanaryStore()
    values = [f"value-{i:04d}-xyz" for i in range(200)]

    def feed():
        for v in values:
            store.add("device.serial", v)

    threads = [threading.Thread(target=feed) for _ in range(3)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        list(store.scan(" ".join(values[:5])))  # scanning while values arrive must not fail
    for t in threads:
        t.join()
    assert len(store) == 200
    assert len(_hits(store, " ".join(values))) >= 200


def test_known_specs_and_files(tmp_path):
    store = CanaryStore()
    store.add_known_spec(f"device.imei={IMEI}")
    with pytest.raises(KnownValueError, match="pi_type=value"):
        store.add_known_spec("no equals sign here")
    f = tmp_path / "known.txt"
    f.write_text(f"# test values\n\ndevice.android_id={ANDROID_ID}\ndevice.mac = {MAC}\n")
    os.chmod(f, 0o600)
    assert store.load_file(f) == 2
    assert file_permission_warning(f) is None
    os.chmod(f, 0o644)
    assert "readable by other users" in file_permission_warning(f)
    bad = tmp_path / "bad.txt"
    bad.write_text("device.imei\n")
    with pytest.raises(KnownValueError, match=r"bad.txt:1"):
        store.load_file(bad)
    with pytest.raises(KnownValueError, match="cannot read"):
        store.load_file(tmp_path / "missing.txt")


def test_catalog_normal_forms_are_used(catalog):
    """MAC addresses are sent without colons and hashed: the catalog says so, the store uses it."""
    assert "no_separators" in catalog.pi_types["device.mac"].normalize
    store = CanaryStore.for_catalog(catalog)
    store.add("device.mac", MAC)
    flat_md5 = hashlib.md5(MAC.replace(":", "").encode()).hexdigest()
    assert _hits(store, f"m={flat_md5}") == [("device.mac", "md5(no_separators)", flat_md5)]


def test_user_types_are_checked_against_the_catalog(catalog):
    store = CanaryStore.for_catalog(catalog)
    store.add_known_spec(f"imei={IMEI}")  # short form of device.imei
    assert [c.pi_type for c in store.canaries()] == ["device.imei"]
    with pytest.raises(KnownValueError, match="unknown PI type 'shoe_size'"):
        store.add_known_spec("shoe_size=4242424242")


def test_from_user_specs_and_files(tmp_path, catalog):
    f = tmp_path / "k.txt"
    f.write_text(f"android_id={ANDROID_ID}\n")
    store = CanaryStore.from_user(catalog, [f"imei={IMEI}"], [f])
    assert sorted(c.pi_type for c in store.canaries()) == ["device.android_id", "device.imei"]


def test_catalog_chains_are_searched(catalog):
    import base64

    store = CanaryStore.for_catalog(catalog)
    store.add("device.imei", IMEI, "rt-1")
    b64_digest = base64.b64encode(hashlib.md5(IMEI.encode()).digest()).decode()
    hits = _hits(store, f'{{"sign":"{b64_digest}"}}')
    assert ("device.imei", "md5_bytes>base64", b64_digest) in hits
