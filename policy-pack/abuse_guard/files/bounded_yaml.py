"""YAML text (a stack file, an OpenAPI body) read within limits: a YAML alias bomb is one error at once.

The policy pack reads OpenAPI bodies with it (aws/openapi.py), so it imports nothing else of files/.
"""

from __future__ import annotations

from typing import Any

MAX_YAML_ALIASES = 1_000
"""Alias references (`*name`) one YAML document may hold: a few are convenient, thousands are a bomb
(each expands the anchored value again when the document is turned into plain data)."""


def load_yaml(text: str) -> Any:
    """A YAML (or JSON) document as plain data, with PyYAML's safe loader, at most MAX_YAML_ALIASES aliases and
    MAX_YAML_VALUES values once they are expanded. Raises yaml.YAMLError (with a problem_mark where PyYAML knows
    the place), also for nesting deeper than PyYAML's recursive reader can go."""
    import yaml

    class Bounded(yaml.SafeLoader):
        aliases = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_YAML_ALIASES:
                    event = self.peek_event()
                    raise yaml.composer.ComposerError(
                        None, None, f"more than {MAX_YAML_ALIASES} aliases (a YAML alias bomb?)", event.start_mark
                    )
            return super().compose_node(parent, index)

    try:
        document = yaml.load(text, Loader=Bounded)  # a SafeLoader subclass: no arbitrary objects
    except RecursionError:
        raise yaml.YAMLError("nested too deep to read") from None
    if _expanded_size(document, {}) > MAX_YAML_VALUES:
        raise yaml.YAMLError(f"more than {MAX_YAML_VALUES:,} values once its aliases are expanded (a YAML alias bomb?)")
    return document


MAX_YAML_VALUES = 1_000_000
"""Values a YAML document may hold once every alias is expanded, as reading it into plain data (JSON) does."""


def _expanded_size(value: Any, sizes: dict[int, int]) -> int:
    """How many values `value` holds with shared (aliased) parts counted each time they appear; each shared
    part is measured once, so this is linear in the document, however large the expansion."""
    if not isinstance(value, (dict, list)):
        return 1
    known = sizes.get(id(value))
    if known is not None:
        return known
    sizes[id(value)] = MAX_YAML_VALUES + 1  # a part that holds itself expands without end
    parts = value.values() if isinstance(value, dict) else value
    total = 1
    for part in parts:
        total += _expanded_size(part, sizes)
        if total > MAX_YAML_VALUES:
            break
    sizes[id(value)] = total
    return total
