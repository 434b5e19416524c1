"""Schemathesis against the served OpenAPI description: no 5xx, no response outside the spec."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from functions.spec import build_spec
from tests.integration.conftest import TEST_ENV

schema = schemathesis.openapi.from_dict(build_spec(int(TEST_ENV["MAX_UPLOAD_BYTES"])))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_description(case, stack):
    case.call_and_validate(base_url=stack.base_url, checks=CHECKS)


def test_served_description_is_the_one_tested(api):
    assert api.http.get(api.url("/openapi.json")).json() == build_spec(int(TEST_ENV["MAX_UPLOAD_BYTES"]))
