"""`python -m gan_core mix`: style mixing with a saved style generator, written as three aligned .npz files."""
from __future__ import annotations

import argparse
import io

import numpy as np

from gan_core.cli.common import UsageError, add_device_options, check_out_path


def cmd_mix(args: argparse.Namespace) -> int:
    from gan_core.data.pixels import to_uint8
    from gan_core.runs import atomic_write
    from gan_core.style_tools import layers_of, load_style, mix, mix_latents, parse_levels

    folder = check_out_path(args.out)  # base.npz, source.npz and mixed.npz go into it

    if not 1 <= args.n <= 10_000:
        raise UsageError(f"--n={args.n} is out of range; mix between 1 and 10,000 pairs")
    if not 0.0 <= args.psi <= 2.0:
        raise UsageError(f"--psi={args.psi} is out of range; use 0 (the average image) to 2 (1 = no truncation)")
    levels = parse_levels(args.levels)
    g, config = load_style(args.run, args.device)
    zb, zs = mix_latents(args.n, args.seed, config.model.z_dim, config.model.noise)
    dev = g.w_avg.device
    out = {"base": [], "source": [], "mixed": []}
    for i in range(0, args.n, 500):
        for key, img in zip(out, mix(g, zb[i:i + 500].to(dev), zs[i:i + 500].to(dev), layers_of(g, levels), args.psi)):
            out[key].append(to_uint8(img))
    for key, parts in out.items():
        buf = io.BytesIO()
        np.savez_compressed(buf, images=np.concatenate(parts))
        atomic_write(folder / f"{key}.npz", buf.getvalue())
    print(f"wrote base.npz, source.npz and mixed.npz ({args.n} images each) to {folder}: mixed takes the "
          f"{'+'.join(levels)} styles (rows {layers_of(g, levels)} of w+) from source")
    return 0


def register(sub) -> None:
    m = sub.add_parser("mix", help="style mixing with a style model: base, source and mixed images",
                       description="Draw N base and N source images from a style model and N mixed ones: mixed[i] "
                       "takes the styles of the named levels from source[i] and every other style from base[i]. "
                       "Writes base.npz, source.npz and mixed.npz (key 'images', uint8, N x H x W, the same order).")
    m.add_argument("--run", required=True, help="run folder or pretrained/<name> folder of a style model")
    m.add_argument("--n", type=int, default=16, help="how many pairs (1-10,000)")
    m.add_argument("--seed", type=int, default=0, help="seed of the latents (bases: its first N draws, sources: the next N)")
    m.add_argument("--levels", default="coarse", help="which styles come from the source: coarse (7x7), middle "
                   "(14x14), fine (28x28), or several separated by commas")
    m.add_argument("--psi", type=float, default=1.0, help="truncation psi for both latents (1 = none)")
    m.add_argument("--out", required=True, help="folder to write base.npz, source.npz and mixed.npz into")
    add_device_options(m)
    m.set_defaults(func=cmd_mix)
