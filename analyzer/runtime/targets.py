"""Where the app under test runs. A `Target` starts (or finds) the process, gives the session a
Frida device and a pid to attach to, lets the code under test run once hooks are in place
(`release`), and restores everything on `stop`.

`JvmTarget` runs a Java program on this machine's JDK 17 (Frida's Java bridge hooks HotSpot;
JDK 25 fails with it). The program must wait for "go" on stdin before running the code under
test, because hooks must be installed before the JIT compiles/inlines the hooked methods.
"""
from __future__ import annotations

import abc
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional, Sequence

JDK17_JAVA = Path(os.environ.get("PRIVASCOPE_JAVA17", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"))


class TargetUnavailable(RuntimeError):
    """A tool, runtime or device the target needs is missing (CLI exit code 3)."""


class TargetError(RuntimeError):
    """The target could not be started or prepared (bad classpath, app not installed...)."""


class Target(abc.ABC):
    #: True when release() must happen before the agent can finish initialising (a spawned,
    #: suspended Android app: Java.perform waits for the app's runtime).
    release_before_ready = False
    package: Optional[str] = None

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """'jvm:MAINCLASS' or 'android:SERIAL/PACKAGE': recorded in the evidence."""

    @abc.abstractmethod
    def launch(self) -> int:
        """Start or find the process; return its pid. The code under test must not run yet."""

    @abc.abstractmethod
    def frida_device(self):
        """The frida.core.Device to attach on."""

    @abc.abstractmethod
    def release(self) -> None:
        """Let the code under test run (hooks are in place)."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Kill what launch() started and undo every change made to the device. Idempotent."""

    def alive(self) -> bool:
        return True


class JvmTarget(Target):
    """A Java program on JDK 17, e.g. the host app in samples/jvm_host."""

    def __init__(self, classpath: str, main_class: str, args: Sequence[str] = (), *,
                 java: Optional[Path] = None, ready_marker: Optional[str] = "ready",
                 ready_timeout: float = 30.0, extra_jvm_args: Sequence[str] = ()):
        self.classpath = classpath
        self.main_class = main_class
        self.args = tuple(args)
        self.java = Path(java) if java else JDK17_JAVA
        self.ready_marker = ready_marker
        self.ready_timeout = ready_timeout
        self.extra_jvm_args = tuple(extra_jvm_args)
        self.proc: Optional[subprocess.Popen] = None
        self.output: list[str] = []  # the program's stdout lines (the host app prints phases)
        self._out_cond = threading.Condition()
        self._released = False
        self._eof = False

    @property
    def name(self) -> str:
        return f"jvm:{self.main_class}"

    def launch(self) -> int:
        if not self.java.exists():
            raise TargetUnavailable(f"JDK 17 not found at {self.java} (apt-get install "
                                    "openjdk-17-jdk-headless, or set PRIVASCOPE_JAVA17)")
        # A JVM killed or detached mid-hook may write a crash log; keep it out of the user's
        # working directory (the run's evidence does not depend on it).
        error_file = f"-XX:ErrorFile={tempfile.gettempdir()}/privascope-hs_err_pid%p.log"
        cmd = [str(self.java), error_file, *self.extra_jvm_args, "-cp", self.classpath,
               self.main_class, *self.args]
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                                         errors="replace", bufsize=1)
        except OSError as exc:
            raise TargetUnavailable(f"cannot run {self.java}: {exc}") from None
        threading.Thread(target=self._pump, name="jvm-stdout", daemon=True).start()
        if self.ready_marker is None:
            time.sleep(1.0)  # no handshake: give the JVM time to start
        elif not self.wait_output(self.ready_marker, self.ready_timeout):
            tail = " | ".join(self.output[-3:])
            self.stop()
            raise TargetError(f"{self.main_class} did not print {self.ready_marker!r} within "
                              f"{self.ready_timeout:.0f}s (classpath {self.classpath!r}?) {tail}"
                              .strip())
        return self.proc.pid

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        try:
            for line in self.proc.stdout:
                with self._out_cond:
                    self.output.append(line.rstrip("\n"))
                    self._out_cond.notify_all()
        except (OSError, ValueError):
            pass  # stream closed by stop()
        with self._out_cond:
            self._eof = True
            self._out_cond.notify_all()

    def wait_output(self, text: str, timeout: float) -> bool:
        """Wait until a stdout line contains `text`; False on timeout or when the program's
        output ended without it."""
        deadline = time.monotonic() + timeout
        with self._out_cond:
            while True:
                if any(text in line for line in self.output):
                    return True
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    return False
                self._out_cond.wait(min(left, 0.2))

    def frida_device(self):
        import frida

        return frida.get_local_device()

    def send_line(self, text: str) -> None:
        if self.proc is None or self.proc.stdin is None or self.proc.poll() is not None:
            return
        try:
            self.proc.stdin.write(text + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass

    def release(self) -> None:
        if not self._released:
            self._released = True
            self.send_line("go")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        # Kill, never wait for a clean exit: a JVM with Frida attached may not exit by itself.
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
        except OSError:
            pass


def parse_jvm_target(spec: str) -> tuple[str, str]:
    """'jvm:CLASSPATH:MAINCLASS' -> (classpath, main class). The classpath may itself contain
    ':' separators, so the main class is what follows the last ':'."""
    if not spec.startswith("jvm:") or ":" not in spec[4:]:
        raise ValueError(f"target {spec!r} must look like jvm:CLASSPATH:MAINCLASS")
    classpath, main = spec[4:].rsplit(":", 1)
    if not classpath or not main:
        raise ValueError(f"target {spec!r} must look like jvm:CLASSPATH:MAINCLASS")
    return classpath, main
