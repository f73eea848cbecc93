"""Named starting configurations (partial configs merged over the defaults, then over by explicit options)."""
from __future__ import annotations

PRESETS: dict[str, dict] = {
    # The Unrolled-GAN / VEEGAN reference setup for 2D mixtures: what the arena trains every variant on.
    "unrolled-2d": {
        "model": {"kind": "mlp", "g_hidden": [128, 128], "d_hidden": [128, 128], "activation": "tanh", "z_dim": 256},
        "optim": {"optimizer": "adam", "lr_g": 1e-3, "lr_d": 1e-4, "beta1_g": 0.5, "beta1_d": 0.5, "batch_size": 512},
    },
    # The tutorial's MLP GAN, exactly as a class reads it: G 100-256-512-1024-784, D mirrored, BCE, Adam 2e-4.
    "tutorial-mlp": {
        "data": {"name": "mnist"},
        "model": {"kind": "mlp", "g_hidden": [256, 512, 1024], "d_hidden": [1024, 512, 256],
                  "activation": "leaky_relu", "z_dim": 100, "noise": "normal"},
        "optim": {"optimizer": "adam", "lr_g": 2e-4, "lr_d": 2e-4, "beta1_g": 0.5, "beta2_g": 0.999,
                  "beta1_d": 0.5, "beta2_d": 0.999, "batch_size": 64, "n_critic": 1},
        "variant": "ns",
        "precision": "auto",
    },
    # DCGAN for 28x28 images (Radford et al. 2016 settings: Adam 2e-4, beta1 0.5, batch 64).
    "dcgan": {
        "data": {"name": "mnist"},
        "model": {"kind": "dcgan", "z_dim": 100, "width": 32, "noise": "normal"},
        "optim": {"optimizer": "adam", "lr_g": 2e-4, "lr_d": 2e-4, "beta1_g": 0.5, "beta2_g": 0.999,
                  "beta1_d": 0.5, "beta2_d": 0.999, "batch_size": 64, "n_critic": 1},
        "variant": "ns",
        "precision": "auto",
    },
    # Conditional DCGAN: the label enters G (embedding + concatenation) and D (projection).
    "cgan": {
        "data": {"name": "mnist"},
        "model": {"kind": "dcgan", "z_dim": 100, "width": 32, "noise": "normal", "conditional": True},
        "optim": {"optimizer": "adam", "lr_g": 2e-4, "lr_d": 2e-4, "beta1_g": 0.5, "beta2_g": 0.999,
                  "beta1_d": 0.5, "beta2_d": 0.999, "batch_size": 64, "n_critic": 1},
        "variant": "ns",
        "precision": "auto",
    },
}


def merge(base: dict, extra: dict) -> dict:
    """Nested dict merge: sections (data/model/optim) are merged key by key."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "variant_options":
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


def preset(name: str) -> dict:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}")
    return PRESETS[name]


def preset_config(name: str, overrides: dict | None = None):
    """The TrainConfig of a preset: the defaults, then the preset, then `overrides` (nested, merged key by key)."""
    from gan_core.config import TrainConfig

    return TrainConfig.from_dict(merge(merge(TrainConfig().to_dict(), preset(name)), overrides or {}))
