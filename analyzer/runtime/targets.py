"""Where the app under test runs. A `Target` starts (or finds) the process, gives the session a
Frida device and a pid to attach to, lets the code under test run once hooks are in place
(`release`), and restores everything on `stop`.

`JvmTarget` runs an unmodified Java program on this machine's JDK 17 (Frida's Java bridge hooks
HotSpot; JDK 25 fails with it) through privascope's launcher, which holds the program until the
agent's hooks are live: hooks must be in place before the program's first static initialiser,
and before the JIT compiles/inlines the hooked methods.
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

from privascope.runtime.jvm_launcher import JDK17_JAVA


class TargetUnavailable(RuntimeError):
    """A tool, runtime or device the target needs is missing (CLI exit code 3)."""


class TargetError(RuntimeError):
    """The target could not be started or prepared (bad classpath, app not installed...)."""


class Target(abc.ABC):
    #: True when release() must happen before the agent can report ready: a spawned, suspended
    #: Android app is resumed right after init has handed the agent its config; the agent's
    #: queued Java.perform then installs the hooks as the app binds, before its code runs.
    #: False: release() comes after agent:ready (the JVM launcher).
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
    """An unmodified Java program on JDK 17, started through privascope's launcher
    (runtime/jvm_launcher.py): the launcher holds the program until the agent, with its hooks
    live, releases it; then it runs MAINCLASS.main(args). `held=False` runs MAINCLASS directly,
    for a baseline run without the agent (nothing would release it)."""

    def __init__(self, classpath: str, main_class: str, args: Sequence[str] = (), *,
                 java: Optional[Path] = None, ready_timeout: float = 30.0,
                 extra_jvm_args: Sequence[str] = (), release_timeout: float = 30.0,
                 held: bool = True):
        self.classpath = classpath
        self.main_class = main_class
        self.args = tuple(args)
        self.java = Path(java) if java else JDK17_JAVA
        self.ready_timeout = ready_timeout
        self.release_timeout = release_timeout
        self.extra_jvm_args = tuple(extra_jvm_args)
        self.held = held
        self.proc: Optional[subprocess.Popen] = None
        self.output: list[str] = []  # the program's stdout and stderr lines, with the launcher's
        self._out_cond = threading.Condition()
        self._pump_thread: Optional[threading.Thread] = None
        self._eof = False

    @property
    def name(self) -> str:
        return f"jvm:{self.main_class}"

    def command(self) -> list[str]:
        from privascope.runtime.jvm_launcher import (LAUNCHER_CLASS, LauncherUnavailable,
                                                     launcher_classpath)

        # A JVM killed mid-hook may write a crash log; keep it out of the user's working
        # directory (the run's evidence does not depend on it).
        error_file = f"-XX:ErrorFile={tempfile.gettempdir()}/privascope-hs_err_pid%p.log"
        if not self.held:
            return [str(self.java), error_file, *self.extra_jvm_args, "-cp", self.classpath,
                    self.main_class, *self.args]
        try:
            launcher = launcher_classpath(self.java)
        except LauncherUnavailable as exc:
            raise TargetUnavailable(str(exc)) from None
        classpath = os.pathsep.join([str(launcher), self.classpath])
        return [str(self.java), error_file, *self.extra_jvm_args, "-cp", classpath,
                LAUNCHER_CLASS, self.main_class, *self.args]

    def launch(self) -> int:
        from privascope.runtime.jvm_launcher import ERROR, WAITING

        if not self.java.exists():
            raise TargetUnavailable(f"JDK 17 not found at {self.java} (apt-get install "
                                    "openjdk-17-jdk-headless, or set PRIVASCOPE_JAVA17)")
        cmd = self.command()
        try:
            # Own session: a Ctrl-C at the terminal reaches privascope, which kills the JVM
            # itself; a JVM running its shutdown hooks under an attached agent may crash.
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                                         errors="replace", bufsize=1, start_new_session=True)
        except OSError as exc:
            raise TargetUnavailable(f"cannot run {self.java}: {exc}") from None
        self._pump_thread = threading.Thread(target=self._pump, name="jvm-stdout", daemon=True)
        self._pump_thread.start()
        if self.held and not self.wait_output(WAITING, self.ready_timeout):
            errors = [line.split(ERROR, 1)[1].strip() for line in self.output if ERROR in line]
            tail = " | ".join(self.output[-3:])
            self.stop()
            if errors:  # e.g. the main class is not on the classpath
                raise TargetError(f"{self.main_class}: {errors[0]}")
            raise TargetError(f"{self.main_class}: the JVM did not start within "
                              f"{self.ready_timeout:.0f}s {tail}".strip())
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
        """Wait until an output line contains `text`; False on timeout or when the program's
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

    def wait_exit(self, timeout: float) -> Optional[int]:
        """Wait until the program has exited and all its output is read; its exit status, or
        None on timeout."""
        if self.proc is None:
            return None
        deadline = time.monotonic() + timeout
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        with self._out_cond:
            if not self._out_cond.wait_for(lambda: self._eof, max(0.0, deadline - time.monotonic())):
                return None
        return self.proc.returncode

    def frida_device(self):
        import frida

        return frida.get_local_device()

    def send_line(self, text: str) -> None:
        """A line on the program's stdin (the host app reads consent answers there)."""
        if self.proc is None or self.proc.stdin is None or self.proc.poll() is not None:
            return
        try:
            self.proc.stdin.write(text + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass

    def release(self) -> None:
        """The agent releases the launcher itself once its hooks are live (index.ts); this only
        confirms the program started."""
        from privascope.runtime.jvm_launcher import RELEASED

        if self.held and not self.wait_output(RELEASED, self.release_timeout):
            raise TargetError(f"{self.main_class} was not released by the agent within "
                              f"{self.release_timeout:.0f}s")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        # Kill, never wait for a clean exit: a JVM with Frida attached may not exit by itself.
        # Every wait is bounded: stop() runs on Ctrl-C and must end promptly.
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        # The pump ends at EOF once the JVM is gone. Close stdout only then: closing a stream
        # another thread is reading waits for that read.
        pump = self._pump_thread
        pumping = pump is not None and pump.is_alive()
        if pump is not None and pumping:
            pump.join(2.0)
            pumping = pump.is_alive()
        for stream in (self.proc.stdin, None if pumping else self.proc.stdout):
            try:
                if stream:
                    stream.close()
            except (OSError, ValueError):
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
