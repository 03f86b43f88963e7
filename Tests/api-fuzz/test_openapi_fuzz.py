"""schemathesis against the running server's own OpenAPI document.

Fails on any 5xx and on any response that breaks the document (status codes
with schemas, content types, bodies).
"""
import json
import pathlib
import sys
import urllib.request

import pytest
import schemathesis
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "pysupport"))
from crew_server import CrewServer  # noqa: E402

SERVER = CrewServer(extra_env={"CREW_BCRYPT_COST": "4"})


def _token():
    body = json.dumps({"email": "fuzz@example.com", "password": "fuzz password 1", "name": "Fuzz"}).encode()
    request = urllib.request.Request(
        SERVER.url + "/api/v1/auth/signup", data=body, headers={"content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(request) as response:
        return json.load(response)["token"]


TOKEN = _token()
schema = schemathesis.openapi.from_url(SERVER.url + "/api/v1/openapi.json")


@pytest.fixture(scope="session", autouse=True)
def stop_server():
    yield
    SERVER.stop()


@schema.parametrize()
def test_api_conforms(case):
    # Log-out would end the shared session and token revocation is covered elsewhere.
    headers = {} if case.path in ("/api/v1/auth/logout",) else {"Authorization": f"Bearer {TOKEN}"}
    case.call_and_validate(
        headers=headers,
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )
