//! Command-line switches shared by the long runs with an output folder
//! (`ferrax pe`, `ferrax eos-infer`).

/// How a run treats its output folder, and what it prints.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct RunFolderArgs {
    /// Continue the run in OUTDIR from its checkpoint (with its config.toml).
    #[arg(long)]
    pub resume: bool,
    /// Overwrite the outputs of an earlier run in OUTDIR.
    #[arg(long)]
    pub force: bool,
    /// Print the configuration as TOML and exit.
    #[arg(long)]
    pub print_config: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}
