"""Stack config as `pulumi preview` reads it, through the offline preview: what it uses, checks and warns about.

Issue 20, item 7: a stack file's `environment:` (Pulumi ESC) was ignored without a word. Every other key Pulumi
reads from Pulumi.yaml's `config:` and the stack file is either used as Pulumi uses it or named in a warning that
says how to supply it. Sources: pulumi/pulumi pkg/workspace/config.go (`mergeConfig`, `validateStackConfigValue`),
sdk/go/common/workspace/project.go (`ProjectStack`, `Environment`, `Project.Validate`, `ValidateConfigValue`),
project.json (the Pulumi.yaml schema), pulumi/esc ast/environment.go, and the docs named in each case.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from abuse_guard.errors import UserError
from abuse_guard.offline import recording
from abuse_guard.offline.project import load_project
from abuse_guard.resources import Resource
from tests.offline.projects import write_project

# The program says what config it was given: each value in a tag ("-" when unset), the reservation as itself.
SEEN = """
config = pulumi.Config()
seen = {key: config.get(key) or "-" for key in ("tier", "limits", "token")}
seen["region"] = pulumi.Config("aws").get("region") or "-"
aws.lambda_.Function(
    "worker",
    role="arn:aws:iam::111122223333:role/worker",
    runtime="python3.12",
    handler="index.handler",
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(event, context): pass")}),
    reserved_concurrent_executions=config.get_int("reserved"),
    tags=seen,
)
"""

WARNINGS = {
    "imports": "imports Pulumi ESC environments, which the offline preview cannot open",
    "expressions": "with expressions the offline preview cannot evaluate",
    "variables": "sets environment variables in its environment.values",
    "secure": "has secure config values the offline preview cannot decrypt",
}
"""Each kind of config the offline preview cannot see -> what its warning says."""


def worker(root: Path, overrides: dict[str, str] | None = None) -> Resource:
    [found] = [r for r in recording(root, "dev", overrides).resources if r.name == "worker"]
    return found


def warned(caplog: pytest.LogCaptureFixture) -> dict[str, str]:
    """Kind -> the warning's text, for every warning about unseen config."""
    texts = [r.getMessage() for r in caplog.records if r.name == "abuse_guard.offline"]
    return {kind: text for kind, says in WARNINGS.items() for text in texts if says in text}


# name -> (stack file, --config values, the tags the program saw (others "-"), its reservation, warnings: kind ->
# [what it names, at its end; what else it says])
ENVIRONMENT_CASES: dict[str, tuple[str, dict[str, str], dict[str, str], Any, dict[str, list[str]]]] = {
    # Pulumi docs, "Use Pulumi ESC with Pulumi IaC" (/docs/esc/guides/pulumi-iac/): a list of environment names,
    # merged in order; their pulumiConfig is config under `pulumi preview`, unknown offline
    "esc_list_of_environments": (
        "environment:\n  - my-project/common\n  - my-project/dev\nconfig:\n  tier: paid\n",
        {},
        {"tier": "paid"},
        None,
        {"imports": ["my-project/common, my-project/dev", "--config KEY=VALUE", "pulumi env open NAME"]},
    ),
    # issue 20 item 7 and sdk/go/common/workspace/project.go Environment.Definition: a definition of the stack's
    # own that imports environments
    "esc_definition_imports": (
        "environment:\n  imports:\n    - myorg/dev\n",
        {},
        {},
        None,
        {"imports": ["myorg/dev"]},
    ),
    # ESC docs, built-in property `imports` (/docs/esc/reference/builtin-properties/imports): `merge: false` keeps an
    # import out of the merge, so its pulumiConfig never reaches the stack
    "esc_import_without_merge_is_not_merged": (
        "environment:\n  imports:\n    - app/dev: {merge: false}\n    - myorg/dev\n",
        {},
        {},
        None,
        {"imports": ["myorg/dev"]},
    ),
    # pkg/workspace/config.go mergeConfig: the definition's own plain values are config; the stack's value wins,
    # objects merged per JSON merge patch (RFC 7386)
    "esc_own_plain_values_are_config": (
        "environment:\n  values:\n    pulumiConfig:\n      aws:region: eu-west-1\n      reserved: 5\n"
        "      limits: {rate: 5, burst: 10}\nconfig:\n  limits: {rate: 1}\n",
        {},
        {"region": "eu-west-1", "limits": '{"rate": 1, "burst": 10}'},
        5.0,
        {},
    ),
    # ESC docs, syntax reference (/docs/esc/reference/): `${...}` interpolates, which needs ESC to evaluate
    "esc_expressions_are_named": (
        "environment:\n  values:\n    region: eu-west-1\n    pulumiConfig:\n      aws:region: ${region}\n"
        "      tier: paid\n      token:\n        fn::secret: abc\n      limits: ${limits}\nconfig:\n  limits: '5'\n",
        {},
        {"tier": "paid", "limits": "5"},
        None,
        {"expressions": ["aws:region, thirdparty:token", "--config KEY=VALUE"]},
    ),
    "esc_expression_given_with_config": (
        "environment:\n  values:\n    pulumiConfig:\n      aws:region: ${region}\n",
        {"aws:region": "eu-west-2"},
        {"region": "eu-west-2"},
        None,
        {},
    ),
    # ESC docs, Pulumi IaC integration (/docs/esc/integrations/infrastructure/pulumi-iac/): environmentVariables
    # are set for the program under `pulumi preview`
    "esc_environment_variables_are_named": (
        "environment:\n  values:\n    environmentVariables:\n      AWS_PROFILE: dev\n    files:\n      KUBECONFIG: x\n",
        {},
        {},
        None,
        {"variables": ["AWS_PROFILE, KUBECONFIG"]},
    ),
    # Pulumi docs, "Stack settings file reference" (/docs/iac/concepts/projects/stack-settings-file/): the secrets
    # provider decrypts secure values, which the offline preview has not
    "secure_values_are_named": (
        "secretsprovider: awskms://alias/pulumi\nencryptedkey: AQICAHh\nconfig:\n  token:\n    secure: v1:AAAA\n",
        {},
        {"token": "[secret]"},
        None,
        {"secure": ["thirdparty:token", "secrets provider: awskms://alias/pulumi", "'[secret]'"]},
    ),
    "secure_value_given_with_config": (
        "encryptionsalt: v1:salt\nconfig:\n  token:\n    secure: v1:AAAA\n",
        {"token": "real"},
        {"token": "real"},
        None,
        {},
    ),
    "plain_stack_file": ("config:\n  tier: paid\n  reserved: 3\n", {}, {"tier": "paid"}, 3.0, {}),
}


