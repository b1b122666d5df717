"""Who receives a request: catalog SDK hosts are third parties (on label boundaries), the app's
own hosts first party, anything else unknown."""
from __future__ import annotations


from privascope.model import Destination
from privascope.traffic.destination import DestinationClassifier, package_hosts


def test_package_implies_its_registrable_domain():
    assert package_hosts("com.example.shop") == ("example.com",)
    assert package_hosts("Com.Example") == ("example.com",)
    assert package_hosts("single") == () and package_hosts("") == () and package_hosts("a..") == ()


def test_package_under_a_public_suffix_does_not_claim_the_suffix(catalog):
    c = DestinationClassifier(catalog, package="cn.com.spdb.mobilebank")
    assert c.classify("tracker.unrelated.com.cn") == (Destination.UNKNOWN, None)
    assert c.classify("wap.spdb.com.cn") == (Destination.FIRST_PARTY, None)
    assert package_hosts("io.github.someone.app", catalog.public_suffixes) == ("someone.github.io",)
    assert package_hosts("uk.co.shop", catalog.public_suffixes) == ("shop.co.uk",)
    assert package_hosts("uk.co", catalog.public_suffixes) == ()  # the suffix alone claims nothing


def test_first_party_suffix_with_a_leading_dot():
    c = DestinationClassifier(first_party=[".example.com"])
    assert c.classify("api.example.com") == (Destination.FIRST_PARTY, None)


def test_sdk_hosts_are_third_party_with_the_sdk(catalog):
    c = DestinationClassifier(catalog, package="com.example.app")
    assert c.classify("ulogs.umeng.com") == (Destination.THIRD_PARTY, "umeng-common")
    assert c.classify("X.Bugly.QQ.com.") == (Destination.THIRD_PARTY, "tencent-bugly")
    assert c.classify("notumeng.com")[0] is not Destination.THIRD_PARTY  # label boundary


def test_catalog_wins_over_a_first_party_list(catalog):
    # an app listing an SDK's host as its own must not hide who receives the data
    c = DestinationClassifier(catalog, first_party=["umeng.com"])
    assert c.classify("ulogs.umeng.com") == (Destination.THIRD_PARTY, "umeng-common")


def test_first_party_hosts_normalised_and_matched_on_label_boundaries(catalog):
    c = DestinationClassifier(catalog, first_party=[" API.Shop.CN. ", "", "  "],
                              package="com.example.app")
    assert c.first_party == ("api.shop.cn", "example.com")
    for host in ("api.shop.cn", "v2.api.shop.cn", "EXAMPLE.com", "cdn.example.com."):
        assert c.classify(host) == (Destination.FIRST_PARTY, None), host
    for host in ("shop.cn", "badexample.com", "example.com.evil.cn", "xapi.shop.cn"):
        assert c.classify(host) == (Destination.UNKNOWN, None), host


def test_without_a_catalog_nothing_is_third_party():
    c = DestinationClassifier(None, package="com.example.app")
    assert c.classify("ulogs.umeng.com") == (Destination.UNKNOWN, None)
    assert c.classify("www.example.com") == (Destination.FIRST_PARTY, None)
