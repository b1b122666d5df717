"""LocalSink answers every request on 127.0.0.1 and remembers only the Host header."""
from __future__ import annotations

import http.client

from privascope.dynamic_run.sink import LocalSink


def test_sink_answers_locally_and_keeps_no_body():
    with LocalSink() as sink:
        conn = http.client.HTTPConnection("127.0.0.1", sink.port, timeout=10)
        try:
            conn.request("POST", "/app_logs", body=b"imei=861234567890127",
                         headers={"Host": "alog.umeng.com"})
            resp = conn.getresponse()
            assert resp.status == 200 and resp.read() == b'{"status":"ok"}'
        finally:
            conn.close()
        assert sink.received_hosts == ["alog.umeng.com"]
