"""What a picture of a graph shows: roles, module boxes, and what collapses.

Pure Python, no Graphviz: `build` decides, for every node of the graph, its
role, the module box it sits in, and the drawn unit it becomes (itself, a
module's summary node, the grouped inputs, or the "earlier nodes" summary).
`autograd.viz` turns that into DOT.

Module boxes follow dotted parameter names (``layers.0.neurons.3.w.1``), from
the module passed to `to_dot` or else from the parameters' labels:

* a parameter lives in the module its name is in: the name without its own
  last part and that part's indices (``layers.0.neurons.3``); a module's
  parent drops one more such step (``layers.0``, then the whole model ``''``);
* an op that uses parameters directly belongs to their module (the module
  that owns a weight performs the ops that use it);
* arithmetic (``+ - * / **``) of other values with a constant belongs to no
  module: that is how losses and scalings are applied to a model's result
  (``(y - 1) ** 2``, ``1 - label * score``); adding 0, how `sum` starts, is
  the exception;
* any other op belongs to the deepest module that contains the modules of all
  its Value operands (inputs and other values outside every box are in the
  whole model ``''``), so a sum of two neurons' outputs lands in their layer,
  an activation stays with its neuron, and mixing with outside values leaves
  every box;
* outputs (the roots) are always drawn outside every box.

Past `max_nodes` drawn nodes, chains of additions (what Python's `sum` makes)
fold into one n-ary sum node first; then whole levels of modules collapse into
summary nodes, the deepest level first, until the nodes fit and average at
most three edges each; inputs feeding only collapsed modules group into one
node; if that is still too many, the whole levels of the graph nearest the
outputs that fit (each at most sqrt(max_nodes) wide) are kept and the rest
become one "earlier nodes" summary.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from autograd.core import Value
from autograd.graph import topological_order
from autograd.ops import OPS

OUTPUT: Final = "output"
PARAMETER: Final = "parameter"
INPUT: Final = "input"
CONSTANT: Final = "constant"
INTERMEDIATE: Final = "intermediate"
ROLES: Final = (OUTPUT, PARAMETER, INPUT, CONSTANT, INTERMEDIATE)

PARAMETER_MARK: Final = "is_parameter"
"""A leaf with ``is_parameter = True`` is drawn as a parameter without `params`.

How a layer above marks what it knows to be parameters (`nn`'s modules mark
theirs), since autograd imports nothing from it; the mark lives in the
Value's own ``__dict__``, so it goes where the Value goes.
"""

INPUTS_UNIT: Final = "inputs"
EARLIER_UNIT: Final = "earlier"


MAX_DEPTH: Final = 8
"""Boxes nest at most this deep; a deeper module is drawn in its ancestor's box."""


def clip(module: str) -> str:
    """`module`, or its ancestor `MAX_DEPTH` boxes deep if it is nested deeper.

    >>> clip("a.b.c.d.e.f.g.h.i.j")
    'a.b.c.d.e.f.g.h'
    """
    parts = module.split(".")
    # Every ancestor's name is a prefix of the module's: count their parts.
    sizes = []
    k = len(parts) if module else 0
    while k:
        sizes.append(k)
        while k and parts[k - 1].isdigit():
            k -= 1
        k = max(k - 1, 0)
    if len(sizes) <= MAX_DEPTH:
        return module
    return ".".join(parts[: sizes[len(sizes) - MAX_DEPTH]])


def owner(name: str) -> str:
    """The module a dotted name lives in: drop its last part and that part's indices.

    >>> owner("layers.0.neurons.3.w.1"), owner("layers.0.neurons.3"), owner("b")
    ('layers.0.neurons.3', 'layers.0', '')
    """
    parts = name.split(".")
    while parts and parts[-1].isdigit():
        parts.pop()
    return ".".join(parts[:-1])


