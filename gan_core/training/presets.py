"""Named starting configurations: partial configs merged over the defaults, then over by explicit options.

A preset is where a tuned combination lives (network, optimiser, schedule, variant and budget together); a
variant stays an objective plus stabilisers. `steps_for` gives the default step budget per data set where one
budget does not fit all (the classroom preset needs 24,000 steps on grid25, 5,000 on ring8), and `for_data` the
settings that differ on one data set (on grid25 the classroom preset's D also sees each batch's spread).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Preset:
    name: str
    about: str
    config: dict
    steps_for: dict = field(default_factory=dict)  # data name -> default step budget ("*": any other data)
    for_data: dict = field(default_factory=dict)  # data name -> partial config merged over `config` on that data

    def steps(self, data: str) -> int | None:
        return self.steps_for.get(data, self.steps_for.get("*"))


_ADAM_2E4 = {"optimizer": "adam", "lr_g": 2e-4, "lr_d": 2e-4, "beta1_g": 0.5, "beta2_g": 0.999,
             "beta1_d": 0.5, "beta2_d": 0.999, "batch_size": 64}

_STYLE = {"data": {"name": "mnist"},
          "model": {"kind": "style", "z_dim": 64, "width": 32, "noise": "normal", "mapping_layers": 4, "style_mixing": 0.9},
          "optim": {"optimizer": "adam", "lr_g": 2e-3, "lr_d": 2e-3, "beta1_g": 0.0, "beta2_g": 0.99, "beta1_d": 0.0,
                    "beta2_d": 0.99, "batch_size": 32},
          "variant": "ns+r1+mbstd+ema", "variant_options": {"r1_gamma": 10.0, "r1_every": 16, "ema": 0.998}}


def merge(base: dict, extra: dict) -> dict:
    """Nested dict merge: sections (data/model/optim/variant_options) are merged key by key."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


