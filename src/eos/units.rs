//! Physical constants and unit conversions of the EOS and TOV modules.
//!
//! "Geometric" units are SI-based with G = c = 1: lengths in m, energy
//! density and pressure in m⁻², number density in m⁻³. Nuclear units: n in
//! fm⁻³, p and e in MeV fm⁻³. The values (and the order of the operations
//! that produced them) follow the jester 0.1.1 conventions so that tables
//! built here agree with its data to rounding.

/// Speed of light [m/s].
pub const C_SI: f64 = 299_792_458.0;
/// Newton's constant [m³ kg⁻¹ s⁻²].
pub const G_SI: f64 = 6.6743e-11;
/// Solar mass [kg].
pub const MSUN_KG: f64 = 1.988409870698051e30;
/// ħc [MeV fm].
pub const HBARC_MEV_FM: f64 = 197.3269804593025;
/// Proton mass [MeV].
pub const M_PROTON_MEV: f64 = 938.2720881604904;
/// Neutron mass [MeV].
pub const M_NEUTRON_MEV: f64 = 939.5654205203889;
/// Electron mass [MeV].
pub const M_ELECTRON_MEV: f64 = 0.510998;
/// Mean nucleon mass (m_p + m_n)/2 [MeV].
pub const M_NUCLEON_MEV: f64 = (M_PROTON_MEV + M_NEUTRON_MEV) / 2.0;
/// Nuclear saturation density [fm⁻³].
pub const NSAT_FM3: f64 = 0.16;
/// Number density fm⁻³ → m⁻³ (1/(1e-15)³ as evaluated in float64).
pub const FM3_TO_GEOMETRIC: f64 = 9.999999999999998e44;
/// Pressure or energy density MeV fm⁻³ → m⁻² (1e6·e·1e45 · G/c⁴).
pub const MEV_FM3_TO_GEOMETRIC: f64 = 1.3238333135663821e-12;
/// G M☉ / c² [m]: one solar mass as a length.
pub const SOLAR_MASS_IN_METER: f64 = 1476.6250380501249;
/// Code-unit density conversion: ρ[code, G = c = M☉ = 1] = ρ[g cm⁻³] · this.
pub const G_CM3_TO_CODE: f64 = 1.6192159535484854e-18;
/// Speed of light [cm/s].
pub const C_CGS: f64 = 2.99792458e10;
