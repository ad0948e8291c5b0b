"""W5: a character-level GPT over scalars, written once for any scalar engine.

The model of Karpathy's microgpt, in our own code: token and position
embeddings, rmsnorm, one attention layer with 4 heads over a KV cache (the
keys and values of the positions seen so far), an MLP with relu, and a
softmax cross-entropy over the vocabulary at every position; Adam on plain
floats. One name is one training step (23k scalar ops for a 2-letter
name, 54k for 6 letters, 95k for 11).

An `Engine` says how to make a leaf, apply exp/log/relu and read and write a
parameter; everything else is `+ - * / **` on the engine's nodes, so every
engine runs the same math in the same order. `OURS` is ours;
`benchmarks/workloads.py` makes the others; `demos/names_gpt.py` trains the
model with ours.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograd import Value

NAMES = Path(__file__).resolve().parent.parent / "demos" / "data" / "names.txt"
"""The names the model learns from (one a line; see demos/data/README.md)."""

N_EMBD = 16
N_HEAD = 4
BLOCK_SIZE = 16
INIT_STD = 0.08
"""Standard deviation of the Gaussian the weights start from."""


@dataclass(frozen=True)
class Engine:
    """How the model makes and reads nodes with one scalar engine."""

    leaf: Callable[[float], Any]
    exp: Callable[[Any], Any]
    log: Callable[[Any], Any]
    relu: Callable[[Any], Any]
    value: Callable[[Any], float]
    """The float a node holds."""
    grad: Callable[[Any], float]
    """A parameter's gradient as a float (0.0 if it has none)."""
    update: Callable[[Any, float], None]
    """Set a parameter's float and clear its gradient for the next step."""


def read_data(v: Any) -> float:
    """`v.data`: the float of a node of an engine that keeps it there."""
    return float(v.data)


def read_grad(p: Any) -> float:
    """`p.grad`: a parameter's gradient, where the engine keeps it."""
    return float(p.grad)


def write_data(p: Any, x: float) -> None:
    """Set `p.data` to `x` and `p.grad` to 0.0, as a user's training loop does."""
    p.data = x
    p.grad = 0.0


OURS = Engine(Value, Value.exp, Value.log, Value.relu, read_data, read_grad, write_data)
"""Our engine, eager."""


def load_names(path: Path = NAMES) -> list[str]:
    """The names in `path`, one a line, in file order."""
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


class Tokenizer:
    """Characters to token ids and back; one extra token marks a name's ends."""

    def __init__(self, names: Sequence[str]) -> None:
        """The vocabulary is every character of `names`, sorted, then BOS."""
        self.chars = sorted(set("".join(names)))
        self.bos = len(self.chars)
        self.vocab_size = len(self.chars) + 1
        self._ids = {c: i for i, c in enumerate(self.chars)}

    def encode(self, name: str) -> list[int]:
        """BOS, the name's characters, BOS: the model predicts each next one."""
        return [self.bos, *(self._ids[c] for c in name), self.bos]

    def decode(self, tokens: Sequence[int]) -> str:
        """The characters of `tokens`, BOS left out."""
        return "".join(self.chars[t] for t in tokens if t != self.bos)


def linear(x: Sequence[Any], w: Sequence[Sequence[Any]]) -> list[Any]:
    """w @ x: one dot product per row of `w`."""
    return [sum(wi * xi for wi, xi in zip(row, x, strict=True)) for row in w]


def softmax(e: Engine, logits: Sequence[Any]) -> list[Any]:
    """exp(l - max) / sum: probabilities; subtracting the max keeps exp finite."""
    top = max(e.value(v) for v in logits)
    exps = [e.exp(v - top) for v in logits]
    total = sum(exps)
    return [x / total for x in exps]


def rmsnorm(x: Sequence[Any]) -> list[Any]:
    """x scaled to unit root-mean-square (no learned gain)."""
    mean_square = sum(xi * xi for xi in x) / len(x)
    scale = (mean_square + 1e-5) ** -0.5
    return [xi * scale for xi in x]


@dataclass
class Cache:
    """The keys and values of the positions seen so far (and what attention did)."""

    keys: list[list[Any]] = field(default_factory=list)
    values: list[list[Any]] = field(default_factory=list)
    attention: list[list[list[Any]]] | None = None
    """If a list: per position, per head, the weights over positions 0..pos."""


