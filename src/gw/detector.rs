//! Ground-based interferometers: geometry (WGS-84 vertex, arm unit vectors,
//! detector tensor), antenna patterns and geocentre time delays, with the
//! conventions of bilby's `Interferometer` (Anderson et al. 2001,
//! Phys. Rev. D 63, 042003, for the response).

use super::constants::{C_SI, PI};
use super::time::gmst;
use super::{GwError, GwResult};
use ferrax_autodiff::Scalar;

/// Site parameters of an L-shaped interferometer (angles as bilby states them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Site {
    /// Geodetic latitude [deg].
    pub latitude_deg: f64,
    /// Longitude [deg], east positive.
    pub longitude_deg: f64,
    /// Elevation above the WGS-84 ellipsoid [m].
    pub elevation_m: f64,
    /// Azimuth of the x arm [deg], from north towards east.
    pub xarm_azimuth_deg: f64,
    /// Azimuth of the y arm [deg].
    pub yarm_azimuth_deg: f64,
    /// Tilt of the x arm [rad].
    pub xarm_tilt_rad: f64,
    /// Tilt of the y arm [rad].
    pub yarm_tilt_rad: f64,
    /// Arm length [km].
    pub length_km: f64,
}

/// An interferometer with its derived geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct Detector {
    /// Name (H1, L1, V1, K1, CE, ET1..3, or user given).
    pub name: String,
    /// Site parameters.
    pub site: Site,
    /// Vertex position, Earth-fixed [m].
    pub vertex: [f64; 3],
    /// Unit vector along the x arm.
    pub x_arm: [f64; 3],
    /// Unit vector along the y arm.
    pub y_arm: [f64; 3],
    /// Detector tensor D = (x xᵀ − y yᵀ)/2.
    pub tensor: [[f64; 3]; 3],
}

const WGS84_A: f64 = 6378137.0;
const WGS84_B: f64 = 6356752.314;

fn arm(lat: f64, lon: f64, tilt: f64, az: f64) -> [f64; 3] {
    let (sl, cl) = lat.sin_cos();
    let (so, co) = lon.sin_cos();
    let (st, ct) = tilt.sin_cos();
    let (sa, ca) = az.sin_cos();
    [
        -so * ct * ca - sl * co * ct * sa + cl * co * st,
        co * ct * ca - sl * so * ct * sa + cl * so * st,
        cl * ct * sa + sl * st,
    ]
}

impl Detector {
    /// Builds a detector from its site (bilby's `calculate_arm` and WGS-84
    /// vertex).
    pub fn from_site(name: &str, site: Site) -> Self {
        let lat = site.latitude_deg * PI / 180.0;
        let lon = site.longitude_deg * PI / 180.0;
        let x_arm = arm(lat, lon, site.xarm_tilt_rad, site.xarm_azimuth_deg * PI / 180.0);
        let y_arm = arm(lat, lon, site.yarm_tilt_rad, site.yarm_azimuth_deg * PI / 180.0);
        let r = WGS84_A * WGS84_A
            / (WGS84_A * WGS84_A * lat.cos().powi(2) + WGS84_B * WGS84_B * lat.sin().powi(2)).sqrt();
        let h = site.elevation_m;
        let vertex = [
            (r + h) * lat.cos() * lon.cos(),
            (r + h) * lat.cos() * lon.sin(),
            ((WGS84_B / WGS84_A).powi(2) * r + h) * lat.sin(),
        ];
        let mut tensor = [[0.0; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                tensor[i][j] = 0.5 * (x_arm[i] * x_arm[j] - y_arm[i] * y_arm[j]);
            }
        }
        Self {
            name: name.to_string(),
            site,
            vertex,
            x_arm,
            y_arm,
            tensor,
        }
    }

    /// A built-in detector by name: H1, L1, V1, K1, CE (40 km at the
    /// Hanford site), ET1, ET2, ET3 (the Einstein Telescope triangle at the
    /// Virgo site).
    pub fn by_name(name: &str) -> GwResult<Self> {
        let lig = |lat, lon, el, xa, ya, xt, yt, len| Site {
            latitude_deg: lat,
            longitude_deg: lon,
            elevation_m: el,
            xarm_azimuth_deg: xa,
            yarm_azimuth_deg: ya,
            xarm_tilt_rad: xt,
            yarm_tilt_rad: yt,
            length_km: len,
        };
        let h1_lat = 46.0 + 27.0 / 60.0 + 18.528 / 3600.0;
        let h1_lon = -(119.0 + 24.0 / 60.0 + 27.5657 / 3600.0);
        let site = match name {
            "H1" => lig(
                h1_lat, h1_lon, 142.554, 125.9994, 215.9994, -6.195e-4, 1.25e-5, 4.0,
            ),
            "L1" => lig(
                30.0 + 33.0 / 60.0 + 46.4196 / 3600.0,
                -(90.0 + 46.0 / 60.0 + 27.2654 / 3600.0),
                -6.574,
                197.7165,
                287.7165,
                -3.121e-4,
                -6.107e-4,
                4.0,
            ),
            "V1" => lig(
                43.0 + 37.0 / 60.0 + 53.0921 / 3600.0,
                10.0 + 30.0 / 60.0 + 16.1878 / 3600.0,
                51.884,
                70.5674,
                160.5674,
                0.0,
                0.0,
                3.0,
            ),
            "K1" => lig(
                36.0 + 24.0 / 60.0 + 42.69722 / 3600.0,
                137.0 + 18.0 / 60.0 + 21.44171 / 3600.0,
                414.181,
                90.0 - 60.39623489157727,
                90.0 + 29.60357629670688,
                0.0031414,
                -0.0036270,
                3.0,
            ),
            "CE" => lig(
                h1_lat, h1_lon, 142.554, 125.9994, 215.9994, -6.195e-4, 1.25e-5, 40.0,
            ),
            "ET1" | "ET2" | "ET3" => {
                let k = (name.as_bytes()[2] - b'1') as usize;
                et_sites()[k]
            }
            other => {
                return Err(GwError::Input {
                    name: "detector".into(),
                    msg: format!("unknown detector {other:?} (known: H1, L1, V1, K1, CE, ET1, ET2, ET3)"),
                })
            }
        };
        Ok(Self::from_site(name, site))
    }

