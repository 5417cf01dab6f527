//! Crust tables. The Douchin & Haensel (2001) crust (100 points, as shipped
//! with jester) is embedded as data (`data/crust_DH.json`).

use std::sync::OnceLock;

/// A crust table in nuclear units.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct CrustTable {
    /// Number density [fm⁻³].
    pub n: Vec<f64>,
    /// Pressure [MeV fm⁻³].
    pub p: Vec<f64>,
    /// Total energy density [MeV fm⁻³].
    pub e: Vec<f64>,
}

/// The Douchin–Haensel crust (SLy4 unified crust), 100 points from
/// n = 2.7e-14 to ~0.5 fm⁻³.
pub fn douchin_haensel() -> &'static CrustTable {
    static DH: OnceLock<CrustTable> = OnceLock::new();
    DH.get_or_init(|| {
        serde_json::from_str(include_str!("data/crust_DH.json"))
            .expect("embedded crust_DH.json is valid (checked by a unit test)")
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn dh_crust_loads_and_is_monotonic() {
        let c = super::douchin_haensel();
        assert_eq!(c.n.len(), 100);
        assert!(c.p.windows(2).all(|w| w[1] > w[0]));
        assert!(c.n.windows(2).all(|w| w[1] > w[0]));
    }
}
