"""Property-based tests: the parsers and configs never crash; they accept or refuse with ValueError."""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gan_core.config import ModelConfig, OptimConfig, TrainConfig
from gan_core.data.points import parse_points_csv
from gan_core.uploads import parse_image, parse_image_zip
from gan_core.variants import parse_variant

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.binary(max_size=2000))
def test_points_parser_on_arbitrary_bytes(data):
    try:
        arr = parse_points_csv(data)
    except ValueError as e:
        assert str(e)
        return
    assert arr.ndim == 2 and arr.shape[1] == 2 and np.isfinite(arr).all()


@FAST
@given(st.lists(st.tuples(st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True, allow_infinity=True)),
                min_size=1, max_size=50))
def test_points_parser_round_trips_finite_points(points):
    text = "x,y\n" + "\n".join(f"{x!r},{y!r}" for x, y in points)
    bad = any(not math.isfinite(v) or abs(v) > 1e6 for p in points for v in p)
    bad = bad or len({tuple(p) for p in np.array(points, dtype=np.float32).tolist()}) < 2  # nothing to learn
    if bad:
        with pytest.raises(ValueError):
            parse_points_csv(text)
    else:
        arr = parse_points_csv(text)
        assert np.allclose(arr, np.array(points, dtype=np.float32))


@FAST
@given(st.lists(st.sampled_from(["ns", "vanilla", "wgan", "hinge", "sn", "ema", "r1", "pacgan-2", "pacgan-7",
                                 "unrolled-3", "unrolled-0", "wgan-gp", "foo", "", " NS "]), max_size=4).map("+".join)
       | st.text(max_size=40))
def test_variant_parser_accepts_or_names_the_input_and_what_to_do(name):
    """Any text: a Recipe, or one ValueError that starts with the name as given and says what to do instead."""
    try:
        r = parse_variant(name)
    except ValueError as e:
        msg = str(e)
        assert msg.startswith(f"variant {name!r}"), msg
        assert any(guide in msg for guide in ("valid variants", "needs N between", "pick one", "use ", "give ")), msg
        return
    assert r.objective in ("minimax", "ns", "lsgan", "wasserstein", "hinge")


values = st.one_of(st.integers(-10**9, 10**9), st.floats(allow_nan=True), st.text(max_size=5), st.booleans(), st.none())


@FAST
@given(st.dictionaries(st.sampled_from(["optimizer", "lr_g", "lr_d", "beta1_g", "beta2_d", "batch_size", "lr_decay", "batch_growth"]), values))
def test_optim_config_accepts_or_names_the_field(fields):
    try:
        OptimConfig(**fields)
    except ValueError as e:
        assert any(f"optim.{k}" in str(e) for k in fields), str(e)  # e.g. comparing a string to a number before the type check


@FAST
@given(st.dictionaries(st.sampled_from(["kind", "g_hidden", "activation", "z_dim", "noise", "width"]),
                       st.one_of(values, st.lists(st.integers(-5, 2000), max_size=8))))
def test_model_config_accepts_or_names_the_field(fields):
    try:
        ModelConfig(**fields)
    except ValueError as e:
        assert any(f"model.{k}" in str(e) for k in fields), str(e)


@FAST
@given(st.fixed_dictionaries({}, optional={
    "data": st.one_of(values, st.fixed_dictionaries({}, optional={"name": values, "points": st.one_of(values, st.lists(st.lists(values, max_size=3), max_size=3))})),
    "model": st.one_of(values, st.fixed_dictionaries({}, optional={"g_hidden": st.one_of(values, st.lists(values, max_size=3)), "z_dim": values})),
    "optim": st.one_of(values, st.fixed_dictionaries({}, optional={"lr_g": values, "batch_size": values})),
    "variant": values, "variant_options": st.one_of(values, st.dictionaries(st.sampled_from(["gp_lambda", "pack", "x"]), values)),
    "steps": values, "seed": values, "precision": values}))
def test_config_with_wrong_types_in_known_fields_is_refused_cleanly(obj):
    try:
        TrainConfig.from_dict(obj)
    except ValueError as e:
        assert str(e)


@FAST
@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
                    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(st.text(max_size=8), c, max_size=3)),
                    max_leaves=10))
def test_config_from_arbitrary_json_is_refused_cleanly(obj):
    try:
        TrainConfig.from_dict(obj)
    except ValueError as e:
        assert str(e)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=600))
def test_image_and_zip_parsers_on_junk(data):
    for parser in (parse_image, parse_image_zip):
        try:
            parser(data)
        except ValueError as e:
            assert str(e)
