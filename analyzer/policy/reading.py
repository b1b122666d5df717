"""Reading a policy: what it declares, by catalog-driven phrase matching (policy_terms.yaml).

One Aho-Corasick pass per vocabulary (PI types, SDKs and vendors, permissions, statements, cues)
over each sentence. A PI word in a clause that carries a collection negation ("我们不会收集…",
"we do not collect…") and no condition ("如您拒绝…", "unless…") is a negation. SDK tables are
recognised by their header words (name / company / purpose / PI / link) and read row by row;
elsewhere an SDK named in a sentence is disclosed with the PI named beside it.
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import Iterable, Optional

import ahocorasick_rs

from privascope.catalog import Catalog
from privascope.model import DeclaredPermission, DeclaredPI, DeclaredSdk, PolicyStatement
from privascope.policy.documents import Block, Document

MAX_QUOTE = 240
_SENTENCE = re.compile(r"(?<=[。！？!?；;])|(?<=[.])\s+(?=[A-Z\u4e00-\u9fff(（\"“])")
_DATE = re.compile(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
_EN_DATE = re.compile(r"(January|February|March|April|May|June|July|August|September|October|"
                      r"November|December)\s+(\d{1,2}),?\s+(\d{4})", re.IGNORECASE)
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PACKAGE = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+){1,6}\b")


class _Matcher:
    """Leftmost-longest phrase matching of a term table over lower-cased text; an ASCII term
    only matches as a whole word ("ip" is not in "ship")."""

    def __init__(self, terms: Iterable[str], stems: bool = False):
        self.stems = stems  # an ASCII term may be followed by letters ("collect" -> "collects")
        self.terms = list(dict.fromkeys(t for t in terms if t))
        self._ac = ahocorasick_rs.AhoCorasick(
            self.terms, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest) if self.terms else None

    def find(self, low: str) -> list[tuple[str, int, int]]:
        if self._ac is None:
            return []
        out = []
        for i, start, end in self._ac.find_matches_as_indexes(low):
            term = self.terms[i]
            if term[0].isascii() and term[0].isalnum() and start > 0 \
                    and low[start - 1].isascii() and low[start - 1].isalnum():
                continue
            if not self.stems and term[-1].isascii() and term[-1].isalnum() and end < len(low) \
                    and low[end].isascii() and low[end].isalnum():
                continue
            out.append((term, start, end))
        return out

    def any(self, low: str) -> bool:
        return bool(self.find(low))


@dataclass(frozen=True)
class _Vocab:
    pi: _Matcher
    sdk: _Matcher
    perm: _Matcher
    negation: _Matcher
    conditional: _Matcher
    verb: _Matcher
    purpose: tuple[str, ...]
    breaks: tuple[str, ...]
    statements: dict[str, _Matcher]
    columns: dict[str, tuple[str, ...]]


_VOCABS: dict[int, tuple[weakref.ref, _Vocab]] = {}


def vocab(catalog: Catalog) -> _Vocab:
    """The matchers of a catalog, built once per loaded catalog."""
    hit = _VOCABS.get(id(catalog))
    if hit is not None and hit[0]() is catalog:
        return hit[1]
    t = catalog.policy_terms
    v = _Vocab(
        pi=_Matcher(t.pi_terms), sdk=_Matcher(list(t.sdk_terms) + list(t.vendor_terms)),
        perm=_Matcher(t.permission_terms), negation=_Matcher(t.negations),
        conditional=_Matcher(t.conditionals), verb=_Matcher(t.verbs, stems=True),
        purpose=t.purposes, breaks=t.clause_breaks,
        statements={k: _Matcher(v) for k, v in t.statements.items()}, columns=t.columns)
    _VOCABS[id(catalog)] = (weakref.ref(catalog), v)
    return v


@dataclass
class Reading:
    declared_pi: list[DeclaredPI] = field(default_factory=list)
    declared_sdks: list[DeclaredSdk] = field(default_factory=list)
    declared_permissions: list[DeclaredPermission] = field(default_factory=list)
    statements: list[PolicyStatement] = field(default_factory=list)
    sdk_list: bool = False


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def quote(text: str) -> str:
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE - 1] + "…"


def _clauses(low: str, breaks: tuple[str, ...]) -> list[tuple[int, int]]:
    """Clause spans of a lower-cased sentence, split at the catalog's clause breaks."""
    cuts = {0, len(low)}
    for b in breaks:
        start = low.find(b)
        while start >= 0:
            cuts.add(start)
            start = low.find(b, start + len(b))
    points = sorted(cuts)
    return list(zip(points, points[1:]))


