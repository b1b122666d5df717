"""mitmproxy addon: hands every request (and client WebSocket message) to privascope.traffic and
writes one TrafficEvent per request as a JSON line. Thin on purpose: all decisions live in
privascope.traffic. It never breaks or delays a flow on its own errors: it logs and lets go.

Standalone:
    mitmdump -s hooks/mitm_addon.py --set privascope_known=known.txt \
        --set privascope_out=traffic.jsonl [--set privascope_first_party=api.example.com,...]
In-process (privascope dynamic): PrivascopeAddon(store=live_store, on_event=callback).
"""
from __future__ import annotations

import functools
import logging
import queue
import sys
import threading
from pathlib import Path
from typing import Callable, Optional

if __package__ in (None, ""):  # loaded by path (mitmdump -s): make `analyzer` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mitmproxy import exceptions, http  # noqa: E402

from privascope.catalog import CatalogError, load_catalog  # noqa: E402
from privascope.model import TrafficEvent  # noqa: E402
from privascope.runtime.adb import PROXY_PROBE_HOST  # noqa: E402
from privascope.traffic.canaries import CanaryStore, KnownValueError, file_permission_warning  # noqa: E402
from privascope.traffic.fragments import RequestView  # noqa: E402
from privascope.jsonlines import JsonLinesWriter  # noqa: E402
from privascope.traffic.matcher import Limits, TrafficAnalyzer  # noqa: E402

log = logging.getLogger("privascope.traffic")
PROBE_MARK = "privascope_probe"  # flow.metadata key of the device set-up's proxy probe


