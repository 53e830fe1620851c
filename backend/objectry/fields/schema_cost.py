"""What applying a JSON Schema may cost, computed before it is saved, its `$ref`s expanded.

`$ref` lets a small schema apply a great many subschemas to one part of a value: `$defs`
a0…a20, each `{"anyOf": [{"$ref": "#/$defs/a<i+1>"}, {"$ref": "#/$defs/a<i+1>"}]}`, is 959
bytes and applies 2^21 subschemas to any value. `cost` bounds the subschemas applied to any one
part (the root or a nested value) of a value at most `depth` levels deep:

    L(S)    = 1 + Σ L(c)            c: S's in-place subschemas (allOf…, not, if…, $ref targets)
    U(S, d) = D(S, d) + Σ U(c, d)   what applying S applies to one part below, within d levels
    D(S, d) = the most one child part gets from S's properties, items…, each child subschema
              applying max(L, U(·, d - 1)) there; 0 when d = 0
    cost    = max(L(root), U(root, depth))

So a tree's recursive `$ref` under `items` costs a little per level (values are at most `depth`
deep), `{"anyOf": [{"items": {"$ref": "#"}}, {"items": {"$ref": "#"}}]}` doubles per level, and
a `$ref` loop that never goes down a level (`{"$ref": "#"}`) is endless. Memoised over
(subschema, depth) and evaluated with an explicit stack: time linear in the schema's size times
`depth`, no recursion. (jsonschema's `unevaluated*` re-applies the in-place subschemas: counted
twice.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

if TYPE_CHECKING:  # the resolver's class is not exported by `referencing`
    from referencing._core import Resolver

REFS = ("$ref", "$dynamicRef", "$recursiveRef")
MAX_CHAIN = 200  # subschemas inside one another (through $ref): jsonschema recurses that deep


class CostError(ValueError):
    """The schema loops, refers nowhere, or nests too deeply through `$ref`."""


@dataclass
class Node:
    """One subschema's children, as node ids."""

    in_place: list[int] = field(default_factory=list)
    properties: list[int] = field(default_factory=list)  # one of them applies to a child
    object_each: list[int] = field(default_factory=list)  # all of them may apply to one child
    items: list[int] = field(default_factory=list)  # one of them applies to an item
    array_each: list[int] = field(default_factory=list)
    twice: bool = False  # unevaluatedProperties/Items: the in-place ones are applied again


def subschemas(value: Any) -> Iterator[Any]:
    """The schemas in a keyword's value: itself, a list's items, or an object's values."""
    if isinstance(value, (dict, bool)):
        yield value
    if isinstance(value, list):
        yield from (v for v in value if isinstance(v, (dict, bool)))