class GPT:
    """One transformer block: embeddings, attention, MLP, logits over the vocabulary."""

    def __init__(self, engine: Engine, vocab_size: int, seed: int = 42) -> None:
        """Weights drawn from N(0, INIT_STD**2) with `random.Random(seed)`."""
        self.engine = engine
        rng = random.Random(seed)

        def matrix(rows: int, cols: int) -> list[list[Any]]:
            return [
                [engine.leaf(rng.gauss(0.0, INIT_STD)) for _ in range(cols)]
                for _ in range(rows)
            ]

        self.wte = matrix(vocab_size, N_EMBD)  # one row per token
        self.wpe = matrix(BLOCK_SIZE, N_EMBD)  # one row per position
        self.wq = matrix(N_EMBD, N_EMBD)
        self.wk = matrix(N_EMBD, N_EMBD)
        self.wv = matrix(N_EMBD, N_EMBD)
        self.wo = matrix(N_EMBD, N_EMBD)
        self.fc1 = matrix(4 * N_EMBD, N_EMBD)
        self.fc2 = matrix(N_EMBD, 4 * N_EMBD)
        self.lm_head = matrix(vocab_size, N_EMBD)

    def parameters(self) -> list[Any]:
        """Every weight once, matrix by matrix, row by row."""
        matrices = [self.wte, self.wpe, self.wq, self.wk, self.wv, self.wo]
        matrices += [self.fc1, self.fc2, self.lm_head]
        return [p for m in matrices for row in m for p in row]

    def __call__(self, token: int, pos: int, cache: Cache) -> list[Any]:
        """Logits for the token after `token` at `pos`; appends to `cache`."""
        x = [t + p for t, p in zip(self.wte[token], self.wpe[pos], strict=True)]
        x = rmsnorm(x)
        x = [a + b for a, b in zip(self.attend(rmsnorm(x), cache), x, strict=True)]
        hidden = [self.engine.relu(h) for h in linear(rmsnorm(x), self.fc1)]
        x = [a + b for a, b in zip(linear(hidden, self.fc2), x, strict=True)]
        return linear(x, self.lm_head)

    def attend(self, x: Sequence[Any], cache: Cache) -> list[Any]:
        """Multi-head attention of position len(cache.keys) over the cache."""
        q = linear(x, self.wq)
        cache.keys.append(linear(x, self.wk))
        cache.values.append(linear(x, self.wv))
        head_dim = N_EMBD // N_HEAD
        out: list[Any] = []
        weights_per_head = []
        for h in range(0, N_EMBD, head_dim):
            qh = q[h : h + head_dim]
            scores = [
                sum(a * b for a, b in zip(qh, k[h : h + head_dim], strict=True))
                / head_dim**0.5
                for k in cache.keys
            ]
            weights = softmax(self.engine, scores)
            weights_per_head.append(weights)
            out += [
                sum(w * v[j] for w, v in zip(weights, cache.values, strict=True))
                for j in range(h, h + head_dim)
            ]
        if cache.attention is not None:
            cache.attention.append(weights_per_head)
        return linear(out, self.wo)

    def loss(self, tokens: Sequence[int]) -> Any:
        """Mean cross-entropy of predicting each next token (BLOCK_SIZE at most)."""
        cache = Cache()
        n = min(BLOCK_SIZE, len(tokens) - 1)
        losses = []
        for pos in range(n):
            probs = softmax(self.engine, self(tokens[pos], pos, cache))
            # Only the target's probability is used: the others stay unused.
            losses.append(-self.engine.log(probs[tokens[pos + 1]]))
        return (1 / n) * sum(losses)

    def sample(
        self, rng: random.Random, bos: int, temperature: float = 0.5
    ) -> tuple[list[int], list[list[list[float]]]]:
        """A new token sequence (BOS first) and its attention weights as floats."""
        cache = Cache(attention=[])
        tokens = [bos]
        for pos in range(BLOCK_SIZE):
            logits = self(tokens[-1], pos, cache)
            probs = softmax(self.engine, [v / temperature for v in logits])
            weights = [self.engine.value(p) for p in probs]
            token = rng.choices(range(len(probs)), weights=weights)[0]
            if token == bos:
                break
            tokens.append(token)
        attention = cache.attention or []
        value = self.engine.value
        return tokens, [[[value(w) for w in h] for h in p] for p in attention]


class Adam:
    """Adam on the parameters' floats (microgpt's betas), gradients cleared after."""

    def __init__(
        self,
        engine: Engine,
        params: Sequence[Any],
        betas: tuple[float, float] = (0.85, 0.99),
        eps: float = 1e-8,
    ) -> None:
        """Moments start at zero."""
        self.engine = engine
        self.params = list(params)
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)
        self.t = 0

    def step(self, lr: float) -> None:
        """One update with learning rate `lr`."""
        e, b1, b2 = self.engine, self.beta1, self.beta2
        self.t += 1
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t  # bias corrections
        for i, p in enumerate(self.params):
            g = e.grad(p)
            self.m[i] = b1 * self.m[i] + (1 - b1) * g
            self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
            step = lr * (self.m[i] / c1) / (math.sqrt(self.v[i] / c2) + self.eps)
            e.update(p, e.value(p) - step)


def lr_at(step: int, steps: int, lr: float = 0.01) -> float:
    """The learning rate decays linearly from `lr` to 0 over `steps` steps."""
    return lr * (1 - step / steps)


def train_step(model: GPT, adam: Adam, tokens: Sequence[int], lr: float) -> float:
    """Forward, backward and an Adam update on one name; the loss before it."""
    loss = model.loss(tokens)
    loss.backward()
    adam.step(lr)
    return model.engine.value(loss)
