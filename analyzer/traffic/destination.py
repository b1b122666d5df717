"""Who receives a request: a catalog SDK host (third party), one of the app's own hosts
(first party), or unknown."""
from __future__ import annotations

from typing import Iterable, Optional

from privascope.model import Destination


def package_hosts(package: str, public_suffixes: Iterable[str] = ()) -> tuple[str, ...]:
    """`com.example.shop` -> ("example.com",): the registrable domain a package name implies, one
    label above the longest public suffix (`cn.com.bank.app` -> "bank.com.cn", not "com.cn")."""
    labels = [p for p in reversed(package.lower().split(".")) if p]  # as in a host name
    suffixes = set(public_suffixes)
    public = 1  # a single label (com, cn) is always a public suffix
    for n in range(2, len(labels) + 1):
        if ".".join(labels[-n:]) in suffixes:
            public = n
    if len(labels) <= public:
        return ()
    return (".".join(labels[-(public + 1):]),)


def _host_matches(host: str, suffix: str) -> bool:
    return host == suffix or host.endswith("." + suffix)


class DestinationClassifier:
    def __init__(self, catalog=None, first_party: Iterable[str] = (), package: Optional[str] = None):
        self._catalog = catalog
        # ".example.com" (a suffix written with its dot) means the same as "example.com"
        hosts = {h.strip().lower().strip(".") for h in first_party if h and h.strip(" .")}
        if package:
            hosts.update(package_hosts(package, catalog.public_suffixes if catalog else ()))
        self.first_party = tuple(sorted(hosts))

    def classify(self, host: str) -> tuple[Destination, Optional[str]]:
        host = host.lower().rstrip(".")
        if self._catalog is not None:
            sdk = self._catalog.sdk_for_host(host)
            if sdk is not None:
                return Destination.THIRD_PARTY, sdk.id
        if any(_host_matches(host, h) for h in self.first_party):
            return Destination.FIRST_PARTY, None
        return Destination.UNKNOWN, None
