"""One `privascope dynamic` run (`DynamicRun`): the static scan, mitmproxy in-process, the device
or JVM set-up, the scenario under the agent, teardown, rescan and correlation, into one Bundle.

Order: static evidence (APK, privascope.pipeline) -> mitmproxy in-process on 127.0.0.1 with the
traffic addon -> device proxy + CA (through `adb reverse`, so the device reaches the proxy on the
host's loopback) -> the scenario, every app process under the agent, the agent's captured values
handed to the canary store live (runtime.canaries.CanarySink) -> device settings restored
(finally: also on error, Ctrl-C or SIGTERM) -> late-canary rescan -> correlation -> the merged
Bundle (the caller then judges it: privascope.pipeline.judge).

JVM target: every request the program sends through the proxy is analysed under the host it
asked for, then answered by a local sink on 127.0.0.1 (see sink.py): nothing leaves the machine.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import shlex
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Optional

from privascope import __version__
from privascope.dynamic_run.options import DynamicOptions
from privascope.model import AppInfo, Bundle, Tool, TrafficEvent, app_traffic_only

if TYPE_CHECKING:  # imported at run time only where a run starts its proxy
    from privascope.hooks.mitm_addon import PrivascopeAddon
    from privascope.hooks.mitm_keeper import RequestKeeper
    from privascope.hooks.mitm_runner import ProxyHandle

log = logging.getLogger("privascope.dynamic")

LIVE_TRAFFIC_LOG = "traffic-live.jsonl"  # what the proxy saw, as it saw it (before the rescan)


class RunMissing(Exception):
    """A device, tool or setting the run needs is missing (exit code 3)."""


class RunBadInput(Exception):
    """The run's input is unusable (exit code 2)."""


def parse_target(spec: str) -> tuple[str, str, list[str]]:
    """'jvm:CLASSPATH:MAINCLASS [ARGS...]' -> (classpath, main class, program args)."""
    from privascope.runtime.targets import parse_jvm_target

    try:
        words = shlex.split(spec)
    except ValueError as exc:
        raise RunBadInput(f"--target: {exc}") from None
    if not words:
        raise RunBadInput("--target is empty")
    try:
        classpath, main = parse_jvm_target(words[0])
    except ValueError as exc:
        raise RunBadInput(str(exc)) from None
    for entry in classpath.split(":"):
        if not Path(entry).exists():
            raise RunBadInput(f"--target: classpath entry {entry!r} does not exist "
                            "(build the host app with `make samples`)")
    return classpath, main, words[1:]


def _program_package(main_class: str, program_args: list[str]) -> str:
    if "--package" in program_args:
        i = program_args.index("--package")
        if i + 1 < len(program_args):
            return program_args[i + 1]
    return main_class.rsplit(".", 2)[0] if main_class.count(".") >= 2 else main_class


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI timeout, `kill`) must restore the device like Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


