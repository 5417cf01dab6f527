//! The Dormand–Prince 5(4) Butcher tableau with its FSAL property and the
//! coefficients of Hairer's 4th-order continuous extension (dense output).
//!
//! Source: J. R. Dormand and P. J. Prince, "A family of embedded Runge–Kutta
//! formulae", J. Comput. Appl. Math. 6, 19 (1980), Table 2; dense-output
//! coefficients from E. Hairer, S. P. Nørsett and G. Wanner, *Solving
//! Ordinary Differential Equations I*, 2nd ed., Sec. II.6 (routine DOPRI5,
//! `CONTD5`).

/// A 7-stage explicit Runge–Kutta tableau with an embedded error estimator
/// and a 4th-order dense output (5 polynomial coefficients per stage).
#[derive(Debug, Clone, Copy)]
pub struct ButcherTableau {
    /// Nodes c_i (fraction of the step at which stage i is evaluated).
    pub c: [f64; 7],
    /// Strictly lower-triangular coupling coefficients a_ij (row i uses j < i).
    pub a: [[f64; 6]; 7],
    /// Weights b_i of the propagated (5th-order) solution.
    pub b: [f64; 7],
    /// Error weights e_i = b_i − b̂_i (5th minus embedded 4th order).
    pub e: [f64; 7],
    /// Dense-output coefficients d_i (Hairer's `CONTD5`).
    pub d: [f64; 7],
    /// Order of the propagated solution.
    pub order: u32,
}

/// Dormand–Prince 5(4): FSAL (the last stage is the first stage of the next
/// step: a₇ⱼ = bⱼ, c₇ = 1).
pub const DOPRI5: ButcherTableau = ButcherTableau {
    c: [0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0],
    a: [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [1.0 / 5.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0],
        [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0],
        [
            19372.0 / 6561.0,
            -25360.0 / 2187.0,
            64448.0 / 6561.0,
            -212.0 / 729.0,
            0.0,
            0.0,
        ],
        [
            9017.0 / 3168.0,
            -355.0 / 33.0,
            46732.0 / 5247.0,
            49.0 / 176.0,
            -5103.0 / 18656.0,
            0.0,
        ],
        [
            35.0 / 384.0,
            0.0,
            500.0 / 1113.0,
            125.0 / 192.0,
            -2187.0 / 6784.0,
            11.0 / 84.0,
        ],
    ],
    b: [
        35.0 / 384.0,
        0.0,
        500.0 / 1113.0,
        125.0 / 192.0,
        -2187.0 / 6784.0,
        11.0 / 84.0,
        0.0,
    ],
    e: [
        71.0 / 57600.0,
        0.0,
        -71.0 / 16695.0,
        71.0 / 1920.0,
        -17253.0 / 339200.0,
        22.0 / 525.0,
        -1.0 / 40.0,
    ],
    d: [
        -12715105075.0 / 11282082432.0,
        0.0,
        87487479700.0 / 32700410799.0,
        -10690763975.0 / 1880347072.0,
        701980252875.0 / 199316789632.0,
        -1453857185.0 / 822651844.0,
        69997945.0 / 29380423.0,
    ],
    order: 5,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_sum_to_nodes_and_weights_to_one() {
        let t = DOPRI5;
        for i in 0..7 {
            let s: f64 = t.a[i].iter().sum();
            assert!((s - t.c[i]).abs() < 1e-14, "row {i}");
        }
        assert!((t.b.iter().sum::<f64>() - 1.0).abs() < 1e-14);
        assert!(t.e.iter().sum::<f64>().abs() < 1e-14);
        // FSAL: the last row equals the weights.
        for j in 0..6 {
            assert_eq!(t.a[6][j], t.b[j]);
        }
    }
}
