"""One mitmproxy CA for the in-process proxies of this package (creating one costs seconds)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def mitm_confdir(tmp_path_factory):
    return tmp_path_factory.mktemp("mitmproxy-ca")
