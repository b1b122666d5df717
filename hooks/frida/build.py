"""Builds the Frida agent: src/*.ts + frida-java-bridge (node_modules, from `npm ci`) -> _agent.js.

Uses frida.Compiler from the Frida Python package (the npm frida-compile is not needed). Also
writes _agent.sha256: the hash of the sources the bundle was built from, so a test (and the
session) can tell a stale bundle from a fresh one.
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
BUNDLE = HERE / "_agent.js"
STAMP = HERE / "_agent.sha256"
# What the bundle depends on: our sources and the pinned dependency versions.
INPUTS = ("package.json", "package-lock.json")


def source_hash() -> str:
    h = hashlib.sha256()
    files = sorted(SRC.rglob("*.ts")) + [HERE / name for name in INPUTS]
    for path in files:
        h.update(path.relative_to(HERE).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def build() -> Path:
    import frida

    if not (HERE / "node_modules" / "frida-java-bridge").is_dir():
        raise FileNotFoundError("node_modules/frida-java-bridge missing: run `npm ci` in hooks/frida")
    compiler = frida.Compiler()
    diagnostics: list[str] = []
    compiler.on("diagnostics", lambda d: diagnostics.append(str(d)))
    bundle = compiler.build("src/index.ts", project_root=str(HERE), type_check="none")
    BUNDLE.write_text(bundle, encoding="utf-8")
    STAMP.write_text(source_hash() + "\n", encoding="ascii")
    for d in diagnostics:
        print(d, file=sys.stderr)
    return BUNDLE


def main() -> int:
    try:
        out = build()
    except FileNotFoundError as exc:
        print(f"hooks/frida/build.py: {exc}", file=sys.stderr)
        return 3
    except Exception as exc:  # compiler errors: one line with the compiler's message
        print(f"hooks/frida/build.py: build failed: {exc}", file=sys.stderr)
        return 1
    print(f"agent: {out} ({out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
