"""The adb server side of the host smart-socket protocol, on 127.0.0.1:PORT, for the double's
devices. What a client sees follows AOSP packages/modules/adb (android14-release):
- SERVICES.TXT / protocol.txt: a request is 4 hex digits of length + the service name; the
  answer is "OKAY" or "FAIL" + 4 hex length + message. host:version answers the version as a
  4-hex string block (41 = "0029", adb 1.0.41); host:devices(-l) a string block of lines.
- host:track-devices(-l) sends the list and keeps the connection (Frida's adb client uses it).
- host:transport:SERIAL / host:tport:serial:SERIAL (the latter also sends the 8-byte
  little-endian transport id, adb.cpp handle_host_request) turn the connection into one to the
  device; the next request names a device service: shell:, shell,v2: (shell_protocol.h: packets
  of id byte + u32le length; 0 stdin, 1 stdout, 2 stderr, 3 exit with one byte, 4 close-stdin),
  sync: (SYNC.TXT: STAT/LIST/SEND/RECV/QUIT, DATA/DONE/OKAY/FAIL), tcp:PORT, reverse:forward:R;L,
  reverse:killforward:R, reverse:killforward-all, reverse:list-forward. A forward request is
  answered OKAY twice (adb.cpp handle_forward_request: connect, then status).
- host-serial:SERIAL:features / get-state / get-serialno / forward:L;R answer without a
  transport switch.
Install is what adbutils 2.12.0 does: sync SEND of the APK to /data/local/tmp, then
`pm install -r -t PATH` through shell: (adbutils/install.py).
"""
from __future__ import annotations

import os
import socket
import socketserver
import stat as stat_mod
import struct
import subprocess
import threading
from typing import Optional

from tests.device_double.device import (Device, DoubleError, kill_group, pipe_both, recv_exact,
                                        splice)

ADB_VERSION = 41
# features adbd advertises that the double implements (transport.cpp kFeature*)
FEATURES = "shell_v2,cmd,fixed_push_mkdir,apex"
SYNC_DATA_MAX = 64 * 1024


class _Conn:
    def __init__(self, sock: socket.socket):
        self.sock = sock

    def read_exact(self, n: int) -> bytes:
        return recv_exact(self.sock, n)

    def read_request(self) -> str:
        length = int(self.read_exact(4), 16)
        return self.read_exact(length).decode("utf-8", "replace")

    def okay(self) -> None:
        self.sock.sendall(b"OKAY")

    def fail(self, message: str) -> None:
        data = message.encode()
        self.sock.sendall(b"FAIL" + f"{len(data):04x}".encode() + data)

    def block(self, text: str) -> None:
        data = text.encode()
        self.sock.sendall(f"{len(data):04x}".encode() + data)


