"""`--data-sources FILE`: real answers for the data sources a program calls, given by the user.

The file is a JSON object mapping a data source's token (as the SDK calls it, e.g.
`aws:index/getCallerIdentity:getCallerIdentity` or `aws:lambda/getFunction:getFunction`) to its
result: an object keyed by the result's Pulumi (camelCase) names, e.g. `{"accountId": "111122223333"}`.
Every call of that data source gets that result; fields it leaves out keep the offline answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import UserError
from ..files.bounded_json import load_json
from ..files.inputs import FilePath, read_text

EXAMPLE = '{"aws:index/getCallerIdentity:getCallerIdentity": {"accountId": "111122223333"}}'


def load(path: FilePath) -> dict[str, dict[str, Any]]:
    """The answers in `path`; one UserError naming the file (and the token) when it is not such an object."""
    try:
        raw = load_json(read_text(path), str(path))
    except json.JSONDecodeError as error:
        raise UserError(f"{path}: line {error.lineno}: invalid JSON: {error.msg}") from None
    if not isinstance(raw, Mapping):
        raise UserError(f"{path}: expected an object mapping data source tokens to results, e.g. {EXAMPLE}")
    answers: dict[str, dict[str, Any]] = {}
    for token, result in raw.items():
        if token.count(":") != 2 or not all(token.split(":")):
            raise UserError(f"{path}: {token!r} is not a data source token (package:module:function, {EXAMPLE})")
        if not isinstance(result, Mapping):
            raise UserError(f"{path}: the result for {token} must be an object of the result's fields")
        answers[token] = dict(result)
    return answers
