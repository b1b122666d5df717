"""Who receives a request: a catalog SDK host (third party), one of the app's own hosts
(first party), or unknown."""
from __future__ import annotations

from typing import Iterable, Optional

from privascope.model import Destination


def package_hosts(package: str) -> tuple[str, ...]:
    """`com.example.shop` -> ("example.com",): the registrable domain a package name implies."""
    parts = [p for p in package.lower().split(".") if p]
    if len(parts) < 2:
        return ()
    return (f"{parts[1]}.{parts[0]}",)


def _host_matches(host: str, suffix: str) -> bool:
    return host == suffix or host.endswith("." + suffix)


class DestinationClassifier:
    def __init__(self, catalog=None, first_party: Iterable[str] = (), package: Optional[str] = None):
        self._catalog = catalog
        hosts = {h.strip().lower().rstrip(".") for h in first_party if h and h.strip()}
        if package:
            hosts.update(package_hosts(package))
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