    /// Antenna patterns (F+, F×) for a source at right ascension `ra`,
    /// declination `dec` [rad], polarisation angle `psi` [rad] at Greenwich
    /// mean sidereal time `gmst` [rad].
    pub fn antenna_pattern<T: Scalar>(&self, ra: T, dec: T, psi: T, gmst: T) -> (T, T) {
        let phi = ra - gmst;
        let theta = dec.rsub(PI / 2.0);
        let (st, ct) = theta.sin_cos();
        let (sp, cp) = phi.sin_cos();
        let (spsi, cpsi) = psi.sin_cos();
        let m = [
            -(ct * cp * spsi) + sp * cpsi,
            -(ct * sp * spsi) - cp * cpsi,
            st * spsi,
        ];
        let n = [
            -(ct * cp * cpsi) - sp * spsi,
            -(ct * sp * cpsi) + cp * spsi,
            st * cpsi,
        ];
        let mut fp = T::cst(0.0);
        let mut fc = T::cst(0.0);
        for i in 0..3 {
            for j in 0..3 {
                let d = self.tensor[i][j];
                fp = fp + (m[i] * m[j] - n[i] * n[j]) * d;
                fc = fc + (m[i] * n[j] + n[i] * m[j]) * d;
            }
        }
        (fp, fc)
    }

    /// Antenna patterns at GPS time `gps` [s] (GMST from [`gmst`]).
    pub fn antenna_pattern_at<T: Scalar>(&self, ra: T, dec: T, psi: T, gps: T) -> (T, T) {
        self.antenna_pattern(ra, dec, psi, gmst(gps))
    }

    /// Arrival-time delay [s] at the detector relative to the geocentre.
    pub fn time_delay_from_geocenter<T: Scalar>(&self, ra: T, dec: T, gps: T) -> T {
        let phi = ra - gmst(gps);
        let theta = dec.rsub(PI / 2.0);
        let (st, ct) = theta.sin_cos();
        let (sp, cp) = phi.sin_cos();
        let k = [st * cp, st * sp, ct];
        -(k[0] * self.vertex[0] + k[1] * self.vertex[1] + k[2] * self.vertex[2]) / C_SI
    }
}

/// The three Einstein Telescope vertices: the first at the Virgo site, the
/// others stepped by about the 10 km arm length, each arm pair rotated by
/// 240° (bilby 2.x's `TriangularInterferometer`, including its small-angle
/// vertex steps, which leave the vertices 8-10 km apart).
fn et_sites() -> [Site; 3] {
    let radius_of_earth = 6371.0e3;
    let length = 10.0;
    let mut lat = 43.0 + 37.0 / 60.0 + 53.0921 / 3600.0;
    let mut lon = 10.0 + 30.0 / 60.0 + 16.1878 / 3600.0;
    let mut xa: f64 = 70.5674;
    let mut ya: f64 = 130.5674;
    let mut out = [Site {
        latitude_deg: 0.0,
        longitude_deg: 0.0,
        elevation_m: 51.884,
        xarm_azimuth_deg: 0.0,
        yarm_azimuth_deg: 0.0,
        xarm_tilt_rad: 0.0,
        yarm_tilt_rad: 0.0,
        length_km: length,
    }; 3];
    for s in out.iter_mut() {
        s.latitude_deg = lat;
        s.longitude_deg = lon;
        s.xarm_azimuth_deg = xa;
        s.yarm_azimuth_deg = ya;
        // bilby 2.x: rotate the arms by 240°, then step the vertex (small-
        // angle steps in latitude and longitude along the new x azimuth).
        xa += 240.0;
        ya += 240.0;
        lat += (length * 1e3 * (xa * PI / 180.0).sin() / radius_of_earth).atan() * 180.0 / PI;
        lon += (length * 1e3 * (xa * PI / 180.0).cos() / radius_of_earth).atan() * 180.0 / PI;
    }
    out
}
