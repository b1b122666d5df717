"""Hosts, URLs and privacy-policy references in the strings of code and resources."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Iterable, Optional
from urllib.parse import urlsplit

from privascope.catalog import Catalog
from privascope.model import HostRef, PrivacyPolicyRef

_URL = re.compile(r"(?:https?|wss?)://[^\s\x00]+", re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"(?:https?|wss?)://[^\s\x00\"'`<>()\[\]{}]+", re.IGNORECASE)
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
MAX_SAMPLE_URLS = 3
MAX_URL_LEN = 300
MAX_EXCERPT = 80


@functools.lru_cache(maxsize=8)
def _any_of(words: tuple[str, ...]) -> re.Pattern:
    """One case-insensitive alternation of the catalog's consent words (consent.yaml: policy
    phrases for texts, static.policy_url_words for links); longest first."""
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)),
                      re.IGNORECASE)


def host_of(url: str) -> Optional[str]:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower().rstrip(".")
    if _IPV4.match(host) or _HOST.match(host):
        return host
    return None


def _skipped(host: str, catalog: Catalog) -> bool:
    """XML namespaces, DTDs and licence texts (catalog hosts.yaml) are not destinations."""
    return any(host == h or host.endswith("." + h) for h in catalog.not_destinations)


@dataclass
class StringFindings:
    hosts: dict[str, dict] = field(default_factory=dict)
    policies: dict[tuple[str, str], PrivacyPolicyRef] = field(default_factory=dict)
    # positions (in the last add_strings call) of strings that gave a policy text, and the key
    policy_hits: list[tuple[int, tuple[str, str]]] = field(default_factory=list)
    _app_policies: set[tuple[str, str]] = field(default_factory=set)  # seen outside SDK code

    def add_strings(self, strings: Iterable[str], source: str, catalog: Catalog,
                    in_text: bool = False) -> list[tuple[int, str]]:
        """Collect hosts, URLs and policy references. `in_text`: the strings are lines of a
        text file (JSON, HTML...), where a URL ends at a quote or bracket; a dex or resource
        string is kept whole, quotes included. Returns (position in `strings`, SDK id) of the
        strings that name a catalog SDK host, so the caller can see who uses them."""
        url_rx = _URL_IN_TEXT if in_text else _URL
        assert catalog.consent is not None, "load_catalog sets the consent vocabulary"
        policy_text = _any_of(catalog.consent.policy_phrases)
        sdk_hits: list[tuple[int, str]] = []
        self.policy_hits = []
        for pos, s in enumerate(strings):
            if "://" in s:
                for url in url_rx.findall(s):
                    sdk = self._add_url(url[:MAX_URL_LEN], source, catalog)
                    if sdk:
                        sdk_hits.append((pos, sdk))
            elif 3 < len(s) < 254 and "." in s and " " not in s and "/" not in s \
                    and _HOST.match(s) and catalog.sdk_for_host(s) is not None:
                # a bare host name of a catalog SDK ("alog.umeng.com"): SDKs build URLs in parts
                host_sdk = self._add_host(s, None, source, catalog)
                assert host_sdk is not None  # sdk_for_host(s) found it just above
                sdk_hits.append((pos, host_sdk))
            # policy phrases are Chinese or English with a space: skip identifiers cheaply
            if len(s) <= 2000 and (" " in s or not s.isascii()) \
                    and not s.startswith(("http", "ws")):
                m = policy_text.search(s)
                if m:
                    start = max(0, m.start() - 20)
                    excerpt = s[start:start + MAX_EXCERPT].replace("\n", " ")
                    self.policies.setdefault(("text", excerpt),
                                             PrivacyPolicyRef("text", excerpt, source))
                    self.policy_hits.append((pos, ("text", excerpt)))
                    if not source.endswith(".dex"):  # a resource or asset: the app's own
                        self.owned_by_sdks({("text", excerpt): None})
        return sdk_hits

    def _add_url(self, url: str, source: str, catalog: Catalog) -> Optional[str]:
        host = host_of(url)
        if host is None or _skipped(host, catalog):
            return None
        sdk = self._add_host(host, url, source, catalog)
        assert catalog.consent is not None, "load_catalog sets the consent vocabulary"
        policy_url = _any_of(catalog.consent.policy_url_words)
        if policy_url.search(urlsplit(url).path + "?" + urlsplit(url).query) \
                or policy_url.search(host.split(".")[0]):
            # a policy on an SDK's own host is that SDK's policy, not the app's
            self.policies.setdefault(("url", url), PrivacyPolicyRef("url", url, source, sdk))
        return sdk

    def owned_by_sdks(self, owners: dict[tuple[str, str], Optional[str]]) -> None:
        """Policy texts of one dex -> the SDK whose code alone loads each (None: the app's
        code, or no loader found). A text the app's own code or a resource holds anywhere stays
        the app's; one that only SDK code holds is that SDK's policy (its ref names the SDK)."""
        for key, sdk in owners.items():
            ref = self.policies.get(key)
            if ref is None or key in self._app_policies:
                continue
            if sdk is None:
                self._app_policies.add(key)
                self.policies[key] = PrivacyPolicyRef(ref.kind, ref.value, ref.source)
            elif ref.sdk is None:
                self.policies[key] = PrivacyPolicyRef(ref.kind, ref.value, ref.source, sdk)

    def _add_host(self, host: str, url: Optional[str], source: str,
                  catalog: Catalog) -> Optional[str]:
        entry = self.hosts.get(host)
        if entry is None:
            sdk = catalog.sdk_for_host(host)
            entry = self.hosts[host] = {"urls": [], "sources": [], "sdk": sdk.id if sdk else None}
        if url and url not in entry["urls"] and len(entry["urls"]) < MAX_SAMPLE_URLS:
            entry["urls"].append(url)
        if source not in entry["sources"]:
            entry["sources"].append(source)
        return entry["sdk"]

    def host_refs(self) -> tuple[HostRef, ...]:
        return tuple(HostRef(host=h, sample_urls=tuple(e["urls"]), sources=tuple(e["sources"]),
                             sdk=e["sdk"]) for h, e in sorted(self.hosts.items()))

    def policy_refs(self) -> tuple[PrivacyPolicyRef, ...]:
        return tuple(sorted(self.policies.values(), key=lambda p: (p.kind, p.value)))
