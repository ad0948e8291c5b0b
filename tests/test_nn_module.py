"""nn.module: parameters and their names, initialization, forward, state dicts."""

from __future__ import annotations

import itertools
import math
import random

import micrograd.nn
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, compile, topological_order
from nn import ACTIVATIONS, MLP, SGD, Layer, Module, Neuron


def test_micrograd_mlp_has_337_parameters() -> None:
    assert len(MLP(2, [16, 16, 1]).parameters()) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1


@given(
    nin=st.integers(1, 5),
    nouts=st.lists(st.integers(1, 5), min_size=1, max_size=4),
)
def test_parameter_count_and_names_follow_the_layer_sizes(
    nin: int, nouts: list[int]
) -> None:
    model = MLP(nin, nouts, seed=0)
    sizes = [nin, *nouts]
    expected = sum((a + 1) * b for a, b in itertools.pairwise(sizes))
    names = [name for name, _ in model.named_parameters()]
    assert len(names) == len(set(names)) == expected


def test_names_are_dotted_paths_in_definition_order() -> None:
    names = [name for name, _ in MLP(2, [3, 1]).named_parameters()]
    assert names[:4] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert names[-1] == "layers.1.neurons.0.b"


def test_construction_labels_every_parameter_with_its_name() -> None:
    model = MLP(2, [4, 1])
    assert all(p.label == name for name, p in model.named_parameters())
    assert model.layers[0].neurons[3].w[1].label == "layers.0.neurons.3.w.1"


def test_a_users_module_labels_nested_parameters_with_the_full_path() -> None:
    class Pair(Module):
        def __init__(self) -> None:
            self.encoder = Layer(2, 2)
            self.scale = Value(1.0)
            self._cache = [Value(0.0)]

    pair = Pair()
    assert [p.label for p in pair.parameters()][-1] == "scale"
    assert pair.encoder.neurons[1].b.label == "encoder.neurons.1.b"
    assert pair._cache[0].label == ""


def test_a_shared_parameter_is_listed_once() -> None:
    class Tied(Module):
        def __init__(self) -> None:
            self.a = Value(1.0)
            self.b = [self.a, Value(2.0)]

    assert [name for name, _ in Tied().named_parameters()] == ["a", "b.1"]


def test_same_seed_gives_the_same_weights() -> None:
    assert MLP(3, [4, 2], seed=7).state_dict() == MLP(3, [4, 2], seed=7).state_dict()


def test_different_seeds_give_different_weights() -> None:
    assert MLP(3, [4, 2], seed=7).state_dict() != MLP(3, [4, 2], seed=8).state_dict()


def test_a_random_generator_is_used_as_the_seed() -> None:
    a = MLP(2, [3], seed=random.Random(5)).state_dict()
    assert a == MLP(2, [3], seed=random.Random(5)).state_dict()


def test_without_a_seed_the_global_random_state_decides() -> None:
    random.seed(11)
    a = MLP(2, [3]).state_dict()
    random.seed(11)
    assert MLP(2, [3]).state_dict() == a


def test_random_seed_gives_micrograds_weights_and_random_state() -> None:
    random.seed(1337)
    theirs = [p.data for p in micrograd.nn.MLP(2, [16, 16, 1]).parameters()]
    their_next = random.random()
    random.seed(1337)
    ours = [p.data for p in MLP(2, [16, 16, 1]).parameters()]
    assert ours == theirs
    assert random.random() == their_next


@given(
    seed=st.integers(0, 2**64),
    nin=st.integers(1, 4),
    nouts=st.lists(st.integers(1, 4), min_size=1, max_size=3),
)
def test_an_int_seed_gives_micrograds_weights_after_random_seed_of_it(
    seed: int, nin: int, nouts: list[int]
) -> None:
    random.seed(seed)
    theirs = [p.data for p in micrograd.nn.MLP(nin, nouts).parameters()]
    assert [p.data for p in MLP(nin, nouts, seed=seed).parameters()] == theirs


