//! Physical constants in SI units, with the values LALSuite uses (so that
//! waveforms agree with LALSimulation to round-off).

/// π.
pub const PI: f64 = std::f64::consts::PI;
/// Euler–Mascheroni constant γ_E (dimensionless).
pub const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;
/// Speed of light in vacuum [m/s].
pub const C_SI: f64 = 299_792_458.0;
/// Solar mass [kg] (LAL `LAL_MSUN_SI`).
pub const MSUN_SI: f64 = 1.988_409_870_698_050_7e30;
/// Solar mass times G/c³ [s] (LAL `LAL_MTSUN_SI`).
pub const MTSUN_SI: f64 = 4.925_490_947_641_267e-6;
/// Solar mass times G/c² [m] (LAL `LAL_MRSUN_SI`).
pub const MRSUN_SI: f64 = 1.476_625_038_050_124_7e3;
/// Parsec [m] (LAL `LAL_PC_SI`).
pub const PC_SI: f64 = 3.085_677_581_491_367e16;
/// Megaparsec [m].
pub const MPC_SI: f64 = 1e6 * PC_SI;
