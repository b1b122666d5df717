"""String pools of compiled XML, read without androguard."""
from __future__ import annotations

import zipfile

from privascope.static.axml_strings import axml_strings


def test_reads_network_security_config_pool(samples_build):
    with zipfile.ZipFile(samples_build / "sdk.apk") as zf:
        strings = axml_strings(zf.read("res/xml/network_security_config.xml"))
    assert "log.sdkapp.example.com" in strings
    assert "domain-config" in strings


def test_utf16_pool_of_a_real_manifest(corpus_dir):
    from loguru import logger

    logger.remove()
    from androguard.core.axml import AXMLPrinter

    with zipfile.ZipFile(corpus_dir / "androguard_politedroid_4.apk") as zf:
        data = zf.read("AndroidManifest.xml")
    ours = axml_strings(data)
    parser = AXMLPrinter(data).axml.sb  # androguard's own string block of the same file
    theirs = [parser.getString(i) for i in range(parser.stringCount)]
    assert ours == [s for s in theirs if s]
    assert "com.politedroid" in ours


def test_garbage_gives_nothing():
    assert axml_strings(b"") == []
    assert axml_strings(b"\x03\x00\x08\x00" + b"\xff" * 100) == []
    assert axml_strings(b"<?xml version='1.0'?><a/>" * 3) == []
