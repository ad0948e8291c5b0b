"""Smoke tests for demos/names_gpt.py: it trains a little, invents names, draws."""

from __future__ import annotations

import importlib
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import matplotlib.image
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def names_gpt(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The demo module (it imports its sibling _common and benchmarks/gpt.py)."""
    monkeypatch.syspath_prepend(str(ROOT / "demos"))
    return importlib.import_module("names_gpt")


def test_a_short_run_learns_invents_names_and_draws_them(
    names_gpt: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = names_gpt.main(["--steps", "25", "--samples", "4", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    invented = out.split("Names it invented:\n")[1].splitlines()[:4]
    assert all(line.startswith("  ") and line.strip().isalpha() for line in invented)
    # From a uniform guess over 27 tokens (ln 27 = 3.30) down, even in 25 steps.
    assert result.loss < math.log(27) - 0.2
    assert result.accuracy is None and result.steps == 25
    assert result.figure == tmp_path / "names_gpt.png"
    assert result.figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width, _ = matplotlib.image.imread(result.figure).shape
    assert height > 400 and width > 600


def test_the_same_seed_invents_the_same_names(
    names_gpt: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = []
    for _ in range(2):
        names_gpt.main(["--steps", "3", "--seed", "5", "--out", str(tmp_path)])
        runs.append(capsys.readouterr().out.split("Names it invented:\n")[1])
    assert runs[0].splitlines()[:10] == runs[1].splitlines()[:10]


def test_moving_average_means_the_last_n_values(names_gpt: Any) -> None:
    assert names_gpt.moving_average([1.0, 3.0, 5.0, 7.0], n=2) == [1.0, 2.0, 4.0, 6.0]


def test_the_names_list_ships_with_its_licence() -> None:
    names = (ROOT / "demos" / "data" / "names.txt").read_text().splitlines()
    assert len(names) > 5000 and names == sorted(set(names))
    assert all(name.isalpha() and name.islower() for name in names)
    readme = (ROOT / "demos" / "data" / "README.md").read_text()
    assert "Public domain" in readme and "1990" in readme


def test_a_temperature_of_zero_is_a_usage_error(names_gpt: Any) -> None:
    with pytest.raises(SystemExit) as exit_info:
        names_gpt.main(["--temperature", "0"])
    assert exit_info.value.code == 2


def test_the_demo_explains_its_options() -> None:
    done = subprocess.run(
        [sys.executable, "demos/names_gpt.py", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for option in ("--steps", "--seed", "--out", "--temperature", "--samples"):
        assert option in done.stdout


def attention_figure(names_gpt: Any, steps: int) -> Any:
    """The demo's figure for `steps` losses and an evenly spread attention."""
    gpt = names_gpt.gpt
    tokenizer = gpt.Tokenizer(gpt.load_names())
    tokens = tokenizer.encode("emmanuela")
    attention = [
        [[1.0 / (q + 1)] * (q + 1) for _ in range(gpt.N_HEAD)]
        for q in range(len(tokens) - 1)
    ]
    fig = names_gpt.draw([3.3] * steps, tokens, attention, tokenizer)
    fig.canvas.draw()
    return fig


@pytest.mark.parametrize(
    ("steps", "label"), [(10, "mean so far"), (200, "mean of the last 50")]
)
def test_the_loss_legend_says_what_the_smooth_curve_averages(
    names_gpt: Any, steps: int, label: str
) -> None:
    fig = attention_figure(names_gpt, steps)
    legend = fig.subfigs[0].axes[0].get_legend()
    assert label in [t.get_text() for t in legend.get_texts()]
    names_gpt.pyplot().close(fig)


def test_the_heat_maps_sit_right_under_their_title(names_gpt: Any) -> None:
    fig = attention_figure(names_gpt, 10)
    renderer = fig.canvas.get_renderer()
    bottom = fig.subfigs[1]
    title = bottom._suptitle.get_window_extent(renderer)
    heat_map = bottom.axes[0].get_tightbbox(renderer)
    assert (title.y0 - heat_map.y1) / fig.bbox.height < 0.05
    names_gpt.pyplot().close(fig)