class DynamicRun:
    def __init__(self, options: DynamicOptions, scenario, progress=None):
        from privascope.dynamic_run.live_panel import Progress

        self.options = options
        self.scenario = scenario
        self.progress = progress or Progress()
        self.timings: dict[str, float] = {}
        self.limits: list[str] = []
        self.device_setup: list[str] = []  # what _prepare_device set on the device (method)
        self.errors: list[str] = []
        self._traffic: list[TrafficEvent] = []
        self._traffic_lock = threading.Lock()
        self.out = options.out
        self.driver = None  # kept for inspection after the run (tests, bench)
        self._setup_target = None
        self._keeper: Optional[RequestKeeper] = None  # for the late-canary rescan
        self._addon: Optional[PrivascopeAddon] = None
        self.proxy: Optional[ProxyHandle] = None

    # ------------------------------------------------------------------ callbacks
    def _on_traffic(self, event: TrafficEvent) -> None:
        if self._keeper is not None:
            self._keeper.analysed(event)
        with self._traffic_lock:
            self._traffic.append(event)
        self.progress.on_request(event.host, [(m.pi_type, m.encoding) for m in event.matches])

    def _on_runtime(self, event) -> None:
        from privascope.model import ConsentEvent, RuntimeEvent

        if isinstance(event, RuntimeEvent):
            self.progress.on_read(event.pi_type, event.sdk)
        elif isinstance(event, ConsentEvent):
            self.progress.on_consent(event.kind.value, event.detected_by)

    @contextlib.contextmanager
    def _timed(self, stage: str) -> Iterator[None]:
        t0 = time.monotonic()
        try:
            yield
        finally:
            self.timings[stage] = round(self.timings.get(stage, 0.0) + time.monotonic() - t0, 3)

    # ------------------------------------------------------------------ the run
    def execute(self) -> Bundle:
        from privascope.catalog import CatalogError, load_catalog

        started = time.time()
        try:
            catalog = load_catalog()
        except CatalogError as exc:
            raise RunBadInput(f"catalog: {exc}") from None
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            # live logs of this run (kept if it dies half-way); earlier runs' logs would mix in
            for old in [*self.out.glob("runtime-events*.jsonl"), self.out / LIVE_TRAFFIC_LOG]:
                old.unlink(missing_ok=True)
        except OSError as exc:
            raise RunBadInput(f"cannot write to {self.out}: {exc.strerror}") from None
        if not self.options.verbose:
            # the progress panel says what matters; mitmproxy's per-connection lines drown it
            logging.getLogger("mitmproxy").setLevel(logging.WARNING)
        with self.progress, _sigterm_as_interrupt():
            if self.options.target:
                base, runtime, traffic, kinds = self._run_jvm(catalog)
            else:
                base, runtime, traffic, kinds = self._run_android(catalog)
        from privascope.dynamic_run.correlate import correlate, origin_limits

        with self._timed("correlate"):
            traffic = correlate(runtime, sorted(traffic, key=lambda t: t.time),
                                catalog.sdk_for_host)
        self.limits += origin_limits(runtime, traffic)  # bypassed proxy, unattributed flows
        if runtime is not None and runtime.agent_errors:
            self.limits.append(f"the agent reported {len(runtime.agent_errors)} error(s); "
                               "some APIs may not have been hooked")
        method = dataclasses.replace(
            base.method, kinds=kinds, scenario=self.scenario.id,
            catalog_versions=base.method.catalog_versions or dict(catalog.versions),
            timings={**base.method.timings, **self.timings}, started_at=started,
            limits=tuple(base.method.limits) + tuple(dict.fromkeys(self.limits)),
            device_setup=tuple(base.method.device_setup) + tuple(self.device_setup) + tuple(
                getattr(self.driver, "device_setup", ())))
        bundle = dataclasses.replace(
            base, runtime=runtime, traffic=traffic, method=method,
            errors=tuple(base.errors) + tuple(self.errors),
            partial=base.partial or bool(self.errors))
        bundle = app_traffic_only(bundle)  # device traffic apart (judge does it again: no-op)
        self.progress.summary(bundle)
        return bundle

    def _traffic_stack(self, catalog, package: Optional[str], sink_port: Optional[int]):
        """The canary store (fed live by the agent) and the proxy with the analysis addon."""
        from privascope.traffic import CanaryStore
        from privascope.hooks.mitm_addon import PrivascopeAddon
        from privascope.hooks.mitm_runner import ProxyStartError, start_proxy

        from privascope.hooks.mitm_keeper import RequestKeeper

        store = CanaryStore.for_catalog(catalog)
        self._keeper = RequestKeeper()
        self._addon = PrivascopeAddon(store=store, on_event=self._on_traffic, package=package,
                                      catalog=catalog, context=self._live_stamp)
        addons: list[Any] = [self._addon, self._keeper]  # the keeper sees the flow before any reroute
        if sink_port is not None:
            from privascope.hooks.mitm_route import RouteToSink

            addons.append(RouteToSink(sink_port))  # after the analysis addon: see sink.py
        # One CA per user, like mitmproxy itself: a device trusts it once, not once per run.
        confdir = Path(os.environ.get("PRIVASCOPE_MITM_CONFDIR") or Path.home() / ".mitmproxy")
        with self._timed("proxy_start"):
            try:
                proxy = start_proxy(addons, host=self.options.proxy_host,
                                    port=self.options.proxy_port, confdir=confdir,
                                    options={"privascope_out": str(self.out / LIVE_TRAFFIC_LOG)})
            except ValueError as exc:  # not a loopback address
                raise RunBadInput(f"--proxy-host: {exc}") from None
            except (ProxyStartError, OSError) as exc:
                raise RunMissing(f"proxy unreachable: cannot listen on {self.options.proxy_host}:"
                               f"{self.options.proxy_port or 'any port'} ({exc})") from None
        self.progress.info(f"proxy listening on {proxy.host}:{proxy.port}")
        self.proxy = proxy
        return store, proxy

    def _live_stamp(self):
        driver = self.driver
        return driver.live_stamp() if driver is not None else (None, None)

    def _final_traffic(self) -> list[TrafficEvent]:
        """The live results, re-analysed now that every value the agent saw is known."""
        with self._traffic_lock:
            traffic = list(self._traffic)
        if self._keeper is None:
            return traffic
        from privascope.dynamic_run.rescan import rescan

        with self._timed("rescan"):
            traffic = rescan(self._addon.analyzer if self._addon else None, traffic,
                             self._keeper.kept())
        if self._keeper.dropped:
            self.limits.append(f"{self._keeper.dropped} request(s) over the keep limit were "
                               "matched live only (values read later may be missed there)")
        self._keeper.forget()
        return traffic

    def _session_factory(self, catalog, store, app: Optional[Bundle] = None):
        from privascope.dynamic_run.drivers import SessionFactory
        from privascope.static.sdks import own_packages

        # the same own-package rule as the static scan: a vendor's demo app is not its SDK
        own = own_packages(app.app.package or "", (e.class_name for e in app.startup.entry_points
                                                   if e.kind == "application")
                           if app.startup else ()) if app else ()
        return SessionFactory(catalog, on_event=self._on_runtime, canaries=store,
                              events_dir=self.out, own_packages=own)

    def _run_scenario(self, driver):
        from privascope.dynamic_run.scenarios import run_scenario
        from privascope.runtime.agent_config import AgentBuildError
        from privascope.runtime.session import SessionError
        from privascope.runtime.adb import MissingError
        from privascope.runtime.targets import TargetError, TargetUnavailable

        try:
            with self._timed("scenario"):
                outcome = run_scenario(self.scenario, driver, self.options.duration, self.progress)
        except (TargetUnavailable, AgentBuildError, SessionError, TargetError,
                MissingError) as exc:  # MissingError: adb time-out, device gone mid-run
            message = f"Frida agent: {exc}" if isinstance(exc, (AgentBuildError, SessionError)) \
                else str(exc)
            if not driver.sessions:  # nothing observed yet: the run failed
                raise (RunBadInput if isinstance(exc, TargetError) else RunMissing)(message) from None
            # A later process failed (e.g. a restart): what was observed so far still counts.
            self.errors.append(f"scenario {self.scenario.id} stopped early: {message}")
            self.progress.note(f"stopped early: {message}")
            return
        self.limits += outcome.limits

    # ------------------------------------------------------------------ JVM
    def _run_jvm(self, catalog):
        from privascope.dynamic_run.drivers import JvmDriver
        from privascope.dynamic_run.sink import LocalSink

        classpath, main, program_args = parse_target(self.options.target)
        package = _program_package(main, program_args)
        base = Bundle(tool=Tool("privascope", __version__),
                      app=AppInfo(package=package, label=main))
        sink = LocalSink().start()
        runtime = None
        try:
            store, proxy = self._traffic_stack(catalog, package, sink.port)
            driver = self.driver = JvmDriver(classpath, main, program_args,
                                             self._session_factory(catalog, store),
                                             proxy_port=proxy.port)
            try:
                self._run_scenario(driver)
            finally:
                with self._timed("teardown"):
                    driver.stop()
                    runtime = driver.evidence()
                    proxy.stop()
            self.limits += driver.limits
        finally:
            sink.stop()
        return base, runtime, self._final_traffic(), ("runtime", "traffic")

    # ------------------------------------------------------------------ Android
    def _run_android(self, catalog):
        from privascope.runtime import adb
        from privascope.pipeline import static_evidence
        from privascope.static.scan import ScanError

        serial = self.options.serial
        if not serial:
            raise RunMissing("no device: give --serial SERIAL (see `adb devices`)")
        with self._timed("static"):
            try:
                base = static_evidence(self.options.apk, catalog)
            except ScanError as exc:
                raise RunBadInput(str(exc)) from None
        self.progress.info(f"static scan of {base.app.package} done")
        try:
            shell = adb.AdbShell(serial)
        except adb.MissingError as exc:
            raise RunMissing(str(exc)) from None
        try:
            package = adb.check_package_name(base.app.package)
        except ValueError as exc:
            raise RunBadInput(str(exc)) from None
        store, proxy = self._traffic_stack(catalog, package, None)
        settings = adb.DeviceSettings()
        driver = None
        runtime = None
        try:
            try:
                self._prepare_device(shell, settings, proxy, package)
                driver = self.driver = self._android_driver(shell, serial, package, catalog,
                                                            store, base)
            except adb.MissingError as exc:
                raise RunMissing(str(exc)) from None
            self._run_scenario(driver)
        finally:
            with self._timed("teardown"):
                problems = []
                if driver is not None:
                    try:
                        driver.stop()
                    except adb.MissingError as exc:  # device gone: keep what was observed
                        problems.append(str(exc))
                    runtime = driver.evidence()  # also ends spawn gating
                    self.limits += driver.limits  # e.g. processes that ran without the agent
                problems += adb.restore(shell, settings)
                if self._setup_target is not None:
                    self._setup_target.stop()  # CA overlay, the frida-server it started
                    problems += [n for n in self._setup_target.changes.notes
                                 if "not unmounted" in n]
                proxy.stop()
            for p in problems:
                self.errors.append(f"device settings: {p}")
                self.progress.note(f"could not restore: {p}")
        return base, runtime, self._final_traffic(), ("static", "runtime", "traffic")

    def _prepare_device(self, shell, settings, proxy, package) -> None:
        """frida-server, the APK, the proxy path and the CA, once for the whole run. The
        per-process targets then only spawn and kill the app."""
        from privascope.runtime import adb
        from privascope.runtime.targets import TargetUnavailable

        ca_pem = proxy.ca_cert_path.read_bytes()
        setup = self._setup_target = self._android_target_class()(
            serial=self.options.serial, package=package, ca_pem=ca_pem, dev=shell)
        with self._timed("device_setup"):
            try:
                setup.ensure_frida_server()
            except TargetUnavailable as exc:
                raise adb.MissingError(str(exc)) from None
            assert self.options.apk is not None  # the device path runs only for --apk
            shell.install(Path(self.options.apk))  # a refusal: InstallError, one line, exit 3
            # no AOT code that inlined framework getters past the hooks (issue 11 item 10)
            reset, line = adb.reset_compilation(shell, package)
            self.device_setup.append(line)
            if not reset:
                self.limits.append(line)
            # the device's 127.0.0.1:PORT is the host's proxy: no address outside loopback
            shell.reverse(proxy.port, proxy.port)
            settings.reversed_ports.append(proxy.port)
            adb.set_proxy(shell, settings, "127.0.0.1", proxy.port)
            # reachable only when this run's proxy saw that very request (issue 11 item 2); the
            # addon answers the probe and keeps it out of the app's traffic
            reachable = adb.proxy_reachable(
                shell, proxy.port, seen=self._addon.probe_seen if self._addon else None)
            if reachable is False:
                raise adb.MissingError(
                    f"proxy unreachable: the device cannot connect to 127.0.0.1:{proxy.port} "
                    "(adb reverse failed?)")
            if reachable is None:
                self.limits.append("the device has no nc: proxy reachability was not checked")
            setup.install_ca()  # system store overlay with root, else a copy for the user
            trust = adb.ca_trust(shell, ca_pem)
            if trust == "none":
                raise adb.MissingError(
                    f"CA not trusted: install {proxy.ca_cert_path} on the device as a system CA "
                    f"({adb.subject_hash_old(ca_pem)}.0; needs root) so HTTPS can be read")
            if trust == "user":
                self.limits.append("the proxy CA is only a user CA: apps targeting Android 7+ "
                                   "ignore it unless their network security config allows it; "
                                   "the agent's unpinning covers common stacks")

    @staticmethod
    def _android_target_class():
        from privascope.runtime import android

        return android.AndroidTarget

    def _android_driver(self, shell, serial, package, catalog, store, app: Optional[Bundle] = None):
        from privascope.dynamic_run.drivers import AndroidDriver

        target_class = self._android_target_class()
        # the runtime permissions each scenario grants or revokes: the manifest's dangerous ones
        runtime_permissions = tuple(p.name for p in app.permissions
                                    if p.protection_level == "dangerous") if app else ()
        return AndroidDriver(package, shell,
                             target_factory=lambda **kw: target_class(serial=serial,
                                                                      package=package, dev=shell,
                                                                      **kw),
                             factory=self._session_factory(catalog, store, app),
                             ask=self.progress.ask if sys.stdin.isatty() else None,
                             runtime_permissions=runtime_permissions)