def test_default_init_is_uniform_in_minus_one_one_with_zero_biases() -> None:
    model = MLP(4, [32, 32], seed=0)
    weights = [p.data for name, p in model.named_parameters() if ".w." in name]
    biases = [p.data for name, p in model.named_parameters() if name.endswith(".b")]
    assert all(-1.0 <= w <= 1.0 for w in weights)
    assert max(weights) > 0.9 and min(weights) < -0.9
    assert biases == [0.0] * 64


def test_xavier_init_is_bounded_by_the_glorot_limit() -> None:
    layer = Layer(50, 10, init="xavier", seed=0)
    bound = math.sqrt(6.0 / 60)
    weights = [w.data for n in layer.neurons for w in n.w]
    assert all(abs(w) <= bound for w in weights)
    assert max(abs(w) for w in weights) > 0.9 * bound


def test_he_init_has_the_he_standard_deviation() -> None:
    layer = Layer(50, 40, init="he", seed=0)
    weights = [w.data for n in layer.neurons for w in n.w]
    std = math.sqrt(sum(w * w for w in weights) / len(weights))
    assert abs(std - math.sqrt(2.0 / 50)) < 0.02


def test_neuron_computes_activation_of_w_dot_x_plus_b() -> None:
    n = Neuron(2, "tanh", seed=0)
    n.w[0].data, n.w[1].data, n.b.data = 0.5, -1.0, 0.25
    assert n([2.0, 3.0]).data == math.tanh(0.5 * 2 - 3 + 0.25)


def test_numbers_given_to_a_neuron_stay_constants_not_nodes() -> None:
    out = Neuron(3, "relu", seed=0)([1.0, 2.0, 3.0])
    # 4 parameters, 3 products, 3 sums, 1 relu: no node for any input.
    assert len(topological_order(out)) == 4 + 3 + 3 + 1


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_name_is_applied(name: str) -> None:
    n = Neuron(1, name, seed=0)
    n.w[0].data = 1.0
    fn = ACTIVATIONS[name]
    expected = -0.5 if fn is None else fn(Value(-0.5)).data
    assert n([-0.5]).data == expected


def test_mlp_hidden_layers_use_the_activation_and_the_last_is_linear() -> None:
    model = MLP(2, [3, 3, 2], activation="tanh")
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", "linear"]


def test_output_activation_changes_only_the_last_layer() -> None:
    model = MLP(2, [3, 1], output_activation="sigmoid")
    assert [layer.activation for layer in model.layers] == ["relu", "sigmoid"]


def test_micrograd_nonlin_flag_is_accepted() -> None:
    assert Neuron(2, nonlin=False).activation == "linear"
    assert Neuron(2, nonlin=True).activation == "relu"
    assert Layer(2, 2, nonlin=False).activation == "linear"
    assert [la.activation for la in MLP(2, [3, 1], nonlin=False).layers] == [
        "linear",
        "linear",
    ]


def test_activation_and_nonlin_together_are_refused() -> None:
    with pytest.raises(ValueError, match="either activation= or nonlin="):
        Neuron(2, "tanh", nonlin=True)


def test_mlp_with_one_output_returns_a_value() -> None:
    assert isinstance(MLP(2, [3, 1])([1.0, 2.0]), Value)


