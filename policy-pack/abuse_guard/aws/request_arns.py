"""The requests of one REST API operation as the ARNs API Gateway checks a resource policy against, and whether a
statement's Resource patterns match every one of them or some.

API Gateway authorizes a call as execute-api:Invoke of
`arn:<partition>:execute-api:<region>:<account-id>:<api-id>/<stage>/<HTTP-VERB>/<resource-path>` (API Gateway
Developer Guide, "Control access to a REST API with IAM permissions" and "Resource format of permissions for
executing API in API Gateway"; the root resource's ARN ends in `/<HTTP-VERB>/`). A Resource pattern is either that
ARN with wildcards or `execute-api:/<stage>/<HTTP-VERB>/<resource-path>`, which API Gateway expands with the API's own
partition, Region, account and ID ("API Gateway resource policy examples"). In a pattern `*` matches any run of
characters, `/` included, and `?` any one character (IAM User Guide, "IAM JSON policy elements: Resource").

An operation receives a request for every stage (a name of letters, digits, `-` and `_`: API Gateway API Reference,
CreateStage stageName), each of its verbs, and its path with any one segment for each `{param}` and one or more
segments for a greedy `{proxy+}` ("Set up a proxy integration with a proxy resource"), a segment being any non-empty
text without `/`. The requests are infinitely many, so they are matched as automata: the requests as a small
automaton over characters and classes of characters, each pattern as a glob automaton run on sets of its positions.
A class is tried with each character the patterns name and one they do not (every other character acts as that
one), so the answers are exact. Whether several patterns together match every request is read only where no one
does alone, with the patterns that match some request, and keeping only the least states (a universality check by
antichains); an answer that would take more than WORK steps is not known (None).

The API's partition, Region, account and ID are one value each; where one is not known (a RestApi's ID is an
output, never known at preview; the account unless a provider names it) an answer that differs between values is
not known either (None). An operation's path not known until deployment is one path: only an answer that holds for
every path (or for none) settles it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from ..policy import wildcard_match

VERBS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
"""The HTTP verbs a method ANY answers, each its own request ARN."""
FIELDS = ("partition", "Region", "account")
"""The fields of a full ARN read before its resource, in order."""
WORK = 300_000
"""How much one answer may do: pattern positions read and (request, patterns) states visited. Past it the answer is
not known (None), so a pathological pattern costs bounded time (well under a second); a policy's patterns are far
from it."""


@dataclass(frozen=True)
class Chars:
    """A class of characters: `only` those (None: any) but `excluding` these."""

    only: frozenset[str] | None = None
    excluding: frozenset[str] = frozenset()

    def __contains__(self, char: str) -> bool:
        return (self.only is None or char in self.only) and char not in self.excluding

    def candidates(self) -> Iterable[str]:
        """Characters of the class, for one no pattern names."""
        if self.only is not None:
            return sorted(self.only)
        return (chr(code) for code in range(0x100, 0x110000))


SEGMENT = Chars(excluding=frozenset("/"))
"""A path segment's or an API ID's characters."""
STAGE = Chars(only=frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"))
"""A stage name's characters (CreateStage stageName: "alphanumeric characters, hyphens, and underscores")."""
ANY = Chars()

Label = str | Chars | None
"""What a move of the requests' automaton reads: a character, a class of them, or nothing."""


