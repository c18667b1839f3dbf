"""Sweep files: validation with file, line and field; sizes; overrides; the spec hash.

``broken_sweeps/`` holds one broken file per failure; its first line says what the error must
name: ``# expect: LINE FIELD: MESSAGE`` (``<root>`` when the problem is the file as a whole).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.errors import InputError
from detente.sweep.spec import MAX_POINTS, load_spec, parse_spec, stored_spec

BROKEN = sorted((Path(__file__).parent / "broken_sweeps").glob("*.yaml"))

GOOD = """\
model: ishigami
base: {b: 0.2}
sampler: sobol
points: 64
seed: 3
parameters:
  - {name: x1, bounds: [-3.14, 3.14]}
  - {name: x2, dist: triangular, low: 0, mode: 1, high: 4}
  - {name: x3, values: [-1, 0, 1]}
  - {name: a, dist: lognormal, median: 7.38905609893065, sigma: 0.1}
criteria:
  - {party: US, output: y, min: 1}
  - {input: x3, max: 0}
"""


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_sweep_file_names_line_field_and_problem(path):
    expect = path.read_text().splitlines()[0].removeprefix("# expect: ")
    where, message = expect.split(": ", 1)
    line, field = where.split(" ")
    with pytest.raises(InputError) as info:
        load_spec(path)
    err = info.value
    assert err.file == str(path)
    assert err.line == int(line)
    assert err.field == (None if field == "<root>" else field)
    assert message in err.message


def test_broken_corpus_is_there():
    assert len(BROKEN) >= 15


def test_good_spec_resolves_base_and_counts_points():
    spec = parse_spec(GOOD)
    assert spec.base == {"x1": 0.0, "x2": 0.0, "x3": 0.0, "a": 7.0, "b": 0.2, "sleep_s": 0.0}
    assert spec.n_points == 64 * (4 + 2)
    assert spec.model_copy(update={"second_order": True}).n_points == 64 * (2 * 4 + 2)
    assert spec.names == ("x1", "x2", "x3", "a")


def test_stored_spec_round_trips_with_the_same_hash():
    spec = parse_spec(GOOD)
    again = stored_spec(spec.to_yaml())
    assert again == spec
    assert again.digest() == spec.digest()


def test_hash_ignores_chunk_size_but_not_what_decides_results():
    spec = parse_spec(GOOD)
    assert parse_spec(GOOD, chunk_size=7).digest() == spec.digest()
    assert parse_spec(GOOD, points=128).digest() != spec.digest()
    assert parse_spec(GOOD.replace("seed: 3", "seed: 4")).digest() != spec.digest()
    assert parse_spec(GOOD.replace("b: 0.2", "b: 0.3")).digest() != spec.digest()


def test_points_override_is_validated():
    assert parse_spec(GOOD, points=256).points == 256
    with pytest.raises(InputError, match="power of 2"):
        parse_spec(GOOD, points=100)
    with pytest.raises(InputError, match="more than the limit"):
        parse_spec(GOOD, points=2**24)  # 2**24 * 6 > MAX_POINTS


def test_size_limit_is_just_enforced():
    text = "model: ishigami\nsampler: lhs\nparameters:\n  - {name: x1, bounds: [0, 1]}\n"
    assert parse_spec(text, points=MAX_POINTS).n_points == MAX_POINTS
    with pytest.raises(InputError, match="more than the limit"):
        parse_spec(text, points=MAX_POINTS + 1)


def test_grid_rejects_points():
    text = (
        "model: ishigami\nsampler: grid\npoints: 4\nparameters:\n  - {name: x1, values: [0, 1]}\n"
    )
    with pytest.raises(InputError, match="remove points"):
        parse_spec(text)
