"""privascope command line: parse arguments, call the library, choose the exit code.

Exit codes (stable, documented in README):
  0  success, and no finding at or above --fail-on
  1  findings at or above --fail-on
  2  bad input or usage: not an APK, unreadable file, bad option (one line on stderr)
  3  a required tool or device is missing (adb, frida-server, JDK 17, ...)
  4  internal error (a bug: please report it with the traceback in the log)
  5  batch only, with --fail-on-error: some APKs could not be analysed (see summary.json)
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Optional, Sequence

from privascope import __version__
from privascope.errors import (EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED,  # noqa: F401
                             EXIT_MISSING, EXIT_OK, UserError)
from privascope.model import Severity

FORMATS = ("json", "html", "sarif")

log = logging.getLogger("privascope")


def _formats(text: str) -> tuple[str, ...]:
    items = tuple(f.strip() for f in text.split(",") if f.strip())
    bad = [f for f in items if f not in FORMATS]
    if bad or not items:
        raise argparse.ArgumentTypeError(f"formats must be among {','.join(FORMATS)}")
    return items


def _add_report_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--out", type=Path, default=Path("out"), help="output directory")
    p.add_argument("--format", type=_formats, default=("json", "html", "sarif"),
                   help="comma-separated: json,html,sarif (default: all)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="report language")
    p.add_argument("--suppress", type=Path, help="suppression file (YAML)")
    p.add_argument("--fail-on", choices=[s.value for s in Severity],
                   help="exit 1 when a finding at or above this severity is not suppressed")


def _add_policy_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--policy", type=Path, action="append", default=[], metavar="FILE",
                   help="the app's privacy policy (HTML, saved web page, PDF or text); repeat "
                        "for more pages, e.g. a separate third-party SDK list. The APK's own "
                        "policy assets are read anyway; nothing is fetched from the network")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="privascope", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"privascope {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("scan", help="static privacy scan of an APK")
    p.add_argument("apk", type=Path)
    _add_report_options(p)
    _add_policy_option(p)
    p.set_defaults(func=cmd_scan)

    p = sub.add_parser("report", help="re-render a bundle JSON without re-scanning")
    p.add_argument("bundle", type=Path)
    _add_report_options(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("trace", help="record runtime PI access with the Frida agent")
    p.add_argument("--target", help="jvm:CLASSPATH:MAINCLASS: any Java program with a main "
                   "(run on JDK 17, held until the hooks are in)")
    p.add_argument("--serial", help="Android device serial (adb)")
    p.add_argument("--package", help="Android package to spawn or attach")
    p.add_argument("--apk", type=Path, help="install this APK first")
    p.add_argument("--duration", type=float, default=30.0, help="seconds to record")
    p.add_argument("--out", type=Path, default=Path("out/trace"), help="output directory")
    p.add_argument("--no-unpin", action="store_true", help="do not bypass certificate pinning")
    p.add_argument("app_args", nargs="*", metavar="-- ARG",
                   help="arguments for the JVM program's main (after --)")
    p.set_defaults(func=cmd_trace)

    p = sub.add_parser("dynamic", help="static scan + runtime hooks + traffic in one run")
    p.add_argument("apk", type=Path, nargs="?")
    p.add_argument("--target", help="jvm:CLASSPATH:MAINCLASS for the local JVM host app")
    p.add_argument("--serial", help="Android device serial (adb)")
    p.add_argument("--scenario", default="full", help="launch-idle|reject|accept|background|full")
    p.add_argument("--duration", type=float, default=20.0, help="seconds per scenario phase")
    p.add_argument("--proxy-host", default="127.0.0.1", help="address the device can reach")
    p.add_argument("--proxy-port", type=int, default=0, help="0 = pick a free port")
    _add_report_options(p)
    _add_policy_option(p)
    p.set_defaults(func=cmd_dynamic)

    p = sub.add_parser("batch", help="scan many APKs, bounded and resumable")
    p.add_argument("inputs", nargs="+", type=Path, help="APK files, directories or list files")
    _add_report_options(p)
    p.add_argument("--jobs", type=int, default=0, help="worker processes (default: CPU count)")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per APK")
    p.add_argument("--max-memory", type=int, default=2048, help="MB per worker")
    p.add_argument("--resume", action="store_true", help="skip APKs whose results exist")
    p.add_argument("--scheduler", help="tcp://HOST:PORT of a Dask distributed scheduler")
    p.add_argument("--fail-on-error", action="store_true",
                   help="exit 5 when some APK could not be analysed (and no --fail-on hit)")
    _add_policy_option(p)
    p.add_argument("--policy-dir", type=Path, metavar="DIR",
                   help="per-APK policies: the files in DIR/<package>/ and DIR/<sha256>/")
    p.set_defaults(func=cmd_batch)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except UserError as exc:
        print(f"privascope: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("privascope: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception:  # a bug: keep the traceback in the log, one line for the user
        log.debug("internal error", exc_info=True)
        print(f"privascope: internal error: {sys.exc_info()[1]!r} (run with -v for details)",
              file=sys.stderr)
        return EXIT_INTERNAL


# --------------------------------------------------------------------------- commands


def _judge(bundle, args):
    """Rules, suppressions and assessment: the pipeline's one evaluation step."""
    from privascope.pipeline import judge
    from privascope.rules import SuppressionError

    try:
        return judge(bundle, args.suppress)
    except SuppressionError as exc:
        raise UserError(str(exc)) from None