class AdbServer:
    """Serves the given devices until stop()."""

    def __init__(self, devices: list[Device], port: int = 0):
        self.devices = {d.serial: d for d in devices}
        self._transport_ids = {d.serial: i + 1 for i, d in enumerate(devices)}
        self._forwards: dict[str, tuple[str, str, socket.socket]] = {}
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                server._handle(self.request)

        class Srv(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._srv = Srv(("127.0.0.1", port), Handler)
        self.port = self._srv.server_address[1]
        self._thread: Optional[threading.Thread] = None

    def start(self) -> "AdbServer":
        self._thread = threading.Thread(target=self._srv.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._srv.shutdown()
        self._srv.server_close()
        for _, _, sock in self._forwards.values():
            sock.close()
        self._forwards.clear()

    # ------------------------------------------------------------------ host services

    def _handle(self, sock: socket.socket) -> None:
        c = _Conn(sock)
        device: Optional[Device] = None
        try:
            while True:
                req = c.read_request()
                if device is None:
                    device = self._host_request(c, req)
                    if device is None:
                        return  # a host service answered; the server closes the connection
                else:
                    self._device_service(c, device, req)
                    return
        except (EOFError, ConnectionError, OSError, ValueError):
            return
        finally:
            try:
                # shutdown first: a stdin pump blocked in recv() would keep the connection open
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                sock.close()
            except OSError:
                pass

    def _host_request(self, c: _Conn, req: str) -> Optional[Device]:
        if req == "host:version":
            c.okay()
            c.block(f"{ADB_VERSION:04x}")
            return None
        if req in ("host:track-devices", "host:track-devices-l"):
            # SERVICES.TXT: the list now, then again on every change, until the client closes
            c.okay()
            c.block(self._device_lines(req.endswith("-l")))
            while c.sock.recv(1):
                pass
            return None
        if req in ("host:devices", "host:devices-l"):
            c.okay()
            c.block(self._device_lines(req.endswith("-l")))
            return None
        if req == "host:kill":
            c.okay()
            return None
        for prefix in ("host:transport:", "host:tport:serial:"):
            if req.startswith(prefix):
                device = self.devices.get(req[len(prefix):])
                if device is None:
                    c.fail(f"device '{req[len(prefix):]}' not found")
                    return None
                c.okay()
                if prefix == "host:tport:serial:":
                    c.sock.sendall(struct.pack("<Q", self._transport_ids[device.serial]))
                return device
        if req.startswith("host:transport-id:") or req in ("host:transport-any", "host:tport:any"):
            want = req.rsplit(":", 1)[-1]
            device = next((d for s, d in self.devices.items()
                           if req.endswith("any") or str(self._transport_ids[s]) == want), None)
            if device is None:
                c.fail("no devices/emulators found")
                return None
            c.okay()
            if req == "host:tport:any":
                c.sock.sendall(struct.pack("<Q", self._transport_ids[device.serial]))
            return device
        if req.startswith("host-serial:"):
            serial, _, cmd = req[len("host-serial:"):].partition(":")
            device = self.devices.get(serial)
            if device is None:
                c.fail(f"device '{serial}' not found")
                return None
            self._serial_request(c, device, cmd)
            return None
        if req == "host:list-forward":
            c.okay()
            c.block("".join(f"{s} {loc} {r}\n" for loc, (s, r, _) in self._forwards.items()))
            return None
        c.fail(f"unknown host service '{req}'")
        return None

    def _device_lines(self, extended: bool) -> str:
        lines = []
        for serial, d in self.devices.items():
            if extended:
                p = d.profile.props
                lines.append(f"{serial:<22} device product:{p.get('ro.product.name', '')} "
                             f"model:{p.get('ro.product.model', '').replace(' ', '_')} "
                             f"device:{p.get('ro.product.device', '')} "
                             f"transport_id:{self._transport_ids[serial]}")
            else:
                lines.append(f"{serial}\tdevice")
        return "".join(line + "\n" for line in lines)

    def _serial_request(self, c: _Conn, device: Device, cmd: str) -> None:
        if cmd == "features":
            c.okay()
            c.block(FEATURES)
        elif cmd == "get-state":
            c.okay()
            c.block("device")
        elif cmd == "get-serialno":
            c.okay()
            c.block(device.serial)
        elif cmd == "get-devpath":
            c.okay()
            c.block("unknown")
        elif cmd.startswith("forward:"):
            spec = cmd[len("forward:"):]
            norebind = spec.startswith("norebind:")
            spec = spec[len("norebind:"):] if norebind else spec
            local, _, remote = spec.partition(";")
            try:
                self._forward(device, local, remote, norebind)
            except DoubleError as exc:
                c.okay()
                c.fail(str(exc))
                return
            c.okay()
            c.okay()
        elif cmd.startswith("killforward:"):
            local = cmd[len("killforward:"):]
            entry = self._forwards.pop(local, None)
            if entry is None:
                c.fail(f"listener '{local}' not found")
                return
            entry[2].close()
            c.okay()
            c.okay()
        else:
            c.fail(f"unknown host service '{cmd}'")

    def _forward(self, device: Device, local: str, remote: str, norebind: bool) -> None:
        """adb forward: listen on the host, connect inside the device's network."""
        if not local.startswith("tcp:") or not remote.startswith("tcp:"):
            raise DoubleError("only tcp:PORT forwards are supported")
        if local in self._forwards:
            if norebind:
                raise DoubleError("cannot rebind existing socket")
            self._forwards.pop(local)[2].close()
        lsock = socket.socket()
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            lsock.bind(("127.0.0.1", int(local[4:])))
        except OSError as exc:
            lsock.close()
            raise DoubleError(f"cannot bind listener: {exc.strerror}") from None
        lsock.listen(16)
        self._forwards[local] = (device.serial, remote, lsock)
        rport = int(remote[4:])

        def accept():
            while True:
                try:
                    conn, _ = lsock.accept()
                except OSError:
                    return
                down = device.socket_in_device()
                try:
                    down.settimeout(5)
                    down.connect(("127.0.0.1", rport))
                    down.settimeout(None)
                except OSError:
                    conn.close()
                    down.close()
                    continue
                pipe_both(conn, down)

        threading.Thread(target=accept, daemon=True).start()

    # ------------------------------------------------------------------ device services

    def _device_service(self, c: _Conn, device: Device, req: str) -> None:
        service, _, command = req.partition(":")
        name, *shell_args = service.split(",")  # shell,v2,TERM=xterm,raw:CMD (services.cpp)
        if name == "shell" and "v2" in shell_args:
            c.okay()
            self._shell_v2(c, device, command)
        elif name in ("shell", "exec"):
            c.okay()
            self._shell_v1(c, device, command)
        elif name == "tcp" and command.isdigit():
            self._tcp(c, device, int(command))
        elif req == "sync:":
            c.okay()
            self._sync(c, device)
        elif req.startswith("reverse:"):
            self._reverse(c, device, req[len("reverse:"):])
        elif req in ("root:", "unroot:"):
            # daemon/restart_service.cpp: only ro.debuggable=1 builds restart adbd as root
            c.okay()
            want = 0 if req == "root:" else 2000
            if device.profile.props.get("ro.debuggable") != "1":
                c.sock.sendall(b"adbd cannot run as root in production builds\n")
            elif device.adbd_uid == want:
                c.sock.sendall(b"adbd is already running as root\n" if want == 0
                               else b"adbd not running as root\n")
            else:
                device.adbd_uid = want
                c.sock.sendall(b"restarting adbd as root\n" if want == 0
                               else b"restarting adbd as non root\n")
        else:
            c.fail(f"unknown device service '{req}'")

    @staticmethod
    def _tcp(c: _Conn, device: Device, port: int) -> None:
        """tcp:PORT (SERVICES.TXT): a connection to 127.0.0.1:PORT in the device's network,
        what `adb forward` and Frida's frida-server channel (tcp:27042) open."""
        down = device.socket_in_device()
        try:
            down.settimeout(5)
            down.connect(("127.0.0.1", port))
            down.settimeout(None)
        except OSError:
            down.close()
            c.fail("connection refused")  # the server reports the closed stream so
            return
        c.okay()
        splice(c.sock, down)
        down.close()

    def _reverse(self, c: _Conn, device: Device, cmd: str) -> None:
        try:
            if cmd.startswith("forward:"):
                spec = cmd[len("forward:"):]
                norebind = spec.startswith("norebind:")
                spec = spec[len("norebind:"):] if norebind else spec
                remote, _, local = spec.partition(";")
                device.reverse(remote, local, norebind)
                c.okay()
                c.okay()
            elif cmd.startswith("killforward:"):
                device.kill_reverse(cmd[len("killforward:"):])
                c.okay()
                c.okay()
            elif cmd == "killforward-all":
                for remote, _ in device.reverse_list():
                    device.kill_reverse(remote)
                c.okay()
                c.okay()
            elif cmd == "list-forward":
                c.okay()
                c.block("".join(f"{device.serial} {r} {loc}\n" for r, loc in device.reverse_list()))
            else:
                c.fail(f"unknown reverse service '{cmd}'")
        except DoubleError as exc:
            c.okay()
            c.fail(str(exc))

    def _shell_v1(self, c: _Conn, device: Device, command: str) -> None:
        # raw subprocess (shell_service.cpp SubprocessType::kRaw for a non-empty command):
        # without the shell protocol stderr is dup'ed onto stdout, one stream in write order;
        # the socket feeds stdin; no exit code
        p = device.spawn(command or "/system/bin/sh", stdin=subprocess.PIPE, merge_stderr=True)
        self._pump_stdin(c, p, v2=False)
        for chunk in iter(lambda: p.stdout.read1(65536), b""):
            try:
                c.sock.sendall(chunk)
            except OSError:
                kill_group(p)
                break
        p.wait()

    def _shell_v2(self, c: _Conn, device: Device, command: str) -> None:
        p = device.spawn(command or "/system/bin/sh", stdin=subprocess.PIPE)
        self._pump_stdin(c, p, v2=True)
        out_lock = threading.Lock()

        def send(packet_id: int, data: bytes) -> bool:
            with out_lock:
                try:
                    c.sock.sendall(bytes([packet_id]) + struct.pack("<I", len(data)) + data)
                    return True
                except OSError:
                    kill_group(p)
                    return False

        def copy(stream, packet_id):
            for chunk in iter(lambda: stream.read1(65536), b""):
                if not send(packet_id, chunk):
                    return

        t = threading.Thread(target=copy, args=(p.stderr, 2), daemon=True)
        t.start()
        copy(p.stdout, 1)
        t.join()
        code = p.wait()
        send(3, bytes([code & 0xFF if code >= 0 else (128 - code) & 0xFF]))

    @staticmethod
    def _pump_stdin(c: _Conn, p: subprocess.Popen, v2: bool) -> None:
        """Client -> process stdin. When the client goes away, the command is ended (adbd
        kills the subprocess when its socket closes)."""

        def pump():
            try:
                while p.poll() is None:
                    if v2:
                        head = c.read_exact(5)
                        data = c.read_exact(struct.unpack("<I", head[1:])[0])
                        if head[0] == 0:
                            p.stdin.write(data)
                            p.stdin.flush()
                        elif head[0] == 4:
                            p.stdin.close()
                    else:
                        data = c.sock.recv(65536)
                        if not data:
                            raise EOFError
                        p.stdin.write(data)
                        p.stdin.flush()
            except (EOFError, OSError, ValueError):
                if p.poll() is None:
                    try:
                        c.sock.getpeername()
                    except OSError:
                        kill_group(p)
                try:
                    p.stdin.close()
                except (OSError, ValueError):
                    pass

        threading.Thread(target=pump, daemon=True).start()

    # ------------------------------------------------------------------ sync

    def _sync(self, c: _Conn, device: Device) -> None:
        while True:
            head = c.read_exact(8)
            cmd, length = head[:4], struct.unpack("<I", head[4:])[0]
            if cmd == b"QUIT":
                return
            path = c.read_exact(length).decode("utf-8", "replace")
            if cmd == b"STAT":
                c.sock.sendall(b"STAT" + self._stat(device, path))
            elif cmd == b"LIST":
                self._list(c, device, path)
            elif cmd == b"SEND":
                if not self._send(c, device, path):
                    return
            elif cmd == b"RECV":
                self._recv(c, device, path)
            else:
                self._sync_fail(c, f"unknown sync command {cmd!r}")
                return

    @staticmethod
    def _stat(device: Device, path: str) -> bytes:
        try:
            st = device.host_path(path).stat()
        except OSError:
            return struct.pack("<III", 0, 0, 0)  # adbd: all zero when lstat fails
        return struct.pack("<III", st.st_mode, st.st_size & 0xFFFFFFFF, int(st.st_mtime))

    @staticmethod
    def _sync_fail(c: _Conn, message: str) -> None:
        data = message.encode()
        c.sock.sendall(b"FAIL" + struct.pack("<I", len(data)) + data)

    def _list(self, c: _Conn, device: Device, path: str) -> None:
        try:
            d = device.host_path(path)
            names = [".", ".."] + sorted(p.name for p in d.iterdir())
        except OSError:
            names = []
        for name in names:
            try:
                st = (d / name).lstat()
            except OSError:
                continue
            raw = name.encode()
            c.sock.sendall(b"DENT" + struct.pack("<IIII", st.st_mode, st.st_size & 0xFFFFFFFF,
                                                 int(st.st_mtime), len(raw)) + raw)
        c.sock.sendall(b"DONE" + struct.pack("<IIII", 0, 0, 0, 0))

    def _send(self, c: _Conn, device: Device, spec: str) -> bool:
        path, _, mode_s = spec.rpartition(",")
        if not path:
            path, mode_s = spec, str(0o100644)
        mode = int(mode_s) if mode_s.isdigit() else 0o100644
        data = bytearray()
        while True:
            head = c.read_exact(8)
            kind, n = head[:4], struct.unpack("<I", head[4:])[0]
            if kind == b"DATA":
                if n > SYNC_DATA_MAX:
                    self._sync_fail(c, "data chunk too large")
                    return False
                data += c.read_exact(n)
            elif kind == b"DONE":
                mtime = n
                break
            else:
                self._sync_fail(c, f"invalid data message {kind!r}")
                return False
        try:
            target = device.host_path(path)
            target.parent.mkdir(parents=True, exist_ok=True)  # fixed_push_mkdir
            target.write_bytes(bytes(data))
            target.chmod(stat_mod.S_IMODE(mode))
            os.utime(target, (mtime, mtime))
        except OSError as exc:
            self._sync_fail(c, f"couldn't create file: {exc.strerror}")
            return True
        c.sock.sendall(b"OKAY" + struct.pack("<I", 0))
        return True

    def _recv(self, c: _Conn, device: Device, path: str) -> None:
        try:
            data = device.host_path(path).read_bytes()
        except IsADirectoryError:
            self._sync_fail(c, "read failed: Is a directory")
            return
        except OSError as exc:
            self._sync_fail(c, f"open failed: {exc.strerror}")
            return
        for i in range(0, len(data), SYNC_DATA_MAX):
            chunk = data[i:i + SYNC_DATA_MAX]
            c.sock.sendall(b"DATA" + struct.pack("<I", len(chunk)) + chunk)
        c.sock.sendall(b"DONE" + struct.pack("<I", 0))
