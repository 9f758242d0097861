"""The policy reference as Markdown, generated from the registry so the README cannot drift from it.

`python -m abuse_guard policies` prints it; `make docs` writes it between the README's markers.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path

from ..errors import UserError
from ..evaluate import declared_types
from ..files import read_text, write_atomically
from ..policies import POLICIES
from ..policy import EXEMPT_TAG_PREFIX, Policy
from ..resources import STACK_TYPE

START, END = "<!-- policies:start -->", "<!-- policies:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def summary_table(policies: Iterable[Policy]) -> list[str]:
    rows = ["| Policy | Checks | Severity | Default level |", "| --- | --- | --- | --- |"]
    for p in policies:
        scope = "stack: " if p.is_stack_policy else ""
        types = ", ".join(_short(t) for t in declared_types(p))
        rows.append(f"| [`{p.id}`](#{p.id}) | {scope}{types} | {p.severity} | {p.enforcement} |")
    return rows


def _short(token: str) -> str:
    """How the reference names a type: `lambda/function` (pulumi-aws), `aws-native:lambda:Function` in full."""
    if token == STACK_TYPE:
        return "the stack"
    return f"`{token}`" if token.startswith("aws-native:") else f"`{token.split(':')[1]}`"


def policy_section(p: Policy) -> list[str]:
    lines = [f"#### `{p.id}`", "", f"**{p.title}.** {_cell(p.description)}", "", _cell(p.rationale), ""]
    if p.remediate is not None:
        lines += ["At enforcement level `remediate` it fills in a safe default (see Auto-remediation).", ""]
    lines += ["| Config key | Default | Meaning |", "| --- | --- | --- |"]
    for key, schema in p.config_schema()["properties"].items():
        lines.append(f"| `{key}` | `{json.dumps(schema['default'])}` | {_cell(schema['description'])} |")
    lines += [
        "",
        f"Exempt a resource with `exemptions`, or (on resource types that have tags) the tag "
        f"`{EXEMPT_TAG_PREFIX}{p.id}` with the reason as its value.",
        "",
        *remediation(p.remediation),
    ]
    if p.references:
        lines += ["Equivalent checks: " + "; ".join(p.references) + ".", ""]
    return lines


def remediation(text: str) -> list[str]:
    """Remediation text as Markdown: its indented lines are Pulumi Python, the rest is prose."""
    lines: list[str] = []
    in_code = False
    for line in text.splitlines():
        is_code = line.startswith("    ")
        if is_code != in_code:
            lines += ["```python"] if is_code else ["```", ""]
            in_code = is_code
        lines.append(line.removeprefix("    ") if is_code else line)
    return [*lines, *(["```"] if in_code else []), ""]


def markdown(policies: Iterable[Policy] = POLICIES) -> str:
    policies = list(policies)
    lines = [*summary_table(policies), ""]
    for p in policies:
        lines += policy_section(p)
    return "\n".join(lines).rstrip() + "\n"


def with_reference(readme: str, reference: str) -> str:
    """`readme` with the text between the markers replaced by `reference`."""
    head, found, rest = readme.partition(START)
    _, found_end, tail = rest.partition(END)
    if not (found and found_end):
        raise UserError(f"no {START} ... {END} markers to put the policy reference between")
    return f"{head}{START}\n{reference}{END}{tail}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--write", metavar="README", help="replace the reference between the markers in README")


def run(args: argparse.Namespace) -> int:
    reference = markdown()
    if args.write is None:
        print(reference, end="")
        return 0
    path = Path(args.write)
    write_atomically({path: with_reference(read_text(path), reference)})
    return 0
