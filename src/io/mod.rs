//! File input/output shared by all modules: `.npy` arrays, atomic writes,
//! HDF5 reading and the output folders of long runs.

pub mod atomic;
pub mod hdf5;
pub mod npy;
pub mod run_dir;

pub use atomic::{write_atomic, AtomicWriteError};
pub use npy::{read_npy, read_npy_bytes, write_npy, write_npy_bytes, NpyArray, NpyError};
