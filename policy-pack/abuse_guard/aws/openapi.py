"""Operations defined by an OpenAPI 3.x or Swagger 2.0 `body` on a REST API or an HTTP API.

`aws:apigateway/restApi:RestApi` and `aws:apigatewayv2/api:Api` take the whole API as one document in
`body` (JSON or YAML text; an object in aws-native). API Gateway imports each operation
(`paths.<path>.<method>`, and `x-amazon-apigateway-any-method` for ANY) as a method or route, with:
- authorization from the security requirement (the operation's `security`, else the document's; an
  empty list means none) and the schemes it names (`securityDefinitions` in 2.0,
  `components.securitySchemes` in 3.x): `x-amazon-apigateway-authorizer` (type token or request: a
  Lambda authorizer, CUSTOM; cognito_user_pools; jwt, HTTP APIs only), `x-amazon-apigateway-authtype:
  awsSigv4` (IAM), or `type: apiKey` without an authtype (the method requires an API key);
  `x-amazon-apigateway-auth` on the operation (`{type: AWS_IAM}` or `NONE`) sets the type itself;
- its integration from `x-amazon-apigateway-integration` (type, uri, timeoutInMillis, requestParameters).
Of several alternative requirements the weakest counts: a caller may use any of them.

Each operation becomes an `Operation` whose props are keyed as on the Method or Route resource that
would define it, and its integration an Integration-shaped resource, so every rule and the cost model
read a body operation as they read its Method or Route twin.

Sources: Amazon API Gateway Developer Guide, "OpenAPI extensions to API Gateway"
(x-amazon-apigateway-any-method, -auth, -authorizer, -authtype, -integration) and
"Working with API Gateway extensions to OpenAPI"; OpenAPI Specification 3.0 (Security Requirement
Object) and Swagger 2.0 (securityDefinitions).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ..files.bounded_yaml import load_yaml
from ..resources import Resource
from ..values import Malformed, describe, given
from .names import safe_path, safe_verb
from .types import HTTP_INTEGRATION, REST_INTEGRATION

OPERATION_KEYS = ("get", "put", "post", "delete", "options", "head", "patch")
ANY_METHOD = "x-amazon-apigateway-any-method"
AUTHORIZER_TYPES = {"token": "CUSTOM", "request": "CUSTOM", "cognito_user_pools": "COGNITO_USER_POOLS", "jwt": "JWT"}
REST_AUTHORIZER_TYPES = ("token", "request", "cognito_user_pools")
HTTP_AUTHORIZER_TYPES = ("request", "jwt")
INTEGRATION_TYPES = ("aws", "aws_proxy", "http", "http_proxy", "mock")

IAM, API_KEY = "AWS_IAM", "API_KEY"


@dataclass(frozen=True)
class BodyOperation:
    """One operation of a body: where it sits, its props as a Method or Route would hold them, its integration."""

    verb: str
    """GET, ANY, ...: as API Gateway names the method."""
    path: str
    """The path as written: `/items/{id}`."""
    at: str
    """How messages name the operation's place in the resource's inputs: `body paths['/items'].get`."""
    props: Mapping[str, Any]
    integration: Resource | None
    problem: Malformed | None = None
    """Why the operation cannot be read (a scheme it names is not defined, ...); raised by every read."""
    overrides: str | None = None
    """`security: []` or `its own security` when the operation sets a `security` that replaces a document-level
    requirement (OpenAPI 3.0 Operation Object / Swagger 2.0: "This definition overrides any declared top-level
    security. To remove a top-level security declaration, an empty array can be used"); None otherwise."""

    @property
    def shown(self) -> str:
        """`GET /items`, or the operation's place when the path is not of safe characters."""
        path = safe_path(self.path)
        return f"{self.verb} {path}" if path is not None else f"{self.verb} at {self.at}"


def document(resource: Resource) -> Mapping[str, Any] | None:
    """The body as a document; None when the resource has no body.

    Raises Undetermined when the body is not known until deployment (or is a secret), and Malformed
    when it is not JSON or YAML text (or an object) holding a Swagger 2.0 or OpenAPI 3.x document.
    """
    raw = given(resource.props, "body")
    if raw is None:
        return None
    label = "body"
    if isinstance(raw, str):
        try:
            doc = json.loads(raw)
        except ValueError:
            try:
                doc = load_yaml(raw)
            except yaml.YAMLError as error:
                where = getattr(error, "problem_mark", None)
                line = f" (line {where.line + 1})" if where is not None else ""
                shown = f"text that is neither{line}"
                raise Malformed(label, "a JSON or YAML OpenAPI document", raw, shown=shown) from None
            except RecursionError:
                raise Malformed(label, "a JSON or YAML OpenAPI document", raw, shown="text nested too deep") from None
        except RecursionError:
            raise Malformed(label, "a JSON or YAML OpenAPI document", raw, shown="text nested too deep") from None
    else:
        doc = raw
    if not isinstance(doc, Mapping):
        raise Malformed(label, "an OpenAPI document (an object)", doc)
    swagger, openapi = doc.get("swagger"), doc.get("openapi")
    if not (str(swagger) == "2.0" or (isinstance(openapi, str) and openapi.startswith("3."))):
        raise Malformed(label, 'a Swagger 2.0 or OpenAPI 3.x document ("swagger": "2.0" or "openapi": "3.x")', doc)
    paths = doc.get("paths", {})
    if not isinstance(paths, Mapping):
        raise Malformed("body paths", "an object", paths)
    return doc


def operations(resource: Resource, rest: bool) -> list[BodyOperation]:
    """Every operation of the resource's body, in document order ([] without a body); raises as `document`."""
    doc = document(resource)
    if doc is None:
        return []
    schemes = {name: _followed(doc, scheme, f"body security scheme '{name}'") for name, scheme in _schemes(doc).items()}
    default_security = doc.get("security")
    found: list[BodyOperation] = []
    for path, item in doc.get("paths", {}).items():
        shown_path = safe_path(str(path)) or f"#{len(found)}"
        item = _followed(doc, item, f"body paths['{shown_path}']")
        if not isinstance(item, Mapping):
            continue  # a path item that is not an object defines no operation API Gateway imports
        for key, op in item.items():
            verb = "ANY" if key == ANY_METHOD else safe_verb(str(key)) if str(key).lower() in OPERATION_KEYS else None
            if verb is None:
                continue  # parameters, summary, servers, x-... extensions: not operations
            at = f"body paths['{shown_path}'].{key}"
            if not isinstance(op, Mapping):
                found.append(BodyOperation(verb, str(path), at, {}, None, Malformed(at, "an object", op)))
                continue
            try:
                authorization, authorizer, keyed = _authorization(op, default_security, schemes, rest, at)
                integration = _integration(resource, op, rest, at, verb, shown_path, len(found))
            except Malformed as problem:
                found.append(BodyOperation(verb, str(path), at, {}, None, problem))
                continue
            if rest:
                props = {"httpMethod": verb, "authorization": authorization, "apiKeyRequired": keyed}
            else:
                props = {"routeKey": f"{verb} {path}", "authorizationType": authorization, "apiKeyRequired": keyed}
            if authorizer is not None:
                props["authorizerId"] = authorizer
            found.append(
                BodyOperation(verb, str(path), at, props, integration, overrides=_override(op, default_security))
            )
    return found


def _override(op: Mapping[str, Any], default: Any) -> str | None:
    """How an operation's own `security` replaces a document-level requirement (see BodyOperation.overrides)."""
    if "security" not in op or not isinstance(default, list) or not default:
        return None
    return "security: []" if op["security"] == [] else "its own security"


MAX_REFERENCES = 10


def _followed(doc: Mapping[str, Any], node: Any, where: str) -> Any:
    """`node`, or what its local `$ref` ("#/components/...") points at; Malformed for a reference outside the
    document, one that names nothing, or a chain longer than MAX_REFERENCES (a loop)."""
    for _ in range(MAX_REFERENCES):
        reference = node.get("$ref") if isinstance(node, Mapping) else None
        if reference is None:
            return node
        if not isinstance(reference, str) or not reference.startswith("#/"):
            raise Malformed(where, "a $ref to a part of this document", reference, shown="another reference")
        node = doc
        for part in reference[2:].split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            node = node.get(key) if isinstance(node, Mapping) else None
        if node is None:
            raise Malformed(where, "a $ref to a part of this document", reference, shown="a reference to nothing")
    raise Malformed(where, "a $ref to a part of this document", None, shown="a loop of references")


# -- authorization --------------------------------------------------------------------------------


def _schemes(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    if "swagger" in doc:
        found = doc.get("securityDefinitions", {})
        where = "body securityDefinitions"
    else:
        components = doc.get("components", {})
        found = components.get("securitySchemes", {}) if isinstance(components, Mapping) else None
        where = "body components.securitySchemes"
    if found is None:
        return {}
    if not isinstance(found, Mapping):
        raise Malformed(where, "an object", found)
    return found


def _kind(name: str, scheme: Any, rest: bool, at: str) -> tuple[str, str | None] | None:
    """(authorization type or API_KEY, authorizer name) a scheme stands for; None for one API Gateway ignores."""
    where = f"{at} security scheme"
    if not isinstance(scheme, Mapping):
        raise Malformed(where, "an object", scheme)
    authorizer = scheme.get("x-amazon-apigateway-authorizer")
    if authorizer is not None:
        kind = authorizer.get("type") if isinstance(authorizer, Mapping) else None
        allowed = REST_AUTHORIZER_TYPES if rest else HTTP_AUTHORIZER_TYPES
        if not isinstance(kind, str) or kind.lower() not in allowed:
            what = f"an x-amazon-apigateway-authorizer of type {', '.join(allowed)}"
            raise Malformed(where, what, kind, shown=describe(kind) if not isinstance(kind, str) else "another type")
        return AUTHORIZER_TYPES[kind.lower()], name
    authtype = scheme.get("x-amazon-apigateway-authtype")
    if isinstance(authtype, str) and authtype.lower() == "awssigv4":
        return IAM, None
    if authtype is None and scheme.get("type") == "apiKey":
        return API_KEY, None
    if isinstance(authtype, str) and authtype.lower() == "cognito_user_pools":
        return "COGNITO_USER_POOLS", name
    return None


def _authorization(
    op: Mapping[str, Any], default: Any, schemes: Mapping[str, Any], rest: bool, at: str
) -> tuple[str, str | None, bool]:
    """(authorization type, authorizer name, API key required) of the weakest alternative the operation accepts."""
    security = op.get("security", default)
    if security is None:
        security = []
    if not isinstance(security, list):
        raise Malformed(f"{at}.security", "a list of security requirements", security)
    weakest: tuple[int, str, str | None, bool] | None = None
    for index, requirement in enumerate(security):
        if not isinstance(requirement, Mapping):
            raise Malformed(f"{at}.security[{index}]", "an object", requirement)
        authorization, authorizer, keyed = "NONE", None, False
        for name in requirement:
            if name not in schemes:
                raise Malformed(
                    f"{at}.security[{index}]", "names of defined security schemes", name, shown="a scheme not defined"
                )
            kind = _kind(str(name), schemes[name], rest, at)
            if kind is None:
                continue
            if kind[0] == API_KEY:
                keyed = True
            elif authorization == "NONE":
                authorization, authorizer = kind
        strength = (2 if authorization != "NONE" else 0) + (1 if keyed else 0)
        if weakest is None or strength < weakest[0]:
            weakest = (strength, authorization, authorizer, keyed)
    authorization, authorizer, keyed = ("NONE", None, False) if weakest is None else weakest[1:]
    auth = op.get("x-amazon-apigateway-auth")
    if auth is not None:
        kind = auth.get("type") if isinstance(auth, Mapping) else None
        if not isinstance(kind, str) or kind.upper() not in (IAM, "NONE"):
            raise Malformed(f"{at}.x-amazon-apigateway-auth.type", "AWS_IAM or NONE", kind, shown="another value")
        authorization, authorizer = kind.upper(), None
    return authorization, authorizer, keyed


# -- integration ----------------------------------------------------------------------------------


def _integration(
    api: Resource, op: Mapping[str, Any], rest: bool, at: str, verb: str, path: str, index: int
) -> Resource | None:
    """The operation's x-amazon-apigateway-integration as an Integration resource would hold it, or None."""
    spec = op.get("x-amazon-apigateway-integration")
    if spec is None:
        return None
    where = f"{at}.x-amazon-apigateway-integration"
    if not isinstance(spec, Mapping):
        raise Malformed(where, "an object", spec)
    kind = spec.get("type")
    if not isinstance(kind, str) or kind.lower() not in INTEGRATION_TYPES:
        raise Malformed(f"{where}.type", "one of " + ", ".join(INTEGRATION_TYPES), kind, shown="another value")
    props: dict[str, Any] = {"timeoutMilliseconds": spec.get("timeoutInMillis")}
    if rest:
        props.update(type=kind.upper(), uri=spec.get("uri"), requestParameters=spec.get("requestParameters"))
    else:
        props.update(
            integrationType=kind.upper(),
            integrationUri=spec.get("uri"),
            integrationSubtype=spec.get("integrationSubtype"),
        )
    return Resource(
        urn=f"{api.urn}#{index}",
        type=REST_INTEGRATION if rest else HTTP_INTEGRATION,
        name=f"{api.name} {verb} {path}",
        props={key: value for key, value in props.items() if value is not None},
        parent=api.urn,
    )
