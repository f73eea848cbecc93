import json

import pytest

from gan_core import DataConfig, ModelConfig, OptimConfig, TrainConfig


def test_json_round_trip_is_exact():
    c = TrainConfig(data=DataConfig("points", points=[[0.5, 1.0], [2, 3]]),
                    model=ModelConfig(g_hidden=(64, 32, 16), activation="relu", z_dim=3, noise="uniform"),
                    optim=OptimConfig(optimizer="rmsprop", lr_g=3e-4, batch_size=100), variant="pacgan-2+wgan-gp",
                    variant_options={"gp_lambda": 5.0}, steps=123, seed=7)
    again = TrainConfig.from_dict(json.loads(json.dumps(c.to_dict())))
    assert again == c
    assert json.dumps(again.to_dict()) == json.dumps(c.to_dict())


@pytest.mark.parametrize("make,field,hint", [
    (lambda: DataConfig(name="ring9"), "data.name", "ring8"),
    (lambda: DataConfig(name="points"), "data.points", "CSV"),
    (lambda: OptimConfig(lr_g=-1e-3), "optim.lr_g", "greater than 0"),
    (lambda: OptimConfig(lr_d=0.0), "optim.lr_d", "greater than 0"),
    (lambda: OptimConfig(lr_d=float("nan")), "optim.lr_d", "finite"),
    (lambda: OptimConfig(batch_size=0), "optim.batch_size", "between 1 and 8192"),
    (lambda: OptimConfig(beta1_g=1.0), "optim.beta1_g", "below 1"),
    (lambda: TrainConfig(variant_options={"n_critic": 0}), "variant_options.n_critic", "between 1 and 20"),
    (lambda: OptimConfig(lr_decay=1.0), "optim.lr_decay", "at most 0.999"),
    (lambda: OptimConfig(batch_growth=9), "optim.batch_growth", "between 1 and 8"),
    (lambda: OptimConfig(optimizer="adagrad"), "optim.optimizer", "adam"),
    (lambda: ModelConfig(g_hidden=(128, 0)), "model.g_hidden[1]", "between 1 and 1024"),
    (lambda: ModelConfig(d_hidden=(2000,)), "model.d_hidden[0]", "between 1 and 1024"),
    (lambda: ModelConfig(g_hidden=(8,) * 7), "model.g_hidden", "at most 6"),
    (lambda: ModelConfig(activation="gelu"), "model.activation", "leaky_relu"),
    (lambda: ModelConfig(z_dim=0), "model.z_dim", "between 1 and 1024"),
    (lambda: ModelConfig(noise="cauchy"), "model.noise", "uniform"),
    (lambda: ModelConfig(d_width=2), "model.d_width", "0 (the same as width)"),
    (lambda: TrainConfig(steps=-5), "steps", "between 0 and"),
    (lambda: TrainConfig(variant="wgan-xx"), "wgan-xx", "valid variants"),
    (lambda: TrainConfig(variant="pacgan-3", optim=OptimConfig(batch_size=100)), "batch_size=100", "multiple"),
    (lambda: TrainConfig(model=ModelConfig(kind="dcgan")), "dcgan", "image data"),
    (lambda: TrainConfig.from_dict({"speed": 3}), "speed", "unknown field"),
    (lambda: TrainConfig(variant_options={"gp_lambda": -1.0}), "variant_options.gp_lambda", "at least 0"),
    (lambda: TrainConfig(variant_options={"warp": 1}), "warp", "known options"),
])
def test_bad_values_name_the_field_and_what_is_allowed(make, field, hint):
    with pytest.raises(ValueError) as err:
        make()
    msg = str(err.value)
    assert field in msg and hint in msg, msg


def test_zero_hidden_layers_is_allowed():
    assert ModelConfig(g_hidden=(), d_hidden=()).g_hidden == ()


def test_replace_merges_sections():
    c = TrainConfig().replace(optim={"lr_g": 0.01}, steps=5)
    assert c.optim.lr_g == 0.01 and c.optim.lr_d == TrainConfig().optim.lr_d and c.steps == 5


@pytest.mark.parametrize("points", [[[0.5, 1.0]], [[2, 3], [2, 3], [2.0, 3.0]]])
def test_points_need_two_distinct_points(points):
    with pytest.raises(ValueError, match="at least 2 distinct points"):
        TrainConfig(data=DataConfig("points", points=points))


def test_d_width_weakens_only_the_dcgan_discriminator():
    """The Unrolled GAN paper's Stacked MNIST runs give D 1/4 or 1/2 of G's width; 0 keeps D as wide as G."""
    from gan_core.models.dcgan import DCGANDiscriminator, DCGANGenerator

    def n_params(m):
        return sum(p.numel() for p in m.parameters())

    same = ModelConfig(kind="dcgan", width=32)
    half = ModelConfig(kind="dcgan", width=32, d_width=16)
    shape = (3, 28, 28)
    assert n_params(DCGANGenerator(half, shape)) == n_params(DCGANGenerator(same, shape))
    d_same, d_half = DCGANDiscriminator(same, shape), DCGANDiscriminator(half, shape)
    assert d_half.features[0].out_channels == 16 and d_same.features[0].out_channels == 32
    assert n_params(d_half) < n_params(d_same) / 2.5