def mapped(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        yield from (v for v in value.values() if isinstance(v, (dict, bool)))


# keyword → which children its subschemas are, and where in its value they are
KEYWORDS = {
    **dict.fromkeys(("allOf", "anyOf", "oneOf", "not", "if", "then", "else"),
                    ("in_place", subschemas)),
    **dict.fromkeys(("dependentSchemas", "dependencies"), ("in_place", mapped)),
    "properties": ("properties", mapped),
    "patternProperties": ("object_each", mapped),
    **dict.fromkeys(("additionalProperties", "unevaluatedProperties", "propertyNames"),
                    ("object_each", subschemas)),
    **dict.fromkeys(("items", "prefixItems"), ("items", subschemas)),
    **dict.fromkeys(("additionalItems", "unevaluatedItems", "contains"),
                    ("array_each", subschemas)),
}


class Graph:
    """Subschemas by id, with the resolver each one's references resolve against."""

    def __init__(self, root: Any, resolver: Resolver) -> None:
        self.schemas: dict[int, tuple[Any, Resolver]] = {}
        self.nodes: dict[int, Node] = {}
        self.root = self.add(root, resolver)

    def add(self, schema: Any, resolver: Resolver) -> int:
        if isinstance(schema, dict) and isinstance(schema.get("$id"), str):
            resolver = resolver.in_subresource(DRAFT202012.create_resource(schema))
        self.schemas.setdefault(id(schema), (schema, resolver))
        return id(schema)

    def node(self, sid: int) -> Node:
        if sid not in self.nodes:
            self.nodes[sid] = self._read(*self.schemas[sid])
        return self.nodes[sid]

    def _read(self, schema: Any, resolver: Resolver) -> Node:
        node = Node()
        if not isinstance(schema, dict):
            return node
        for keyword in schema.keys() & KEYWORDS.keys():
            part, layout = KEYWORDS[keyword]
            getattr(node, part).extend(self.add(v, resolver) for v in layout(schema[keyword]))
        node.in_place += [self._target(schema[k], resolver) for k in REFS
                          if isinstance(schema.get(k), str)]
        node.twice = "unevaluatedProperties" in schema or "unevaluatedItems" in schema
        return node

    def patterns(self) -> Iterator[str]:
        """Every `pattern` and `patternProperties` key of the subschemas read so far."""
        for schema, _ in self.schemas.values():
            if isinstance(schema, dict):
                if isinstance(schema.get("pattern"), str):
                    yield schema["pattern"]
                if isinstance(schema.get("patternProperties"), dict):
                    yield from schema["patternProperties"]

    def _target(self, ref: str, resolver: Resolver) -> int:
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable:
            raise CostError(f"the reference {ref!r} points nowhere") from None
        return self.add(resolved.contents, resolved.resolver)


Key = tuple[Any, ...]  # ("L", node id) or ("U", node id, depth)
LOOPING = "the JSON Schema refers to itself in an endless loop"


def cost(graph: Graph, depth: int, cap: int) -> int:
    """The most subschemas applied to one part of a value `depth` deep (at most `cap`)."""
    return max(evaluate(graph, ("L", graph.root), cap),
               evaluate(graph, ("U", graph.root, depth), cap) if depth else 0)


def evaluate(graph: Graph, root: Key, cap: int) -> int:
    """`root`'s value, its children's first (post-order, with an explicit stack)."""
    memo: dict[Key, int] = {}
    path: set[Key] = set()  # expanded, not yet combined: the chain down to the current key
    stack: list[tuple[Key, bool]] = [(root, False)]
    while stack:
        key, ready = stack.pop()
        if ready:
            path.discard(key)
            memo[key] = min(cap, combine(graph.node(key[1]), key, memo))
        elif key not in memo:
            if key in path:
                raise CostError(LOOPING)
            if len(path) >= MAX_CHAIN:
                raise CostError(f"the JSON Schema nests more than {MAX_CHAIN} subschemas "
                                "inside one another (through $ref)")
            path.add(key)
            stack.append((key, True))
            stack.extend((child, False) for child in children(graph.node(key[1]), key)
                         if child not in memo)
    return memo[root]


def below(child: int, depth: int) -> list[Key]:
    """What a child subschema applied one level down costs: max(L, U(·, depth - 1))."""
    return [("L", child)] + ([("U", child, depth - 1)] if depth > 1 else [])


def children(node: Node, key: Key) -> list[Key]:
    if key[0] == "L":
        return [("L", c) for c in node.in_place]
    depth = key[2]
    down = [k for c in (*node.properties, *node.object_each, *node.items, *node.array_each)
            for k in below(c, depth)]
    return [("U", c, depth) for c in node.in_place] + down


def combine(node: Node, key: Key, memo: dict[Key, int]) -> int:
    times = 2 if node.twice else 1
    if key[0] == "L":
        return 1 + times * sum(memo[("L", c)] for c in node.in_place)
    depth = key[2]

    def at(child: int) -> int:
        return max(memo[k] for k in below(child, depth))

    as_object = max(map(at, node.properties), default=0) + sum(map(at, node.object_each))
    as_array = max(map(at, node.items), default=0) + sum(map(at, node.array_each))
    return max(as_object, as_array) + times * sum(memo[("U", c, depth)] for c in node.in_place)
