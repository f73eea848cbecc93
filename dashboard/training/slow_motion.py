"""Slow motion: the named sub-steps of one training iteration and what a teacher would say at each.

One iteration in slow motion is n_critic times the D sub-steps, then the G sub-steps. Only "update D" and
"update G" change a network; the others name what the trainer does inside that update.
"""
from __future__ import annotations

D_SUBSTEPS: tuple[tuple[str, str], ...] = (
    ("sample noise", "Draw a batch of random noise vectors z, one per fake sample."),
    ("generate fakes", "The generator turns each z into a fake sample G(z); the generator itself does not change in this half."),
    ("score real and fake", "The discriminator scores a batch of real samples and the batch of fakes: D(x) and D(G(z))."),
    ("compute the loss", "D's loss is small when it scores real samples high and fakes low."),
    ("update D", "Backpropagate the loss into D's weights only and take one optimiser step: the heatmap changes."),
)
G_SUBSTEPS: tuple[tuple[str, str], ...] = (
    ("sample noise", "Draw a fresh batch of noise vectors z."),
    ("generate", "The generator turns each z into a fake sample G(z)."),
    ("score fakes", "The discriminator, now frozen, scores the fakes: D(G(z))."),
    ("compute the loss", "G's loss is small when D mistakes its fakes for real data; its gradient says where each fake should move."),
    ("update G", "Backpropagate through D into G's weights only and take one optimiser step: the fakes move along the arrows."),
)


def sequence(n_critic: int) -> list[tuple[str, str, str]]:
    """(phase "D" or "G", sub-step name, sentence) for one iteration."""
    seq = [("D", name, text) for _ in range(n_critic) for name, text in D_SUBSTEPS]
    return seq + [("G", name, text) for name, text in G_SUBSTEPS]