class Requests:
    """A nondeterministic automaton whose words are some requests' text: built left to right, one end."""

    def __init__(self) -> None:
        self.moves: list[list[tuple[Label, int]]] = [[]]
        self.end = 0

    def _new(self) -> int:
        self.moves.append([])
        return len(self.moves) - 1

    def _move(self, origin: int, label: Label, target: int) -> None:
        self.moves[origin].append((label, target))

    def text(self, text: str) -> Requests:
        for char in text:
            target = self._new()
            self._move(self.end, char, target)
            self.end = target
        return self

    def some(self, chars: Chars) -> Requests:
        """One or more characters of the class."""
        return self._loop(chars, chars)

    def rest(self, chars: Chars) -> Requests:
        """Any number of characters of the class, none included."""
        return self._loop(None, chars)

    def _loop(self, first: Label, chars: Chars) -> Requests:
        target = self._new()
        self._move(self.end, first, target)
        self._move(target, chars, target)
        self.end = target
        return self

    def segments(self) -> Requests:
        """One or more path segments: a greedy `{proxy+}`."""
        self.some(SEGMENT)
        segment, slash = self.end, self._new()
        self._move(segment, "/", slash)
        self._move(slash, SEGMENT, segment)
        return self

    def one_of(self, texts: Iterable[str]) -> Requests:
        start, join = self.end, self._new()
        for text in texts:
            self.end = start
            self.text(text)
            self._move(self.end, None, join)
        self.end = join
        return self


class TooLarge(Exception):
    """An answer would do more than WORK steps."""


class Glob:
    """One pattern's automaton: a state is a set of positions in it (an int, one bit each; 0: no match is left)."""

    def __init__(self, glob: str, work: list[int]) -> None:
        self.chars: list[str | None] = [*glob, None]
        self.end = 1 << len(glob)
        self._steps: dict[tuple[int, str], int] = {}
        self._work = work
        self.start = self._closure(1)

    def _closure(self, state: int) -> int:
        """`*` matches nothing too: the position after each `*` reached."""
        todo = state
        while todo:
            position = (todo & -todo).bit_length() - 1
            todo &= todo - 1
            if self.chars[position] == "*" and not state >> (position + 1) & 1:
                state |= 1 << (position + 1)
                todo |= 1 << (position + 1)
        return state

    def step(self, state: int, char: str) -> int:
        key = (state, char)
        if key not in self._steps:
            self._work[0] += len(self.chars)
            if self._work[0] > WORK:
                raise TooLarge
            found, todo = 0, state
            while todo:
                position = (todo & -todo).bit_length() - 1
                todo &= todo - 1
                glob_char = self.chars[position]
                if glob_char == "*":
                    found |= 1 << position
                elif glob_char is not None and glob_char in ("?", char):
                    found |= 1 << (position + 1)
            self._steps[key] = self._closure(found)
        return self._steps[key]


State = tuple[int, ...]
"""A state of several patterns at once: each one's."""


class Globs:
    """The automaton of several patterns at once, which match where one of them does."""

    def __init__(self, globs: tuple[str, ...]) -> None:
        self.work = [0]
        """What has been done so far: positions read and states visited (raises TooLarge past WORK)."""
        self.globs = tuple(Glob(glob, self.work) for glob in globs)
        self.literals = frozenset(c for glob in globs for c in glob if c not in "*?")
        self._steps: dict[tuple[State, str], State] = {}
        self._representatives: dict[Chars, tuple[str, ...]] = {}

    def start(self, which: Iterable[int]) -> State:
        chosen = set(which)
        return tuple(glob.start if k in chosen else 0 for k, glob in enumerate(self.globs))

    @staticmethod
    def joined(state: State, other: State) -> State:
        return tuple(a | b for a, b in zip(state, other, strict=True))

    def accepts(self, state: State) -> bool:
        return any(s & glob.end for s, glob in zip(state, self.globs, strict=True))

    def step(self, state: State, char: str) -> State:
        key = (state, char)
        if key not in self._steps:
            self._steps[key] = tuple(glob.step(s, char) if s else 0 for s, glob in zip(state, self.globs, strict=True))
        return self._steps[key]

    def representatives(self, chars: Chars) -> tuple[str, ...]:
        """The class's characters the patterns name, and one they do not (if the class has one)."""
        if chars not in self._representatives:
            named = sorted(c for c in self.literals if c in chars)
            other = next((c for c in chars.candidates() if c in chars and c not in self.literals), None)
            self._representatives[chars] = (*named, *([other] if other is not None else []))
        return self._representatives[chars]


