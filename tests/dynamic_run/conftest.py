"""One mitmproxy CA for the whole test session (creating one costs seconds), kept out of the
user's ~/.mitmproxy."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def mitm_confdir(tmp_path_factory):
    return tmp_path_factory.mktemp("mitmproxy-ca")


@pytest.fixture(autouse=True)
def _private_mitm_ca(monkeypatch, mitm_confdir):
    monkeypatch.setenv("PRIVASCOPE_MITM_CONFDIR", str(mitm_confdir))