def _never_raise(hook):
    """A failure in privascope must not become a failure of the app's traffic."""

    @functools.wraps(hook)
    def wrapper(self, *args, **kwargs):
        try:
            return hook(self, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - by design: log and pass the flow on
            self.errors += 1
            log.warning("privascope: %s failed (%s: %s); flow passed on unchanged",
                        hook.__name__, type(exc).__name__, str(exc)[:200])
    return wrapper


class _OneLineOptionErrors(logging.Filter):
    """mitmdump logs an error raised by a script's configure() with its traceback; for our
    own option errors the message is the whole story, so the user gets one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, exceptions.OptionsError) and str(exc).startswith("privascope"):
            record.msg, record.args, record.exc_info = f"{exc}", (), None
        return True


def request_view(flow: http.HTTPFlow, max_body: int = Limits.max_body) -> RequestView:
    """A copy of what the matcher needs, taken in the proxy's thread: the flow itself may
    change (response, replay) while the worker analyses."""
    req = flow.request
    raw = req.raw_content  # still encoded: privascope.traffic decodes with bounds
    return RequestView(
        method=req.method, scheme=req.scheme, host=req.pretty_host, port=req.port, path=req.path,
        headers=tuple((k, v) for k, v in req.headers.items(multi=True)),
        body=raw[:max_body + 1] if raw else b"",  # one byte more tells "truncated"
        time=req.timestamp_start or 0.0,
        body_unseen=raw is None,  # streamed (stream_large_bodies): never buffered by mitmproxy
    )


class _Worker:
    """Analysis off the proxy's event loop: a flow is never held while its body is searched.
    One thread keeps events in arrival order; the bounded queue applies back-pressure rather
    than growing without limit."""

    def __init__(self, run: Callable[[Callable[[], TrafficEvent]], None], size: int = 256):
        self._run = run
        self._queue: queue.Queue = queue.Queue(maxsize=size)
        self._thread = threading.Thread(target=self._loop, name="privascope-traffic", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                self._run(job)
            finally:
                self._queue.task_done()

    def submit(self, job: Callable[[], TrafficEvent]) -> None:
        self._queue.put(job)

    def flush(self) -> None:
        self._queue.join()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(30)


class PrivascopeAddon:
    def __init__(self, store: Optional[CanaryStore] = None,
                 on_event: Optional[Callable[[TrafficEvent], None]] = None,
                 first_party: tuple[str, ...] = (), package: Optional[str] = None,
                 catalog=None, context=None, background: bool = True):
        self._given_store = store
        self._on_event = on_event
        self._first_party = tuple(first_party)
        self._package = package
        self._catalog = catalog
        self._context = context
        self.store = store
        self.analyzer: Optional[TrafficAnalyzer] = None
        self.writer: Optional[JsonLinesWriter] = None
        self.errors = 0
        self.events = 0
        self._max_body = Limits.max_body
        self._worker = _Worker(self._run) if background else None
        self._probes: set[str] = set()  # proxy-probe tokens seen

    def load(self, loader):
        script_log = logging.getLogger("mitmproxy.addons.script")
        if not any(isinstance(f, _OneLineOptionErrors) for f in script_log.filters):
            script_log.addFilter(_OneLineOptionErrors())
        loader.add_option("privascope_known", Optional[str], None,
                          "File of pi_type=value lines (known personal values to look for); "
                          "keep it owner-only (chmod 600).")
        loader.add_option("privascope_out", Optional[str], None,
                          "Write one TrafficEvent per request to this JSON-lines file.")
        loader.add_option("privascope_first_party", str, "",
                          "Comma-separated host suffixes of the app itself (first party).")
        loader.add_option("privascope_package", Optional[str], None,
                          "The app's package name; its reversed domain counts as first party.")
        loader.add_option("privascope_max_body", int, Limits.max_body,
                          "Bytes of each request body searched; longer bodies are marked truncated.")

    def configure(self, updated):
        from mitmproxy import ctx

        opts = ctx.options
        if not updated & {"privascope_known", "privascope_out", "privascope_first_party",
                          "privascope_package", "privascope_max_body"} and self.analyzer is not None:
            return
        if opts.privascope_max_body <= 0:
            raise exceptions.OptionsError("privascope_max_body must be a positive number of bytes")
        try:
            catalog = self._catalog if self._catalog is not None else load_catalog()
        except CatalogError as exc:
            raise exceptions.OptionsError(f"privascope: catalog: {exc}") from None
        store = self._given_store if self._given_store is not None else CanaryStore.for_catalog(catalog)
        if opts.privascope_known:
            path = Path(opts.privascope_known)
            if not path.is_file():
                raise exceptions.OptionsError(f"privascope_known: no such file: {path}")
            try:
                added = store.load_file(path)
            except KnownValueError as exc:
                raise exceptions.OptionsError(f"privascope_known: {exc}") from None
            warning = file_permission_warning(path)
            if warning:
                log.warning("privascope: %s", warning)
            log.info("privascope: %d known values (%d variants)", added, store.variant_count)
        if opts.privascope_out:
            out = Path(opts.privascope_out)
            if not out.parent.is_dir():
                raise exceptions.OptionsError(f"privascope_out: directory does not exist: {out.parent}")
            if self.writer is not None:
                self.writer.close()
            try:
                self.writer = JsonLinesWriter(out)
            except OSError as exc:
                raise exceptions.OptionsError(f"privascope_out: cannot write {out}: {exc.strerror}") from None
        first_party = self._first_party + tuple(
            h.strip() for h in opts.privascope_first_party.split(",") if h.strip())
        self.store = store
        self._max_body = opts.privascope_max_body
        self.analyzer = TrafficAnalyzer(
            store, catalog, first_party=first_party,
            package=opts.privascope_package or self._package,
            limits=Limits(max_body=opts.privascope_max_body), context=self._context)

    def _emit(self, event: TrafficEvent) -> None:
        self.events += 1
        if self.writer is not None:
            self.writer.write("traffic_event", event)
        if self._on_event is not None:
            self._on_event(event)

    def _run(self, job: Callable[[], TrafficEvent]) -> None:
        try:
            self._emit(job())
        except Exception as exc:  # noqa: BLE001 - one bad request must not stop the others
            self.errors += 1
            log.warning("privascope: analysis failed (%s: %s); flow was passed on unchanged",
                        type(exc).__name__, str(exc)[:200])

    def _submit(self, job: Callable[[], TrafficEvent]) -> None:
        if self._worker is not None:
            self._worker.submit(job)
        else:
            self._run(job)

    def flush(self) -> None:
        """Wait until every request seen so far has its event written (tests, end of run)."""
        if self._worker is not None:
            self._worker.flush()

    def probe_seen(self, token: str) -> bool:
        """Did the device set-up's proxy probe with this token arrive (adb.proxy_reachable)?"""
        return token in self._probes

    def _probe(self, flow: http.HTTPFlow) -> bool:
        """The device set-up's proxy probe (privascope.runtime.adb.proxy_reachable): no app's
        request, so no traffic event. Answered here (its .invalid host resolves nowhere) and
        its token noted, so the set-up knows this proxy saw that very request."""
        if flow.request.pretty_host != PROXY_PROBE_HOST:
            return False
        token = flow.request.path.strip("/").split("?")[0]
        if len(self._probes) < 64:
            self._probes.add(token)
        flow.response = http.Response.make(204, b"", {"Connection": "close"})
        flow.metadata[PROBE_MARK] = True  # the addons after this one leave it alone too
        return True

    @_never_raise
    def request(self, flow: http.HTTPFlow) -> None:
        if self._probe(flow):
            return
        analyzer = self.analyzer
        if analyzer is None:
            return
        view, stamp = request_view(flow, self._max_body), analyzer.stamp()  # phase: at arrival
        self._submit(lambda: analyzer.analyze_request(view, stamp))

    @_never_raise
    def websocket_message(self, flow: http.HTTPFlow) -> None:
        analyzer = self.analyzer
        if analyzer is None or flow.websocket is None:
            return
        message = flow.websocket.messages[-1]
        if not message.from_client:
            return  # what the server sends is not data leaving the device
        view, content = request_view(flow, 0), message.content[:self._max_body + 1]
        stamp = analyzer.stamp()
        self._submit(lambda: analyzer.analyze_websocket_message(view, content, stamp))

    def done(self):
        if self._worker is not None:
            self._worker.flush()
            self._worker.stop()
        if self.writer is not None:
            self.writer.close()


addons = [PrivascopeAddon()]
