"""Which S3 server the stacks run on: SeaweedFS for every test, moto as well for tests marked `moto`;
Hypothesis without timing checks."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

# The suite shares two cores with real servers and browsers: generating an example may take longer
# than Hypothesis's timing checks expect, which says nothing about the code under test.
settings.register_profile("shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shared-machine")

S3_SERVERS = ("seaweedfs", "moto")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "s3_server" in metafunc.fixturenames:
        servers = S3_SERVERS if metafunc.definition.get_closest_marker("moto") else S3_SERVERS[:1]
        metafunc.parametrize("s3_server", servers, indirect=True, scope="session")


@pytest.fixture(scope="session")
def s3_server(request: pytest.FixtureRequest) -> str:
    """The S3 server of the session's stack this test runs on."""
    return getattr(request, "param", S3_SERVERS[0])
