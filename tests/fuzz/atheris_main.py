"""libFuzzer entry for one target (started by tests/fuzz/run.py):
    python -m tests.fuzz.atheris_main dex|manifest CORPUS_DIR [libFuzzer flags]"""
from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["privascope.static"]):
    import privascope.static.calls  # noqa: F401
    import privascope.static.dex  # noqa: F401

from tests.fuzz.targets import TARGETS  # noqa: E402


def main() -> None:
    target = sys.argv.pop(1)
    check = TARGETS[target]
    if target == "manifest":
        # coverage feedback from androguard's AXML/APK readers too: that is the manifest path
        with atheris.instrument_imports(include=["privascope.static", "androguard.core.axml",
                                                 "androguard.core.apk"]):
            import privascope.static.scan  # noqa: F401

    def one_input(data: bytes) -> None:
        check(data)  # any exception but the expected rejections is reported as a crash

    # load the catalog and seed once, outside the loop: a broken checkout must fail here,
    # not be reported as a crashing input
    from tests.fuzz.targets import _catalog, seed_members

    _catalog()
    seed_members()
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