def _finish(bundle, args) -> int:
    """Shared tail of scan/report/dynamic, on a judged bundle: render, exit code."""
    from privascope.reports import write_reports

    paths = write_reports(bundle, args.out, args.format, lang=args.lang)
    for fmt, path in paths.items():
        print(f"{fmt}: {path}")
    return exit_code_for(bundle, args.fail_on)


def exit_code_for(bundle, fail_on: Optional[str]) -> int:
    from privascope.rules import fails

    return EXIT_FINDINGS if fails(bundle, fail_on) else EXIT_OK


def cmd_scan(args) -> int:
    from privascope.pipeline import AnalysisOptions, analyze_apk
    from privascope.policy import PolicyFileError
    from privascope.rules import SuppressionError
    from privascope.static.scan import ScanError

    try:
        bundle = analyze_apk(args.apk, AnalysisOptions(suppress=args.suppress,
                                                       policy=tuple(args.policy)))
    except (ScanError, SuppressionError, PolicyFileError) as exc:
        raise UserError(str(exc)) from None
    return _finish(bundle, args)


def cmd_report(args) -> int:
    from privascope.model import Bundle, ModelError, from_json

    try:
        bundle = from_json(Bundle, args.bundle.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ModelError) as exc:
        raise UserError(f"{args.bundle}: not a privascope bundle: {exc}") from None
    return _finish(_judge(bundle, args), args)


def cmd_trace(args) -> int:
    from privascope.runtime.trace import TraceOptions, run_trace

    return run_trace(TraceOptions(
        out=args.out, target=args.target, app_args=args.app_args, serial=args.serial,
        package=args.package, apk=args.apk, duration=args.duration, unpin=not args.no_unpin))


def cmd_dynamic(args) -> int:
    from privascope.dynamic_run import DynamicOptions, run_dynamic

    options = DynamicOptions(
        apk=args.apk, target=args.target, serial=args.serial, scenario=args.scenario,
        duration=args.duration, proxy_host=args.proxy_host, proxy_port=args.proxy_port,
        out=args.out, verbose=args.verbose)
    from privascope.policy import PolicyFileError, read_file

    try:  # a bad policy file fails now, not after the run
        for f in args.policy:
            read_file(f)
    except PolicyFileError as exc:
        raise UserError(str(exc)) from None
    bundle = run_dynamic(options)
    if args.policy or args.apk:  # the policy against the run's full evidence
        from privascope.policy import analyze_policy

        try:
            bundle = analyze_policy(bundle, apk=args.apk, files=args.policy)
        except PolicyFileError as exc:
            raise UserError(str(exc)) from None
    return _finish(_judge(bundle, args), args)


def cmd_batch(args) -> int:
    from privascope.batch import BatchOptions, run_batch

    return run_batch(BatchOptions(
        inputs=tuple(args.inputs), out=args.out, formats=tuple(args.format), lang=args.lang,
        suppress=args.suppress, fail_on=args.fail_on, jobs=args.jobs, timeout=args.timeout,
        max_memory=args.max_memory, resume=args.resume, scheduler=args.scheduler,
        fail_on_error=args.fail_on_error, policy=tuple(args.policy),
        policy_dir=args.policy_dir))


if __name__ == "__main__":
    sys.exit(main())
