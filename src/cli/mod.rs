//! The `ferrax` command line: one subcommand per module in this folder.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

pub mod tov;

pub mod afterglow;
pub mod compress;
pub mod eos_infer;
pub mod likelihood;
pub mod pe;
pub mod run_folder;
pub mod sample;
pub mod waveform;

/// ferrax: differentiable gravitational-wave and neutron-star inference.
#[derive(Parser, Debug)]
#[command(name = "ferrax", version, about, long_about = None)]
pub struct Cli {
    /// What to run.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print version and build information.
    Info,
    /// Evaluate a waveform model on the cases of a waveform reference file.
    Waveform(waveform::WaveformArgs),
    /// Evaluate the network likelihood at the points of a likelihood reference file.
    Likelihood(likelihood::LikelihoodArgs),
    /// Sample a target spec with MCMC (optionally flow-enhanced) and estimate the evidence.
    Sample(sample::SampleArgs),
    /// Parameter estimation of a binary-black-hole signal, end to end.
    Pe(pe::PeArgs),
    /// GRB afterglow surrogate: train, predict light curves, infer parameters.
    Afterglow(afterglow::AfterglowArgs),
    /// Posterior compression: compress, decompress, inspect.
    #[command(flatten)]
    Compression(compress::CompressionCommand),
    /// Bayesian EOS inference from neutron-star observations (NICER, GW, radio, chiral EFT).
    EosInfer(eos_infer::EosInferArgs),
    /// Neutron-star masses, radii and tidal deformabilities for one EOS.
    Tov {
        /// Input JSON (EOS, optional central pressures and tolerances).
        #[arg(long)]
        input: PathBuf,
        /// Output JSON (stars and family summary).
        #[arg(long)]
        output: PathBuf,
    },
}

/// Parses the command line and runs it; returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    let result: crate::Result<()> = match cli.command {
        None => {
            use clap::CommandFactory;
            let _ = Cli::command().print_help();
            Ok(())
        }
        Some(Command::Info) => {
            println!(
                "ferrax {} (f64 everywhere; autodiff devices: cpu{})",
                env!("CARGO_PKG_VERSION"),
                if cfg!(feature = "cuda") { ", cuda" } else { "" }
            );
            Ok(())
        }
        Some(Command::Waveform(a)) => waveform::run(&a),
        Some(Command::Likelihood(a)) => likelihood::run(&a),
        Some(Command::Sample(args)) => sample::run(&args),
        Some(Command::Pe(a)) => pe::run(&a),
        Some(Command::Compression(c)) => compress::run(&c),
        Some(Command::EosInfer(a)) => eos_infer::run(&a),
        Some(Command::Tov { input, output }) => tov::run(&input, &output),
        Some(Command::Afterglow(a)) => afterglow::run(&a),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}
