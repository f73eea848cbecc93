"""The trainer's optimisers: torch's Adam, RMSprop and SGD, without the import of torch._dynamo.

torch.optim wraps `step`, `zero_grad`, `add_param_group`, `state_dict` and `load_state_dict` so that torch.compile
leaves them alone, and the wrapper imports torch._dynamo at its first call: 1-2 s of CPU on a 2-core machine
(3-8 s of wall time when it is busy), about a tenth of an 800-step tutorial run (BENCHMARKS.md, "Speed as users run
it"). The engine never compiles, so these subclasses call the wrapped methods themselves (`inspect.unwrap`): the
same code, the same numbers and the same state_dict as torch's own class (tests/test_optim.py). Where a torch
release lays its methods out otherwise, `quick` returns torch's class unchanged.
"""
from __future__ import annotations

import inspect

import torch
from torch.optim import Optimizer


def _raw(method):
    return inspect.unwrap(method)


def _subclass(base: type[Optimizer]) -> type[Optimizer]:
    step, add_group = _raw(base.step), _raw(Optimizer.add_param_group)
    zero_grad, state_dict, load_state_dict = _raw(Optimizer.zero_grad), _raw(Optimizer.state_dict), _raw(Optimizer.load_state_dict)

    class Quick(base):
        def add_param_group(self, param_group: dict) -> None:
            add_group(self, param_group)

        def zero_grad(self, set_to_none: bool = True) -> None:
            zero_grad(self, set_to_none)

        def state_dict(self) -> dict:
            return state_dict(self)

        def load_state_dict(self, state: dict) -> None:
            load_state_dict(self, state)

        @torch.no_grad()  # what torch's wrapper sets for a non-differentiable optimiser
        def step(self, closure=None):
            return step(self, closure)

    Quick.__name__ = Quick.__qualname__ = base.__name__  # the profiler's and the error messages' name stay torch's
    return Quick


def quick(base: type[Optimizer]) -> type[Optimizer]:
    """`base` (torch.optim.Adam, RMSprop or SGD) as a subclass whose methods skip the torch.compile wrappers."""
    if base not in _QUICK:
        try:
            _QUICK[base] = _subclass(base)
        except AttributeError:
            _QUICK[base] = base
    return _QUICK[base]


_QUICK: dict[type, type] = {}
