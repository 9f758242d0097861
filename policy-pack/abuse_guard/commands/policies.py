"""The policy reference as Markdown, generated from the registry so the docs cannot drift from it.

`abuse-guard policies` prints the whole reference (a table, then one section per policy) to standard output;
`abuse-guard policies --write-docs docs/policies` (run by `make docs`) writes the docs site's pages: `index.md`
(the table) and one `<policy-id>.md` per policy, the stable page (`policies/<policy-id>/` on the site) that
reports link to. Every page starts with GENERATED; a page of a policy no longer in the registry is removed.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import UserError
from ..evaluate import declared_types
from ..files.atomic import write_atomically
from ..findings import Outcome
from ..policies import POLICIES
from ..policy import EXEMPT_TAG_PREFIX, Policy
from ..resources import STACK_TYPE

GENERATED = "<!-- Generated from the policy registry by `abuse-guard policies --write-docs`; do not edit. -->"
INDEX = "index.md"


def _cell(text: str) -> str:
    """Prose from the registry as Markdown that renders as written, on GitHub and in the site, in a table or not."""
    return text.replace("<", "&lt;").replace("*", "\\*").replace("|", "\\|").replace("\n", " ")


def summary_table(policies: Iterable[Policy], link: Callable[[str], str]) -> list[str]:
    """One row per policy: its id (linked to `link(id)`), what it checks in words, severity, default level."""
    rows = ["| Policy | What it checks | Severity | Default level |", "| --- | --- | --- | --- |"]
    for p in policies:
        rows.append(f"| [`{p.id}`]({link(p.id)}) | {_cell(p.description)} | {p.severity} | {p.enforcement} |")
    return rows


def page_name(policy_id: str) -> str:
    return f"{policy_id}.md"


def _type_name(token: str) -> str:
    return "the stack as a whole" if token == STACK_TYPE else f"`{token}`"


def policy_section(p: Policy, level: int = 1, docs: str = "../") -> list[str]:
    """The reference of one policy, its title at heading `level`; `docs` prefixes links to the other docs pages."""
    h1, h2 = "#" * level, "#" * (level + 1)
    scope = (
        "the stack: it reads the resource graph and reports on the resources below"
        if p.is_stack_policy
        else "each resource of the types below, one at a time"
    )
    lines = [
        f"{h1} `{p.id}`",
        "",
        f"**{p.title}.** {_cell(p.description)}",
        "",
        "| Severity | Default level | Checks |",
        "| --- | --- | --- |",
        f"| {p.severity} | {p.enforcement} | {scope} |",
        "",
        f"{h2} Why",
        "",
        _cell(p.rationale),
        "",
        f"{h2} Resource types",
        "",
        *[f"- {_type_name(t)}" for t in declared_types(p)],
        "",
        f"{h2} Configuration",
        "",
        f'Set in the policy pack config under `"{p.id}"` (see [Configure and exempt]({docs}configuration.md)).',
        "",
        "| Config key | Default | Meaning |",
        "| --- | --- | --- |",
    ]
    for key, schema in p.config_schema()["properties"].items():
        lines.append(f"| `{key}` | `{json.dumps(schema['default'])}` | {_cell(schema['description'])} |")
    lines += [
        "",
        f"Exempt a resource with `exemptions`, or (on resource types that have tags) the tag "
        f"`{EXEMPT_TAG_PREFIX}{p.id}` with the reason as its value.",
        "",
    ]
    lines += [f"{h2} Under the engine", "", engine_path(p, docs), ""]
    if p.remediate is not None:
        remediation_page = f"[Auto-remediation]({docs}remediation.md)"
        lines += [f"At enforcement level `remediate` it fills in a safe default (see {remediation_page}).", ""]
    lines += [f"{h2} How to fix", "", *remediation(p.remediation)]
    if p.references:
        lines += [f"{h2} Equivalent checks", "", *[f"- {reference}" for reference in p.references], ""]
    return lines


def engine_path(p: Policy, docs: str = "../") -> str:
    """Where `pulumi preview`/`up --policy-pack` (and `pulumi policy analyze`) report this policy's outcomes."""
    outcomes = f"[outcomes]({docs}outcomes.md#under-the-engine)"
    if p.is_stack_policy:
        return (
            "Judged once per stack, at the engine's AnalyzeStack (the end of the preview): each violation and each "
            f"unknown is reported on the resource it concerns. See {outcomes}."
        )
    if p.in_graph is None:
        return (
            "Judged per resource, at the engine's Analyze (as each resource is registered): a violation blocks that "
            f"resource's step at a mandatory level. See {outcomes}."
        )
    alone = ", ".join(o.value for o in Outcome if p.decides_alone(o))
    return (
        f"Judged per resource where the resource alone decides ({alone}): reported at the engine's Analyze. Any "
        "other verdict depends on the stack's other resources: Analyze answers not-applicable, \"decided with the "
        'stack", and the verdict the offline preview and the reports give is reported at AnalyzeStack (the end of '
        f"the preview), on the resource's URN, at the policy's level. See {outcomes}."
    )


