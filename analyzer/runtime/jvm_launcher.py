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
from privascope.runtime.targets import JDK17_JAVA, TargetUnavailable

LAUNCHER_CLASS = "privascope.launch.Launcher"
HOME = Path(hooks_package.__file__).resolve().parent / "jvm_launcher"
SRC = HOME / "src"
BUILD = HOME / "build"
# Lines the launcher prints on stderr (Launcher.WAITING / RELEASED / its error prefix).
WAITING = "privascope-launcher: waiting for the agent"
RELEASED = "privascope-launcher: released"
ERROR = "privascope-launcher: error:"


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
    TargetUnavailable when it must be built and JDK 17's javac is missing."""
    out = (build_dir or BUILD) / source_hash()
    if _class_file(out).is_file():
        return out
    javac = Path(java or JDK17_JAVA).with_name("javac")
    if not javac.exists():
        raise TargetUnavailable(f"the JVM launcher is not built and {javac} is missing "
                                "(apt-get install openjdk-17-jdk-headless, then make agent)")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=out.parent))
    try:
        cmd = [str(javac), "--release", "17", "-encoding", "UTF-8", "-nowarn", "-d", str(tmp),
               *map(str, sources())]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            raise TargetUnavailable("javac took more than 120 s to build the JVM launcher") from None
        if proc.returncode != 0:
            raise TargetUnavailable(f"javac failed on the JVM launcher: {proc.stderr.strip()[-2000:]}")
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
    except (TargetUnavailable, OSError) as exc:
        print(f"jvm_launcher: {exc}", file=sys.stderr)
        return 3
    print(f"jvm launcher: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
