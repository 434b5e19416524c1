"""Callback targets and schedules: public unicast addresses only, a bounded number of attempts."""

from __future__ import annotations

import ipaddress

import pytest

from core import addresses, callbacks
from worker.deliver import DeliveryFailed, Refused, resolve

REFUSED = [
    "127.0.0.1", "10.0.0.7", "169.254.169.254", "::1", "0.0.0.0", "100.64.0.1", "239.1.1.1",
    "64:ff9b::7f00:1", "64:ff9b:1::1", "2002:7f00:1::", "2002:808:808::1", "::ffff:127.0.0.1",
    "::ffff:8.8.8.8", "::127.0.0.1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "fe80::1", "fd00::1",
    "255.255.255.255", "192.0.2.1", "2001:db8::1",
]  # fmt: skip


@pytest.mark.parametrize("address", REFUSED)
def test_special_purpose_and_embedding_addresses_are_refused(address):
    assert addresses.refusal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700::1111"])
def test_public_unicast_addresses_pass(address):
    assert addresses.refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/h", "http://[64:ff9b::7f00:1]/h", "http://[2002:7f00:1::]:8080/", "http://localhost/",
            "https://api.localhost/x", "http://10.1.2.3/"],
)  # fmt: skip
def test_targets_known_at_submit_are_refused_then(url):
    with pytest.raises(callbacks.CallbackError, match="callback: refused"):
        callbacks.check_url(url, "secret")


def test_names_are_left_to_delivery_and_private_is_allowed_when_configured():
    assert callbacks.check_url("https://hooks.example.com/x", "secret")
    assert callbacks.check_url("http://127.0.0.1:9/h", "secret", allow_private=True)


@pytest.mark.parametrize(
    "url", ["ftp://x", "not a url", "http://x/\r\nX: y", "http://x:99999/", "http://" + "x" * 3000]
)
def test_malformed_urls_are_refused(url):
    with pytest.raises(callbacks.CallbackError):
        callbacks.check_url(url, "secret")


def test_resolving_refuses_a_name_with_any_private_address():
    with pytest.raises(Refused):
        resolve("localhost", 80, allow_private=False)
    assert resolve("localhost", 80, allow_private=True) in ("127.0.0.1", "::1")
    with pytest.raises(DeliveryFailed):
        resolve("no-such-host.invalid", 80, allow_private=False)


@pytest.mark.parametrize(("deliveries", "retries"), [(1, None), (2, 1), (5, 4), (9, 8)])
def test_at_most_max_deliveries_attempts_with_growing_backoff(deliveries, retries):
    policy = callbacks.retry_policy(deliveries - 1)
    if retries is None:
        assert policy is None
        return
    assert policy.max == retries and policy.intervals == sorted(policy.intervals)
