"""The offline preview says which provider each resource uses (issue 11, item 6).

A resource registered with `opts=pulumi.ResourceOptions(provider=p)` names its provider's reference; one
registered without names none, and the engine then gives it the default provider, whose inputs are the stack's
`aws:*` config (Pulumi docs, "Providers": default provider configuration). The offline preview registers no
default provider, so it builds that reference itself from the stack config.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from abuse_guard.aws.regions import Location, location
from abuse_guard.findings import Outcome
from abuse_guard.graph import Graph
from abuse_guard.offline import program, record
from abuse_guard.offline.project import load_project, load_stack
from abuse_guard.pipeline import preview
from abuse_guard.resources import ProviderRef
from tests.offline.projects import write_project

TWO_PROVIDERS = """
def function(name, **extra):
    return aws.lambda_.Function(
        name,
        role="arn:aws:iam::111122223333:role/worker",
        runtime="python3.12",
        handler="index.handler",
        code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(event, context): pass")}),
        reserved_concurrent_executions=600,
        **extra,
    )

east = aws.Provider("east", region="us-east-1", allowed_account_ids=["111122223333"])
function("on-the-default-provider")
function("on-east", opts=pulumi.ResourceOptions(provider=east))
"""

# stack -> its aws:region, and the headroom outcome: 600 + 600 is over one pool's 900; the explicit provider names
# its account, the default provider names none, which may be the same account, so only other Regions keep them apart
STACKS = {"eu": ("eu-west-1", Outcome.PASS), "east": ("us-east-1", Outcome.FAIL), "none": (None, Outcome.FAIL)}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    stacks = {
        name: "config: {}\n" if region is None else f"config:\n  aws:region: {region}\n"
        for name, (region, _) in STACKS.items()
    }
    return write_project(tmp_path_factory.mktemp("regions"), TWO_PROVIDERS, stacks=stacks)


def recorded_places(root: Path, stack: str) -> dict[str, tuple[ProviderRef | None, Location]]:
    loaded = load_project(root)
    resources = [r.resource for r in record(program(loaded, load_stack(loaded, stack)))]
    graph = Graph(resources)
    return {r.name: (r.provider, location(r, graph)) for r in resources if r.type == "aws:lambda/function:Function"}


def test_a_resource_without_a_provider_gets_the_default_one_with_the_stacks_aws_region(project: Path) -> None:
    places = recorded_places(project, "eu")
    default_ref, default_place = places["on-the-default-provider"]
    assert default_ref == ProviderRef(
        "urn:pulumi:eu::thirdparty::pulumi:providers:aws::default", {"region": "eu-west-1"}
    )
    assert default_place == Location("eu-west-1")
    east_ref, east_place = places["on-east"]
    assert east_ref is not None and east_ref.urn == "urn:pulumi:eu::thirdparty::pulumi:providers:aws::east"
    assert east_ref.props is None  # the provider resource itself is among the recorded resources
    assert east_place == Location("us-east-1", "111122223333")


def test_without_aws_region_the_default_provider_names_none(project: Path) -> None:
    default_ref, default_place = recorded_places(project, "none")["on-the-default-provider"]
    assert default_ref == ProviderRef("urn:pulumi:none::thirdparty::pulumi:providers:aws::default", {})
    assert default_place == Location(
        "us-east-1",
        None,
        "the default aws provider sets no region, so it takes AWS_REGION or the profile's at deployment: "
        "us-east-1 assumed",
    )


@pytest.mark.parametrize("stack", list(STACKS))
def test_headroom_counts_each_pool_on_its_own(project: Path, stack: str) -> None:
    run = preview(project, stack)
    [finding] = [f for f in run.findings if f.policy == "account-concurrency-headroom"]
    assert finding.outcome is STACKS[stack][1]