def test_mlp_with_several_outputs_returns_a_list() -> None:
    out = MLP(2, [3, 2])([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2


def test_a_layer_of_one_neuron_returns_a_list_like_any_layer() -> None:
    out = Layer(2, 1)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 1


def test_mlp_gradient_matches_finite_differences() -> None:
    model = MLP(2, [4, 1], activation="tanh", seed=3)
    x = [0.3, -0.7]
    out = model(x)
    assert isinstance(out, Value)
    out.backward()
    h = 1e-6
    for p in model.parameters():
        old = p.data
        p.data = old + h
        up = model(x)
        p.data = old - h
        down = model(x)
        p.data = old
        assert isinstance(up, Value) and isinstance(down, Value)
        assert abs((up.data - down.data) / (2 * h) - p.grad) < 1e-6


def test_zero_grad_resets_every_parameter() -> None:
    model = MLP(2, [3, 1], seed=0)
    out = model([1.0, 1.0])
    assert isinstance(out, Value)
    out.backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: Neuron(0), ValueError, "nin"),
        (lambda: Neuron(-2), ValueError, "nin"),
        (lambda: Neuron(True), TypeError, "nin"),
        (lambda: Neuron(2.0), TypeError, "nin"),
        (lambda: Layer(2, 0), ValueError, "nout"),
        (lambda: MLP(2, [16, 0, 1]), ValueError, r"nouts\[1\]"),
        (lambda: MLP(2, 16), TypeError, "nouts"),
        (lambda: MLP(2, "16"), TypeError, "nouts"),
        (lambda: MLP(2, []), ValueError, "nouts"),
        (lambda: Neuron(2, "swish"), ValueError, "unknown activation 'swish'"),
        (lambda: Neuron(2, 3), TypeError, "activation"),
        (lambda: MLP(2, [1], output_activation="soft"), ValueError, "activation"),
        (lambda: Neuron(2, nonlin=1), TypeError, "nonlin"),
        (lambda: Neuron(2, init="glorot"), ValueError, "unknown init"),
        (lambda: Neuron(2, seed=1.5), TypeError, "seed"),
        (lambda: Neuron(2, seed=True), TypeError, "seed"),
    ],
)
def test_bad_constructor_arguments_are_named_in_the_error(
    make: object, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        make()  # type: ignore[operator]


def test_calling_with_the_wrong_number_of_inputs_is_an_error() -> None:
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        MLP(2, [3, 1])([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="expects 2 inputs, got 1"):
        Neuron(2)([1.0])


def test_state_dict_round_trips_through_load_state_dict() -> None:
    source, target = MLP(2, [3, 1], seed=1), MLP(2, [3, 1], seed=2)
    target.load_state_dict(source.state_dict())
    assert target.state_dict() == source.state_dict()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda s: s.pop("layers.1.neurons.0.b"), ValueError),
        (lambda s: s.update({"layers.2.neurons.0.b": 1.0}), ValueError),
        (lambda s: s.update({"layers.0.neurons.0.b": True}), TypeError),
        (lambda s: s.update({"layers.0.neurons.0.b": "1.0"}), TypeError),
        (lambda s: s.update({"layers.0.neurons.0.b": math.nan}), ValueError),
        (lambda s: s.update({"layers.1.neurons.0.b": math.inf}), ValueError),
    ],
)
def test_a_bad_state_dict_is_refused_and_changes_nothing(
    change: object, error: type[Exception]
) -> None:
    model = MLP(2, [3, 1], seed=1)
    before = model.state_dict()
    state: dict[str, object] = dict(MLP(2, [3, 1], seed=2).state_dict())
    change(state)  # type: ignore[operator]
    with pytest.raises(error):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_reprs_read_like_the_constructor() -> None:
    assert repr(MLP(2, [16, 16, 1])) == "MLP(2, [16, 16, 1], activation='relu')"
    assert repr(Layer(2, 3, "tanh")) == "Layer(2, 3, activation='tanh')"
    assert repr(Neuron(4, nonlin=False)) == "Neuron(4, activation='linear')"


def test_a_module_without_call_says_so() -> None:
    class Empty(Module):
        pass

    with pytest.raises(NotImplementedError, match="Empty"):
        Empty()()
    assert repr(Empty()) == "Empty(parameters=0)"


class Box(Module):
    """A module holding one parameter and whatever `inner` is set to."""

    def __init__(self, x: float = 0.0) -> None:
        self.w = Value(x)
        self.inner: object = None


def test_a_module_that_refers_to_itself_lists_its_parameters_once() -> None:
    box = Box()
    box.inner = [box, box.w, (box,)]
    assert [name for name, _ in box.named_parameters()] == ["w"]
    box.zero_grad()
    box.load_state_dict({"w": 2.0})
    assert box.state_dict() == {"w": 2.0}
    assert repr(box) == "Box(parameters=1)"


def test_a_list_that_holds_itself_is_walked_once() -> None:
    box = Box()
    loop: list[object] = [Value(1.0)]
    loop.append(loop)
    box.inner = loop
    assert [name for name, _ in box.named_parameters()] == ["w", "inner.0"]