def _pi_hits(v: _Vocab, catalog: Catalog, text: str,
             need_verb: bool = False) -> list[tuple[str, bool, str]]:
    """(PI type, negated, term) for every PI word of one sentence; with `need_verb`, none
    unless the sentence says something is done with it (a verb, negation or purpose)."""
    low = text.lower()
    found = v.pi.find(low)
    if not found:
        return []
    negs = v.negation.find(low)
    if need_verb and not negs and not v.verb.any(low) and not any(p in low for p in v.purpose):
        return []
    conditional = v.conditional.any(low)
    spans = _clauses(low, v.breaks) if negs else []
    out = []
    for n, (term, start, end) in enumerate(found):
        if len(catalog.policy_terms.pi_terms[term]) > 1 and _listed_after(low, end, found[n + 1:]):
            continue  # "设备标识符（Android ID）": the bracket names which ones
        negated = False
        if negs and not conditional:
            clause = next(((a, b) for a, b in spans if a <= start < b), (0, len(low)))
            negated = any(clause[0] <= s < clause[1] for _t, s, _e in negs)
        for pi in catalog.policy_terms.pi_terms[term]:
            out.append((pi, negated, term))
    return out


def _purpose(v: _Vocab, sent: str) -> str:
    """The clause of `sent` that states a purpose ("用于个性化推荐", "in order to sync notes"),
    or ""; the bare English " to " is too common to count here."""
    low = sent.lower()
    cues = [(low.find(p), p) for p in v.purpose if p != " to " and p in low]
    if not cues:
        return ""
    at = min(cues)[0]
    for a, b in _clauses(low, v.breaks):
        if a <= at < b:
            clause = sent[a:b].strip(" ，,；;。.")
            return clause if len(clause) <= 80 else clause[:79] + "…"
    return ""


def _listed_after(low: str, end: int, rest) -> bool:
    """An umbrella word followed by a bracket that names specific PI types."""
    tail = low[end:end + 2].lstrip()
    if not tail or tail[0] not in "(（":
        return False
    close = min((i for i in (low.find(")", end), low.find("）", end)) if i >= 0),
                default=len(low))
    return any(start < close for _t, start, _e in rest)


def _resolve_sdk(catalog: Catalog, term: str) -> tuple[Optional[str], Optional[str]]:
    t = catalog.policy_terms
    if term in t.sdk_terms:
        return t.sdk_terms[term], None
    return None, t.vendor_terms.get(term)


def _package_sdk(catalog: Catalog, text: str) -> Optional[str]:
    """A package name written in the policy ("com.umeng.analytics") that a catalog SDK owns."""
    for m in _PACKAGE.finditer(text):
        hit = catalog.sdk_match(m.group(0) + ".X")
        if hit is not None:
            return hit[0].id
    return None


def _column_kinds(v: _Vocab, cells: tuple[str, ...]) -> dict[str, int]:
    """Header cells -> column kind by the longest header word each contains."""
    out: dict[str, int] = {}
    for i, cell in enumerate(cells):
        low = cell.lower()
        best = max(((len(w), k) for k, words in v.columns.items() for w in words if w in low),
                    default=None)
        if best is not None and best[1] not in out:
            out[best[1]] = i
    return out


