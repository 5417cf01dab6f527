//! `ferrax waveform --input REF.json --output OUT.json`: evaluates the
//! approximant named in a waveform reference file on each case's
//! parameters and frequencies and writes the same structure with ferrax's
//! `hp_real`, `hp_imag`, `hc_real`, `hc_imag`.

use std::path::PathBuf;

use crate::gw::reference_io::{num_array, waveform_params};
use crate::gw::waveforms::{generate, Approximant};
use crate::{Error, Result};
use serde_json::{json, Value};

/// Arguments of `ferrax waveform`.
#[derive(clap::Args, Debug)]
pub struct WaveformArgs {
    /// Input file in the waveform reference format.
    #[arg(long)]
    pub input: PathBuf,
    /// Output JSON file.
    #[arg(long)]
    pub output: PathBuf,
}

/// Reads a JSON file, naming it in errors.
pub fn read_json(path: &std::path::Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::Input {
        path: path.display().to_string(),
        msg: e.to_string(),
    })
}

/// Writes a JSON value to a file.
pub fn write_json(path: &std::path::Path, v: &Value) -> Result<()> {
    let text = serde_json::to_string(v).map_err(|e| Error::Input {
        path: path.display().to_string(),
        msg: e.to_string(),
    })?;
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

/// Runs the subcommand.
pub fn run(args: &WaveformArgs) -> Result<()> {
    let input = read_json(&args.input)?;
    let path = args.input.display().to_string();
    let ctx = |msg: String| Error::Input {
        path: path.clone(),
        msg,
    };
    let approx_name = input
        .get("approximant")
        .and_then(Value::as_str)
        .ok_or_else(|| ctx("missing key \"approximant\"".into()))?;
    let approx: Approximant = approx_name
        .parse()
        .map_err(|e: crate::gw::GwError| ctx(e.to_string()))?;
    let cases = input
        .get("cases")
        .and_then(Value::as_array)
        .ok_or_else(|| ctx("missing array \"cases\"".into()))?;
    let mut out_cases = Vec::with_capacity(cases.len());
    for (i, c) in cases.iter().enumerate() {
        let id = c.get("case_id").cloned().unwrap_or(json!(i));
        let where_ = |e: crate::gw::GwError| ctx(format!("cases[{i}]: {e}"));
        let params = c
            .get("params")
            .ok_or_else(|| ctx(format!("cases[{i}]: missing \"params\"")))?;
        let p = waveform_params(params).map_err(where_)?;
        let freqs = num_array(c, "frequencies").map_err(where_)?;
        let h = generate(approx, &p, &freqs).map_err(where_)?;
        out_cases.push(json!({
            "case_id": id,
            "params": params,
            "frequencies": freqs,
            "hp_real": h.hp_re,
            "hp_imag": h.hp_im,
            "hc_real": h.hc_re,
            "hc_imag": h.hc_im,
        }));
    }
    write_json(
        &args.output,
        &json!({
            "approximant": approx_name,
            "generator": format!("ferrax {}", env!("CARGO_PKG_VERSION")),
            "cases": out_cases,
        }),
    )
}
