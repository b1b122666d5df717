"""Errors a user can fix, and the exit codes every command shares (stable, documented in README).

Library code raises `UserError`; only `cli.py` turns it into a message and an exit code, so no
library module needs to import the CLI.
"""
from __future__ import annotations

EXIT_OK = 0  # success, and no finding at or above --fail-on
EXIT_FINDINGS = 1  # findings at or above --fail-on
EXIT_INPUT = 2  # bad input or usage: not an APK, unreadable file, bad option
EXIT_MISSING = 3  # a required tool or device is missing (adb, frida-server, JDK 17, ...)
EXIT_INTERNAL = 4  # a bug: the traceback is in the log
EXIT_BATCH_ERRORS = 5  # batch with --fail-on-error: some APKs could not be analysed
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit code 2 (or .code)."""

    def __init__(self, message: str, code: int = EXIT_INPUT):
        super().__init__(message)
        self.code = code
