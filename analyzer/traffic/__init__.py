"""Personal data in network traffic: known-value matching (canaries), pattern detectors,
body decoding, destination classes. Pure Python — no mitmproxy import (see hooks/mitm_addon.py)."""
from privascope.traffic.canaries import CanaryStore, KnownValueError
from privascope.traffic.fragments import Fragment, RequestView
from privascope.traffic.matcher import Limits, TrafficAnalyzer

__all__ = ["CanaryStore", "KnownValueError", "Fragment", "RequestView", "Limits", "TrafficAnalyzer"]
