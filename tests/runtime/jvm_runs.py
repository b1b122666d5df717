"""Running the JVM host app under the real agent, for the runtime tests."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from privascope.catalog import Api, Catalog
from privascope.model import RuntimeEvidence
from privascope.runtime.session import Session
from privascope.runtime.targets import JvmTarget
from samples.jvm_host import values as V
from tests.runtime.host_apis import host_catalog

SALT = b"jvm-host-tests"
LOOP = 5


@dataclass
class Run:
    target: JvmTarget
    session: Session
    evidence: RuntimeEvidence
    events_path: Path
    canaries: list = field(default_factory=list)
    seen: list = field(default_factory=list)
    on_disk_when_seen: list = field(default_factory=list)  # was the event's line already written?

    def calls(self, pi_type=None, api=None):
        return [e for e in self.evidence.api_calls
                if (pi_type is None or e.pi_type == pi_type) and (api is None or e.api == api)]


def settle(session: Session, timeout: float = 30.0) -> None:
    """Wait until every message the agent has sent so far is processed (session.flush: exact,
    where waiting for a quiet spell lost the last events on a loaded machine)."""
    assert session.flush(timeout), "the agent did not answer the flush"


def run_host(samples_build: Path, catalog: Catalog, out: Path, *host_args: str, unpin: bool = True,
             extra_apis: tuple[Api, ...] = ()) -> Run:
    classes = samples_build / "jvm_host" / "classes"
    assert classes.is_dir(), "JVM host app not built: run make samples"
    cat = host_catalog(catalog)
    if extra_apis:
        cat = dataclasses.replace(cat, apis={**cat.apis, **{a.id: a for a in extra_apis}})
    target = JvmTarget(str(classes), V.MAIN_CLASS, ["--loop", str(LOOP), "--interval-ms", "150",
                                                    "--background-ms", "150", *host_args])
    out.mkdir(parents=True, exist_ok=True)
    session = Session(target, catalog=cat, events_path=out / "events.jsonl", unpin=unpin, salt=SALT)
    run = Run(target=target, session=session, evidence=None, events_path=out / "events.jsonl")  # type: ignore[arg-type]
    session.on_canary(lambda *a: run.canaries.append(a))
    session.on_event(run.seen.append)

    def check_written(event) -> None:
        # on_event runs after the line is written and flushed: it must be on disk already
        run.on_disk_when_seen.append(f'"id": "{event.id}"' in run.events_path.read_text(encoding="utf-8"))

    session.on_event(check_written)
    try:
        session.start()
        assert target.wait_output("privhost: done", 60), "\n".join(target.output[-20:])
        settle(session)
    finally:
        run.evidence = session.stop()
    return run
