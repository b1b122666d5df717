"""Policy files into blocks: HTML (scripts, styles and markup dropped; tables kept as rows), a
saved single-file web page (.mhtml), plain and markdown text, PDF (made here by headless Chromium
from a test policy, read with pypdf), and one clear error for what is not a policy."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from privascope.policy import PolicyFileError, read_file, read_policy
from privascope.policy.documents import Document, blocks_of, html_blocks, text_blocks
from tests.policy.conftest import FIXTURES, expand, gold

CHROMIUM = Path("/usr/bin/chromium")
_PRINT_PDF = r"""
import sys
from pathlib import Path
from playwright.sync_api import sync_playwright
with sync_playwright() as p:
    b = p.chromium.launch(executable_path=sys.argv[1], headless=True,
                          args=["--headless", "--no-sandbox", "--disable-gpu"])
    page = b.new_page()
    page.set_content(Path(sys.argv[2]).read_text(encoding="utf-8"), wait_until="load",
                     timeout=30000)
    page.pdf(path=sys.argv[3])
    b.close()
"""


def test_html_keeps_text_and_drops_code():
    blocks = html_blocks('<h1>标题</h1><script>var a = "收集身份证号码";</script>'
                         '<style>p{}</style><p>第一段<br>第二行</p><ul><li>条目</li></ul>'
                         '<table><tr><th>SDK名称</th><th>目的</th></tr>'
                         '<tr><td>甲<p>乙</p></td><td>丙</td></tr></table>'
                         '<p onclick="x()">&lt;b&gt;字面&lt;/b&gt;</p>')
    kinds = [(b.kind, b.text) for b in blocks]
    assert ("heading", "标题") in kinds and ("item", "条目") in kinds
    assert ("para", "第一段") in kinds and ("para", "第二行") in kinds
    assert not any("身份证" in t or "p{}" in t for _k, t in kinds)
    rows = [b for b in blocks if b.kind == "row"]
    assert rows[0].header and rows[0].cells == ("SDK名称", "目的")
    assert rows[1].cells == ("甲 乙", "丙") and rows[1].table == 0
    assert ("para", "<b>字面</b>") in kinds  # entities decode to text, never to markup


def test_text_and_markdown_structure():
    blocks = text_blocks("一、我们收集的信息\n- 位置信息：用于导航\n1. 设备标识符\n"
                         "| SDK名称 | 目的 |\n|---|---|\n| 极光推送 | 推送 |\n\n"
                         "普通段落，句子较长所以不是标题。")
    assert [b.kind for b in blocks] == ["heading", "item", "item", "row", "row", "para"]
    assert blocks[3].header and not blocks[4].header and blocks[4].cells == ("极光推送", "推送")


def test_saved_web_page_mhtml(tmp_path, policy_catalog):
    html = (FIXTURES / "zh_table.html").read_text(encoding="utf-8")
    import quopri
    body = quopri.encodestring(html.encode("utf-8")).decode("ascii")
    mht = tmp_path / "policy.mhtml"
    mht.write_text(
        "From: <Saved by Blink>\r\nSubject: policy\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/related; type="text/html"; boundary="----B"\r\n\r\n'
        "------B\r\nContent-Type: text/html\r\nContent-ID: <frame-1@mhtml.blink>\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "Content-Location: https://example.com/privacy\r\n\r\n" + body.replace("\n", "\r\n")
        + "\r\n------B--\r\n", encoding="ascii")
    r = read_policy([read_file(mht)], policy_catalog)
    assert {d.sdk for d in r.declared_sdks if d.sdk} == set(gold()["zh_table.html"]["sdks"])


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (make setup)")
@pytest.mark.parametrize("name", ["zh_table.html", "en_policy.html"])
def test_pdf_policy(tmp_path, policy_catalog, name):
    """A PDF printed by Chromium from a test policy reads like the HTML (tables become prose:
    SDKs and PI are still found, row structure is not)."""
    pdf = tmp_path / (name + ".pdf")
    # in a child process: a sync Playwright here would clash with tests/reports' session browser
    proc = subprocess.run([sys.executable, "-c", _PRINT_PDF, str(CHROMIUM), str(FIXTURES / name),
                           str(pdf)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and pdf.exists(), proc.stderr[-2000:]
    doc = read_file(pdf)
    assert doc.language == read_file(FIXTURES / name).language
    r = read_policy([doc], policy_catalog)
    g = gold()[name]
    found = {d.pi_type for d in r.declared_pi if not d.negated}
    want = expand(g["declared"], policy_catalog)
    assert len(found & want) >= 0.8 * len(want), sorted(want - found)
    assert {d.sdk for d in r.declared_sdks if d.sdk} >= set(g["sdks"]) - {"wechat-opensdk"}
    assert {d.pi_type for d in r.declared_pi if d.negated} >= expand(g["negated"], policy_catalog)


@pytest.mark.parametrize("name,data,message", [
    ("p.pdf", b"%PDF-1.7\nnot really a pdf", "not a readable PDF"),
    ("p.pdf", b"<html>policy</html>", "not a PDF file"),
    ("p.bin", b"\x00\x01\x02binary", "binary file"),
])
def test_bad_files_say_what_is_wrong(tmp_path, name, data, message):
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(PolicyFileError, match=message):
        read_file(f)


def test_missing_empty_and_directory(tmp_path):
    with pytest.raises(PolicyFileError, match="cannot read policy"):
        read_file(tmp_path / "nope.html")
    with pytest.raises(PolicyFileError, match="is a directory"):
        read_file(tmp_path)
    (tmp_path / "empty.html").write_text("<html><script>x</script></html>")
    with pytest.raises(PolicyFileError, match="no text"):
        read_file(tmp_path / "empty.html")


def test_encodings():
    text = "我们会收集您的手机号码。"
    for enc in ("utf-8", "utf-8-sig", "gb18030", "utf-16"):
        blocks = blocks_of(text.encode(enc), "p.txt")
        assert blocks[0].text == text, enc


_PIECES = st.sampled_from(["<p>", "</p>", "<table>", "<tr>", "<td>", "</td>", "</tr>", "<li>",
                           "<script>", "</script>", "<br>", "<h2>", "我们不会收集", "通讯录",
                           "友盟统计SDK", "We do not collect", "IMEI", "（", "）", "，", "。",
                           "| SDK名称 | 目的 |", "\n", "&lt;b&gt;", "\x00"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=60),
       st.sampled_from(["p.html", "p.txt", "p.md"]))
def test_any_text_reads_without_error(policy_catalog, pieces, name):
    """Whatever the bytes of a text or HTML policy, reading gives blocks or a PolicyFileError,
    and every quote is text of the document."""
    data = "".join(pieces).encode("utf-8", "surrogatepass")  # text() may hold lone surrogates
    try:
        blocks = blocks_of(data, name)
    except PolicyFileError:
        return
    r = read_policy([Document("file", name, "0", blocks)], policy_catalog)
    text = " ".join(b.text for b in blocks)
    for d in r.declared_pi:
        assert d.quote.rstrip("…") in text or d.quote.rstrip("…")[:50] in text
