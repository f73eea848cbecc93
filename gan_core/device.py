"""Where the numbers are computed: the device a user asks for (`auto`, `cpu`, `cuda`) and what it computes fast."""
from __future__ import annotations

import torch


def resolve_device(name: str = "auto") -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name not in ("cpu", "cuda") and not name.startswith("cuda:"):
        raise ValueError(f"device={name!r} is not valid; choose auto, cpu or cuda")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError("device='cuda' was asked for but no CUDA GPU is available; use --device cpu or auto")
    return torch.device(name)


def bf16_native(device: torch.device) -> bool:
    """Does this device multiply bfloat16 matrices natively (AVX512-BF16 / AMX on CPUs, Ampere+ GPUs)?"""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False