PRESETS: dict[str, Preset] = {p.name: p for p in [
    Preset("classroom",
           "The app's default on 2D data: a non-saturating GAN whose D sees pairs of samples (PacGAN-2), sampling "
           "from a moving average of G's weights (decay 0.995), both learning rates 0.002 decayed linearly to 1% by "
           "the last step, batch 512, on the default network (G 4 x 64, z 64). All 8 ring8 modes within seconds "
           "on a 2-core CPU. On grid25 D also sees how spread each batch is (minibatch std, `mbstd`), which keeps "
           "the 25 modes evenly filled: all 25, sharp and even, within about 20 s, in a budget of 24,000 steps "
           "(BENCHMARKS.md, \"The classroom recipe\").",
           {"variant": "ns+pacgan-2+ema", "variant_options": {"ema": 0.995},
            "optim": {"lr_g": 2e-3, "lr_d": 2e-3, "lr_decay": 0.99, "batch_growth": 1}},
           {"grid25": 24_000, "*": 5_000},
           # grid25: without it 4 of 10 seeds ended with modes missing or unevenly filled; on ring8 it finds the 8
           # modes five times later (BENCHMARKS.md, "Minibatch std on grid25")
           {"grid25": {"variant": "ns+pacgan-2+ema+mbstd"}}),
    # The Unrolled-GAN / VEEGAN reference setup for 2D mixtures: the arena's published-protocol tables (`--preset
    # unrolled-2d`); its default on 2D data is collapse-ttur.
    Preset("unrolled-2d",
           "The Unrolled-GAN / VEEGAN reference networks for 2D mixtures (G and D 2 x 128 tanh, z 256, Adam 1e-3 / "
           "1e-4, batch 512), trained as a plain GAN: the networks only, without unrolling (add 'unrolled' under "
           "Stabilisers, or --variant ns+unrolled-5, for the Unrolled GAN itself). The arena runs the published "
           "protocol on them (`--preset unrolled-2d`).",
           {"model": {"kind": "mlp", "g_hidden": [128, 128], "d_hidden": [128, 128], "activation": "tanh", "z_dim": 256},
            "optim": {"optimizer": "adam", "lr_g": 1e-3, "lr_d": 1e-4, "beta1_g": 0.5, "beta1_d": 0.5, "batch_size": 512}}),
    # The Unrolled GAN paper's own 2D experiment, as its code publishes it (Metz et al. 2016, fig. 1): the plain GAN
    # that hops from mode to mode. BENCHMARKS.md, "Mode collapse you can show", reports what it does here.
    Preset("collapse-metz2016",
           "Mode collapse as the Unrolled GAN paper (Metz et al. 2016, fig. 1) shows it: its published 2D setup "
           "(G 2 x 128 ReLU, D 1 x 128 ReLU seeing its input divided by 4, orthogonal init with gain 0.8, 256-d "
           "normal noise, Adam 1e-4 for both with beta1 0.5, batch 512, the saddle-point objective `vanilla`). "
           "Watch the occupancy view: the generator's samples sit on one mode at a time and jump from mode to mode.",
           {"model": {"kind": "mlp", "g_hidden": [128, 128], "d_hidden": [128], "activation": "relu", "z_dim": 256,
                      "noise": "normal", "init": "orthogonal", "init_gain": 0.8, "d_input_scale": 0.25},
            "optim": {"optimizer": "adam", "lr_g": 1e-4, "lr_d": 1e-4, "beta1_g": 0.5, "beta2_g": 0.999,
                      "beta1_d": 0.5, "beta2_d": 0.999, "batch_size": 512, "lr_decay": 0.0, "batch_growth": 1},
            "variant": "vanilla", "variant_options": {}, "eval_every": 500},
           {"*": 10_000}),
    # PacGAN's own 2D experiment (Lin et al. 2018, section 5, Table 1; the protocol notes' "Reference architectures"),
    # as bench/pacgan_2d_loop.py runs it bare: its grid25 contrast (GAN 17-18 modes, PacGAN2 24-25 at 20,000
    # iterations here; published 17.3 and 23.8) is what this preset shows in the trainer. D sees 100 inputs per
    # step whatever the packing (`pack_batch`: 100 x m samples), as the paper. Departure: 20,000 iterations, not
    # 400,000.
    Preset("collapse-pacgan2018",
           "Mode collapse as the PacGAN paper (Lin et al. 2018, Table 1) shows it on grid25: its published 2D setup "
           "(G 4 x 400 with batch norm and ReLU on 2-d normal noise, D 3 x 200 maxout units of 5 pieces, Adam 1e-4 "
           "with beta1 0.8 for both, the non-saturating loss, 100 inputs to D per step: 100 x m samples with "
           "packing m). In 20,000 iterations (8-10 minutes a run on "
           "one core) the plain GAN covered 16 of the 25 modes and packing (`ns+pacgan-2`) 24, as published "
           "(17.3 and 23.8); shipped as pretrained/arena-grid25-pacgan2018 (BENCHMARKS.md, \"PacGAN's own 2D "
           "setup\").",
           {"model": {"kind": "mlp", "g_hidden": [400, 400, 400, 400], "d_hidden": [200, 200, 200],
                      "activation": "relu", "z_dim": 2, "noise": "normal", "init": "default", "init_gain": 1.0,
                      "d_input_scale": 1.0, "g_batch_norm": True, "d_maxout": 5},
            "optim": {"optimizer": "adam", "lr_g": 1e-4, "lr_d": 1e-4, "beta1_g": 0.8, "beta2_g": 0.999,
                      "beta1_d": 0.8, "beta2_d": 0.999, "batch_size": 100, "pack_batch": True, "lr_decay": 0.0,
                      "batch_growth": 1},
            "data": {"name": "grid25"}, "variant": "ns", "variant_options": {}, "eval_every": 1000},
           {"*": 20_000}),
    # The sharp collapse of VEEGAN's table (plain GAN: 1 mode, 99% HQ) within two minutes: the Unrolled GAN notebook's
    # networks (poolio/unrolled_gan: G and D 2 x 128, z 256, batch 512, Adam beta1 0.5) with ReLU and PyTorch's
    # default init, D learning 4x faster than G (the `ttur` ratio, Heusel et al. 2017). No published setup
    # tried gave a sharp collapse within minutes (BENCHMARKS.md, "A sharp collapse").
    Preset("collapse-ttur",
           "A sharp mode collapse within two minutes: the Unrolled GAN notebook's networks (G and D 2 x 128, here "
           "with ReLU, 256-d normal noise, batch 512, Adam beta1 0.5) with D learning 4x faster than G (2e-3 "
           "against 5e-4, the two time-scale ratio of TTUR, Heusel et al. 2017). The plain GANs `ns` and "
           "`vanilla` put nearly all their samples on a few modes, often hopping between them: `ns` with sharp "
           "samples in 9 runs of 10 (VEEGAN's picture of a plain GAN), `vanilla` in 6, loose in the others; "
           "spectral normalisation (`ns+sn`) keeps all 8 modes with most samples sharp in 10 runs of 10, the R1 "
           "penalty (`ns+r1`) in 8.",
           {"model": {"kind": "mlp", "g_hidden": [128, 128], "d_hidden": [128, 128], "activation": "relu",
                      "z_dim": 256, "noise": "normal", "init": "default", "init_gain": 1.0, "d_input_scale": 1.0},
            "optim": {"optimizer": "adam", "lr_g": 5e-4, "lr_d": 2e-3, "beta1_g": 0.5, "beta2_g": 0.999,
                      "beta1_d": 0.5, "beta2_d": 0.999, "batch_size": 512, "lr_decay": 0.0, "batch_growth": 1},
            "variant": "ns", "variant_options": {}, "eval_every": 500},
           {"*": 12_000}),
    Preset("tutorial-mlp",
           "The tutorial's MLP GAN, exactly as a class reads it: G 100-256-512-1024-784, D mirrored, BCE "
           "(non-saturating), Adam 2e-4, batch 64, on MNIST.",
           {"data": {"name": "mnist"},
            "model": {"kind": "mlp", "g_hidden": [256, 512, 1024], "d_hidden": [1024, 512, 256],
                      "activation": "leaky_relu", "z_dim": 100, "noise": "normal"},
            "optim": _ADAM_2E4, "variant": "ns", "precision": "auto"}),
    Preset("dcgan",
           "DCGAN for 28x28 images (Radford et al. 2016 settings: Adam 2e-4, beta1 0.5, batch 64; width 32).",
           {"data": {"name": "mnist"}, "model": {"kind": "dcgan", "z_dim": 100, "width": 32, "noise": "normal"},
            "optim": _ADAM_2E4, "variant": "ns", "precision": "auto"}),
    # The style-based generator (models/style.py) at a size a 2-core CPU trains in minutes: StyleGAN2's optimiser
    # (Adam 0.002, betas (0, 0.99)), non-saturating loss with lazy R1 (every 16 steps), minibatch std, G EMA.
    # R1 gamma 10, not 1: with gamma 1 D ran away on MNIST (D(x) ~0.9, D(G(z)) ~0.1, FID ~900-1000 at 600-2,500
    # steps); with 10 both stay near 0.4-0.7 and the FID falls (BENCHMARKS.md, "Style-based generator").
    Preset("style",
           "Style-based generator for 28x28 images (StyleGAN2 synthesis from a 7x7 constant, mapping network of 4 "
           "layers, z = w = 64, width 32, style mixing 0.9): non-saturating loss with lazy R1 (gamma 10, every 16 "
           "steps), minibatch std in D, G EMA 0.998; Adam 0.002, betas (0, 0.99), batch 32. With R1 gamma 1 D won "
           "and G collapsed on MNIST (BENCHMARKS.md, \"Style-based generator\"); pretrained/mnist-style is this "
           "preset trained for 12,000 steps.",
           _STYLE, {"*": 1_800}),
    Preset("style-grow",
           "The `style` preset with progressive growing: 400 steps at 7x7, then 14x14 and 28x28 each faded in over "
           "400 steps (alpha 0 -> 1) and trained 400 steps stable; the cheap low resolutions buy more steps in the "
           "same time (2,500 against 1,800).",
           merge(_STYLE, {"model": {**_STYLE["model"], "grow": True, "grow_steps": 400}}), {"*": 2_500}),
    Preset("cgan",
           "Conditional DCGAN: the label enters G (embedding + concatenation) and D (projection).",
           {"data": {"name": "mnist"},
            "model": {"kind": "dcgan", "z_dim": 100, "width": 32, "noise": "normal", "conditional": True},
            "optim": _ADAM_2E4, "variant": "ns", "precision": "auto"}),
]}