def read(doc: Document, index: int, catalog: Catalog, out: Optional[Reading] = None) -> Reading:
    """Add what `doc` (source number `index`) declares to `out`."""
    v = vocab(catalog)
    out = out if out is not None else Reading()
    seen_pi: dict[tuple[str, bool], int] = {}  # -> index in out.declared_pi
    sdk_rows: dict[tuple, int] = {}
    perms: dict[str, int] = {}
    stated: set[str] = set()
    tables: dict[int, dict[str, int]] = {}

    def add_sdk(name: str, sdk: Optional[str], vendor: Optional[str], pis, q: str) -> None:
        key = (sdk or vendor or name.lower(),)
        pis = tuple(dict.fromkeys(pis))
        if key in sdk_rows:
            i = sdk_rows[key]
            old = out.declared_sdks[i]
            merged = tuple(dict.fromkeys(old.pi_types + pis))
            if merged != old.pi_types:
                out.declared_sdks[i] = DeclaredSdk(old.name, old.sdk, merged, old.quote,
                                                   old.source, old.vendor)
            return
        sdk_rows[key] = len(out.declared_sdks)
        out.declared_sdks.append(DeclaredSdk(name=name, sdk=sdk, pi_types=pis, quote=quote(q),
                                             source=index, vendor=vendor))

    for block in doc.blocks:
        if block.kind == "row":
            cols = tables.get(block.table)
            if cols is None:
                cols = _column_kinds(v, block.cells)
                # an SDK table: a name column and at least one of company / PI / purpose
                if "name" in cols and ({"company", "pi", "purpose"} & set(cols)):
                    tables[block.table] = cols
                    out.sdk_list = True
                    continue  # the header row itself
                tables[block.table] = {}
                cols = {}
            if cols:
                _read_sdk_row(v, catalog, block, cols, add_sdk)
        for sent in sentences(block.text):
            low = sent.lower()
            hits = _pi_hits(v, catalog, sent,
                            need_verb=doc.structured and block.kind in ("para", "heading"))
            purpose = _purpose(v, sent) if hits else ""
            for pi, negated, term in hits:
                key = (pi, negated)
                if key not in seen_pi:
                    seen_pi[key] = len(out.declared_pi)
                    out.declared_pi.append(DeclaredPI(pi, negated, quote(sent), index, term,
                                                      purpose))
                elif purpose and not negated and not out.declared_pi[seen_pi[key]].purpose:
                    # a later sentence states the purpose: keep that one as the declaration
                    out.declared_pi[seen_pi[key]] = DeclaredPI(pi, False, quote(sent), index,
                                                               term, purpose)
            if block.kind != "row" or not tables.get(block.table):
                for term, _s, _e in v.sdk.find(low):
                    sdk, vendor = _resolve_sdk(catalog, term)
                    scope = block.text if block.kind == "item" else sent
                    pis = [p for p, neg, _t in _pi_hits(v, catalog, scope) if not neg]
                    add_sdk(sent[_s:_e] if len(sent) == len(low) else term, sdk, vendor, pis,
                            sent)
            for term, _s, _e in v.perm.find(low):
                scope = (block.text if block.kind in ("item", "row") else sent).lower()
                has_purpose = any(p in scope for p in v.purpose)
                for perm in catalog.policy_terms.permission_terms[term]:
                    i = perms.get(perm)
                    if i is None:
                        perms[perm] = len(out.declared_permissions)
                        out.declared_permissions.append(
                            DeclaredPermission(perm, has_purpose, quote(sent), index))
                    elif has_purpose and not out.declared_permissions[i].purpose:
                        out.declared_permissions[i] = DeclaredPermission(perm, True, quote(sent),
                                                                         index)
            for kind, matcher in v.statements.items():
                if kind in stated or not matcher.any(low):
                    continue
                value = ""
                if kind == "update_date":
                    value = _date(sent)
                    if not value:
                        continue
                elif kind == "contact":
                    m = _EMAIL.search(block.text)
                    value = m.group(0) if m else ""
                stated.add(kind)
                if kind == "sdk_list":
                    out.sdk_list = True
                out.statements.append(PolicyStatement(kind, quote(sent), index, value))
    if out.declared_sdks:
        out.sdk_list = True
    return out


def _read_sdk_row(v: _Vocab, catalog: Catalog, block: Block, cols: dict[str, int],
                  add_sdk) -> None:
    cells = block.cells

    def cell(kind: str) -> str:
        i = cols.get(kind)
        return cells[i] if i is not None and i < len(cells) else ""

    name = cell("name") or (cells[0] if cells else "")
    if not name:
        return
    sdk = vendor = None
    for text in (name, cell("company")):
        for term, _s, _e in v.sdk.find(text.lower()):
            s, vd = _resolve_sdk(catalog, term)
            sdk, vendor = sdk or s, vendor or vd
        if sdk:
            break
    if sdk is None:
        sdk = _package_sdk(catalog, " ".join(cells))
    pi_text = cell("pi") if "pi" in cols else block.text
    pis = [p for s in sentences(pi_text) for p, neg, _t in _pi_hits(v, catalog, s) if not neg]
    add_sdk(name, sdk, None if sdk else vendor, pis, block.text)


def _date(sent: str) -> str:
    m = _DATE.search(sent)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        if 1990 < y < 2100 and 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    m = _EN_DATE.search(sent)
    if m:
        mo = _MONTHS.index(m.group(1).lower()) + 1
        return f"{int(m.group(3)):04d}-{mo:02d}-{int(m.group(2)):02d}"
    return ""

