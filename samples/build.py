"""`make samples`: build the sample APKs from their smali sources into samples/build/.

Each app in samples/apps/<name>/ (apktool layout: AndroidManifest.xml, apktool.yml, smali/,
res/) is assembled with apktool, aligned with zipalign and signed with apksigner using a
throw-away debug key generated here with keytool (never committed). A build is skipped when the
sources are unchanged (a stamp of their sha256 sits next to the APK), so repeated runs are fast.
Any failing tool stops the build with its output and a non-zero exit.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
APPS_DIR = HERE / "apps"
BUILD_DIR = HERE / "build"
APPS = ("clean", "sdk", "reflection", "hostile", "policy", "startup", "wrappers")
KEY_ALIAS, KEY_PASS = "privascope-sample", "privascope"
TOOLS = ("apktool", "zipalign", "apksigner", "keytool")


class BuildError(RuntimeError):
    pass


def _run(cmd: list[str], what: str) -> None:
    env = dict(os.environ)
    jdk17 = Path("/usr/lib/jvm/java-17-openjdk-amd64")
    if jdk17.is_dir():  # apktool/apksigner run on the JDK 17 the project standardises on
        env["JAVA_HOME"] = str(jdk17)
        env["PATH"] = f"{jdk17 / 'bin'}:{env.get('PATH', '')}"
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise BuildError(f"{what} failed ({' '.join(cmd[:3])} ...):\n{proc.stdout}{proc.stderr}")


def sources_digest(app_dir: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(app_dir.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(app_dir)).encode() + b"\0" + p.read_bytes() + b"\0")
    h.update(Path(__file__).read_bytes())  # a change of recipe rebuilds too
    return h.hexdigest()


def ensure_keystore(build_dir: Path) -> Path:
    ks = build_dir / "debug.keystore"
    if not ks.exists():
        _run(["keytool", "-genkeypair", "-keystore", str(ks), "-storepass", KEY_PASS,
              "-keypass", KEY_PASS, "-alias", KEY_ALIAS, "-keyalg", "RSA", "-keysize", "2048",
              "-validity", "3650", "-dname", "CN=privascope sample, O=privascope, C=CN",
              "-storetype", "PKCS12"], "keytool")
    return ks


def build_app(name: str, build_dir: Path, keystore: Path, force: bool = False) -> tuple[Path, bool]:
    """Build one app; returns (apk path, whether it was rebuilt)."""
    src = APPS_DIR / name
    if not (src / "AndroidManifest.xml").is_file():
        raise BuildError(f"sample {name!r}: {src}/AndroidManifest.xml missing")
    out = build_dir / f"{name}.apk"
    stamp = build_dir / f"{name}.stamp"
    digest = sources_digest(src)
    if not force and out.exists() and stamp.exists() and stamp.read_text() == digest:
        return out, False
    with tempfile.TemporaryDirectory(prefix=f"sample-{name}-", dir=build_dir) as tmp:
        work = Path(tmp) / name
        shutil.copytree(src, work)  # apktool writes build/ inside the source dir: keep it out
        unsigned, aligned = Path(tmp) / "unsigned.apk", Path(tmp) / "aligned.apk"
        _run(["apktool", "b", str(work), "-o", str(unsigned), "-p", str(Path(tmp) / "fw")],
             f"apktool ({name})")
        _run(["zipalign", "-f", "-p", "4", str(unsigned), str(aligned)], f"zipalign ({name})")
        _run(["apksigner", "sign", "--ks", str(keystore), "--ks-pass", f"pass:{KEY_PASS}",
              "--ks-key-alias", KEY_ALIAS, "--out", str(out), str(aligned)], f"apksigner ({name})")
    (build_dir / f"{name}.apk.idsig").unlink(missing_ok=True)
    stamp.write_text(digest)
    return out, True


def build_all(build_dir: Path = BUILD_DIR, apps=APPS, force: bool = False) -> dict[str, Path]:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        raise BuildError(f"missing tools: {', '.join(missing)} (make apt installs them)")
    build_dir.mkdir(parents=True, exist_ok=True)
    keystore = ensure_keystore(build_dir)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda a: (a, build_app(a, build_dir, keystore, force)), apps))
    for _app, (path, rebuilt) in results:
        print(f"{'built' if rebuilt else 'up to date'}: {path}")
    return {app: path for app, (path, _rebuilt) in results}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=BUILD_DIR)
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    parser.add_argument("apps", nargs="*", default=list(APPS))
    args = parser.parse_args(argv)
    try:
        build_all(args.out, tuple(args.apps), args.force)
    except BuildError as exc:
        print(f"samples: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
