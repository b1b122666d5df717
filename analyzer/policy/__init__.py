"""The privacy policy next to the behaviour (issue 10): find it, read it, compare it.

`analyze_policy(bundle, apk=..., files=...)` returns the bundle with its `policy` key filled:
the policy sources (the app's own HTML/text assets and raw resources, long policy strings among
its resources, and the files the user gives with --policy), what they declare (PI types with
negations, SDKs, permissions, statements) and the comparison with the bundle's evidence
(undisclosed SDKs, undeclared PI, SDK rows that omit observed PI, permissions without a
purpose). Nothing is fetched from the network: a policy URL found in the app is listed for the
reviewer to save. Call it after all evidence is in (static, start reachability, runtime,
traffic): the comparison reads the bundle only. It knows nothing of rules or reports.
"""
from __future__ import annotations

import dataclasses
import hashlib
import time
import zipfile
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from privascope.catalog import Catalog, load_catalog
from privascope.model import Bundle, Policy, PolicySource
from privascope.policy import compare
from privascope.policy.documents import (Document, PolicyFileError, blocks_of, read_file)
from privascope.policy.reading import Reading, read, vocab

__all__ = ["analyze_policy", "PolicyFileError", "find_in_apk", "policy_files_for",
           "read_file", "read_policy", "recompare"]

_TEXT_EXT = (".html", ".htm", ".xhtml", ".txt", ".md")
MAX_ASSET_BYTES = 4 * 1024 * 1024
MAX_ASSETS = 50
MIN_STRING_POLICY = 200  # characters: shorter policy-like strings are links and dialog texts
POLICY_FILE_EXT = (".html", ".htm", ".xhtml", ".mht", ".mhtml", ".pdf", ".txt", ".md")


def _is_policy(text: str, catalog: Catalog) -> bool:
    low = text.lower()
    return any(t in low for t in catalog.policy_terms.titles)


def find_in_apk(apk: Union[str, Path], catalog: Catalog,
                resource_strings: bool = True) -> tuple[list[Document], list[str]]:
    """The app's policy texts: HTML/text files under assets/ and res/raw/ that name themselves
    a privacy policy, and (when `resource_strings`) long policy strings of resources.arsc.
    Returns (documents, problems)."""
    docs: list[Document] = []
    problems: list[str] = []
    try:
        zf = zipfile.ZipFile(apk)
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        return [], [f"policy: cannot open {apk} ({type(exc).__name__})"]
    with zf:
        for info in zf.infolist():
            name = info.filename
            low = name.lower()
            if not (low.startswith(("assets/", "res/raw/")) and low.endswith(_TEXT_EXT)):
                continue
            if len(docs) >= MAX_ASSETS:
                problems.append(f"policy: more than {MAX_ASSETS} policy files in the APK; "
                                "the rest were not read")
                break
            if info.file_size > MAX_ASSET_BYTES:
                continue
            try:
                data = zf.read(info)
            except Exception as exc:  # a damaged entry: say so, keep the rest
                problems.append(f"policy: {name}: cannot read ({type(exc).__name__})")
                continue
            try:
                blocks = blocks_of(data, name)
            except PolicyFileError:
                continue  # a binary asset with a text name: not a policy
            base = name.rsplit("/", 1)[-1].lower()
            if not blocks or not (_is_policy(" ".join(b.text for b in blocks[:400]), catalog)
                                  or any(w in base for w in catalog.policy_terms.file_names)):
                continue
            owner = _sdk_own_policy(blocks, catalog)
            if owner:  # an SDK ships its own policy page: not the app's
                problems.append(f"policy: {name} is the policy of the SDK {owner}, not the "
                                "app's: not read")
                continue
            docs.append(Document("asset", name, hashlib.sha256(data).hexdigest(), blocks))
        if resource_strings and "resources.arsc" in zf.namelist():
            docs += _resource_policies(zf, catalog, problems)
    return docs, problems


def _sdk_own_policy(blocks, catalog: Catalog) -> Optional[str]:
    """The SDK whose name is in the page's title (first heading, else first block) next to a
    policy title phrase ("友盟+隐私政策", "JPush SDK Privacy Policy"), or None."""
    from privascope.policy.reading import vocab

    head = next((b.text for b in blocks[:20] if b.kind == "heading"), blocks[0].text)[:120]
    low = head.lower()
    if not _is_policy(head, catalog):
        return None
    terms = catalog.policy_terms
    for term, _s, _e in vocab(catalog).sdk.find(low):
        return terms.sdk_terms.get(term) or terms.vendor_terms.get(term)
    return None


def _resource_policies(zf: zipfile.ZipFile, catalog: Catalog, problems: list[str]):
    from privascope.static.axml_strings import RES_TABLE_TYPE, axml_strings

    try:
        info = zf.getinfo("resources.arsc")
        if info.file_size > 64 * 1024 * 1024:
            return []
        data = zf.read(info)
    except Exception as exc:
        problems.append(f"policy: resources.arsc: cannot read ({type(exc).__name__})")
        return []
    out = []
    for s in axml_strings(data, RES_TABLE_TYPE, max_strings=200_000):
        if len(s) >= MIN_STRING_POLICY and _is_policy(s, catalog):
            raw = s.encode("utf-8")
            out.append(Document("string", "resources.arsc", hashlib.sha256(raw).hexdigest(),
                                blocks_of(raw, "string.html" if "<" in s else "string.txt")))
    return out