def preset(name: str) -> Preset:
    if name not in PRESETS:
        # cyclegan is the train command's preset for two-domain pairs (gan_core/cycle_config.py), listed with these
        raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join([*PRESETS, 'cyclegan'])}")
    return PRESETS[name]


def preset_dict(name: str, overrides: dict | None = None, base: dict | None = None) -> dict:
    """A preset's config as a dict: `base` (default: the defaults), then the preset, then its settings for the data
    (`Preset.for_data`), then `overrides` (nested, key by key). A different variant in `overrides` drops the preset's
    variant options (they belong to its variant); a step budget not given follows the data (`Preset.steps_for`)."""
    from gan_core.config import TrainConfig

    p, overrides = preset(name), dict(overrides or {})
    d = merge(base if base is not None else TrainConfig().to_dict(), p.config)
    data = (overrides.get("data") or {}).get("name", d["data"]["name"])
    if data in p.for_data:
        d = merge(d, p.for_data[data])
    if "variant" in overrides and overrides["variant"] != d["variant"]:
        d["variant_options"] = {}
    d = merge(d, overrides)
    if "steps" not in overrides and p.steps(d["data"]["name"]) is not None:
        d["steps"] = p.steps(d["data"]["name"])
    return d


def preset_config(name: str, overrides: dict | None = None):
    """The TrainConfig of a preset (see `preset_dict`)."""
    from gan_core.config import TrainConfig

    return TrainConfig.from_dict(preset_dict(name, overrides))
