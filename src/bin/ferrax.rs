//! The `ferrax` binary.
fn main() {
    std::process::exit(ferrax::cli::run());
}