def test_modules_nested_five_thousand_deep_need_no_recursion() -> None:
    boxes = [Box(float(i)) for i in range(5000)]
    for outer, inner in itertools.pairwise(boxes):
        outer.inner = inner
    root = boxes[0]
    names = [name for name, _ in root.named_parameters()]
    assert len(names) == 5000 and names[2] == "inner.inner.w"
    root.label_parameters()
    assert boxes[-1].w.label == "inner." * 4999 + "w"
    state = root.state_dict()
    assert list(state.values()) == [float(i) for i in range(5000)]
    root.load_state_dict(state)
    root.zero_grad()
    assert len(root.parameters()) == 5000


def test_lists_nested_five_thousand_deep_need_no_recursion() -> None:
    nest: list[object] = []
    for i in range(5000):
        nest = [Value(float(i)), nest]
    box = Box()
    box.inner = nest
    assert len(box.parameters()) == 5001


def recursive_walk(prefix: str, value: object) -> list[tuple[str, Value]]:
    """The obvious recursive walk (no cycles allowed): the order to keep."""
    if isinstance(value, Value):
        return [(prefix, value)]
    if isinstance(value, Module):
        items = [(k, v) for k, v in vars(value).items() if not k.startswith("_")]
    elif isinstance(value, list | tuple):
        items = [(str(i), v) for i, v in enumerate(value)]
    else:
        return []
    return [
        pair
        for k, v in items
        for pair in recursive_walk(f"{prefix}.{k}" if prefix else k, v)
    ]


@given(
    edges=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 7), st.booleans()), max_size=20
    )
)
def test_the_walk_is_depth_first_in_definition_order_and_survives_cycles(
    edges: list[tuple[int, int, bool]],
) -> None:
    # Eight boxes, each holding a parameter and a list; an edge (a, b, shared)
    # puts box b (or b's parameter, if shared) into box a's list.
    boxes = [Box(float(i)) for i in range(8)]
    for box in boxes:
        box.inner = []
    for a, b, shared in edges:
        item = boxes[b].w if shared else boxes[b]
        boxes[a].inner.append(item)  # type: ignore[attr-defined]
    root = boxes[0]
    walked = list(root.named_parameters())
    # Every parameter reachable from the root, each once, under a name that
    # leads to it.
    reached, todo = {0}, [0]
    while todo:
        a = todo.pop()
        for x, b, shared in edges:
            if x == a and not shared and b not in reached:
                reached.add(b)
                todo.append(b)
    shared_ones = {b for a, b, shared in edges if shared and a in reached}
    assert {id(p) for _, p in walked} == {id(boxes[i].w) for i in reached | shared_ones}
    assert len(walked) == len(reached | shared_ones)
    acyclic = all(b > a for a, b, shared in edges if not shared)
    if acyclic:
        first: dict[int, tuple[str, Value]] = {}
        for name, p in recursive_walk("", root):
            first.setdefault(id(p), (name, p))
        assert walked == list(first.values())


def test_construction_marks_every_parameter_for_the_graph_drawing() -> None:
    model = MLP(2, [3, 1], seed=0)
    assert all(vars(p)["is_parameter"] is True for p in model.parameters())


def test_zero_grad_inside_a_compiled_function_is_refused() -> None:
    """The replay skips f's Python: zero_grad ran on the first call only, so
    later calls piled gradients up (x2, x3 the eager ones) with no error."""
    model = MLP(2, [3, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.1)

    def with_module_zero_grad(x: Value) -> Value:
        model.zero_grad()
        return model([x, 1.0])  # type: ignore[return-value]

    def with_optimizer_zero_grad(x: Value) -> Value:
        optimizer.zero_grad()
        return model([x, 1.0])  # type: ignore[return-value]

    for f in (with_module_zero_grad, with_optimizer_zero_grad):
        with pytest.raises(TypeError, match="zero_grad"):
            compile(f)(Value(0.5))


def test_zero_grad_outside_a_compiled_function_still_works() -> None:
    model = MLP(2, [3, 1], seed=0)
    step = compile(lambda x: model([x, 1.0]))
    grads = []
    for _ in range(3):
        model.zero_grad()
        step(Value(0.5))
        grads.append(model.parameters()[0].grad)
    assert grads[0] == grads[1] == grads[2] != 0.0