def ends(requests: Requests, globs: Globs, start: State, least: bool = False) -> set[State]:
    """The pattern states in which the words of `requests` end, read from `start`. With `least`, a state is not
    followed where one it holds (each pattern's positions a subset of its) was: whatever a word leaves unmatched
    from the larger, it leaves unmatched from the smaller, so the states that end unmatched stay among those found
    (the antichains of universality checking). Raises TooLarge."""
    seen: set[tuple[int, State]] = set()
    least_seen: dict[int, list[State]] = {}
    pending = [(0, start)]
    found: set[State] = set()
    while pending:
        pair = pending.pop()
        if pair in seen:
            continue
        seen.add(pair)
        at, state = pair
        if least:
            held = least_seen.setdefault(at, [])
            globs.work[0] += len(held) * len(state)
            if any(all(s & o == o for s, o in zip(state, other, strict=True)) for other in held):
                continue
            held.append(state)
        globs.work[0] += len(state)
        if globs.work[0] > WORK:
            raise TooLarge
        if at == requests.end:
            found.add(state)
        for label, target in requests.moves[at]:
            if label is None:
                pending.append((target, state))
            elif isinstance(label, str):
                pending.append((target, globs.step(state, label)))
            else:
                pending += [(target, globs.step(state, c)) for c in globs.representatives(label)]
    return found


# -- one operation's requests and the patterns of a statement ---------------------------------------------------


@dataclass(frozen=True)
class Api:
    """The fields of the API's ARN; None where not known (until deployment, or because nothing names it)."""

    id: str | None = None
    partition: str | None = None
    region: str | None = None
    account: str | None = None


@dataclass(frozen=True)
class Pattern:
    """A Resource pattern of execute-api. `arn` holds the partition, Region and account globs of a full ARN, whose
    `resource` glob reads `<api-id>/<stage>/<VERB>/<path>`; None for the `execute-api:/...` form (and `*`), whose
    `resource` reads `/<stage>/<VERB>/<path>` of the API's own ARN."""

    resource: str
    arn: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class Match:
    """Whether patterns match (None: not known), and the API's fields not known that the answer rests on ("ID",
    "account", "Region", "partition")."""

    value: bool | None
    rests_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Request:
    """The requests of one operation: any stage, each of `verbs`, `path` with any value for its parameters."""

    verbs: tuple[str, ...]
    path: str | None
    """`/items/{id}` (`/` for the root); None when not known."""
    api: Api = field(default_factory=Api)

    @classmethod
    def of(cls, verb: str, path: str | None, api: Api | None = None) -> Request:
        upper = verb.upper()
        return cls(VERBS if upper == "ANY" else (upper,), path, api or Api())

    def automaton(self) -> Requests:
        """`/<stage>/<VERB>/<path>`; an unknown path is `/` and any text."""
        found = Requests().text("/").some(STAGE).text("/").one_of(self.verbs)
        if self.path is None:
            return found.text("/").rest(ANY)
        path = self.path if self.path.startswith("/") else f"/{self.path}"
        for segment in path.split("/")[1:]:
            found.text("/")
            if segment.startswith("{") and segment.endswith("+}"):
                found.segments()
            elif segment.startswith("{") and segment.endswith("}"):
                found.some(SEGMENT)
            else:
                found.text(segment)
        return found


@lru_cache(maxsize=4096)
def matches(request: Request, patterns: tuple[Pattern | None, ...], every: bool) -> Match:
    """Whether the patterns match every request of the operation (`every`) or some request. A pattern that is None
    is not known until deployment: it may match anything."""
    sure: list[Pattern] = []
    maybe: list[Pattern] = []
    rests: set[str] = set()
    for pattern in patterns:
        if pattern is None:
            continue
        names, unknown = _names_api(pattern, request.api)
        if names is True:
            sure.append(pattern)
        elif names is None:
            maybe.append(pattern)
            rests.update(unknown)
    low, low_id = _read(request, tuple(sure), every)
    if low is True:
        return Match(True)
    high: bool | None
    if None in patterns:
        high, high_id = True, False
    else:
        high, high_id = _read(request, tuple(sure + maybe), every) if maybe else (low, low_id)
    if high is False:
        return Match(False)
    if low_id or high_id:
        rests.add("ID")
    return Match(None, tuple(name for name in ("ID", *FIELDS) if name in rests))


