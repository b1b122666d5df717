"""The JVM launcher: a class of ours (hooks/jvm_launcher/src, `privascope.launch.Launcher`) put
first on a traced program's classpath. It holds the program until the agent has installed its
hooks and releases it, then calls the real main class's `main` with the original arguments, so
any Java program can be traced unmodified.

`launcher_classpath()` returns the compiled classes, building them with JDK 17's javac when they
are missing or older than the source (`make agent` builds them ahead; a build output, not
committed). Each build goes to a directory named after the source hash and appears there by one
rename, so concurrent runs never see a half-written class.

    python -m privascope.runtime.jvm_launcher    # build (make agent runs it)
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

from privascope import hooks as hooks_package

# Frida's Java bridge hooks HotSpot of JDK 17 (JDK 25 fails with it): never the java on PATH.
JDK17_JAVA = Path(os.environ.get("PRIVASCOPE_JAVA17", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"))
LAUNCHER_CLASS = "privascope.launch.Launcher"
HOME = Path(hooks_package.__file__).resolve().parent / "jvm_launcher"
SRC = HOME / "src"
BUILD = HOME / "build"
# Lines the launcher prints on stderr (Launcher.WAITING / RELEASED / its error prefix).
WAITING = "privascope-launcher: waiting for the agent"
RELEASED = "privascope-launcher: released"
ERROR = "privascope-launcher: error:"


class LauncherUnavailable(RuntimeError):
    """The launcher is not built and cannot be (no javac, no sources, javac failed)."""


def sources() -> list[Path]:
    return sorted(SRC.rglob("*.java"))


def source_hash() -> str:
    h = hashlib.sha256()
    for path in sources():
        h.update(path.relative_to(SRC).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _class_file(classes: Path) -> Path:
    return classes.joinpath(*LAUNCHER_CLASS.split(".")).with_suffix(".class")


def launcher_classpath(java: Optional[Path] = None, build_dir: Optional[Path] = None) -> Path:
    """The directory holding the compiled launcher; builds it first when needed. Raises
    LauncherUnavailable when it must be built and cannot be."""
    out = (build_dir or BUILD) / source_hash()
    if _class_file(out).is_file():
        return out
    if not sources():
        raise LauncherUnavailable(f"the JVM launcher's sources are missing from {SRC} "
                                "(an install without hooks/jvm_launcher)")
    javac = Path(java or JDK17_JAVA).with_name("javac")
    if not javac.exists():
        raise LauncherUnavailable(f"the JVM launcher is not built and {javac} is missing "
                                "(apt-get install openjdk-17-jdk-headless, then make agent)")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=out.parent))
    try:
        cmd = [str(javac), "--release", "17", "-encoding", "UTF-8", "-nowarn", "-d", str(tmp),
               *map(str, sources())]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            raise LauncherUnavailable("javac took more than 120 s to build the JVM launcher") from None
        if proc.returncode != 0:
            raise LauncherUnavailable(f"javac failed on the JVM launcher: {proc.stderr.strip()[-2000:]}")
        try:
            os.rename(tmp, out)
        except OSError:
            if not _class_file(out).is_file():  # not "another run built it first"
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def main() -> int:
    try:
        out = launcher_classpath()
    except (LauncherUnavailable, OSError) as exc:
        print(f"jvm_launcher: {exc}", file=sys.stderr)
        return 3
    print(f"jvm launcher: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
