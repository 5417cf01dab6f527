//! Waveform parameters, approximant names and input validation.

use crate::gw::{GwError, GwResult};

/// The waveform models ferrax implements.
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approximant {
    /// TaylorF2, 3.5PN point-particle phase with tidal terms.
    TaylorF2,
    /// IMRPhenomD (aligned-spin BBH).
    IMRPhenomD,
    /// IMRPhenomD with NRTidalv2 tidal phase and amplitude.
    IMRPhenomD_NRTidalv2,
    /// IMRPhenomXAS (aligned-spin BBH).
    IMRPhenomXAS,
    /// IMRPhenomPv2 (precessing BBH).
    IMRPhenomPv2,
}

impl std::str::FromStr for Approximant {
    type Err = GwError;
    fn from_str(s: &str) -> GwResult<Self> {
        Ok(match s {
            "TaylorF2" => Self::TaylorF2,
            "IMRPhenomD" => Self::IMRPhenomD,
            "IMRPhenomD_NRTidalv2" => Self::IMRPhenomD_NRTidalv2,
            "IMRPhenomXAS" => Self::IMRPhenomXAS,
            "IMRPhenomPv2" => Self::IMRPhenomPv2,
            other => return Err(GwError::Approximant(other.to_string())),
        })
    }
}

/// Parameters of a compact binary as LAL takes them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaveformParams {
    /// Mass of body 1 [M☉], detector frame.
    pub m1: f64,
    /// Mass of body 2 [M☉], detector frame.
    pub m2: f64,
    /// Spin of body 1, x component (dimensionless; precessing models only).
    pub chi1x: f64,
    /// Spin of body 1, y component.
    pub chi1y: f64,
    /// Spin of body 1 along the orbital angular momentum.
    pub chi1z: f64,
    /// Spin of body 2, x component.
    pub chi2x: f64,
    /// Spin of body 2, y component.
    pub chi2y: f64,
    /// Spin of body 2 along the orbital angular momentum.
    pub chi2z: f64,
    /// Dimensionless tidal deformability of body 1 (tidal models).
    pub lambda1: f64,
    /// Dimensionless tidal deformability of body 2 (tidal models).
    pub lambda2: f64,
    /// Luminosity distance [Mpc].
    pub distance_mpc: f64,
    /// Inclination ι [rad].
    pub inclination: f64,
    /// Reference orbital phase [rad].
    pub phi_ref: f64,
    /// Reference frequency [Hz].
    pub f_ref: f64,
}

impl Default for WaveformParams {
    fn default() -> Self {
        Self {
            m1: 36.0,
            m2: 29.0,
            chi1x: 0.0,
            chi1y: 0.0,
            chi1z: 0.0,
            chi2x: 0.0,
            chi2y: 0.0,
            chi2z: 0.0,
            lambda1: 0.0,
            lambda2: 0.0,
            distance_mpc: 400.0,
            inclination: 0.0,
            phi_ref: 0.0,
            f_ref: 20.0,
        }
    }
}

fn bad(name: &'static str, value: f64, msg: &'static str) -> GwError {
    GwError::Parameter { name, value, msg }
}

impl WaveformParams {
    /// A GW150914-like binary black hole used by examples and benchmarks:
    /// 36 + 29 M☉, χ1z = 0.3, χ2z = −0.1, 400 Mpc, inclination 0.4 rad,
    /// φ_ref = 1.3 rad, f_ref = 20 Hz.
    pub fn example_bbh() -> Self {
        WaveformParams {
            m1: 36.0,
            m2: 29.0,
            chi1z: 0.3,
            chi2z: -0.1,
            distance_mpc: 400.0,
            inclination: 0.4,
            phi_ref: 1.3,
            f_ref: 20.0,
            ..Default::default()
        }
    }

    /// A binary neutron star used by examples and benchmarks: 1.5 + 1.3 M☉,
    /// χ1z = 0.02, χ2z = −0.01, Λ = 400 / 700, 40 Mpc, angles and f_ref as
    /// [`WaveformParams::example_bbh`].
    pub fn example_bns() -> Self {
        WaveformParams {
            m1: 1.5,
            m2: 1.3,
            chi1z: 0.02,
            chi2z: -0.01,
            lambda1: 400.0,
            lambda2: 700.0,
            distance_mpc: 40.0,
            ..Self::example_bbh()
        }
    }

    /// The inputs of the precessing model (spins as Cartesian vectors).
    pub fn precessing_inputs(&self) -> crate::gw::waveforms::phenomp::PrecessingInputs<f64> {
        crate::gw::waveforms::phenomp::PrecessingInputs {
            m1: self.m1,
            m2: self.m2,
            chi1: [self.chi1x, self.chi1y, self.chi1z],
            chi2: [self.chi2x, self.chi2y, self.chi2z],
            distance_mpc: self.distance_mpc,
            inclination: self.inclination,
            phi_ref: self.phi_ref,
        }
    }

    /// A precessing version of [`WaveformParams::example_bbh`] for
    /// IMRPhenomPv2 examples and benchmarks: χ₁ = (0.4, 0.1, 0.3),
    /// χ₂ = (−0.2, 0.3, −0.1) in the L̂₀ frame at f_ref.
    pub fn example_precessing_bbh() -> Self {
        WaveformParams {
            chi1x: 0.4,
            chi1y: 0.1,
            chi2x: -0.2,
            chi2y: 0.3,
            ..Self::example_bbh()
        }
    }