def _names_api(pattern: Pattern, api: Api) -> tuple[bool | None, tuple[str, ...]]:
    """Whether a pattern's partition, Region and account are the API's (None: one not known decides), and which."""
    if pattern.arn is None:
        return True, ()
    unknown = []
    for glob, value, name in zip(pattern.arn, (api.partition, api.region, api.account), FIELDS, strict=True):
        if value is not None:
            if not wildcard_match(value, glob):
                return False, ()
        elif not glob or glob.strip("*"):  # only a glob of `*`s matches every value
            unknown.append(name)
    return (None, tuple(unknown)) if unknown else (True, ())


Answers = frozenset[bool | None]
"""A question's answer for each value of the API's ID that answers apart: {True}, {False}, both, or {None} when
it was not read (past WORK)."""
YES: Answers = frozenset({True})
NO: Answers = frozenset({False})
UNREAD: Answers = frozenset({None})


def _read(request: Request, patterns: tuple[Pattern, ...], every: bool) -> tuple[bool | None, bool]:
    """(Whether the patterns match every request or some; whether the API's ID, not known, decides). An unknown
    path is one path: only an answer that holds for every path settles it."""
    if not patterns:
        return False, False
    if request.path is None:
        if _every(request, patterns) == YES:
            return True, False
        some = _some(request, patterns)
        return (False, False) if some == NO else (None, None not in some and len(some) > 1)
    answers = _every(request, patterns) if every else _some(request, patterns)
    if len(answers) == 1:
        return next(iter(answers)), False
    return None, True


def _every(request: Request, patterns: tuple[Pattern, ...]) -> Answers:
    """Whether the patterns together match every request. A pattern that does alone settles it; else only those
    that match some request are read together."""
    alone = [_each_id(request, (pattern,), every=True) for pattern in patterns]
    if YES in alone:
        return YES
    useful = tuple(p for p in patterns if _each_id(request, (p,), every=False) != NO)
    if len(useful) <= 1:
        return alone[patterns.index(useful[0])] if useful else NO
    return _each_id(request, useful, every=True)


def _some(request: Request, patterns: tuple[Pattern, ...]) -> Answers:
    """Whether one of the patterns matches some request."""
    answers = [_each_id(request, (pattern,), every=False) for pattern in patterns]
    if YES in answers:
        return YES
    if all(a == NO for a in answers):
        return NO
    return UNREAD if UNREAD in answers else YES | NO


@lru_cache(maxsize=4096)
def _each_id(request: Request, patterns: tuple[Pattern, ...], every: bool) -> Answers:
    """Whether the patterns (as one union) match every request (`every`) or some, for each value of the API's ID:
    its own when known, else every value (any text without `/`)."""
    globs = Globs(tuple(p.resource for p in patterns))
    own = globs.start(k for k, p in enumerate(patterns) if p.arn is None)
    full = [k for k, p in enumerate(patterns) if p.arn is not None]
    automaton = request.automaton()
    answers: set[bool | None] = set()
    try:
        after_id = {globs.start(())}
        if full:
            api_id = Requests().text(request.api.id) if request.api.id is not None else Requests().some(SEGMENT)
            after_id = ends(api_id, globs, globs.start(full))
        for state in after_id:
            accepted = {globs.accepts(end) for end in ends(automaton, globs, globs.joined(state, own), least=every)}
            answers.add(False not in accepted if every else True in accepted)
    except TooLarge:
        return UNREAD
    return frozenset(answers)
