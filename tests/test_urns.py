"""One URN parser (abuse_guard/urns.py) for every layer: Pulumi's format, names that contain `::`, types nested
with `$`, provider references, and the readers that use it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from abuse_guard.aws.regions import provider_label
from abuse_guard.graph import Graph
from abuse_guard.resources import ProviderRef, Resource, provider_ref
from abuse_guard.sources.state import read_deployment
from abuse_guard.urns import Urn, name_of, parse_urn, provider_urn, stack_urn, urn_or_none

FUNCTION = "aws:lambda/function:Function"
COMPONENT = "my:index:Webhook"

# URN -> (stack, project, qualified type, type, parent types, name)
PARSED: dict[str, tuple[str, str, str, str, tuple[str, ...], str]] = {
    f"urn:pulumi:dev::shop::{FUNCTION}::hook": ("dev", "shop", FUNCTION, FUNCTION, (), "hook"),
    f"urn:pulumi:dev::shop::{FUNCTION}::hook::v2": ("dev", "shop", FUNCTION, FUNCTION, (), "hook::v2"),
    f"urn:pulumi:dev::shop::{FUNCTION}::::": ("dev", "shop", FUNCTION, FUNCTION, (), "::"),
    f"urn:pulumi:prod.eu::shop-api::{COMPONENT}${FUNCTION}::hook": (
        "prod.eu",
        "shop-api",
        f"{COMPONENT}${FUNCTION}",
        FUNCTION,
        (COMPONENT,),
        "hook",
    ),
    f"urn:pulumi:dev::shop::a:b:Outer${COMPONENT}${FUNCTION}::hook::a$b": (
        "dev",
        "shop",
        f"a:b:Outer${COMPONENT}${FUNCTION}",
        FUNCTION,
        ("a:b:Outer", COMPONENT),
        "hook::a$b",
    ),
    "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev": (
        "dev",
        "shop",
        "pulumi:pulumi:Stack",
        "pulumi:pulumi:Stack",
        (),
        "shop-dev",
    ),
}


@pytest.mark.parametrize(
    ("urn", "expected"),
    PARSED.items(),
    ids=["plain", "name_with_colons", "name_all_colons", "parent_type", "two_parents_and_both", "stack"],
)
def test_a_urn_s_parts(urn: str, expected: tuple[str, str, str, str, tuple[str, ...], str]) -> None:
    parsed = parse_urn(urn)
    assert (
        parsed.stack,
        parsed.project,
        parsed.qualified_type,
        parsed.type,
        parsed.parent_types,
        parsed.name,
    ) == expected
    assert str(parsed) == urn
    assert name_of(urn) == expected[5]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hook",
        f"dev::shop::{FUNCTION}::hook",
        f"urn:other:dev::shop::{FUNCTION}::hook",
        f"urn:pulumi:dev::shop::{FUNCTION}",
        f"urn:pulumi:::shop::{FUNCTION}::hook",
        f"urn:pulumi:dev::::{FUNCTION}::hook",
        "urn:pulumi:dev::shop::::hook",
    ],
    ids=["empty", "a_name", "no_prefix", "other_namespace", "no_name", "no_stack", "no_project", "no_type"],
)
def test_what_is_not_a_urn(text: str) -> None:
    with pytest.raises(ValueError, match="not a Pulumi URN"):
        parse_urn(text)
    assert urn_or_none(text) is None
    assert name_of(text) == text


def test_the_root_stack_is_named_project_dash_stack() -> None:
    assert stack_urn("dev", "shop") == "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev"
    assert str(Urn("dev", "shop", FUNCTION, "a::b")) == f"urn:pulumi:dev::shop::{FUNCTION}::a::b"


PROVIDER = "urn:pulumi:dev::shop::pulumi:providers:aws::eu"
REFERENCES: dict[str, str | None] = {
    f"{PROVIDER}::04da6b54-80e4-46f7-96ec-b56ff0331ba9": PROVIDER,
    PROVIDER: PROVIDER,
    f"urn:pulumi:dev::shop::{COMPONENT}$pulumi:providers:aws::eu::id": (
        f"urn:pulumi:dev::shop::{COMPONENT}$pulumi:providers:aws::eu"
    ),
    "urn:pulumi:dev::shop::pulumi:providers:aws::eu::west::id": "urn:pulumi:dev::shop::pulumi:providers:aws::eu::west",
    f"urn:pulumi:dev::shop::{FUNCTION}::hook::id": None,
    f"urn:pulumi:dev::shop::{FUNCTION}::hook": None,
    "default": None,
}


@pytest.mark.parametrize(
    ("reference", "expected"),
    REFERENCES.items(),
    ids=["with_id", "bare", "under_a_component", "name_with_colons", "not_a_provider", "bare_not_a_provider", "word"],
)
def test_a_provider_reference_names_its_provider_urn(reference: str, expected: str | None) -> None:
    """`<provider URN>::<ID>`: the ID follows the last `::` (Pulumi's providers.ParseReference)."""
    assert provider_urn(reference) == expected
    if expected is None:
        with pytest.raises(ValueError, match="not a provider reference"):
            provider_ref(reference)
    else:
        assert provider_ref(reference) == ProviderRef(expected)


# -- the readers ----------------------------------------------------------------------------------------


def test_a_provider_whose_name_has_colons_is_named_whole() -> None:
    assert provider_label(ProviderRef("urn:pulumi:dev::shop::pulumi:providers:aws::eu::west")) == "Provider 'eu::west'"
    assert provider_label(ProviderRef("urn:pulumi:dev::shop::pulumi:providers:aws::default_6_0_0")) == (
        "the default aws provider"
    )


def test_a_parent_outside_the_graph_is_named_by_its_urn() -> None:
    """A component known only from its child's parent URN: its own type (after the last `$`) and whole name."""
    parent = f"urn:pulumi:dev::shop::a:b:Outer${COMPONENT}::hooks::eu"
    child = Resource(f"urn:pulumi:dev::shop::a:b:Outer${COMPONENT}${FUNCTION}::fn", FUNCTION, "fn", parent=parent)
    component = Graph([child]).component_of(child)
    assert component is not None
    assert (component.urn, component.type, component.name) == (parent, COMPONENT, "hooks::eu")


def test_a_state_file_names_a_resource_by_its_whole_urn_name(tmp_path: Path) -> None:
    urn = f"urn:pulumi:prod::shop::{COMPONENT}${FUNCTION}::hooks::eu"
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"version": 3, "deployment": {"resources": [{"urn": urn, "type": FUNCTION}]}}))
    deployment = read_deployment(export)
    assert (deployment.stack, deployment.project) == ("prod", "shop")
    assert [(r.urn, r.name) for r in deployment.resources] == [(urn, "hooks::eu")]
