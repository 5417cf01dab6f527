//! ferrax
