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
  <path>` ("Resource format of permissions for executing API in API Gateway"; a `*` that ends a segment of fewer
  than six matches the rest). request_arns.py matches them exactly against an operation's requests: every stage,
  its verb (each verb for ANY) and its path with any one segment for each {param} and one or more for {proxy+}. A
  Deny keeps callers out only if it matches every request, an Allow lets them in if it matches some. A full ARN's
  partition, Region, account and API ID are compared with the API's where they are known (the ID once the API
  exists, the account where its provider names it, the Region where its provider sets it); where one is not, a
  statement whose pattern it decides may or may not apply.
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
from .request_arns import Match, Pattern, Request, matches

INVOKE = "execute-api:invoke"
"""The action a call to an API is (API Gateway Developer Guide, "Action format of permissions for executing API"),
lower-cased as actions are compared."""


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


ANOTHER = Pattern("", ("", "", ""))
"""A pattern that names another service: it matches no request of the API."""


def _pattern(pattern: str, where: str) -> Pattern:
    if pattern == "*":
        return Pattern("*")
    if pattern.startswith("execute-api:"):
        return Pattern(pattern.removeprefix("execute-api:"))
    parts = pattern.split(":", 5)
    if pattern.startswith("arn:") and len(parts) < 6 and len(parts) > 2 and parts[-1].endswith("*"):
        # a `*` that ends an ARN's segment matches beyond the colons after it (IAM JSON policy elements: Resource)
        parts += ["*"] * (6 - len(parts))
    if pattern.startswith("arn:") and len(parts) == 6:
        if not wildcard_match("execute-api", parts[2]):
            return ANOTHER
        return Pattern(parts[5], (parts[1], parts[3], parts[4]))
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


def covered(request: Request, statement: Statement, every: bool) -> Match:
    """Whether a statement's Resource (or NotResource) covers every request (`every`) or some request."""
    if statement.resources is None:
        return Match(None)
    if not statement.not_resource:
        return matches(request, statement.resources, every)
    # NotResource: the requests its patterns do not match
    hit = matches(request, statement.resources, not every)
    return Match(None if hit.value is None else not hit.value, hit.rests_on)


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
    rests_on: tuple[str, ...] = ()
    """The fields of this API's ARN, not known, on which it rests that the deciding statement names this API (or,
    for an implicit deny, that the Allow `statement` names does not)."""

    @property
    def why(self) -> str:
        """What the policy does, as a sentence about it."""
        if self.unknown is not None:
            return self.unknown
        where = self.policy if self.statement is None else f"{self.policy} Statement[{self.statement}]"
        if self.effect is None:
            unless = (
                f" unless Statement[{self.statement}]'s Resource names this API, {_whose(self.rests_on)}"
                if self.statement is not None
                else ""
            )
            return (
                f"{self.policy} allows no anonymous caller to invoke it{unless}, so API Gateway denies every call "
                "(an implicit deny)"
            )
        said = f"{where} " + (DENIES if self.effect == "Deny" else ALLOWS)[self.admits]
        return f"{said}, if its Resource names this API, {_whose(self.rests_on)}" if self.rests_on else said


def _whose(fields: tuple[str, ...]) -> str:
    """`whose ID and account are not known until deployment`."""
    named = fields[0] if len(fields) == 1 else f"{', '.join(fields[:-1])} and {fields[-1]}"
    hint = " (its provider's region and allowedAccountIds, one account, name them)" if set(fields) - {"ID"} else ""
    return f"whose {named} {'is' if len(fields) == 1 else 'are'} not known until deployment{hint}"


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


def admission(found: list[Statement | None], request: Request, policy: str, widest: bool) -> Admission:
    """Which anonymous callers the statements of `policy` let make `request`: what some Allow admits (the widest of
    them), less what a Deny keeps out. `widest` reads what is not known yet as admitting the most, else the fewest."""
    allows: list[Admission] = []
    denies: list[Admission] = []
    implicit = Admission(Admits.NO_ONE, policy)
    for index, statement in enumerate(found):
        if statement is None:  # a statement not known until deployment
            why = f"{policy} Statement[{index}] is not known until deployment"
            unknown = Admission(Admits.ANYONE if widest else Admits.NO_ONE, policy, index, unknown=why)
            (allows if widest else denies).append(unknown)
            continue
        effect = statement.effect or ("Allow" if widest else "Deny")
        if effect == "Allow":
            kind, rests_on = _allowed(statement, request, widest)
            if kind is not None:
                allows.append(Admission(kind, policy, index, "Allow", rests_on=rests_on))
            elif rests_on and implicit.statement is None:
                implicit = Admission(Admits.NO_ONE, policy, index, rests_on=rests_on)
        else:
            kind, rests_on = _denied(statement, request, not widest)
            if kind is not None:
                denies.append(Admission(kind, policy, index, "Deny", rests_on=rests_on))
    allowed = max(allows, key=lambda a: a.admits, default=implicit)
    return min([*denies, allowed], key=lambda a: a.admits)  # an explicit Deny says more than an implicit one


def _yes(value: bool | None, lean: bool) -> bool:
    return lean if value is None else value


def _applies(statement: Statement, request: Request, every: bool, lean: bool) -> tuple[bool, tuple[str, ...]]:
    """Whether a statement is about an anonymous caller's execute-api:Invoke of some request (of every request, for
    `every`); `lean` answers where a value not known yet decides. Second: the fields of the API's ARN, not known,
    that its Resource decides on (when it does)."""
    if not (_yes(statement.everyone, lean) and _yes(statement.invoke, lean)):
        return False, ()
    match = covered(request, statement, every)
    return _yes(match.value, lean), match.rests_on if match.value is None else ()


def _allowed(statement: Statement, request: Request, widest: bool) -> tuple[Admits | None, tuple[str, ...]]:
    """The callers an Allow admits to the request (None: it admits none), and what that rests on."""
    applies, rests_on = _applies(statement, request, every=False, lean=widest)
    if not applies:
        return None, rests_on
    if statement.tests is None:
        return (Admits.ANYONE, rests_on) if widest else (None, ())
    kinds = [
        t.kind for t in statement.tests if t.kind is not None and t.positive and _yes(t.names, not widest)
    ]  # all must hold: the narrowest decides
    return min(kinds, default=Admits.ANYONE), rests_on


def _denied(statement: Statement, request: Request, strictest: bool) -> tuple[Admits | None, tuple[str, ...]]:
    """The callers a Deny leaves to the request (NO_ONE: it denies every anonymous caller; None: it leaves them
    all), and what that rests on."""
    applies, rests_on = _applies(statement, request, every=True, lean=strictest)
    if not applies:
        return None, ()
    if statement.tests is None:
        return (Admits.NO_ONE if strictest else None), rests_on
    kinds = [Admits.NAMED_PRINCIPALS] if statement.named_principals_only else []
    for test in statement.tests:
        if test.kind is None or test.positive is not False or not _yes(test.names, strictest):
            return None, ()  # the Deny holds for some callers only: it leaves the others in
        kinds.append(test.kind)
    return max(kinds, default=Admits.NO_ONE), rests_on  # a caller named by any one test gets through