@pytest.mark.parametrize(
    ("stack_yaml", "overrides", "tags", "reserved", "warnings"), ENVIRONMENT_CASES.values(), ids=list(ENVIRONMENT_CASES)
)
def test_stack_config_is_used_or_warned_about(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    stack_yaml: str,
    overrides: dict[str, str],
    tags: dict[str, str],
    reserved: Any,
    warnings: dict[str, list[str]],
) -> None:
    root = write_project(tmp_path, SEEN, stacks={"dev": stack_yaml})
    with caplog.at_level(logging.WARNING, logger="abuse_guard.offline"):
        seen = worker(root, overrides)
    assert seen.props["tags"] == {"tier": "-", "limits": "-", "token": "-", "region": "-", **tags}
    assert seen.props.get("reservedConcurrentExecutions") == reserved
    said = warned(caplog)
    assert sorted(said) == sorted(warnings)
    for kind, (named, *also) in warnings.items():
        assert said[kind].endswith(f": {named}"), said[kind]
        for text in also:
            assert text in said[kind], said[kind]


PROJECT = "name: thirdparty\nruntime: python\nconfig:\n"

# name -> (Pulumi.yaml's config section, stack file, --config values, the tags the program saw, the keys it gets as
# secrets)
MERGE_CASES: dict[str, tuple[str, str, dict[str, str], dict[str, str], set[str]]] = {
    # mergeConfig: a project default fills a key the stack does not set...
    "default_when_the_stack_sets_none": (
        "  tier:\n    type: string\n    default: free\n",
        "",
        {},
        {"tier": "free"},
        set(),
    ),
    # ...and only then
    "stack_value_over_the_default": (
        "  tier:\n    default: free\n",
        "config:\n  tier: paid\n",
        {},
        {"tier": "paid"},
        set(),
    ),
    # RewriteShorthandConfigValues: a project key's shorthand is its default, another namespace's its value
    "shorthands": ("  tier: free\n  aws:region: us-west-2\n", "", {}, {"tier": "free", "region": "us-west-2"}, set()),
    "provider_value": ("  aws:region:\n    value: eu-central-1\n", "", {}, {"region": "eu-central-1"}, set()),
    # ValidateConfigValue: stack scalars are text, so a string key takes a number and an integer key its text
    "string_type_takes_a_scalar": ("  tier:\n    type: string\n", "config:\n  tier: 5\n", {}, {"tier": "5"}, set()),
    "integer_type_takes_its_text": ("  reserved:\n    type: integer\n", "config:\n  reserved: '7'\n", {}, {}, set()),
    "object_type_takes_json_from_config": (
        "  limits:\n    type: object\n",
        "",
        {"limits": '{"rate": 1}'},
        {"limits": '{"rate": 1}'},
        set(),
    ),
    # a key Pulumi.yaml declares secret always holds a secure value under Pulumi, so given with --config it is a
    # secret too
    "secret_key_given_with_config": (
        "  token:\n    type: string\n    secret: true\n",
        "",
        {"token": "t"},
        {"token": "t"},
        {"thirdparty:token"},
    ),
    "secret_key_with_a_secure_value": (
        "  token:\n    type: string\n    secret: true\n",
        "config:\n  token:\n    secure: v1:AAAA\n",
        {},
        {"token": "[secret]"},
        {"thirdparty:token"},
    ),
    "required_key_given_with_config": ("  tier:\n    type: string\n", "", {"tier": "gold"}, {"tier": "gold"}, set()),
}


