"""Training: the step-wise trainer and the named presets."""
