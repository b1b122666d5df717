"""Meta evaluators: the analysis saying what it could not see (packers, partial scans)."""
from __future__ import annotations

from privascope.model import PackerHit
from privascope.rules.evaluators import meta as M
from tests.rules.evaluators.bundles import ctx


def test_packed_one_hit_naming_every_packer_with_a_stable_key(catalog):
    packers = (PackerHit("tencent_legu", "Legu", ("file lib/x/libshella.so",)),
               PackerHit("jiagu360", "360 Jiagu", ("class com.stub.StubApp",)))
    (hit,) = M.meta_packed(ctx(catalog, packers=packers), {})
    assert hit.key == "jiagu360,tencent_legu"  # sorted: the order of detection does not matter
    assert [(r.kind, r.id) for r in hit.evidence] == [("packer", "tencent_legu"),
                                                     ("packer", "jiagu360")]
    assert hit.fields["packers"] == "Legu, 360 Jiagu"
    (again,) = M.meta_packed(ctx(catalog, packers=packers[::-1]), {})
    assert again.key == hit.key


def test_not_packed_no_hit(catalog):
    assert list(M.meta_packed(ctx(catalog), {})) == []


def test_partial_names_at_most_three_errors(catalog):
    errors = tuple(f"classes{i}.dex: bad" for i in range(5))
    (hit,) = M.meta_partial(ctx(catalog, partial=True, errors=errors), {})
    assert hit.fields["errors"] == "classes0.dex: bad, classes1.dex: bad, classes2.dex: bad (+2)"
    assert hit.evidence == ()


def test_errors_without_partial_flag_still_count(catalog):
    (hit,) = M.meta_partial(ctx(catalog, errors=("rule PS101 could not be evaluated",)), {})
    assert "PS101" in hit.fields["errors"]
    (flag_only,) = M.meta_partial(ctx(catalog, partial=True), {})
    assert flag_only.fields["errors"]  # something to show even without an error text


def test_complete_analysis_no_hit(catalog):
    assert list(M.meta_partial(ctx(catalog), {})) == []
