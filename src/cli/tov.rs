//! `ferrax tov --input IN.json --output OUT.json`: mass, radius and tidal
//! deformability of neutron stars for one EOS.
//!
//! IN.json: `eos` is either `{"kind": "table", "n_fm3": [...],
//! "p_MeV_fm3": [...], "e_MeV_fm3": [...]}` or `{"kind": "metamodel_cse" |
//! "metamodel" | "polytrope" | "piecewise_polytrope" | "spectral",
//! "params": {...}}` with jester's parameter names (metamodel: `E_sat` …
//! `Z_sym`, optional `nmax_nsat`; CSE: plus `nbreak`, `n_CSE_i_u`,
//! `cs2_CSE_i`; polytrope: `K`, `Gamma` in code units G = c = M☉ = 1;
//! piecewise: `logp1_dyn_cm2`, `Gamma1..3` of Read et al. 2009 on the SLy
//! crust) and optional `"variant": "jester-0.1.1"`. Optional
//! `central_pressures_MeV_fm3` (else the family grid), `rtol`, `atol`.
//! OUT.json: `stars` (`pc_MeV_fm3`, `M_Msun`, `R_km`, `Lambda`) and the
//! summary `M_max`, `R_1p4_km`, `Lambda_1p4`.

use crate::eos::cse::{metamodel_cse_table, CseParams, CseSettings};
use crate::eos::metamodel::{metamodel_table, MetamodelSettings, NuclearParams, Variant};
use crate::eos::polytrope::PiecewisePolytrope;
use crate::eos::units::{MEV_FM3_TO_GEOMETRIC, M_NUCLEON_MEV, NSAT_FM3, SOLAR_MASS_IN_METER};
use crate::eos::{EosTable, TableLookup};
use crate::tov::family::{construct_family, exact_summary, FamilyOptions};
use crate::tov::{solve_star, TovOptions};
use crate::{Error, Result};
use serde_json::{json, Map, Value};
use std::path::Path;

/// Runs the subcommand.
pub fn run(input: &Path, output: &Path) -> Result<()> {
    let text = std::fs::read_to_string(input).map_err(|e| Error::io(input, e))?;
    let cfg: Value = serde_json::from_str(&text).map_err(|e| Error::Input {
        path: input.display().to_string(),
        msg: e.to_string(),
    })?;
    let out = evaluate(&cfg)?;
    let s = serde_json::to_string_pretty(&out).map_err(|e| Error::invalid("output", e.to_string()))?;
    std::fs::write(output, s).map_err(|e| Error::io(output, e))
}

fn num(v: &Value, key: &str) -> Result<Option<f64>> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => x
            .as_f64()
            .filter(|f| f.is_finite())
            .map(Some)
            .ok_or_else(|| Error::invalid(key, "must be a finite number")),
    }
}

fn array(v: &Value, key: &str) -> Result<Option<Vec<f64>>> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, x)| {
                x.as_f64()
                    .ok_or_else(|| Error::invalid(format!("{key}[{i}]"), "must be a number"))
            })
            .collect::<Result<Vec<_>>>()
            .map(Some),
        Some(_) => Err(Error::invalid(key, "must be an array of numbers")),
    }
}

