from __future__ import annotations

import pytest

from privascope.batch.inputs import InputError, expand_inputs


def test_directory_is_walked_recursively_and_sorted(tmp_path):
    (tmp_path / "b").mkdir()
    for rel in ("b/z.apk", "a.APK", "notes.txt", "b/y.apk"):
        (tmp_path / rel).write_bytes(b"PK\x03\x04")
    got = [i.path.relative_to(tmp_path).as_posix() for i in expand_inputs([tmp_path])]
    assert got == ["a.APK", "b/y.apk", "b/z.apk"]


def test_list_file_paths_are_relative_to_it_and_missing_entries_become_errors(tmp_path):
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "one.apk").write_bytes(b"PK\x03\x04")
    lst = tmp_path / "batch.txt"
    lst.write_text("# nightly\napps/one.apk\n\napps/gone.apk\n", encoding="utf-8")
    items = expand_inputs([lst])
    assert [i.path.name for i in items] == ["one.apk", "gone.apk"]
    assert items[0].missing is None
    assert "file not found" in items[1].missing


def test_list_file_is_recognised_without_suffix(tmp_path):
    (tmp_path / "x.apk").write_bytes(b"PK")
    lst = tmp_path / "todo"
    lst.write_text(f"{tmp_path / 'x.apk'}\n", encoding="utf-8")
    assert [i.path.name for i in expand_inputs([lst])] == ["x.apk"]


def test_broken_apk_is_an_apk_not_a_list(tmp_path):
    bad = tmp_path / "bad.apk"
    bad.write_text("not a zip, but named .apk\n")
    binary = tmp_path / "blob"
    binary.write_bytes(b"\x00\x01garbage")
    assert [i.path for i in expand_inputs([bad, binary])] == [bad, binary]


def test_duplicates_are_removed_by_real_path(tmp_path):
    apk = tmp_path / "a.apk"
    apk.write_bytes(b"PK")
    (tmp_path / "link.apk").symlink_to(apk)
    items = expand_inputs([apk, tmp_path / "." / "a.apk", tmp_path / "link.apk"])
    assert [i.path for i in items] == [apk]


def test_missing_command_line_input_is_a_one_line_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        expand_inputs([tmp_path / "nope.apk"])


def test_symlink_loop_in_a_directory_does_not_hang(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "loop").symlink_to(tmp_path / "d")
    (tmp_path / "d" / "a.apk").write_bytes(b"PK")
    assert [i.path.name for i in expand_inputs([tmp_path])] == ["a.apk"]


def test_fifos_and_devices_named_apk_are_never_read(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.apk")
    (tmp_path / "zero.apk").symlink_to("/dev/zero")
    (tmp_path / "real.apk").write_bytes(b"PK")
    # walking the directory skips them (hashing either would block or never end)
    assert [i.path.name for i in expand_inputs([tmp_path])] == ["real.apk"]
    lst = tmp_path / "l.txt"
    lst.write_text("pipe.apk\nzero.apk\n")
    assert [i.missing.split(" (")[0] for i in expand_inputs([lst])] == ["not a regular file"] * 2
    with pytest.raises(InputError, match="not a regular file"):
        expand_inputs([tmp_path / "pipe.apk"])
