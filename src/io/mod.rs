//! File input/output shared by all modules: `.npy` arrays and atomic writes.

pub mod atomic;
pub mod hdf5;
pub mod npy;

pub use atomic::{write_atomic, AtomicWriteError};
pub use npy::{read_npy, read_npy_bytes, write_npy, write_npy_bytes, NpyArray, NpyError};