/// Evaluates an input document (see the module docs) into the output one.
pub fn evaluate(cfg: &Value) -> Result<Value> {
    let eos = cfg.get("eos").ok_or_else(|| Error::invalid("eos", "missing"))?;
    let kind = eos
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::invalid("eos.kind", "missing or not a string"))?;
    let params = eos.get("params").cloned().unwrap_or(Value::Object(Map::new()));
    let get = |name: &str| params.get(name).and_then(Value::as_f64);
    let variant = match eos.get("variant").and_then(Value::as_str) {
        None => Variant::Corrected,
        Some("jester-0.1.1") => Variant::Jester011,
        Some(other) => {
            return Err(Error::invalid(
                "eos.variant",
                format!("unknown variant {other:?} (known: \"jester-0.1.1\")"),
            ))
        }
    };
    let mut tov = TovOptions::jester_default();
    if let Some(r) = num(cfg, "rtol")? {
        tov.rtol = r;
    }
    if let Some(a) = num(cfg, "atol")? {
        tov.atol = a;
    }
    let pcs_mev = array(cfg, "central_pressures_MeV_fm3")?;
    let mm = MetamodelSettings {
        variant,
        ..Default::default()
    };
    let table: Option<EosTable<f64>> = match kind {
        "table" => {
            let col = |k: &str| array(eos, k)?.ok_or_else(|| Error::invalid(format!("eos.{k}"), "missing"));
            Some(EosTable::from_nuclear_units(
                &col("n_fm3")?,
                &col("p_MeV_fm3")?,
                &col("e_MeV_fm3")?,
            )?)
        }
        "metamodel_cse" => Some(metamodel_cse_table(
            &CseParams::from_named(get)?,
            &CseSettings {
                metamodel: mm,
                ..Default::default()
            },
        )?),
        "metamodel" => {
            let p = CseParams::from_named(|n| {
                get(n).or(if n == "nbreak" {
                    Some(0.32)
                } else if n == "cs2_CSE_0" {
                    Some(0.0)
                } else {
                    None
                })
            })?;
            let nmax = get("nmax_nsat").unwrap_or(12.0);
            let nuc: NuclearParams<f64> = p.nuclear;
            Some(metamodel_table(&nuc, nmax, &mm)?)
        }
        "polytrope" | "piecewise_polytrope" => None,
        "spectral" => {
            return Err(Error::invalid(
                "eos.kind",
                "the spectral EOS is not implemented yet",
            ))
        }
        other => return Err(Error::invalid("eos.kind", format!("unknown kind {other:?}"))),
    };
    let mut stars = Vec::new();
    let summary;
    if let Some(table) = table {
        let lookup = TableLookup::new(&table);
        let fam_opts = FamilyOptions {
            tov,
            ..Default::default()
        };
        let fam = construct_family(&table, &fam_opts)?;
        let pcs: Vec<f64> = match &pcs_mev {
            Some(p) => p.iter().map(|v| v * MEV_FM3_TO_GEOMETRIC).collect(),
            None => fam.pc_raw.clone(),
        };
        for &pc in &pcs {
            let s = solve_star(&lookup, pc, &tov)?;
            stars.push(json!({"pc_MeV_fm3": pc / MEV_FM3_TO_GEOMETRIC, "M_Msun": s.mass / SOLAR_MASS_IN_METER, "R_km": s.radius / 1e3, "Lambda": s.lambda}));
        }
        summary = json!({"M_max": fam.m_max(), "R_1p4_km": fam.radius_at(1.4), "Lambda_1p4": fam.lambda_at(1.4), "method": "jester-style family (100 stars, linear interpolation in mass)"});
    } else {
        let eos = if kind == "polytrope" {
            PiecewisePolytrope::single(
                get("K").ok_or_else(|| Error::invalid("eos.params.K", "missing"))?,
                get("Gamma").ok_or_else(|| Error::invalid("eos.params.Gamma", "missing"))?,
            )?
        } else {
            let g = |n: &str| get(n).ok_or_else(|| Error::invalid(format!("eos.params.{n}"), "missing"));
            PiecewisePolytrope::read2009(g("logp1_dyn_cm2")?, g("Gamma1")?, g("Gamma2")?, g("Gamma3")?)?
        };
        // Code units: p_code = p_geom L², L = G M☉/c².
        let l2 = SOLAR_MASS_IN_METER * SOLAR_MASS_IN_METER;
        let to_code = |p_mev: f64| p_mev * MEV_FM3_TO_GEOMETRIC * l2;
        // Grid: from rest-mass density 0.75 n_sat m_N to the maximum-mass
        // star (searched up to 1e4 times that pressure).
        let rho_lo = 0.75 * NSAT_FM3 * M_NUCLEON_MEV * MEV_FM3_TO_GEOMETRIC * l2;
        let pc_lo = {
            let i = eos.rho_bounds.partition_point(|&b| b < rho_lo);
            eos.k[i] * rho_lo.powf(eos.gamma[i])
        };
        let pc_hi = pc_lo * 1e4;
        let ex = exact_summary(&eos, pc_lo, pc_hi, 1.4, &tov)?;
        let pcs: Vec<f64> = match &pcs_mev {
            Some(p) => p.iter().map(|&v| to_code(v)).collect(),
            None => (0..100)
                .map(|i| (pc_lo.ln() + (ex.pc_at_m_max.ln() - pc_lo.ln()) * i as f64 / 99.0).exp())
                .collect(),
        };
        for &pc in &pcs {
            let s = solve_star(&eos, pc, &tov)?;
            stars.push(json!({"pc_MeV_fm3": pc / l2 / MEV_FM3_TO_GEOMETRIC, "M_Msun": s.mass, "R_km": s.radius * SOLAR_MASS_IN_METER / 1e3, "Lambda": s.lambda}));
        }
        summary = json!({"M_max": ex.m_max, "R_1p4_km": ex.r_1p4.map(|r| r * SOLAR_MASS_IN_METER / 1e3), "Lambda_1p4": ex.lambda_1p4, "method": "root-found (golden-section M_max, 1.4 Msun star by false position)"});
    }
    let mut out = Map::new();
    out.insert("stars".into(), Value::Array(stars));
    for k in ["M_max", "R_1p4_km", "Lambda_1p4", "method"] {
        out.insert(k.into(), summary[k].clone());
    }
    out.insert("rtol".into(), json!(tov.rtol));
    out.insert("atol".into(), json!(tov.atol));
    Ok(Value::Object(out))
}
