"""The double as an adbd over TCP (issue 11, option b): Debian's real adb *server* connects to
it with `adb connect 127.0.0.1:PORT` and speaks the transport protocol of AOSP
packages/modules/adb protocol.txt (android14-release): 24-byte messages (command, arg0, arg1,
length, checksum, magic = command ^ 0xffffffff), CNXN handshake with the device banner
(`device::ro.product.name=…;features=…`, as adbd's get_connection_string builds it), no AUTH
(ro.adb.secure=0, as on emulator images), streams OPEN/OKAY/WRTE/CLSE with one unacknowledged
WRTE at a time.

A stream's service runs on the same handlers as the double's adb server: the service sees a
socketpair; its first answer (OKAY or FAIL) becomes A_OKAY or A_CLSE, the rest is stream data.
"""
from __future__ import annotations

import socket
import socketserver
import struct
import threading

from tests.device_double.adb_server import FEATURES, AdbServer, _Conn
from tests.device_double.device import Device, recv_exact

A_CNXN, A_OPEN, A_OKAY, A_CLSE, A_WRTE, A_AUTH, A_STLS = (
    0x4E584E43, 0x4E45504F, 0x59414B4F, 0x45534C43, 0x45545257, 0x48545541, 0x534C5453)
A_VERSION = 0x01000001  # checksum optional from this version on (protocol.txt)
MAX_PAYLOAD = 256 * 1024


def _checksum(data: bytes) -> int:
    return sum(data) & 0xFFFFFFFF


class _Link:
    """One host connection: reads messages, dispatches streams."""

    def __init__(self, sock: socket.socket, device: Device, services: AdbServer):
        self.sock = sock
        self.device = device
        self.services = services
        self.send_lock = threading.Lock()
        self.streams: dict[int, "_Stream"] = {}
        self.next_id = 1
        self.max_payload = 4096

    def send(self, cmd: int, arg0: int, arg1: int, data: bytes = b"") -> None:
        head = struct.pack("<6I", cmd, arg0, arg1, len(data), _checksum(data), cmd ^ 0xFFFFFFFF)
        with self.send_lock:
            self.sock.sendall(head + data)

    def serve(self) -> None:
        try:
            while True:
                cmd, arg0, arg1, length, _, magic = struct.unpack("<6I", recv_exact(self.sock, 24))
                if magic != cmd ^ 0xFFFFFFFF:
                    return  # a corrupt header: adbd drops the connection
                data = recv_exact(self.sock, length) if length else b""
                self._dispatch(cmd, arg0, arg1, data)
        except (EOFError, OSError):
            pass
        finally:
            for stream in list(self.streams.values()):
                stream.close_local()
            self.sock.close()

    def _dispatch(self, cmd: int, arg0: int, arg1: int, data: bytes) -> None:
        if cmd == A_CNXN:
            self.max_payload = min(arg1, MAX_PAYLOAD) or 4096
            p = self.device.profile.props
            banner = (f"device::ro.product.name={p.get('ro.product.name', '')};"
                      f"ro.product.model={p.get('ro.product.model', '')};"
                      f"ro.product.device={p.get('ro.product.device', '')};features={FEATURES}")
            self.send(A_CNXN, A_VERSION, MAX_PAYLOAD, banner.encode())
        elif cmd == A_OPEN:
            name = data.rstrip(b"\0").decode("utf-8", "replace")
            local_id = self.next_id
            self.next_id += 1
            stream = _Stream(self, local_id, arg0)
            self.streams[local_id] = stream
            stream.start(name)
        elif cmd == A_OKAY:
            stream = self.streams.get(arg1)
            if stream:
                stream.acked.set()
        elif cmd == A_WRTE:
            stream = self.streams.get(arg1)
            if stream:
                stream.from_host(data)
                self.send(A_OKAY, arg1, arg0)
        elif cmd == A_CLSE:
            stream = self.streams.pop(arg1, None)
            if stream:
                stream.close_local()


class _Stream:
    def __init__(self, link: _Link, local_id: int, remote_id: int):
        self.link, self.local_id, self.remote_id = link, local_id, remote_id
        self.acked = threading.Event()
        self.mine, self.theirs = socket.socketpair()
        self.closed = False

    def start(self, service: str) -> None:
        def run_service():
            c = _Conn(self.theirs)
            try:
                self.link.services._device_service(c, self.link.device, service)
            except (EOFError, OSError, ValueError):
                pass
            finally:
                try:
                    self.theirs.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                self.theirs.close()

        threading.Thread(target=run_service, daemon=True).start()
        threading.Thread(target=self._to_host, daemon=True).start()

    def _to_host(self) -> None:
        link = self.link
        try:
            status = self._read(4)
            if status != b"OKAY":
                link.send(A_CLSE, 0, self.remote_id)
                return
            link.send(A_OKAY, self.local_id, self.remote_id)
            while True:
                data = self.mine.recv(link.max_payload)
                if not data:
                    break
                self.acked.clear()
                link.send(A_WRTE, self.local_id, self.remote_id, data)
                if not self.acked.wait(30):
                    break
        except OSError:
            pass
        if not self.closed:
            try:
                link.send(A_CLSE, self.local_id, self.remote_id)
            except OSError:
                pass
        link.streams.pop(self.local_id, None)

    def _read(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.mine.recv(n - len(buf))
            if not chunk:
                break
            buf += chunk
        return buf

    def from_host(self, data: bytes) -> None:
        try:
            self.mine.sendall(data)
        except OSError:
            pass

    def close_local(self) -> None:
        self.closed = True
        try:
            self.mine.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Adbd:
    """Listens on 127.0.0.1:port as the device's adbd (TCP transport)."""

    def __init__(self, device: Device, services: AdbServer, port: int = 0):
        link_args = (device, services)

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                _Link(self.request, *link_args).serve()

        class Srv(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._srv = Srv(("127.0.0.1", port), Handler)
        self.port = self._srv.server_address[1]

    def start(self) -> "Adbd":
        threading.Thread(target=self._srv.serve_forever, kwargs={"poll_interval": 0.1},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self._srv.shutdown()
        self._srv.server_close()
