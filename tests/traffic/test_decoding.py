import gzip
import zlib

import brotli
import pytest
import zstandard

from privascope.traffic.decoding import decode_body, sniff_compressed

BODY = b'{"imei":"868912034567890","note":"' + b"x" * 5000 + b'"}'

ENCODERS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,  # RFC 9110 (zlib stream)
    "br": brotli.compress,
    "zstd": lambda d: zstandard.ZstdCompressor().compress(d),
}


@pytest.mark.parametrize("coding", sorted(ENCODERS))
def test_round_trip(coding):
    out = decode_body(ENCODERS[coding](BODY), coding, 1 << 20)
    assert out.data == BODY and not out.truncated and out.error is None


def test_raw_deflate_and_stacked_codings():
    raw_deflate = zlib.compressobj(wbits=-15)
    data = raw_deflate.compress(BODY) + raw_deflate.flush()
    assert decode_body(data, "deflate", 1 << 20).data == BODY
    stacked = brotli.compress(gzip.compress(BODY))  # "gzip, br": gzip applied first
    assert decode_body(stacked, "gzip, br", 1 << 20).data == BODY
    assert decode_body(BODY, "identity", 1 << 20).data == BODY


@pytest.mark.parametrize("coding", sorted(ENCODERS))
def test_zip_bomb_is_cut_at_the_limit(coding):
    zeros = b"\0" * (64 << 20)  # 64 MiB of zeros, a few KB compressed
    bomb = brotli.compress(zeros, quality=4) if coding == "br" else ENCODERS[coding](zeros)
    out = decode_body(bomb, coding, 1 << 20)
    assert out.truncated and len(out.data) <= 1 << 20


def test_corrupt_or_unknown_encoding_is_an_error_not_an_exception():
    out = decode_body(b"not gzip at all", "gzip", 1 << 20)
    assert out.error and out.error.startswith("gzip") and "\n" not in out.error
    out = decode_body(b"abc", "compress", 1 << 20)
    assert out.error and "compress" in out.error and out.data == b"abc"


def test_sniffs_compression_without_header():
    assert sniff_compressed(gzip.compress(BODY), 1 << 20) == BODY
    assert sniff_compressed(zlib.compress(BODY), 1 << 20) == BODY
    assert sniff_compressed(BODY, 1 << 20) is None
    assert sniff_compressed(b"\x1f\x8bgarbage", 1 << 20) is None