def remediation(text: str) -> list[str]:
    """Remediation text as Markdown: its indented lines are Pulumi Python, the rest is prose."""
    lines: list[str] = []
    in_code = False
    for line in text.splitlines():
        is_code = line.startswith("    ")
        if is_code != in_code:
            lines += ["", "```python"] if is_code else ["```", ""]
            in_code = is_code
        lines.append(line.removeprefix("    ") if is_code else _cell(line))
    return [*lines, *(["```"] if in_code else []), ""]


def _text(lines: list[str]) -> str:
    return "\n".join(lines).rstrip() + "\n"


def index_page(policies: Iterable[Policy]) -> str:
    return _text(
        [
            GENERATED,
            "",
            "# Policies",
            "",
            "Every policy of the pack, in report order. Each page says what the policy checks and why, its config "
            "keys and defaults, how to exempt a resource and how to fix a violation, with a Pulumi Python snippet.",
            "",
            *summary_table(policies, page_name),
            "",
            "Default levels are what the pack ships; set any policy's level in the policy pack config "
            "(see [Configure and exempt](../configuration.md)).",
        ]
    )


def pages(policies: Iterable[Policy] = POLICIES) -> dict[str, str]:
    """The docs pages of the policy reference: file name -> text."""
    policies = list(policies)
    written = {INDEX: index_page(policies)}
    for p in policies:
        written[page_name(p.id)] = _text([GENERATED, "", *policy_section(p)])
    return written


def markdown(policies: Iterable[Policy] = POLICIES) -> str:
    """The whole reference as one document (what `abuse-guard policies` prints)."""
    policies = list(policies)
    lines = ["# abuse-guard policies", "", *summary_table(policies, lambda policy_id: f"#{policy_id}"), ""]
    for p in policies:
        lines += policy_section(p, level=2, docs="docs/")
    return _text(lines)


def write_docs(directory: Path, policies: Iterable[Policy] = POLICIES) -> None:
    """Write `pages()` into `directory` and remove the generated pages of policies no longer registered."""
    if directory.exists() and not directory.is_dir():
        raise UserError(f"{directory}: --write-docs needs a directory, this is a file")
    written = pages(policies)
    stale = [
        path
        for path in (sorted(directory.glob("*.md")) if directory.is_dir() else [])
        if path.name not in written and _is_generated(path)
    ]
    write_atomically({directory / name: text for name, text in written.items()})
    for path in stale:
        path.unlink()


def _is_generated(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as stream:
            return stream.readline().rstrip("\n") == GENERATED
    except (OSError, UnicodeDecodeError):
        return False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--write-docs",
        metavar="DIR",
        help="write the docs pages instead: DIR/index.md and one DIR/<policy-id>.md per policy (make docs)",
    )


def run(args: argparse.Namespace) -> int:
    if args.write_docs is None:
        print(markdown(), end="")
        return 0
    write_docs(Path(args.write_docs))
    return 0
