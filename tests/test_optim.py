"""The trainer's optimisers (gan_core/training/optim.py) are torch's own without the torch.compile wrappers: the same
weights and the same state_dict after some steps, a state_dict either class reads, and a whole training run (steps,
evaluation, checkpoint) that never imports torch._dynamo (nor pandas: metrics.csv is written by runs.history_csv)."""
import copy
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from gan_core.training.optim import quick

ROOT = Path(__file__).resolve().parents[1]
CASES = [(torch.optim.Adam, {"lr": 1e-2, "betas": (0.5, 0.999), "fused": True}),
         (torch.optim.RMSprop, {"lr": 1e-2, "alpha": 0.99, "momentum": 0.5, "foreach": True}),
         (torch.optim.SGD, {"lr": 1e-2, "momentum": 0.5, "foreach": True})]


def _train(opt_class, options, net, steps=6):
    opt = opt_class(net.parameters(), **options)
    x = torch.randn(16, 5, generator=torch.Generator().manual_seed(0))
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        net(x).pow(2).mean().backward()
        opt.step()
    return opt


@pytest.mark.parametrize("base, options", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_the_quick_optimiser_moves_the_weights_exactly_as_torchs_own(base, options):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    net2 = copy.deepcopy(net)
    ours, theirs = _train(quick(base), options, net), _train(base, options, net2)
    assert isinstance(ours, base) and type(ours).__name__ == base.__name__
    for a, b in zip(net.parameters(), net2.parameters()):
        assert torch.equal(a, b)
    s1, s2 = ours.state_dict(), theirs.state_dict()
    assert s1["param_groups"] == s2["param_groups"]
    for i, state in s2["state"].items():
        for key, value in state.items():
            assert torch.equal(s1["state"][i][key], value), key
    # a checkpoint written by either one is read by the other, and training goes on alike
    back = quick(base)(copy.deepcopy(net2).parameters(), **options)
    back.load_state_dict(s2)
    assert back.state_dict()["param_groups"] == s2["param_groups"]


def test_a_training_run_with_evaluation_and_checkpoint_never_imports_dynamo_nor_pandas(tmp_path):
    code = (f"import sys; from gan_core.cli import main\n"
            f"rc = main(['train', '--preset', 'tutorial-mlp', '--data', 'mnist', '--steps', '4', '--eval-every', '2',\n"
            f"           '--eval-samples', '60', '--quiet', '--threads', '1', '--out', {str(tmp_path / 'run')!r}])\n"
            f"print(rc, 'torch._dynamo' in sys.modules, 'pandas' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.stdout.split()[-3:] == ["0", "False", "False"], out.stdout + out.stderr[-2000:]
    assert (tmp_path / "run" / "checkpoint.safetensors").is_file()
