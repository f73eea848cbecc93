"""Scoring generators: 2D mode metrics, image metrics, the evaluation classifiers and the 2D probes."""
