//! Gradient-based optimizers.
