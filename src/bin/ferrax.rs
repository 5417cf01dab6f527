//! The `ferrax` binary.

// Many small, short-lived tensors: mimalloc keeps their allocation cheap.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(ferrax::cli::run());
}
