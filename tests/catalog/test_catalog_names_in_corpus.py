"""The catalog's class, member and parameter names against real dex files.

There is no android.jar on these machines, so the names are checked against what the 36 corpus
APKs (../shared/corpus, third-party, read-only) actually reference: their dex method and field id
tables, read with the project's own dex reader. A catalog name the corpus references proves the
spelling; a referenced overload proves the parameter list; a near-miss (same letters, other case)
is a typo the static scanner would silently never match.
"""
from __future__ import annotations

import collections
import zipfile

import pytest

from privascope.static.dex import DexFile


@pytest.fixture(scope="module")
def corpus_refs(corpus_dir, catalog):
    """Method and field references of the corpus dex files, for the catalog's classes only."""
    wanted = {a.smali_class for a in catalog.apis.values() if a.kind != "uri"}
    methods: dict[str, set[tuple[str, tuple[str, ...]]]] = collections.defaultdict(set)
    fields: dict[str, set[str]] = collections.defaultdict(set)
    for apk in sorted(corpus_dir.glob("*.apk")):
        with zipfile.ZipFile(apk) as z:
            for name in z.namelist():
                if not (name.startswith("classes") and name.endswith(".dex")):
                    continue
                dex = DexFile(z.read(name))
                types: dict[int, bool] = {}  # type idx -> is a catalog class (decoded once)
                for i, (cls, _proto, _name) in dex.method_ids():
                    if types.setdefault(cls, dex.type_desc(cls) in wanted):
                        ref = dex.method_ref(i)
                        methods[ref.class_desc].add((ref.name, tuple(ref.params)))
                for i, (cls, _typ, _name) in dex.field_ids():
                    if types.setdefault(cls, dex.type_desc(cls) in wanted):
                        desc, field = dex.field_ref(i)
                        fields[desc].add(field)
    return methods, fields


def _member(api):
    return "<init>" if api.kind == "constructor" else api.member


def test_catalog_names_confirmed_by_real_dex(catalog, corpus_refs):
    methods, fields = corpus_refs
    confirmed = []
    for api in catalog.apis.values():
        if api.kind == "field" and api.member in fields.get(api.smali_class, ()):
            confirmed.append(api.id)
        elif api.kind not in ("field", "uri") and _member(api) in {
                m for m, _ in methods.get(api.smali_class, ())}:
            confirmed.append(api.id)
    # at the time of writing 80 entries are referenced somewhere in the corpus
    assert len(confirmed) >= 70
    for must in ("android.telephony.TelephonyManager.getDeviceId",
                 "android.provider.Settings$Secure.getString",
                 "android.net.wifi.WifiInfo.getMacAddress",
                 "android.content.ContentResolver.query",
                 "android.os.Build.SERIAL",
                 "android.provider.ContactsContract$Contacts.CONTENT_URI",
                 "android.provider.CalendarContract$Events.CONTENT_URI"):
        assert must in confirmed


def test_listed_overloads_exist_where_referenced(catalog, corpus_refs):
    methods, _ = corpus_refs
    wrong = []
    for api in catalog.apis.values():
        if api.overloads is None:
            continue
        have = {p for m, p in methods.get(api.smali_class, ()) if m == _member(api)}
        if have and not have & set(api.overload_descriptors()):
            wrong.append((api.id, sorted(have)))
    assert wrong == []


def test_no_case_near_misses(catalog, corpus_refs):
    methods, fields = corpus_refs
    near = []
    for api in catalog.apis.values():
        if api.kind == "uri":
            continue
        names = fields.get(api.smali_class, set()) if api.kind == "field" else {
            m for m, _ in methods.get(api.smali_class, ())}
        member = _member(api)
        near += [(api.id, n) for n in names if n != member and n.lower() == member.lower()]
    assert near == []