def natural(name: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key putting ``neurons.2`` before ``neurons.10``."""
    return tuple(
        (0, int(part), "") if part.isdecimal() else (1, 0, part)
        for part in name.split(".")
    )


@dataclass(slots=True)
class Scene:
    """Everything the DOT writer needs, indexed by topological position."""

    nodes: list[Value]
    index: dict[Value, int]
    roles: list[str]
    names: list[str]
    modules: list[str]
    units: list[str]
    highlighted: list[bool]
    folded: list[int]
    module_order: list[str]
    collapsed: set[str]
    drawn: int

    def unit_id(self, i: int) -> str:
        """The DOT id node `i` is drawn as: its own, or the summary that holds it."""
        return self.units[i] or f"v{i}"

    def drawn_as(self, i: int) -> str:
        """`unit_id`, except that a link of a folded sum is drawn as the sum."""
        head = self.folded[i]
        return self.unit_id(i if head < 0 else head)

    def sources(self, i: int) -> list[tuple[int, int]]:
        """(node, operand slot) of each term of node `i`, through folded sums."""
        if self.nodes[i]._row is None:
            return []
        chain = [i]
        while True:
            first = self.nodes[chain[-1]].operands[0]
            if not isinstance(first, Value) or self.folded[self.index[first]] != i:
                break
            chain.append(self.index[first])
        found: list[tuple[int, int]] = []
        for depth, k in enumerate(reversed(chain)):
            # Later links' first operand is the running sum, already expanded.
            first_slot = 0 if depth == 0 else 1
            found.extend(
                (k, slot) for slot in range(first_slot, len(self.nodes[k].operands))
            )
        return found

    def terms(self, i: int) -> list[tuple[Value | float, float]]:
        """Operands of node `i` with d(i)/d(operand), through sums folded into it."""
        return [
            (self.nodes[k].operands[slot], self.nodes[k].local_grads[slot])
            for k, slot in self.sources(i)
        ]

    def module_id(self, module: str) -> str:
        """The DOT id of a module's summary node."""
        return f"m{self.module_order.index(module)}"


class _Modules:
    """The module tree, grown as names appear, with cached ancestor chains."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self._chains: dict[str, tuple[str, ...]] = {"": ("",)}

    def chain(self, module: str) -> tuple[str, ...]:
        """`module` and its ancestors, innermost first, ending with ''."""
        found = self._chains.get(module)
        if found is not None:
            return found
        # A loop, not recursion: the names above come from user labels.
        new = [module]
        while (up := owner(new[-1])) not in self._chains:
            new.append(up)
        above = self._chains[up]
        for k in range(len(new) - 1, -1, -1):
            above = (new[k], *above)
            self._chains[new[k]] = above
            self.order.append(new[k])
        return above

    def common(self, a: str, b: str) -> str:
        """The deepest module containing both."""
        if a == b:
            return a
        above_a = self.chain(a)
        for m in self.chain(b):
            if m in above_a:
                return m
        return ""


# Rows are compared by identity: a user's row named "add" is not the table's.
_ADD: Final = OPS["add"]
_ARITHMETIC: Final = tuple(OPS[name] for name in ("add", "sub", "mul", "div", "pow"))


def _scales_by_constant(v: Value) -> bool:
    """Arithmetic with a constant other than the 0 that `sum` starts from."""
    if not any(v._row is row for row in _ARITHMETIC):
        return False
    return any(
        not isinstance(c, Value) and not (v._row is _ADD and c == 0.0)
        for c in v.operands
    )


def build(
    roots: Sequence[Value],
    *,
    params: Iterable[Value],
    param_names: dict[Value, str],
    highlight: Iterable[Value],
    max_nodes: int | None,
    collapsed: Iterable[str] | None = None,
) -> Scene:
    """Decide roles, module boxes and collapsing for the graph below `roots`.

    `collapsed` names the modules to collapse (sums folded as when collapsing)
    instead of choosing them by `max_nodes`.
    """
    nodes = topological_order(roots)
    index = {v: i for i, v in enumerate(nodes)}
    n = len(nodes)
    is_root = [False] * n
    for r in roots:
        is_root[index[r]] = True
    explicit = {v for v in params if v in index}
    tree = _Modules()
    roles = [INTERMEDIATE] * n
    names = [""] * n
    modules = [""] * n
    operand_ids: list[list[int]] = []
    cost = [1] * n
    for i, v in enumerate(nodes):
        name = v.label or param_names.get(v, "")
        names[i] = name
        operands = v.operands
        ids = [index[p] for p in operands if isinstance(p, Value)]
        operand_ids.append(ids)
        if operands:
            # The op node and one node per constant are drawn with the value.
            cost[i] = 2 + len(operands) - len(ids)
            used = [modules[j] for j in ids if roles[j] == PARAMETER]
            if not used and not _scales_by_constant(v):
                used = [modules[j] for j in ids]
            module = used[0] if used else ""
            for m in used[1:]:
                module = tree.common(module, m)
        elif v in explicit or "." in name or getattr(v, PARAMETER_MARK, False) is True:
            roles[i] = PARAMETER
            # A module's own names place its parameters, whatever their labels.
            module = clip(owner(param_names.get(v, name)))
        else:
            roles[i] = INPUT
            module = ""
        if is_root[i]:
            roles[i] = OUTPUT
            module = ""
        tree.chain(module)
        modules[i] = module
    marked = set()
    for v in highlight:
        if v not in index:
            raise ValueError(f"to_dot: highlight {v!r} is not in the graph of the root")
        marked.add(index[v])
    highlighted = [False] * n
    for i in range(n):
        highlighted[i] = i in marked or any(highlighted[j] for j in operand_ids[i])
    scene = Scene(
        nodes=nodes,
        index=index,
        roles=roles,
        names=names,
        modules=modules,
        units=[""] * n,
        highlighted=highlighted,
        folded=[-1] * n,
        module_order=tree.order,
        collapsed=set(),
        drawn=sum(cost),
    )
    if collapsed is not None:
        consumers = _consumers(operand_ids)
        _fold_sums(scene, consumers, cost, is_root)
        scene.collapsed = set(collapsed)
        _assign_units(scene, tree, consumers, cost)
    elif max_nodes is not None and scene.drawn > max_nodes:
        _collapse(
            scene,
            tree=tree,
            operand_ids=operand_ids,
            cost=cost,
            is_root=is_root,
            max_nodes=max_nodes,
        )
    return scene


def _collapse(
    scene: Scene,
    *,
    tree: _Modules,
    operand_ids: list[list[int]],
    cost: list[int],
    is_root: list[bool],
    max_nodes: int,
) -> None:
    """Fold sums, collapse module levels, group inputs, keep what is near the roots."""
    consumers = _consumers(operand_ids)
    _fold_sums(scene, consumers, cost, is_root)
    scene.drawn = _count(scene, cost)
    if scene.drawn <= max_nodes:
        return
    depth = {m: len(tree.chain(m)) - 1 for m in scene.module_order}
    for level in range(max(depth.values(), default=0), 0, -1):
        scene.collapsed.update(m for m in scene.module_order if depth[m] == level)
        _assign_units(scene, tree, consumers, cost)
        if scene.drawn <= max_nodes and not _tangled(scene, operand_ids):
            return
    # Keep whole levels of the drawn graph nearest the outputs (a level cut
    # in half looks arbitrary) within the budget left after the summaries
    # and one node for everything earlier, up to the first level wider than
    # sqrt(max_nodes): N nodes read best about sqrt(N) wide, and a wider
    # level is usually a repetition, such as one loss term per example.
    budget = max_nodes - len({u for u in scene.units if u}) - 1
    widest = max(math.isqrt(max_nodes), 1)
    ring = [i for i in range(len(scene.nodes)) if is_root[i]]
    seen = set(ring)
    full = False
    outputs = True
    while ring:
        drawn = [i for i in ring if not scene.units[i]]
        spend = sum(cost[i] for i in drawn)
        if outputs or (not full and spend <= budget and len(drawn) <= widest):
            outputs = False
            budget -= spend
        else:
            full = True
            for i in drawn:
                scene.units[i] = EARLIER_UNIT
        following = []
        for i in ring:
            for p, _ in scene.terms(i):
                j = scene.index[p] if isinstance(p, Value) else -1
                if j >= 0 and j not in seen:
                    seen.add(j)
                    following.append(j)
        ring = following
    for i, head in enumerate(scene.folded):
        if head >= 0:
            scene.units[i] = scene.units[head]
    scene.drawn = _count(scene, cost)


def _consumers(operand_ids: list[list[int]]) -> list[list[int]]:
    """The nodes using each node, in forward order."""
    consumers: list[list[int]] = [[] for _ in operand_ids]
    for i, ids in enumerate(operand_ids):
        for j in ids:
            consumers[j].append(i)
    return consumers


def _fold_sums(
    scene: Scene, consumers: list[list[int]], cost: list[int], is_root: list[bool]
) -> None:
    """Fold each running sum ``((a + b) + c) + ...`` into its last addition.

    A link folds when it is an unlabelled addition used only as the first
    operand of the next addition, in the same module, with the same highlight.
    """
    nodes = scene.nodes
    for i in range(len(nodes) - 1, -1, -1):
        if scene.folded[i] >= 0 or nodes[i]._row is not _ADD:
            continue
        link = i
        while True:
            first = nodes[link].operands[0]
            if not isinstance(first, Value):
                break
            j = scene.index[first]
            if (
                nodes[j]._row is not _ADD
                or consumers[j] != [link]
                or is_root[j]
                or scene.names[j]
                or scene.modules[j] != scene.modules[i]
                or scene.highlighted[j] != scene.highlighted[i]
            ):
                break
            scene.folded[j] = i
            # Its constants are drawn with the sum; its own value and op are not.
            cost[i] += cost[j] - 2
            cost[j] = 0
            link = j


def _assign_units(
    scene: Scene, tree: _Modules, consumers: list[list[int]], cost: list[int]
) -> None:
    """Map nodes to summaries of their outermost collapsed module; group lone inputs."""
    summary = {}
    for m in scene.module_order:
        outer = [a for a in tree.chain(m) if a in scene.collapsed]
        if outer:
            summary[m] = scene.module_id(outer[-1])
    units = [summary.get(m, "") for m in scene.modules]
    lone = [
        i
        for i, role in enumerate(scene.roles)
        if role == INPUT and consumers[i] and all(units[c] for c in consumers[i])
    ]
    if len(lone) > 1:
        for i in lone:
            units[i] = INPUTS_UNIT
    scene.units = units
    scene.drawn = _count(scene, cost)


def _tangled(scene: Scene, operand_ids: list[list[int]]) -> bool:
    """More than three drawn edges per drawn node: a hairball, collapse further.

    Summaries of densely connected modules (neurons of adjacent layers)
    connect all to all; one level up they form a readable chain.
    """
    links = {
        (scene.drawn_as(j), scene.drawn_as(i))
        for i, ids in enumerate(operand_ids)
        for j in ids
    }
    return sum(tail != head for tail, head in links) > 3 * scene.drawn


def _count(scene: Scene, cost: list[int]) -> int:
    drawn = sum(c for u, c in zip(scene.units, cost, strict=True) if not u)
    return drawn + len({u for u in scene.units if u})
