"""The discriminators' history of generated samples (Shrivastava et al. 2017, used by CycleGAN with 50 images).

A discriminator that only ever sees the newest translations can chase the translator round in circles; scoring
it partly on older ones damps that. `HistoryPool.query(fakes)` returns a batch of the same size, going through
the new samples in order: while the pool holds fewer than `size` samples each one is stored and returned; after
that, each is, with probability 1/2, returned as it is, or swapped in for a random stored one, which is returned
instead (the official code's `ImagePool`). All choices come from the caller's torch.Generator, so a run is
reproducible, and the pool is part of the checkpoint (`state()` / `load_state()`).
"""
from __future__ import annotations

import torch


class HistoryPool:
    def __init__(self, size: int):
        self.size = size
        self.items: torch.Tensor | None = None  # (n <= size, *sample_shape), detached

    def __len__(self) -> int:
        return 0 if self.items is None else len(self.items)

    @torch.no_grad()
    def query(self, fakes: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """(B, ...) fakes -> (B, ...) detached: a mix of these and stored older ones."""
        fakes = fakes.detach()
        if self.size == 0:
            return fakes
        coin = torch.rand(len(fakes), generator=generator, device=generator.device).tolist()  # one draw per sample
        slot = torch.randint(0, self.size, (len(fakes),), generator=generator, device=generator.device).tolist()
        # The decisions are made on plain integers first (what each slot holds: ('pool', k) or ('new', i)), so a
        # slot swapped twice in one batch hands on the sample the first swap put there, as the one-by-one loop does.
        n = len(self)
        holds = [("pool", k) for k in range(n)]
        out = [("new", i) for i in range(len(fakes))]
        for i in range(len(fakes)):
            if len(holds) < self.size:
                holds.append(("new", i))
            elif coin[i] > 0.5:
                out[i], holds[slot[i]] = holds[slot[i]], ("new", i)
        both = fakes if self.items is None else torch.cat([self.items, fakes])  # (n + B, ...)
        index = lambda refs: torch.tensor([k if kind == "pool" else n + k for kind, k in refs],  # noqa: E731
                                          device=fakes.device)
        result = both[index(out)]
        self.items = both[index(holds)]
        return result

    def state(self) -> dict:
        return {"items": torch.empty(0) if self.items is None else self.items.cpu()}

    def load_state(self, state: dict, device: torch.device) -> None:
        items = state["items"]
        self.items = None if items.numel() == 0 else items.to(device)