def policy_files_for(policy_dir: Union[str, Path], package: Optional[str],
                     sha256: Optional[str]) -> list[Path]:
    """The files of one APK in a --policy-dir: DIR/<package>/* and DIR/<sha256>/* (a folder
    per app; several files, e.g. the policy and a separate SDK-list page)."""
    base = Path(policy_dir)
    out: list[Path] = []
    for key in (package, sha256):
        if not key or "/" in key or key.startswith("."):
            continue
        d = base / key
        if d.is_dir():
            out += sorted(p for p in d.iterdir()
                          if p.is_file() and p.suffix.lower() in POLICY_FILE_EXT)
    return out


def read_policy(docs: Sequence[Document], catalog: Catalog) -> Reading:
    reading = Reading()
    for i, doc in enumerate(docs):
        read(doc, i, catalog, reading)
    return reading


def analyze_policy(bundle: Bundle, apk: Union[str, Path, None] = None,
                   files: Iterable[Union[str, Path]] = (),
                   catalog: Optional[Catalog] = None) -> Bundle:
    """Fill `bundle.policy`. Raises PolicyFileError for a user file that cannot be read (the
    user asked for it: better to say so than to report a policy without it)."""
    started = time.perf_counter()
    catalog = catalog or load_catalog()
    vocab(catalog)
    docs = [read_file(Path(f)) for f in files]
    limits: list[str] = []
    if apk is not None:
        # resources.arsc only when the static scan saw a policy text there (cheap otherwise)
        in_res = any(r.kind == "text" and r.source == "resources.arsc" and not r.sdk
                     for r in bundle.privacy_policy)
        found, problems = find_in_apk(apk, catalog, resource_strings=in_res)
        docs = found + docs
        limits += problems
    urls = tuple(dict.fromkeys(r.value for r in bundle.privacy_policy
                               if r.kind == "url" and not r.sdk))
    if urls:
        limits.append("policy URLs found in the app were not fetched (nothing is): save the "
                      "page and give it with --policy: " + ", ".join(urls[:5])
                      + (f" (+{len(urls) - 5})" if len(urls) > 5 else ""))
    if not docs:
        limits.append("no privacy policy text was found in the APK or given with --policy: "
                      "nothing was compared")
        policy = Policy(limits=tuple(limits), urls=urls)
        return _with(bundle, policy, started)
    reading = read_policy(docs, catalog)
    declared_sdks = tuple(reading.declared_sdks)
    declared_pi = tuple(reading.declared_pi)
    limits.append("phrase matching with the catalog vocabulary (policy_terms.yaml): a PI type or "
                  "SDK named in words the vocabulary lacks is not seen as declared")
    if any(d.path.lower().endswith(".pdf") for d in docs):
        limits.append("PDF: text extraction loses table structure; SDK rows are read as prose")
    if getattr(bundle, "startup", None) is None:
        limits.append("no start reachability in this run: SDK level 'started' not assessed")
    policy = Policy(
        sources=tuple(PolicySource(d.kind, d.path, d.language, d.sha256) for d in docs),
        declared_pi=declared_pi, declared_sdks=declared_sdks,
        undisclosed_sdks=compare.undisclosed_sdks(bundle, catalog, declared_sdks),
        undeclared_pi=compare.undeclared_pi(bundle, declared_pi),
        limits=tuple(limits),
        declared_permissions=tuple(reading.declared_permissions),
        statements=tuple(reading.statements),
        sdk_row_gaps=compare.sdk_row_gaps(bundle, catalog, declared_sdks),
        permissions_without_purpose=compare.permissions_without_purpose(
            bundle, catalog, reading.declared_permissions),
        sdk_list=reading.sdk_list, urls=urls,
    )
    return _with(bundle, policy, started)


def recompare(bundle: Bundle, catalog: Optional[Catalog] = None) -> Bundle:
    """Compare an already-read policy with the bundle's evidence again (after runtime or
    traffic evidence was added): the reading is kept, the comparison is redone."""
    p = bundle.policy
    if p is None or not p.sources:
        return bundle
    catalog = catalog or load_catalog()
    policy = dataclasses.replace(
        p, undisclosed_sdks=compare.undisclosed_sdks(bundle, catalog, p.declared_sdks),
        undeclared_pi=compare.undeclared_pi(bundle, p.declared_pi),
        sdk_row_gaps=compare.sdk_row_gaps(bundle, catalog, p.declared_sdks),
        permissions_without_purpose=compare.permissions_without_purpose(
            bundle, catalog, p.declared_permissions))
    return dataclasses.replace(bundle, policy=policy)


def _with(bundle: Bundle, policy: Policy, started: float) -> Bundle:
    timings = dict(bundle.method.timings)
    timings["policy"] = round(time.perf_counter() - started, 4)
    return dataclasses.replace(bundle, policy=policy,
                               method=dataclasses.replace(bundle.method, timings=timings))
