"""Builds the JVM host app: `python -m samples.jvm_host.build` (run by `make samples`).

Compiles src/ with JDK 17's javac into samples/build/jvm_host/classes. Skips the work when the
classes are newer than every source. Exit code 3 with one line when JDK 17 is missing.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
PLUGIN_SRC = HERE / "plugin_src"
OUT = HERE.parent / "build" / "jvm_host"
CLASSES = OUT / "classes"
PLUGIN = OUT / "plugin"  # loaded at run time through its own class loader, not on the classpath
STAMP = OUT / ".built"
JDK17_BIN = Path("/usr/lib/jvm/java-17-openjdk-amd64/bin")


def java_bin(tool: str = "java") -> Path:
    """The JDK 17 tool: Frida's Java bridge fails on newer JDKs, so never fall back to PATH."""
    return JDK17_BIN / tool


def sources() -> list[Path]:
    return sorted(SRC.rglob("*.java")) + sorted(PLUGIN_SRC.rglob("*.java"))


def is_fresh() -> bool:
    if not STAMP.exists():
        return False
    built = STAMP.stat().st_mtime
    return all(p.stat().st_mtime <= built for p in sources() + [Path(__file__)])


def build(force: bool = False) -> Path:
    """Returns the class directory (the classpath of the host app)."""
    if not force and is_fresh():
        return CLASSES
    javac = java_bin("javac")
    if not javac.exists():
        raise FileNotFoundError(f"JDK 17 javac not found at {javac} (apt-get install openjdk-17-jdk-headless)")
    for out, src in ((CLASSES, SRC), (PLUGIN, PLUGIN_SRC)):
        out.mkdir(parents=True, exist_ok=True)
        cmd = [str(javac), "--release", "17", "-encoding", "UTF-8", "-nowarn", "-d", str(out)]
        cmd += [str(p) for p in sorted(src.rglob("*.java"))]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError("javac failed:\n" + proc.stderr[-4000:])
    STAMP.write_text("ok\n")
    return CLASSES


def main() -> int:
    try:
        out = build(force="--force" in sys.argv)
    except FileNotFoundError as exc:
        print(f"samples.jvm_host.build: {exc}", file=sys.stderr)
        return 3
    except RuntimeError as exc:
        print(f"samples.jvm_host.build: {exc}", file=sys.stderr)
        return 1
    print(f"jvm host app: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
