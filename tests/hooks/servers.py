"""Local test servers on 127.0.0.1 (HTTP, and HTTPS with a throwaway self-signed certificate
made at test time) and proxy clients built on http.client. Loopback only."""
from __future__ import annotations

import datetime
import http.client
import http.server
import ipaddress
import ssl
import threading
from contextlib import contextmanager
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def make_self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "privascope test server")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "server-cert.pem", directory / "server-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class _Recorder(http.server.BaseHTTPRequestHandler):
    received: list  # set per server

    def _handle(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        self.server.received.append((self.command, self.path, dict(self.headers), body))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = _handle

    def log_message(self, *args):
        pass


@contextmanager
def local_server(tls_dir: Path | None = None):
    """Yields (port, received-requests list); HTTPS when tls_dir is given."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    srv.received = []
    if tls_dir is not None:
        cert, key = make_self_signed(tls_dir)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield srv.server_address[1], srv.received
    finally:
        srv.shutdown()
        srv.server_close()


def via_proxy(proxy_port: int, scheme: str, port: int, method: str, path: str,
              body: bytes = b"", headers: dict | None = None, ca: Path | None = None) -> int:
    """One request to 127.0.0.1:port through the proxy; HTTPS trusts only the proxy's CA."""
    headers = dict(headers or {})
    if scheme == "https":
        ctx = ssl.create_default_context(cafile=str(ca))
        conn = http.client.HTTPSConnection("127.0.0.1", proxy_port, context=ctx, timeout=20)
        conn.set_tunnel("127.0.0.1", port)
        conn.request(method, path, body=body or None, headers=headers)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", proxy_port, timeout=20)
        conn.request(method, f"http://127.0.0.1:{port}{path}", body=body or None, headers=headers)
    try:
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()
