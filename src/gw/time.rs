//! GPS time utilities: leap seconds and Greenwich mean sidereal time,
//! following LAL's `XLALGreenwichMeanSiderealTime` (GPS → UTC with the
//! leap-second table → Julian day → IAU 1982 GMST polynomial, Aoki et al.
//! 1982, Astron. Astrophys. 105, 359).

use super::constants::PI;
use ferrax_autodiff::Scalar;

/// GPS times [s] at which UTC inserted a leap second (after the GPS epoch
/// 1980-01-06); GPS − UTC increases by one at each.
pub const LEAP_SECONDS_GPS: [i64; 18] = [
    46828800, 78364801, 109900802, 173059203, 252028804, 315187205, 346723206, 393984007, 425520008,
    457056009, 504489610, 551750411, 599184012, 820108813, 914803214, 1025136015, 1119744016, 1167264017,
];

/// GPS − UTC [s] at integer GPS second `gps`.
pub fn gps_minus_utc(gps: i64) -> i64 {
    LEAP_SECONDS_GPS.iter().filter(|&&t| gps >= t).count() as i64
}

/// Civil date (year, month 1-12, day 1-31) of `days` days since 1970-01-01
/// (Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Greenwich mean sidereal time [rad, not reduced mod 2π] at GPS time
/// `gps` [s], as LAL computes it (equation of the equinoxes = 0).
pub fn gmst_f64(gps: f64) -> f64 {
    let gps_sec = gps.floor();
    let nanos = ((gps - gps_sec) * 1e9).round();
    let gps_i = gps_sec as i64;
    // GPS epoch 1980-01-06 00:00:00 UTC = Unix 315964800.
    let unix = gps_i + 315_964_800 - gps_minus_utc(gps_i);
    let days = unix.div_euclid(86400);
    let sec = unix.rem_euclid(86400);
    let (year, month, day) = civil_from_days(days);
    let jd_int = 367 * year - 7 * (year + (month + 9) / 12) / 4 + 275 * month / 9 + day + 1_721_014;
    let julian_day = jd_int as f64 + sec as f64 / 86400.0 - 0.5;
    let t_hi = (julian_day - 2_451_545.0) / 36525.0;
    let t_lo = nanos / (1e9 * 36525.0 * 86400.0);
    let t = t_hi + t_lo;
    let mut st = (-6.2e-6 * t + 0.093104) * t * t + 67310.54841;
    st += 8640184.812866 * t_lo;
    st += 3155760000.0 * t_lo;
    st += 8640184.812866 * t_hi;
    st += 3155760000.0 * t_hi;
    st * PI / 43200.0
}

/// Rate of change of GMST [rad/s].
pub const GMST_RATE: f64 = (8640184.812866 + 3155760000.0) / (36525.0 * 86400.0) * PI / 43200.0;

/// GMST [rad] on any scalar (derivative = [`GMST_RATE`]).
pub fn gmst<T: Scalar>(gps: T) -> T {
    let g = gps.re();
    (gps - g) * GMST_RATE + gmst_f64(g)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(16692), (2015, 9, 14));
        assert_eq!(gps_minus_utc(1126259462), 17);
        assert_eq!(gps_minus_utc(1300000000), 18);
    }
}