@pytest.mark.parametrize(
    ("section", "stack_yaml", "overrides", "tags", "secrets"), MERGE_CASES.values(), ids=list(MERGE_CASES)
)
def test_project_config_is_applied_as_pulumi_applies_it(
    tmp_path: Path, section: str, stack_yaml: str, overrides: dict[str, str], tags: dict[str, str], secrets: set[str]
) -> None:
    root = write_project(tmp_path, SEEN, stacks={"dev": stack_yaml}, project_yaml=PROJECT + section)
    run = recording(root, "dev", overrides)
    [seen] = [r for r in run.resources if r.name == "worker"]
    assert seen.props["tags"] == {"tier": "-", "limits": "-", "token": "-", "region": "-", **tags}
    assert run.config.secret_keys == secrets


INTEGER = "  reserved:\n    type: integer\n"

# name -> (Pulumi.yaml's config section, stack file, --config values, the one error line)
REFUSED_CASES = {
    # validateStackConfigValue: "Stack 'dev' with configuration key 'reserved' must be of type 'integer'"
    "integer_not_a_number": (
        INTEGER,
        "config:\n  reserved: many\n",
        {},
        "Pulumi.dev.yaml: config 'reserved' is 'many': stack 'dev' with configuration key 'reserved' must be of type "
        "'integer'",
    ),
    "integer_with_a_fraction": (INTEGER, "config:\n  reserved: 2.5\n", {}, "'2.5': stack 'dev'"),
    "integer_given_with_config": (
        INTEGER,
        "config:\n  reserved: 2\n",
        {"reserved": "two"},
        "--config: config 'reserved'",
    ),
    "boolean_other_text": (
        "  debug:\n    type: boolean\n",
        "config:\n  debug: 'yes'\n",
        {},
        "must be of type 'boolean'",
    ),
    "object_given_text": ("  limits:\n    type: object\n", "config:\n  limits: '5'\n", {}, "must be of type 'object'"),
    "array_item_of_another_type": (
        "  ids:\n    type: array\n    items:\n      type: integer\n",
        "config:\n  ids: [1, x]\n",
        {},
        "must be of type 'array<integer>'",
    ),
    # a typed `value:` is checked once merged, as the stack's
    "project_value_of_another_type": (
        "  reserved:\n    type: integer\n    value: lots\n",
        "",
        {},
        "Pulumi.yaml: config",
    ),
    # "Stack 'dev' with configuration key 'token' must be encrypted as it's secret"
    "secret_key_with_a_plain_value": (
        "  token:\n    type: string\n    secret: true\n",
        "config:\n  token: plain\n",
        {},
        "Pulumi.dev.yaml: config 'token' must be a secure value, as ",
    ),
    # missingStackConfigurationKeysError: "Stack 'dev' is missing configuration value 'tier'"
    "required_key_missing": (
        "  tier:\n    type: string\n",
        "config: {}\n",
        {},
        "Pulumi.dev.yaml: stack 'dev' is missing configuration 'tier' (",
    ),
    "required_key_not_among_the_environments_values": (
        "  tier:\n    description: the plan\n",
        "environment:\n  values:\n    pulumiConfig:\n      other: ${x}\n",
        {},
        "is missing configuration 'tier'",
    ),
}


@pytest.mark.parametrize(
    ("section", "stack_yaml", "overrides", "error"), REFUSED_CASES.values(), ids=list(REFUSED_CASES)
)
def test_config_pulumi_refuses_is_one_error_naming_where_and_the_key(
    tmp_path: Path, section: str, stack_yaml: str, overrides: dict[str, str], error: str
) -> None:
    root = write_project(tmp_path, SEEN, stacks={"dev": stack_yaml}, project_yaml=PROJECT + section)
    with pytest.raises(UserError) as raised:
        recording(root, "dev", overrides)
    message = str(raised.value)
    assert error in message
    assert "\n" not in message