    /// Checks the parameters for `approximant`: positive finite masses,
    /// spins of magnitude < 1, non-negative tidal deformabilities, positive
    /// distance and reference frequency, finite angles. The error names the
    /// offending parameter.
    pub fn validate(&self, approximant: Approximant) -> GwResult<()> {
        let all = [
            ("m1", self.m1),
            ("m2", self.m2),
            ("chi1x", self.chi1x),
            ("chi1y", self.chi1y),
            ("chi1z", self.chi1z),
            ("chi2x", self.chi2x),
            ("chi2y", self.chi2y),
            ("chi2z", self.chi2z),
            ("lambda1", self.lambda1),
            ("lambda2", self.lambda2),
            ("distance_mpc", self.distance_mpc),
            ("inclination", self.inclination),
            ("phi_ref", self.phi_ref),
            ("f_ref", self.f_ref),
        ];
        for (name, v) in all {
            if !v.is_finite() {
                return Err(bad(name, v, "not finite"));
            }
        }
        if self.m1 <= 0.0 {
            return Err(bad("m1", self.m1, "mass must be positive"));
        }
        if self.m2 <= 0.0 {
            return Err(bad("m2", self.m2, "mass must be positive"));
        }
        let s1 = (self.chi1x.powi(2) + self.chi1y.powi(2) + self.chi1z.powi(2)).sqrt();
        let s2 = (self.chi2x.powi(2) + self.chi2y.powi(2) + self.chi2z.powi(2)).sqrt();
        if s1 >= 1.0 {
            return Err(bad("chi1", s1, "spin magnitude must be < 1"));
        }
        if s2 >= 1.0 {
            return Err(bad("chi2", s2, "spin magnitude must be < 1"));
        }
        if self.lambda1 < 0.0 {
            return Err(bad("lambda1", self.lambda1, "tidal deformability must be >= 0"));
        }
        if self.lambda2 < 0.0 {
            return Err(bad("lambda2", self.lambda2, "tidal deformability must be >= 0"));
        }
        if self.distance_mpc <= 0.0 {
            return Err(bad(
                "distance_mpc",
                self.distance_mpc,
                "distance must be positive",
            ));
        }
        if self.f_ref <= 0.0 {
            return Err(bad("f_ref", self.f_ref, "reference frequency must be positive"));
        }
        let precessing = matches!(approximant, Approximant::IMRPhenomPv2);
        if !precessing {
            for (name, v) in [
                ("chi1x", self.chi1x),
                ("chi1y", self.chi1y),
                ("chi2x", self.chi2x),
                ("chi2y", self.chi2y),
            ] {
                if v != 0.0 {
                    return Err(bad(name, v, "in-plane spin given to a non-precessing model"));
                }
            }
        }
        let tidal = matches!(
            approximant,
            Approximant::TaylorF2 | Approximant::IMRPhenomD_NRTidalv2
        );
        if !tidal {
            for (name, v) in [("lambda1", self.lambda1), ("lambda2", self.lambda2)] {
                if v != 0.0 {
                    return Err(bad(name, v, "tidal deformability given to a black-hole model"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gw::waveforms::generate;

    fn err_name(a: Approximant, p: WaveformParams, f: &[f64]) -> String {
        generate(a, &p, f).unwrap_err().to_string()
    }

    #[test]
    fn unphysical_input_is_a_typed_error_naming_the_parameter() {
        let f = [20.0, 30.0, 40.0];
        let ok = WaveformParams::default();
        assert!(generate(Approximant::IMRPhenomD, &ok, &f).is_ok());
        let cases: [(WaveformParams, &str); 7] = [
            (WaveformParams { m1: 0.0, ..ok }, "m1"),
            (WaveformParams { m2: -1.0, ..ok }, "m2"),
            (WaveformParams { chi1z: 1.0, ..ok }, "chi1"),
            (
                WaveformParams {
                    chi2z: f64::NAN,
                    ..ok
                },
                "chi2z",
            ),
            (
                WaveformParams {
                    distance_mpc: 0.0,
                    ..ok
                },
                "distance_mpc",
            ),
            (
                WaveformParams {
                    inclination: f64::INFINITY,
                    ..ok
                },
                "inclination",
            ),
            (WaveformParams { f_ref: -5.0, ..ok }, "f_ref"),
        ];
        for (p, name) in cases {
            let e = err_name(Approximant::IMRPhenomD, p, &f);
            assert!(e.contains(name), "{e}");
        }
        let bns = WaveformParams {
            m1: 1.4,
            m2: 1.3,
            lambda1: 300.0,
            lambda2: -1.0,
            ..ok
        };
        assert!(err_name(Approximant::TaylorF2, bns, &f).contains("lambda2"));
        assert!(err_name(
            Approximant::IMRPhenomD,
            WaveformParams { lambda1: 10.0, ..ok },
            &f
        )
        .contains("lambda1"));
        for bad in [
            &[20.0, 19.0][..],
            &[-1.0, 20.0][..],
            &[20.0, f64::NAN][..],
            &[][..],
        ] {
            let e = err_name(Approximant::IMRPhenomD, ok, bad);
            assert!(e.contains("frequencies"), "{e}");
        }
        assert!("IMRPhenomZ".parse::<Approximant>().is_err());
    }
}
