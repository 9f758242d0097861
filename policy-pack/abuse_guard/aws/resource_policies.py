"""A REST API's resource policy, read as API Gateway evaluates it for a caller of one operation that signs nothing.

A resource policy is an IAM policy document ("Access policy language overview for Amazon API Gateway"): JSON text
(pulumi-aws RestApi and RestApiPolicy `policy`, which aws.iam.get_policy_document's `json` feeds) or an object
(aws-native RestApi `policy`, an OpenAPI body's `x-amazon-apigateway-policy`). For an operation whose authorization
is NONE, API Gateway evaluates the policy alone ("How API Gateway resource policies affect authorization workflow",
"API Gateway resource policy only"): "Evaluation of the policy involves seeking an explicit allow based on the
inbound criteria of the caller. An implicit denial or any explicit denial results in denying the caller." Such a
caller is anonymous: API Gateway knows a caller's identity only from an IAM signature, which a NONE method does not
ask for ("Create and attach an API Gateway resource policy to an API", troubleshooting: with an AWS principal in the
policy "You must use AWS_IAM authorization for every method in your API").

What is read of each statement, for execute-api:Invoke of one operation by such a caller (IAM JSON policy
reference; element names matched in any case, as the provider's policy model does):
- Effect "Allow" or "Deny" (case-sensitive).
- Principal `*` or {"AWS": "*"} (`*` among a list too) takes the anonymous caller in; one that names accounts, roles or
  services does not. NotPrincipal covers every caller it does not name: an Allow with it admits the anonymous
  caller, a Deny with it denies every caller but the named ones.
- Action / NotAction: `service:action` patterns, matched without regard to case (IAM action names are not
  case-sensitive), against execute-api:Invoke.
- Resource / NotResource: `*`, `execute-api:/<stage>/<VERB>/<path>` (which API Gateway expands to the API's own ARN:
  "API Gateway resource policy examples") or `arn:<partition>:execute-api:<region>:<account>:<api-id>/<stage>/<VERB>/
  <path>` ("Resource format of permissions for executing API in API Gateway"). `*` matches any run of characters,
  `/` included, and `?` any one character. An operation's requests are every stage, its verb (each verb for ANY)
  and its path with any value for each {parameter} ({proxy+}: one or more segments). The partition, Region and
  account of a full ARN are taken to be the API's own, since the policy is attached to it; its API ID is compared
  when the API's ID is known.
- Condition: which callers a statement is limited to, by the kind of key tested: the VPC endpoint or VPC the call
  comes through (aws:SourceVpce, aws:SourceVpc), its source IP address (aws:SourceIp, aws:VpcSourceIp), or the
  caller's principal (aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalArn, which an
  anonymous caller does not have). An Allow is limited by a positive test of such a key (StringEquals,
  StringEqualsIgnoreCase, StringLike, ArnEquals, ArnLike, IpAddress, alone or with ForAnyValue:; not ...IfExists,
  which holds when the key is absent); several tests of a statement must all hold. A Deny keeps out every caller
  but those a negated test names (StringNotEquals, StringNotEqualsIgnoreCase, StringNotLike, ArnNotEquals,
  ArnNotLike, NotIpAddress, alone, with ForAllValues: or ...IfExists: a negated test holds when the key is absent)
  when every test it has is one. A test names callers when its values do: any value of an *Equals operator (a
  literal, `*` included), a value of a *Like operator without `*` or `?`, an IpAddress range other than /0. Other
  condition keys restrict no caller's identity and are not read.
A policy, or a part of one, not known until deployment is read both ways: the operation's verdict is settled only
when the widest and the narrowest reading agree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from ..policy import wildcard_match
from ..resources import SECRET, UNKNOWN
from ..values import Malformed, given, path_label

INVOKE = "execute-api:invoke"
"""The action a call to an API is (API Gateway Developer Guide, "Action format of permissions for executing API"),
lower-cased as actions are compared."""
VERBS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
"""The HTTP verbs a method ANY answers, each its own request ARN."""


class Admits(IntEnum):
    """Which anonymous callers a policy lets invoke an operation, narrowest first."""

    NO_ONE = 0
    NAMED_PRINCIPALS = 1
    """Only principals it names: an anonymous caller is none of them."""
    NAMED_ENDPOINTS = 2
    """Only calls through the VPC endpoints or VPCs it names."""
    SOURCE_IPS = 3
    """Only calls from the source IP ranges it names."""
    ANYONE = 4


ENDPOINT_KEYS = frozenset({"aws:sourcevpce", "aws:sourcevpc"})
IP_KEYS = frozenset({"aws:sourceip", "aws:vpcsourceip"})
PRINCIPAL_KEYS = frozenset({"aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths", "aws:principalarn"})
KEY_KINDS = {
    **{key: Admits.NAMED_ENDPOINTS for key in ENDPOINT_KEYS},
    **{key: Admits.SOURCE_IPS for key in IP_KEYS},
    **{key: Admits.NAMED_PRINCIPALS for key in PRINCIPAL_KEYS},
}
POSITIVE = frozenset({"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"})
NEGATED = frozenset(
    {"stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike", "notipaddress"}
)
PATTERNED = frozenset({"stringlike", "stringnotlike", "arnlike", "arnnotlike"})
ADDRESSES = frozenset({"ipaddress", "notipaddress"})

HOLE = "\x00"
"""Stands for any value of a stage or path parameter when a pattern must match every request: a character no
pattern holds, so only a `*` matches it."""


# -- a policy document --------------------------------------------------------------------------------------------


def document(holder: Any, key: str, at: str) -> Mapping[str, Any] | None:
    """The policy in input `key` of `holder` (JSON text or an object; `at` names where the holder sits); None when
    there is none (absent or blank).

    Raises Undetermined when it is not known until deployment (or is a secret), Malformed when it is not a JSON
    object (text read as openapi.document reads a JSON body: json.loads, nesting too deep for it malformed)."""
    label = path_label(at, key)
    value = given(holder, key, at)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except RecursionError:
            raise Malformed(label, "a JSON policy document", value, shown="text nested too deep") from None
        except ValueError:
            raise Malformed(label, "a JSON policy document", value, shown="text that is not JSON") from None
    if value is not None and not isinstance(value, Mapping):
        raise Malformed(label, "a policy document (an object)", value)
    return value


@dataclass(frozen=True)
class Condition:
    """One condition test, as far as it limits callers: the kind of key it tests (None: another key), whether it is
    positive or negated (None: neither, as this module reads them) and whether its values name callers (None: a
    value not known yet decides)."""

    kind: Admits | None
    positive: bool | None
    names: bool | None


@dataclass(frozen=True)
class Statement:
    """One statement, read for execute-api:Invoke by an anonymous caller. None in a field: not known until
    deployment."""

    effect: str | None
    everyone: bool | None
    """Whether it covers the anonymous caller: Principal `*` or {"AWS": "*"}, or any NotPrincipal."""
    named_principals_only: bool
    """A NotPrincipal: in a Deny, every caller but the named ones."""
    invoke: bool | None
    """Whether Action (or NotAction) covers execute-api:Invoke."""
    resources: tuple[Pattern | None, ...] | None
    """The Resource (or NotResource) patterns (None for one not known until deployment; those of another service are
    left out); None when the element is not known."""
    not_resource: bool
    tests: tuple[Condition, ...] | None

    @property
    def known(self) -> bool:
        """Whether everything read of it is known: then its widest and narrowest readings are one."""
        return (
            None not in (self.effect, self.everyone, self.invoke, self.resources, self.tests)
            and None not in (self.resources or ())
            and all(t.names is not None for t in self.tests or ())
        )


def statements(doc: Mapping[str, Any], label: str) -> list[Statement | None]:
    """The statements of a policy document; None for a statement not known until deployment. Raises Malformed."""
    fields = _fields(doc)
    raw = fields.get("statement")
    if raw is UNKNOWN or raw is SECRET:
        return [None]
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        raise Malformed(f"{label}.Statement", "a statement or a list of statements", raw)
    found: list[Statement | None] = []
    for index, entry in enumerate(raw):
        where = f"{label} Statement[{index}]"
        if entry is UNKNOWN or entry is SECRET:
            found.append(None)
        elif not isinstance(entry, Mapping):
            raise Malformed(where, "an object", entry)
        else:
            found.append(_statement(entry, where))
    return found


def _fields(element: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key).lower(): value for key, value in element.items()}


def _statement(raw: Mapping[str, Any], where: str) -> Statement:
    fields = _fields(raw)
    effect = fields.get("effect")
    if effect is UNKNOWN or effect is SECRET:
        effect = None
    elif effect not in ("Allow", "Deny"):
        raise Malformed(f"{where}.Effect", '"Allow" or "Deny"', effect, shown=_shown(effect))
    if "principal" in fields:
        everyone, named_only = _principal(fields["principal"], f"{where}.Principal"), False
    elif "notprincipal" in fields:
        everyone, named_only = True, True
    else:
        raise Malformed(where, "a statement with a Principal or NotPrincipal", None, shown="neither")
    if "action" in fields or "notaction" in fields:
        negated = "action" not in fields
        invoke = _covers_invoke(fields["notaction" if negated else "action"], f"{where}.{_key(negated, 'Action')}")
        invoke = invoke if invoke is None or not negated else not invoke
    else:
        raise Malformed(where, "a statement with an Action or NotAction", None, shown="neither")
    if "resource" in fields or "notresource" in fields:
        not_resource = "resource" not in fields
        element = f"{where}.{_key(not_resource, 'Resource')}"
        resources = _patterns(fields["notresource" if not_resource else "resource"], element)
    else:
        raise Malformed(where, "a statement with a Resource or NotResource", None, shown="neither")
    tests = _tests(fields.get("condition"), f"{where}.Condition")
    return Statement(effect, everyone, named_only, invoke, resources, not_resource, tests)


def _key(negated: bool, name: str) -> str:
    return f"Not{name}" if negated else name


def _shown(value: Any) -> str | None:
    """A string value of an element is named by kind only (values.describe), anything else as describe says."""
    return "another string" if isinstance(value, str) and value else None


def _strings(value: Any, where: str, scalars: bool = False) -> list[str | None]:
    """A string or a list of strings (with `scalars`, numbers and booleans too, as text); None for one not known
    until deployment."""
    if value is UNKNOWN or value is SECRET:
        return [None]
    accepted = (str, int, float, bool) if scalars else (str,)
    found: list[str | None] = []
    for item in value if isinstance(value, list) else [value]:
        if item is UNKNOWN or item is SECRET:
            found.append(None)
        elif isinstance(item, accepted):
            found.append(str(item))
        else:
            raise Malformed(where, "a value or a list of values" if scalars else "a string or a list of strings", item)
    return found


def _principal(value: Any, where: str) -> bool | None:
    """Whether a Principal takes in the anonymous caller: `*`, or `*` among its AWS principals."""
    if value is UNKNOWN or value is SECRET:
        return None
    if value == "*":
        return True
    if not isinstance(value, Mapping):
        raise Malformed(where, '"*" or an object of principals', value, shown=_shown(value))
    unknown = False
    for kind, names in value.items():
        listed = _strings(names, f"{where}.{kind}")
        if kind == "AWS" and "*" in listed:
            return True
        unknown = unknown or (kind == "AWS" and None in listed)
    return None if unknown else False


def _covers_invoke(value: Any, where: str) -> bool | None:
    patterns = _strings(value, where)
    if any(p is not None and wildcard_match(INVOKE, p.lower()) for p in patterns):
        return True
    return None if None in patterns else False


def _patterns(value: Any, where: str) -> tuple[Pattern | None, ...] | None:
    patterns = _strings(value, where)
    if patterns == [None]:
        return None
    found = [_pattern(p, where) if p is not None else None for p in patterns]
    return tuple(p for p in found if p is not ANOTHER)


@dataclass(frozen=True)
class Pattern:
    """A Resource pattern: `tail` over `/<stage>/<VERB><path>`, `api` the API ID glob of a full ARN (None: the
    abbreviated form, which API Gateway expands with the API's own ID)."""

    tail: str
    api: str | None = None


ANOTHER = Pattern("")
"""A pattern that names another service: it matches no request of the API."""


def _pattern(pattern: str, where: str) -> Pattern:
    if pattern == "*":
        return Pattern("*")
    if pattern.startswith("execute-api:"):
        return Pattern(pattern.removeprefix("execute-api:"))
    parts = pattern.split(":", 5)
    if pattern.startswith("arn:") and len(parts) == 6:
        if not wildcard_match("execute-api", parts[2]):
            return ANOTHER
        api, slash, rest = parts[5].partition("/")
        if slash:
            return Pattern(f"/{rest}", api)
        # `<api-id>` alone is the API, not a call to it; `<glob>*` covers every call of the APIs it matches
        return Pattern("*", api) if api.endswith("*") else ANOTHER
    raise Malformed(where, "*, execute-api:/<stage>/<verb>/<path> or an execute-api ARN", pattern, shown="another form")


def _tests(value: Any, where: str) -> tuple[Condition, ...] | None:
    """The tests of a Condition block (() for none); None when it is not known until deployment."""
    if value is None:
        return ()
    if value is UNKNOWN or value is SECRET:
        return None
    if not isinstance(value, Mapping):
        raise Malformed(where, "an object of condition operators", value)
    found: list[Condition] = []
    for operator, block in value.items():
        if block is UNKNOWN or block is SECRET:
            return None
        if not isinstance(block, Mapping):
            raise Malformed(f"{where}.{operator}", "an object of condition keys", block)
        base, positive = _operator(str(operator))
        for key, values in block.items():
            kind = KEY_KINDS.get(str(key).lower())
            listed = _strings(values, f"{where}.{operator}", scalars=True)
            found.append(Condition(kind, positive, _names(base, listed)))
    return tuple(found)


def _operator(operator: str) -> tuple[str, bool | None]:
    """(base operator, True for a positive test that limits an Allow, False for a negated one that limits a Deny,
    None for neither)."""
    name = operator.lower()
    prefix, _, base = name.rpartition(":")
    if_exists = base.endswith("ifexists")
    base = base.removesuffix("ifexists")
    if base in POSITIVE and prefix in ("", "foranyvalue") and not if_exists:
        return base, True
    if base in NEGATED and prefix in ("", "forallvalues"):
        return base, False
    return base, None


def _names(base: str, values: list[str | None]) -> bool | None:
    """Whether a test's values name callers rather than admit them all (see the module's docstring)."""
    if base in PATTERNED:
        if any(v is not None and ("*" in v or "?" in v) for v in values):
            return False
        return None if None in values else True
    if base in ADDRESSES:
        if any(v is not None and v.strip().endswith("/0") for v in values):
            return False
        return None if None in values else True
    return True


# -- one operation's requests -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """The requests of one operation: any stage, each of `verbs`, `path` with any value for its parameters."""

    verbs: tuple[str, ...]
    path: str | None
    """`/items/{id}` (`/` for the root); None when not known."""
    api_id: str | None
    """The API's ID when known: a full ARN pattern is compared with it."""

    @classmethod
    def of(cls, verb: str, path: str | None, api_id: str | None) -> Request:
        upper = verb.upper()
        return cls(VERBS if upper == "ANY" else (upper,), path, api_id)

    def covers_all(self, patterns: tuple[Pattern | None, ...] | None) -> bool | None:
        """Whether the patterns match every request (None: a pattern not known yet decides)."""
        if patterns is None:
            return None
        per_verb = [self._verb_covered(verb, patterns) for verb in self.verbs]
        if all(per_verb):
            return True
        return None if False not in per_verb else False

    def _verb_covered(self, verb: str, patterns: tuple[Pattern | None, ...]) -> bool | None:
        subject = f"/{HOLE}/{verb}{_filled(self.path)}"
        # a `?` could match a HOLE, which stands for values of any length: only a `*` surely covers them
        for p in patterns:
            if p is not None and self._ours(p) and "?" not in p.tail and wildcard_match(subject, p.tail):
                return True
        return None if None in patterns else False

    def covers_some(self, patterns: tuple[Pattern | None, ...] | None) -> bool | None:
        """Whether the patterns match some request (None: a pattern not known yet decides)."""
        if patterns is None:
            return None
        for p in patterns:
            if p is not None and self._ours(p) and any(_meets(p.tail, _template(v, self.path)) for v in self.verbs):
                return True
        return None if None in patterns else False

    def _ours(self, pattern: Pattern) -> bool:
        """Whether the pattern's API is this one: always for the abbreviated form and while the ID is not known."""
        return pattern.api is None or self.api_id is None or wildcard_match(self.api_id, pattern.api)


def covered(request: Request, statement: Statement, every: bool) -> bool | None:
    """Whether a statement's Resource (or NotResource) covers every request (`every`) or some request."""
    if not statement.not_resource:
        return request.covers_all(statement.resources) if every else request.covers_some(statement.resources)
    # NotResource: the requests its patterns do not match
    hit = request.covers_some(statement.resources) if every else request.covers_all(statement.resources)
    return None if hit is None else not hit


def _filled(path: str | None) -> str:
    """The path with each parameter a HOLE ({proxy+}: two segments of HOLEs); an unknown path one HOLE."""
    if path is None:
        return f"/{HOLE}"
    parts = []
    for segment in path.split("/"):
        if segment.startswith("{") and segment.endswith("+}"):
            parts.append(f"{HOLE}/{HOLE}")
        elif segment.startswith("{") and segment.endswith("}"):
            parts.append(HOLE)
        else:
            parts.append(segment)
    return "/".join(parts) or "/"


def _template(verb: str, path: str | None) -> list[str | None]:
    """`/<stage>/<VERB><path>` as characters and None for a run of any characters (a stage, a parameter)."""
    tokens: list[str | None] = ["/", None, "/", *verb]
    tokens += [None if c == HOLE else c for c in _filled(path)]
    return tokens


def _meets(pattern: str, template: list[str | None]) -> bool:
    """Whether some string matches both the glob `pattern` (`*` any run, `?` any one character) and the template
    (None: any run): a search over pairs of positions, at most len(pattern) x len(template) of them."""
    seen: set[tuple[int, int]] = set()
    pending = [(0, 0)]
    while pending:
        i, j = pending.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(pattern) and j == len(template):
            return True
        p = pattern[i] if i < len(pattern) else None
        t = template[j] if j < len(template) else ""
        if p == "*":
            pending.append((i + 1, j))
        if t is None:
            pending.append((i, j + 1))
        if p is None or t == "":
            continue
        if p in "*?" or t is None or p == t:
            pending.append((i if p == "*" else i + 1, j if t is None else j + 1))
    return False


# -- who gets in ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Admission:
    """Which anonymous callers one reading of a policy admits, and what decides it."""

    admits: Admits
    policy: str
    """How messages name the policy: `RestApiPolicy 'p'.policy`."""
    statement: int | None = None
    """The index of the statement that decides; None when none does (no Allow: an implicit deny)."""
    effect: str | None = None
    unknown: str | None = None
    """What this reading rests on that is not known until deployment (it reads that the widest or the narrowest way)."""

    @property
    def why(self) -> str:
        """What the policy does, as a sentence about it."""
        if self.unknown is not None:
            return self.unknown
        where = self.policy if self.statement is None else f"{self.policy} Statement[{self.statement}]"
        if self.statement is None:
            return (
                f"{where} allows no anonymous caller to invoke it, so API Gateway denies every call (an implicit deny)"
            )
        return f"{where} " + (DENIES if self.effect == "Deny" else ALLOWS)[self.admits]


DENIES = {
    Admits.NO_ONE: "denies execute-api:Invoke to everyone",
    Admits.NAMED_PRINCIPALS: "denies every caller but the principals it names",
    Admits.NAMED_ENDPOINTS: "denies every call but those through the VPC endpoints or VPCs it names "
    "(aws:SourceVpce, aws:SourceVpc)",
    Admits.SOURCE_IPS: "denies every call but those from the source IP ranges it names",
    Admits.ANYONE: "denies no one",
}
ALLOWS = {
    Admits.NO_ONE: "allows no one",
    Admits.NAMED_PRINCIPALS: "allows only the principals it names",
    Admits.NAMED_ENDPOINTS: "allows only calls through the VPC endpoints or VPCs it names (aws:SourceVpce, "
    "aws:SourceVpc)",
    Admits.SOURCE_IPS: "allows only calls from the source IP ranges it names",
    Admits.ANYONE: "allows execute-api:Invoke to everyone ('*') with no condition on the VPC endpoint, VPC, "
    "source IP or principal",
}


def settled(found: list[Statement | None]) -> bool:
    """Whether every statement is known: `admission` reads them the same either way."""
    return all(statement is not None and statement.known for statement in found)


def admission(found: list[Statement | None], request: Request, policy: str, widest: bool) -> Admission:
    """Which anonymous callers the statements of `policy` let make `request`: what some Allow admits (the widest of
    them), less what a Deny keeps out. `widest` reads what is not known yet as admitting the most, else the fewest."""
    allows: list[Admission] = []
    denies: list[Admission] = []
    for index, statement in enumerate(found):
        if statement is None:  # a statement not known until deployment
            why = f"{policy} Statement[{index}] is not known until deployment"
            unknown = Admission(Admits.ANYONE if widest else Admits.NO_ONE, policy, index, unknown=why)
            (allows if widest else denies).append(unknown)
            continue
        effect = statement.effect or ("Allow" if widest else "Deny")
        if effect == "Allow":
            kind = _allowed(statement, request, widest)
            if kind is not None:
                allows.append(Admission(kind, policy, index, "Allow"))
        else:
            kind = _denied(statement, request, not widest)
            if kind is not None:
                denies.append(Admission(kind, policy, index, "Deny"))
    allowed = max(allows, key=lambda a: a.admits, default=Admission(Admits.NO_ONE, policy))
    return min([*denies, allowed], key=lambda a: a.admits)  # an explicit Deny says more than an implicit one


def _yes(value: bool | None, lean: bool) -> bool:
    return lean if value is None else value


def _applies(statement: Statement, request: Request, every: bool, lean: bool) -> bool:
    """Whether a statement is about an anonymous caller's execute-api:Invoke of some request (of every request, for
    `every`); `lean` answers where a value not known yet decides."""
    if not (_yes(statement.everyone, lean) and _yes(statement.invoke, lean)):
        return False
    return _yes(covered(request, statement, every), lean)


def _allowed(statement: Statement, request: Request, widest: bool) -> Admits | None:
    """The callers an Allow admits to the request; None when it admits none."""
    if not _applies(statement, request, every=False, lean=widest):
        return None
    if statement.tests is None:
        return Admits.ANYONE if widest else None
    kinds = [
        t.kind for t in statement.tests if t.kind is not None and t.positive and _yes(t.names, not widest)
    ]  # all must hold: the narrowest decides
    return min(kinds, default=Admits.ANYONE)


def _denied(statement: Statement, request: Request, strictest: bool) -> Admits | None:
    """The callers a Deny leaves to the request (NO_ONE: it denies every anonymous caller); None when it leaves
    them all."""
    if not _applies(statement, request, every=True, lean=strictest):
        return None
    if statement.tests is None:
        return Admits.NO_ONE if strictest else None
    kinds = [Admits.NAMED_PRINCIPALS] if statement.named_principals_only else []
    for test in statement.tests:
        if test.kind is None or test.positive is not False or not _yes(test.names, strictest):
            return None  # the Deny holds for some callers only: it leaves the others in
        kinds.append(test.kind)
    return max(kinds, default=Admits.NO_ONE)  # a caller named by any one test gets through
