"""The OpenAPI schema: generated and validated, served at /api/v1/schema/, with docs that work offline."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

OUR_PATHS = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/auth/token/revoke/": {"post"},
    "/api/v1/me/": {"get"},
    "/api/v1/agencies/": {"get"},
    "/api/v1/agencies/{id}/": {"get"},
    "/api/v1/civil-servants/": {"get"},
    "/api/v1/civil-servants/{id}/": {"get"},
    "/api/v1/civil-servants/lookup/": {"post"},
    "/api/v1/civil-servants/{id}/reveal-id-number/": {"post"},
    "/api/v1/civil-servants/{id}/integrity-file/": {"get"},
}
ERROR_STATUSES = {"400", "401", "403", "404", "429"}
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path: Path = tmp_path_factory.mktemp("schema") / "schema.yml"
    # --fail-on-warn: an endpoint the generator had to guess about fails the suite.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())  # type: ignore[no-any-return]


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def test_the_schema_generates_and_validates_with_our_endpoints(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.")
    for path, methods in OUR_PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


def test_the_error_shape_is_one_documented_component(schema: dict[str, Any]) -> None:
    error = schema["components"]["schemas"]["Error"]
    body = schema["components"]["schemas"]["ErrorBody"]

    assert error["required"] == ["error"]
    assert set(body["properties"]) == {"code", "message", "fields"}
    assert body["properties"]["fields"]["additionalProperties"] == {"type": "array", "items": {"type": "string"}}
    for name in ("BadRequest", "Unauthorized", "Forbidden", "NotFound", "TooManyRequests"):
        response = schema["components"]["responses"][name]
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "Retry-After" in schema["components"]["responses"]["TooManyRequests"]["headers"]


def test_every_error_response_of_every_operation_uses_the_error_shape(schema: dict[str, Any]) -> None:
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        assert "429" in responses, (path, method)
        for status in set(responses) & ERROR_STATUSES:
            response = responses[status]
            if "$ref" in response:
                assert response["$ref"].startswith("#/components/responses/")
            else:
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_operations_document_the_errors_they_can_give(schema: dict[str, Any]) -> None:
    paths = schema["paths"]
    assert {"400", "429"} <= set(paths["/api/v1/auth/token/"]["post"]["responses"])
    assert "401" not in paths["/api/v1/auth/token/"]["post"]["responses"]
    assert {"400", "401", "403", "429"} <= set(paths["/api/v1/agencies/"]["get"]["responses"])
    assert {"401", "403", "404", "429"} <= set(paths["/api/v1/agencies/{id}/"]["get"]["responses"])
    assert {"400", "401", "404"} <= set(paths["/api/v1/civil-servants/lookup/"]["post"]["responses"])
    assert {"400", "403", "404"} <= set(paths["/api/v1/civil-servants/{id}/reveal-id-number/"]["post"]["responses"])


def test_the_token_endpoint_needs_no_credentials_and_the_rest_do(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    assert not schema["paths"]["/api/v1/auth/token/"]["post"].get("security")
    assert {"bearerAuth": []} in schema["paths"]["/api/v1/agencies/"]["get"]["security"]


def query_parameters(schema: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "query"}


def test_query_parameters_document_the_values_they_accept(schema: dict[str, Any]) -> None:
    # Documented as the filters enforce them: a 400 for a value the schema allows breaks every generated client.
    agencies = query_parameters(schema, "/api/v1/agencies/")
    assert agencies["page_size"] == {"type": "integer", "minimum": 1, "maximum": 500}
    assert agencies["parent"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    assert agencies["subtree_of"]["minimum"] == 1
    assert agencies["q"]["maxLength"] == 100
    assert agencies["uscc"]["maxLength"] == 18
    assert agencies["region_code"]["pattern"] == "^[0-9]{6}$"
    assert agencies["updated_after"] == {"type": "string", "format": "date-time"}
    for path in ("/api/v1/records/", "/api/v1/public/records/", "/api/v1/objections/", "/api/v1/civil-servants/"):
        for name, parameter in query_parameters(schema, path).items():
            assert parameter.get("type") != "number", (path, name)  # ids are integers
            assert parameter.get("minimum", 1) >= 1, (path, name)


def test_an_optional_email_is_documented_as_an_address_or_blank(schema: dict[str, Any]) -> None:
    # Cases filed without an address answer "": `format: email` alone would say that is not a valid answer.
    for name in ("ObjectionDetail", "ComplaintDetail", "RepairDetail", "StaffObjectionInputRequest"):
        email = schema["components"]["schemas"][name]["properties"]["filer_email"]
        assert {"type": "string", "maxLength": 0} in email["oneOf"], name
        assert any(option.get("format") == "email" for option in email["oneOf"]), name


def test_the_civil_servant_schema_has_no_full_id_number(schema: dict[str, Any]) -> None:
    properties = schema["components"]["schemas"]["CivilServant"]["properties"]

    assert "id_number_masked" in properties
    assert "id_number" not in properties


def test_the_schema_is_served_as_openapi_3(db: None) -> None:
    response = APIClient().get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    body = response.json()
    assert body["openapi"].startswith("3.")
    assert set(OUR_PATHS) <= set(body["paths"])


def test_the_docs_are_served_with_local_assets_only(db: None, settings: Any) -> None:
    # The development server finds static files through the finders; so does this client.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()

    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'<(?:script|link)[^>]*\b(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 3  # the stylesheet, the bundle and the standalone preset
    for asset in assets:
        assert asset.startswith(settings.STATIC_URL), asset
        assert client.get(asset).status_code == 200, asset
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    assert '"validatorUrl": null' in html  # no call to the online spec validator
    assert "/api/v1/schema/" in html


def test_an_unknown_api_path_answers_in_the_error_shape(world: object) -> None:
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/agencies/not-a-number/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
