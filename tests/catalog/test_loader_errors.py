"""The loader rejects broken catalogs with one clear line naming the file and the entry.

Each test copies the real catalog to tmp_path, breaks one thing, and loads that directory.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from privascope.catalog import (CATALOG_DIR, CatalogError, KeyArg, java_type_descriptor,
                                load_catalog)
from privascope.catalog.loading import FILES

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@pytest.fixture
def cat_dir(tmp_path: Path) -> Path:
    for path in CATALOG_DIR.glob("*.yaml"):  # every file, also ones other loaders read
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _edit(directory: Path, name: str, fn) -> None:
    path = directory / f"{name}.yaml"
    doc = yaml.load(path.read_bytes(), Loader=_LOADER)
    fn(doc)
    path.write_text(yaml.dump(doc, Dumper=_DUMPER, allow_unicode=True, sort_keys=False), "utf-8")


def _error(directory: Path) -> str:
    with pytest.raises(CatalogError) as info:
        load_catalog(str(directory))
    message = str(info.value)
    assert "\n" not in message  # one line, fit for a CLI error
    return message


def _api(doc, cls, member):
    return next(e for e in doc["apis"] if e["class"] == cls and e["member"] == member)


TM = "android.telephony.TelephonyManager"


def test_unchanged_copy_loads_with_same_fingerprint(cat_dir):
    copy = load_catalog(str(cat_dir))
    real = load_catalog()
    assert copy.fingerprint == real.fingerprint and len(copy.apis) == len(real.apis)
    (cat_dir / "packers.yaml").write_text(
        (cat_dir / "packers.yaml").read_text("utf-8") + "\n# touched\n", "utf-8")
    load_catalog.cache_clear()
    assert load_catalog(str(cat_dir)).fingerprint != real.fingerprint


def test_api_with_unknown_pi_type(cat_dir):
    _edit(cat_dir, "apis", lambda d: _api(d, TM, "getImei").update(pi_type="device.imeii"))
    msg = _error(cat_dir)
    assert "apis.yaml" in msg and f"{TM}.getImei" in msg and "'device.imeii'" in msg


def test_api_with_unknown_permission(cat_dir):
    _edit(cat_dir, "apis", lambda d: _api(d, TM, "getImei").update(
        permission="android.permission.READ_PHONE_STAT"))
    msg = _error(cat_dir)
    assert "apis.yaml" in msg and "getImei" in msg and "READ_PHONE_STAT'" in msg
    assert "not in permissions.yaml" in msg


def test_duplicate_api(cat_dir):
    _edit(cat_dir, "apis", lambda d: d["apis"].append(dict(_api(d, TM, "getMeid"), id="dup.meid")))
    msg = _error(cat_dir)
    assert "apis.yaml" in msg and "dup.meid" in msg and f"{TM}.getMeid" in msg


def test_duplicate_pi_type(cat_dir):
    _edit(cat_dir, "pi_types", lambda d: d["pi_types"].append(dict(d["pi_types"][0])))
    msg = _error(cat_dir)
    assert "pi_types.yaml" in msg and "duplicate" in msg and "'device.imei'" in msg


def test_permission_with_unknown_pi_type(cat_dir):
    _edit(cat_dir, "permissions", lambda d: d["permissions"][0].update(pi_types=["calender"]))
    msg = _error(cat_dir)
    assert "permissions.yaml" in msg and "READ_CALENDAR" in msg and "'calender'" in msg


def test_sdk_prefix_too_short(cat_dir):
    _edit(cat_dir, "sdks", lambda d: d["sdks"][0].update(prefixes=["com.a"]))
    msg = _error(cat_dir)
    sdk_id = yaml.load((cat_dir / "sdks.yaml").read_bytes(), Loader=_LOADER)["sdks"][0]["id"]
    assert "sdks.yaml" in msg and repr(sdk_id) in msg and "'com.a'" in msg


def test_sdk_bad_companion_prefix(cat_dir):
    _edit(cat_dir, "sdks", lambda d: d["sdks"][0].update(companion_prefixes=["aly"]))
    msg = _error(cat_dir)
    assert "sdks.yaml" in msg and "companion prefix 'aly'" in msg


def test_sdk_companion_prefix_claimed_twice(cat_dir):
    def edit(d):
        d["sdks"][0]["companion_prefixes"] = ["u.aly"]
        d["sdks"][1]["companion_prefixes"] = ["u.aly"]
    _edit(cat_dir, "sdks", edit)
    msg = _error(cat_dir)
    assert "sdks.yaml" in msg and "'u.aly'" in msg and "claimed by" in msg


def test_api_bad_strength(cat_dir):
    _edit(cat_dir, "apis", lambda d: d["apis"][0].update(strength="medium"))
    msg = _error(cat_dir)
    assert "apis.yaml" in msg and "strength 'medium'" in msg


@pytest.mark.parametrize("wrapper", ["com.example.Helper", "androidx.core.content",
                                     "androidx.core.telephony.TelephonyManagerCompat$Api26Impl"])
def test_library_wrapper_must_be_a_library_class(cat_dir, wrapper):
    # a class of app or SDK code is never a library wrapper: its sites are the finding
    _edit(cat_dir, "attribution", lambda d: d["library_wrappers"].append(wrapper))
    msg = _error(cat_dir)
    assert "attribution.yaml" in msg and f"library wrapper {wrapper!r}" in msg


def test_sdk_bad_host(cat_dir):
    _edit(cat_dir, "sdks", lambda d: d["sdks"][0].update(hosts=["https://Umeng.com/x"]))
    msg = _error(cat_dir)
    assert "sdks.yaml" in msg and "host 'https://Umeng.com/x'" in msg


@pytest.mark.parametrize("name,list_key", [
    ("pi_types", "pi_types"), ("permissions", "permissions"), ("apis", "apis"),
    ("sdks", "sdks"), ("clauses", "clauses"), ("packers", "packers"),
])
def test_unknown_key(cat_dir, name, list_key):
    _edit(cat_dir, name, lambda d: d[list_key][0].update(pi_typo="x"))
    msg = _error(cat_dir)
    assert f"{name}.yaml" in msg and "unknown keys ['pi_typo']" in msg


def test_unknown_top_level_key(cat_dir):
    _edit(cat_dir, "apis", lambda d: d.update(api=[]))
    assert "apis.yaml: unknown keys ['api']" in _error(cat_dir)


def test_key_arg_index_outside_overload(cat_dir):
    _edit(cat_dir, "apis", lambda d: _api(d, "android.provider.Settings$Secure", "getString")[
        "key_arg"].update(index=2))
    msg = _error(cat_dir)
    assert "Settings$Secure.getString" in msg and "key_arg index 2" in msg


def test_key_arg_needs_overloads(cat_dir):
    _edit(cat_dir, "apis", lambda d: _api(d, "android.provider.Settings$Secure", "getString")
          .pop("overloads"))
    assert "key_arg needs explicit overloads" in _error(cat_dir)


def test_key_arg_pi_type_must_be_a_key_value(cat_dir):
    _edit(cat_dir, "apis", lambda d: _api(d, "android.provider.Settings$Secure", "getString")
          .update(pi_type="device.imei"))
    assert "must be one of the key_arg PI types" in _error(cat_dir)


def test_key_required_without_key_arg(cat_dir):
    _edit(cat_dir, "apis", lambda d: _api(d, TM, "getImei").update(key_required=True))
    assert "key_required" in _error(cat_dir)


def test_capture_that_does_not_fit_the_kind(cat_dir):
    _edit(cat_dir, "apis", lambda d: _api(d, "android.os.Build", "SERIAL").update(capture="args"))
    msg = _error(cat_dir)
    assert "android.os.Build.SERIAL" in msg and "capture 'args'" in msg and "'field'" in msg


def test_bad_overload_type(cat_dir):
    _edit(cat_dir, "apis", lambda d: _api(d, "android.provider.Settings$Secure", "getString")
          .update(overloads=[["ContentResolver", "String"]]))
    assert "overload parameter 'ContentResolver'" in _error(cat_dir)


def test_constructor_member(cat_dir):
    _edit(cat_dir, "apis", lambda d: _api(d, "android.media.AudioRecord", "<init>")
          .update(member="$init"))
    assert "a constructor's member must be '<init>'" in _error(cat_dir)


def test_uri_format(cat_dir):
    def breaks(d):
        e = next(e for e in d["apis"] if e["kind"] == "uri")
        e.update(member="sms inbox")
    _edit(cat_dir, "apis", breaks)
    assert "is not a content:// URI" in _error(cat_dir)


def test_uri_needs_explicit_id(cat_dir):
    _edit(cat_dir, "apis", lambda d: next(e for e in d["apis"] if e["kind"] == "uri").pop("id"))
    assert "kind uri needs an explicit id" in _error(cat_dir)


def test_bad_data_safety_and_normal_form(cat_dir):
    _edit(cat_dir, "pi_types", lambda d: d["pi_types"][0].update(data_safety="device_ids"))
    assert "data_safety 'device_ids'" in _error(cat_dir)
    _edit(cat_dir, "pi_types", lambda d: d["pi_types"][0].update(
        data_safety="device_or_other_ids", normalize=["sha1"]))
    assert "pi_types.yaml[0] 'device.imei': normalize" in _error(cat_dir)


def test_clause_item_convention(cat_dir):
    _edit(cat_dir, "clauses", lambda d: d["clauses"].append(
        {"framework": "pipl", "item": "51", "title_zh": "安全措施", "title_en": "Security",
         "verified": False}))
    msg = _error(cat_dir)
    assert "clauses.yaml" in msg and "pipl/51" in msg and "convention" in msg


def test_clause_unknown_framework_and_duplicate(cat_dir):
    _edit(cat_dir, "clauses", lambda d: d["clauses"].append(dict(d["clauses"][0])))
    assert "cac191/1: duplicate clause" in _error(cat_dir)
    _edit(cat_dir, "clauses", lambda d: d["clauses"][-1].update(framework="gdpr"))
    assert "unknown framework 'gdpr'" in _error(cat_dir)


def test_packer_bad_regex_and_missing_source(cat_dir):
    _edit(cat_dir, "packers", lambda d: d["packers"][0]["files"].append("lib/(x"))
    msg = _error(cat_dir)
    assert "packers.yaml[0] 'jiagu360'" in msg and "bad file regex 'lib/(x'" in msg
    _edit(cat_dir, "packers", lambda d: (d["packers"][0]["files"].pop(),
                                         d["packers"][0].pop("source")))
    assert "packers.yaml[0] 'jiagu360': missing 'source'" in _error(cat_dir)


def test_missing_file_and_bad_yaml(cat_dir):
    (cat_dir / "clauses.yaml").write_text("version: 1\nclauses: [\n", "utf-8")
    msg = _error(cat_dir)
    assert "clauses.yaml: not valid YAML at line" in msg
    (cat_dir / "clauses.yaml").unlink()
    assert "clauses.yaml: missing catalog file" in _error(cat_dir)


def test_entry_that_is_not_a_mapping(cat_dir):
    _edit(cat_dir, "permissions", lambda d: d["permissions"].append("android.permission.X"))
    assert "permissions.yaml" in _error(cat_dir)


# ------------------------------------------------------------------ helpers


@pytest.mark.parametrize("java,desc", [
    ("int", "I"),
    ("java.lang.String", "Ljava/lang/String;"),
    ("java.lang.String[]", "[Ljava/lang/String;"),
    ("byte[]", "[B"),
    ("android.location.LocationManager$Callback", "Landroid/location/LocationManager$Callback;"),
    ("long[][]", "[[J"),
])
def test_type_conversions(java, desc):
    assert java_type_descriptor(java) == desc


def test_type_conversion_rejects_garbage():
    with pytest.raises(ValueError):
        java_type_descriptor("java.lang.String[")


def test_key_arg_exact_match_does_not_take_prefixes():
    ka = KeyArg(index=1, values={"android_id": "device.android_id"})
    assert ka.resolve("android_id") == "device.android_id"
    assert ka.resolve("android_id2") is None and ka.resolve("android") is None


def test_hook_flag_must_be_boolean(cat_dir):
    _edit(cat_dir, "apis", lambda d: _api(d, TM, "getImei").update(hook="no"))
    assert "hook must be true or false" in _error(cat_dir)


def test_prefix_boundary_is_ascii_word_characters():
    ka = KeyArg(index=0, values={"content://sms": "sms"}, match="prefix")
    assert ka.resolve("content://sms/inbox") == "sms"
    assert ka.resolve("content://sms?limit=1") == "sms"
    assert ka.resolve("content://sms1") is None
    assert ka.resolve("content://sms短信") == "sms"  # same rule as the agent's [A-Za-z0-9]


@pytest.mark.parametrize("chain, words", [
    ("md5>rot13", "unknown step 'rot13'"),
    ("md5_bytes>upper", "must be followed by"),
    ("sha1_bytes", "ends in binary"),
])
def test_bad_encoding_chain(cat_dir, chain, words):
    _edit(cat_dir, "pi_types", lambda d: d["pi_types"][0].update(combinations=[chain]))
    msg = _error(cat_dir)
    assert "pi_types.yaml" in msg and words in msg


# ------------------------------------------------------------------ knowledge files


@pytest.mark.parametrize("name", FILES)
def test_every_file_is_required(cat_dir, name):
    (cat_dir / f"{name}.yaml").unlink()
    assert f"{name}.yaml: missing catalog file" in _error(cat_dir)


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.update(policy_phrases=[]), "'policy_phrases' must be a non-empty list"),
    (lambda d: d["policy_phrases"].append("privacyPolicy"), "would match identifiers"),
    (lambda d: d["reject_words"].append("Agree"), "both accept and reject"),
    (lambda d: d["accept_words"].append("AGREE"), "twice"),
    (lambda d: d["ui"].update(max_button_length=True), "max_button_length"),
    (lambda d: d["ui"].update(colour="red"), "consent.yaml ui: unknown keys"),
    (lambda d: d.pop("static"), "consent.yaml static: entry must be a mapping"),
])
def test_bad_consent_vocabulary(cat_dir, edit, message):
    _edit(cat_dir, "consent", edit)
    assert message in _error(cat_dir)


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["imei"].update(reporting_bodies=[35]), "quote it in YAML"),
    (lambda d: d["imsi"].update(mcc="46"), "3 digits"),
    (lambda d: d["mobile"]["prefixes"].append("13"), "3 digits"),
    (lambda d: d["mobile"]["prefixes"].append("139"), "['139'] twice"),
    (lambda d: d["bank_card"]["issuer_ranges"].append({"network": "x", "from": "55", "to": "51"}),
     "from <= to"),
    (lambda d: d["bank_card"]["issuer_ranges"].append({"network": "x", "from": "5", "to": "51"}),
     "one length"),
    (lambda d: d.update(mcc="460"), "telecom.yaml: unknown keys"),
])
def test_bad_telecom_tables(cat_dir, edit, message):
    _edit(cat_dir, "telecom", edit)
    assert message in _error(cat_dir)


@pytest.mark.parametrize("prefix", ["android", "Android.", "com..x.", ""])
def test_bad_framework_prefix(cat_dir, prefix):
    _edit(cat_dir, "attribution", lambda d: d["framework_prefixes"].append(prefix))
    assert "attribution.yaml" in _error(cat_dir)


def test_placeholders_must_be_strings(cat_dir):
    _edit(cat_dir, "pi_types", lambda d: d["pi_types"][0].update(placeholders=[0]))
    assert "placeholders must be a list of strings" in _error(cat_dir)


def test_placeholders_compare_without_case_or_separators():
    cat = load_catalog()
    mac = cat.pi_types["device.mac"]
    assert mac.is_placeholder("02-00-00-00-00-00") and mac.is_placeholder("FFFFFFFFFFFF")
    assert mac.is_placeholder("unknown")  # the type-independent list applies to every type
    assert not mac.is_placeholder("02:00:00:00:00:01")


@pytest.mark.parametrize("number, network", [
    ("4111111111111111", "visa"), ("6222020000000000", "unionpay"),
    ("2221000000000009", "mastercard"),
    ("2720990000000000", "mastercard"), ("2721000000000000", None), ("3528000000000000", "jcb"),
    ("3590000000000000", None), ("6011000000000000", "discover"), ("9999999999999999", None),
])
def test_card_issuer_ranges(number, network):
    assert load_catalog().telecom.card_network(number) == network


def test_agent_file_is_loaded_and_cross_checked_with_the_catalog(cat_dir):
    assert load_catalog().agent.value_getters["android.location.Location"]["getLatitude"] \
        == "location.precise"
    _edit(cat_dir, "agent", lambda d: d["value_getters"]["android.location.Location"].update(
        getAltitude="location.height"))
    assert "agent.yaml: value_getters android.location.Location.getAltitude: unknown PI type " \
        "'location.height'" in _error(cat_dir)


@pytest.mark.parametrize("host", ["W3.org", "localhost", "http://w3.org"])
def test_bad_not_destination_host(cat_dir, host):
    _edit(cat_dir, "hosts", lambda d: d["not_destinations"].append(host))
    assert "hosts.yaml" in _error(cat_dir)
