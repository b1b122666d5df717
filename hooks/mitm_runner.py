"""Run mitmproxy in-process, in a thread with its own asyncio loop, with given addons.

Used by tests and by `privascope dynamic`, so live canaries from the Frida session reach the
traffic addon in memory. Listens on loopback only (the device reaches it via `adb reverse`).

    handle = start_proxy([PrivascopeAddon(store=s, on_event=cb)], confdir=tmp)
    ... traffic through 127.0.0.1:handle.port, trusting handle.ca_cert_path ...
    handle.stop()
"""
from __future__ import annotations

import asyncio
import ipaddress
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional


class ProxyStartError(RuntimeError):
    pass


@dataclass
class ProxyHandle:
    host: str
    port: int
    confdir: Path
    _master: Any = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def ca_cert_path(self) -> Path:
        """The CA clients must trust (mitmproxy creates it in confdir on first start)."""
        return self.confdir / "mitmproxy-ca-cert.pem"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread.is_alive():
            self._master.shutdown()  # thread-safe
            self._thread.join(timeout)


def _check_loopback(host: str) -> None:
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"proxy must listen on a loopback address, not {host!r}")


def start_proxy(addons: Iterable[Any], host: str = "127.0.0.1", port: int = 0,
                confdir: Optional[Path | str] = None, options: Optional[dict[str, Any]] = None,
                timeout: float = 30.0) -> ProxyHandle:
    """Start mitmproxy (regular proxy mode) and return once it listens. `options` are extra
    mitmproxy options, e.g. {"ssl_insecure": True} for a test server's self-signed cert."""
    _check_loopback(host)
    confdir = Path(confdir or Path.home() / ".mitmproxy").expanduser()
    confdir.mkdir(parents=True, exist_ok=True)
    addons = list(addons)
    ready = threading.Event()
    state: dict[str, Any] = {}

    async def main() -> None:
        # Imported here: importing mitmproxy is only needed by whoever starts a proxy.
        from mitmproxy import addons as default_addons
        from mitmproxy import hooks, master, options as mopts

        m = master.Master(mopts.Options())
        m.addons.add(*default_addons.default_addons())
        m.addons.add(*addons)
        m.options.update(listen_host=host, listen_port=port, confdir=str(confdir), **(options or {}))
        # As mitmdump does for scripts: every addon sees every option once before it runs.
        m.addons.trigger(hooks.ConfigureHook(set(m.options.keys())))
        state["master"] = m
        run = asyncio.ensure_future(m.run())
        ps = m.addons.get("proxyserver")
        while not run.done():
            addrs = ps.listen_addrs()
            if addrs:
                state["port"] = addrs[0][1]
                ready.set()
                break
            await asyncio.sleep(0.02)
        await run

    def thread_main() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - reported to the caller of start_proxy
            state["error"] = exc
        finally:
            ready.set()

    thread = threading.Thread(target=thread_main, name="privascope-mitmproxy", daemon=True)
    thread.start()
    if not ready.wait(timeout) or "port" not in state:
        if "master" in state:
            state["master"].shutdown()
        thread.join(5)
        err = state.get("error")
        raise ProxyStartError(f"mitmproxy did not start on {host}:{port}"
                              + (f": {type(err).__name__}: {err}" if err else ""))
    return ProxyHandle(host=host, port=state["port"], confdir=confdir,
                       _master=state["master"], _thread=thread)