def test_a_required_key_the_environment_may_set_is_named_in_its_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Under `pulumi preview` the environment may set it; offline nobody can tell, so it is not refused."""
    root = write_project(tmp_path, SEEN, stacks={"dev": "environment: [myorg/dev]\n"}, project_yaml=PROJECT + INTEGER)
    with caplog.at_level(logging.WARNING, logger="abuse_guard.offline"):
        assert "reservedConcurrentExecutions" not in worker(root).props
    assert "Pulumi.yaml's config they may set: thirdparty:reserved): myorg/dev" in warned(caplog)["imports"]


# name -> (Pulumi.yaml, stack file, what the one error line names besides the file)
MALFORMED_CASES = {
    # project.json: a declaration has only type, items, description, secret, default and value
    "declaration_with_another_attribute": (PROJECT + "  limits:\n    rate: 5\n", "", "config 'limits' has 'rate'"),
    "default_and_value": (PROJECT + "  tier:\n    default: a\n    value: b\n", "", "both a 'default' and 'value'"),
    "unknown_type": (PROJECT + "  ratio:\n    type: number\n", "", "config 'ratio': type 'number' is not one of"),
    "array_without_items": (PROJECT + "  ids:\n    type: array\n", "", "config 'ids' declares an array"),
    "items_without_type": (
        PROJECT + "  ids:\n    type: array\n    items: {}\n",
        "",
        "config 'ids': items needs a 'type'",
    ),
    "default_of_another_type": (
        PROJECT + "  port:\n    type: integer\n    default: eighty\n",
        "",
        "config 'port': the default value 'eighty' is not of the expected type 'integer'",
    ),
    "provider_key_typed": (
        PROJECT + "  aws:region:\n    type: string\n    value: x\n",
        "",
        "'aws:region' is not namespaced by the project and should not define a type",
    ),
    "provider_key_with_a_default": (PROJECT + "  aws:region:\n    default: x\n", "", "use 'value' instead"),
    "provider_key_without_a_value": (PROJECT + "  aws:region:\n    description: x\n", "", "must provide an attribute"),
    "number_with_a_fraction_as_shorthand": (PROJECT + "  ratio: 0.5\n", "", "config 'ratio' is 0.5: expected"),
    "secret_not_a_boolean": (PROJECT + "  token:\n    secret: 'yes'\n", "", "config 'token': secret must be true or"),
    # RewriteConfigPathIntoStackConfigDir
    "config_directory_said_twice": (
        "name: thirdparty\nruntime: python\nconfig: stacks\nstackConfigDir: stacks\n",
        "",
        "use 'stackConfigDir' alone",
    ),
    # ProjectStack.Environment: a list of names or a definition (ESC ParseEnvironment)
    "environment_a_name": ("", "environment: myorg/dev\n", "'environment' is 'myorg/dev': it must be a list"),
    "environment_entry_not_a_name": ("", "environment: [myorg/dev, 3]\n", "environment[1] is 3"),
    "environment_imports_not_a_list": ("", "environment:\n  imports: myorg/dev\n", "environment.imports must be a"),
    "environment_import_of_two_names": ("", "environment:\n  imports: [{a: {}, b: {}}]\n", "imports[0] is {'a'"),
    "environment_import_options_not_a_mapping": ("", "environment:\n  imports: [a: 1]\n", "'a' takes options"),
    "environment_values_not_a_mapping": ("", "environment:\n  values: [a]\n", "environment.values must be a mapping"),
    # ProjectStack: secretsprovider, encryptedkey and encryptionsalt are text
    "secrets_provider_not_text": ("", "secretsprovider:\n  kms: x\n", "'secretsprovider' must be text"),
    "encryption_salt_not_text": ("", "encryptionsalt: [a]\n", "'encryptionsalt' must be text"),
}


@pytest.mark.parametrize(("project_yaml", "stack_yaml", "named"), MALFORMED_CASES.values(), ids=list(MALFORMED_CASES))
def test_a_malformed_file_is_one_error_naming_the_file_and_the_key(
    tmp_path: Path, project_yaml: str, stack_yaml: str, named: str
) -> None:
    root = write_project(tmp_path, SEEN, stacks={"dev": stack_yaml}, project_yaml=project_yaml or None)
    with pytest.raises(UserError) as raised:
        recording(root, "dev", {})
    message = str(raised.value)
    file = "Pulumi.yaml" if project_yaml else "Pulumi.dev.yaml"
    assert message.startswith(f"{root / file}: "), message
    assert named in message
    assert "\n" not in message


def test_stack_config_dir_is_inside_the_project_as_pulumi_joins_it(tmp_path: Path) -> None:
    """sdk/go/common/workspace/paths.go ProjectStackPath: filepath.Join(project directory, stackConfigDir, file)."""
    root = write_project(
        tmp_path, SEEN, stacks={}, project_yaml="name: thirdparty\nruntime: python\nstackConfigDir: /stacks\n"
    )
    assert load_project(root).stack_config_dir == root / "stacks"
