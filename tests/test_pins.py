"""The pins that must hold together on Python 3.11 (see pyproject.toml): unpinned, pip silently
resolves mitmproxy 0.14.0, and androguard 4.1.4 needs a cryptography that mitmproxy 11 refuses."""
from importlib.metadata import version


def _major_minor(v: str) -> tuple[int, int]:
    major, minor = v.split(".")[:2]
    return int(major), int(minor)


def test_mitmproxy_is_11_or_newer():
    import mitmproxy.version

    assert _major_minor(mitmproxy.version.VERSION) >= (11, 0)


def test_androguard_and_cryptography_pins():
    assert version("androguard") == "4.1.3"
    assert _major_minor(version("cryptography")) < (44, 1)


def test_frida_17():
    import frida

    assert frida.__version__.split(".")[0] == "17"
