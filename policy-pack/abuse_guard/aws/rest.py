"""What hangs off one REST API, grouped once for all its stages: the rules and the cost model share it.

At preview a stage's ID and name are often unknown, so MethodSettings and usage plans are linked to
a stage through the graph (an input that comes from the stage), or by a literal stage name when
they come from the stage's RestApi instead; what cannot be linked yet is kept apart, so a rule can
say unknown rather than pass.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..graph import Graph
from ..resources import UNKNOWN, Resource
from ..values import Malformed, Undetermined, items, literal
from .frontdoors import FrontDoors, Operation
from .throttles import STAGE_WIDE
from .types import METHOD_SETTINGS, REST_STAGE, USAGE_PLAN


def may_be_stage_wide(settings: Resource) -> bool:
    """False for a MethodSettings known to configure one method (or malformed: stage-throttling reports it)."""
    path = literal(settings.props, "methodPath")
    return path is UNKNOWN or path == STAGE_WIDE


@dataclass
class Api:
    """What hangs off one RestApi, grouped once so each of its stages looks up only what names it."""

    resource: Resource
    keyed: list[str] = field(default_factory=list)  # operations with apiKeyRequired true, as messages name them
    key_unknown: list[str] = field(default_factory=list)  # ... not known until deployment
    key_malformed: list[str] = field(default_factory=list)
    # '*/*' MethodSettings that name their stage with a literal stageName (a stageName taken from a
    # stage is found from that stage), and those whose stageName is not known yet
    settings_by_stage: dict[str, list[Resource]] = field(default_factory=lambda: defaultdict(list))
    settings_unnamed: list[Resource] = field(default_factory=list)
    # usage plans by the literal stage names in their apiStages, and those that may list an unknown one
    plans_by_stage: dict[str, list[Resource]] = field(default_factory=lambda: defaultdict(list))
    plans_unnamed: list[Resource] = field(default_factory=list)


def _key_label(op: Operation) -> str:
    return f"method '{op.resource.name}'" if op.label is None else op.label


def _named(op: Operation) -> str:
    """How a message names an operation in a list: `'get-items'` for a Method, `GET /items` for a body's."""
    return f"'{op.resource.name}'" if op.title is None else op.title


def index_api(graph: Graph, api: Resource) -> Api:
    """One pass over the API's operations, MethodSettings and usage plans, for all its stages."""
    index = Api(api)
    doors = graph.derived(FrontDoors)
    try:
        ops = doors.rest_operations(api)
    except Undetermined:
        ops = doors.rest_operations_of_methods(api)
        index.key_unknown.append(f"(those of the body of {api.label})")
    except Malformed as error:
        ops = doors.rest_operations_of_methods(api)
        index.key_malformed.append(str(error))
    for op in ops:
        try:
            if op.api_key_required(at=_key_label(op)):
                index.keyed.append(_named(op))
        except Undetermined:
            index.key_unknown.append(_named(op))
        except Malformed as error:
            index.key_malformed.append(str(error))
    for settings in graph.referrers(api, METHOD_SETTINGS, "restApi"):
        if graph.referenced(settings, "stageName", REST_STAGE) or not may_be_stage_wide(settings):
            continue
        name = literal(settings.props, "stageName")
        if name is UNKNOWN:
            index.settings_unnamed.append(settings)
        elif name is not None:
            index.settings_by_stage[name].append(settings)
    for plan in graph.referrers(api, USAGE_PLAN, "apiStages"):
        try:
            names = {literal(entry, "stage") for _, entry in items(plan.props, "apiStages")}
        except Undetermined:
            names = {UNKNOWN}
        except Malformed:
            continue  # usage-plan-limits reports it on the plan
        for name in names:
            if isinstance(name, str):
                index.plans_by_stage[name].append(plan)
        # an unknown name in a plan whose apiStages come from stages is presumed to be theirs
        if UNKNOWN in names and not graph.referenced(plan, "apiStages", REST_STAGE):
            index.plans_unnamed.append(plan)
    return index


class RestApis:
    """`index_api` of each REST API, made once per graph (`graph.derived(RestApis)`): rest-stage-protected and
    the cost model both read it."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._index: dict[str, Api] = {}

    def index(self, api: Resource) -> Api:
        if api.urn not in self._index:
            self._index[api.urn] = index_api(self.graph, api)
        return self._index[api.urn]
