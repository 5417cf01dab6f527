//! Post-Newtonian coefficients of the IMRPhenomXAS inspiral: TaylorF2
//! amplitude and phase terms and the pseudo-PN amplitude collocation
//! (Pratten et al. 2020, arXiv:2001.11412, Sec. IV).

use crate::gw::constants::{EULER_GAMMA, PI};
use ferrax_autodiff::Scalar;

/// Powers of π as LAL's `IMRPhenomX_Initialize_Powers(π)` forms them.
pub(super) struct PiPowers {
    pub(super) third: f64,
    two_thirds: f64,
    four_thirds: f64,
    pub(super) five_thirds: f64,
    seven_thirds: f64,
    eight_thirds: f64,
    two: f64,
    pub(super) log: f64,
}

impl PiPowers {
    pub(super) fn new() -> Self {
        let sixth = PI.powf(1.0 / 6.0);
        let third = sixth * sixth;
        let two_thirds = third * third;
        let four_thirds = two_thirds * two_thirds;
        let seven_thirds = four_thirds * PI;
        Self {
            third,
            two_thirds,
            four_thirds,
            five_thirds: four_thirds * third,
            seven_thirds,
            eight_thirds: seven_thirds * third,
            two: PI * PI,
            log: PI.ln(),
        }
    }
}

/// TaylorF2 coefficients of the inspiral: amplitude (relative to leading
/// order) and phase (normalised by 3/(128 η (π M f)^(5/3)), powers of π
/// included), non-spinning and spin terms up to 3.5PN plus the 4PN
/// spin-orbit terms (LAL `IMRPhenomXGetAmplitudeCoefficients` /
/// `IMRPhenomXGetPhaseCoefficients`; references therein, e.g. Bohé et al.
/// 2015, Class. Quantum Grav. 32, 195010; Marsat et al. 2015, ibid. 32,
/// 085008). `delta` = (m1 − m2)/M, spins of the heavier (1) and lighter (2)
/// body. Log terms multiply ln(M f).
#[derive(Debug, Clone, Copy)]
pub struct TaylorF2Coeffs<T> {
    /// Amplitude coefficients of (Mf)^(2/3), Mf, (Mf)^(4/3), (Mf)^(5/3), (Mf)².
    pub amp: [T; 5],
    /// Phase coefficient of (Mf)^(2/3).
    pub phi2: T,
    /// Phase coefficient of Mf.
    pub phi3: T,
    /// Phase coefficient of (Mf)^(4/3).
    pub phi4: T,
    /// Phase coefficient of (Mf)^(5/3) ln(Mf).
    pub phi5l: T,
    /// Phase coefficient of (Mf)².
    pub phi6: T,
    /// Phase coefficient of (Mf)² ln(Mf).
    pub phi6l: T,
    /// Phase coefficient of (Mf)^(7/3).
    pub phi7: T,
    /// Phase coefficient of (Mf)^(8/3).
    pub phi8: T,
    /// Phase coefficient of (Mf)^(8/3) ln(Mf).
    pub phi8l: T,
}

/// A constant of the scalar type `T` in scope.
macro_rules! k {
    ($x:expr) => {
        T::cst($x)
    };
}

impl<T: Scalar> TaylorF2Coeffs<T> {
    /// The coefficients for symmetric mass ratio `eta`, mass difference
    /// `delta` and aligned spins `chi1`, `chi2`.
    pub fn new(eta: T, delta: T, chi1: T, chi2: T) -> Self {
        let pp = PiPowers::new();
        let (pi_third, pi_two_thirds, pi_four_thirds) = (pp.third, pp.two_thirds, pp.four_thirds);
        let (pi_five_thirds, pi_seven_thirds, pi_eight_thirds) =
            (pp.five_thirds, pp.seven_thirds, pp.eight_thirds);
        let (pi_two, ln_pi, ln_2) = (pp.two, pp.log, 2.0f64.ln());
        let eta2 = eta * eta;
        let eta3 = eta2 * eta;
        let chi12 = chi1 * chi1;
        let chi13 = chi12 * chi1;
        let chi22 = chi2 * chi2;
        let chi23 = chi22 * chi2;
        let chi1l2l = chi1 * chi2;
        let pn_two_thirds = ((-k!(969.0) + k!(1804.0) * eta) / k!(672.0)) * k!(pi_two_thirds);
        let pn_one = ((k!(81.0) * (chi1 + chi2) + k!(81.0) * chi1 * delta
            - k!(81.0) * chi2 * delta
            - k!(44.0) * (chi1 + chi2) * eta)
            / k!(48.0))
            * k!(PI);
        let pn_four_thirds = ((-k!(27312085.0) - k!(10287648.0) * chi12 * (k!(1.0) + delta)
            + k!(24.0)
                * (k!(428652.0) * chi22 * (-k!(1.0) + delta)
                    + (-k!(1975055.0)
                        + k!(10584.0) * (k!(81.0) * chi12 - k!(94.0) * chi1 * chi2 + k!(81.0) * chi22))
                        * eta
                    + k!(1473794.0) * eta2))
            / k!(8.128512e6))
            * k!(pi_third)
            * k!(PI);
        let pn_five_thirds = ((-k!(6048.0) * chi13 * (-k!(1.0) - delta + (k!(3.0) + delta) * eta)
            + chi2
                * (-((k!(287213.0) + k!(6048.0) * chi22) * (-k!(1.0) + delta))
                    + k!(4.0)
                        * (-k!(93414.0) + k!(1512.0) * chi22 * (-k!(3.0) + delta) + k!(2083.0) * delta)
                        * eta
                    - k!(35632.0) * eta2)
            + chi1
                * (k!(287213.0) * (k!(1.0) + delta)
                    - k!(4.0) * eta * (k!(93414.0) + k!(2083.0) * delta + k!(8908.0) * eta))
            + k!(42840.0) * (-k!(1.0) + k!(4.0) * eta) * k!(PI))
            / k!(32256.0))
            * k!(pi_five_thirds);
        let pn_two = ((-k!(1242641879927.0)
            + k!(12.0)
                * (k!(28.0)
                    * (-k!(3248849057.0)
                        + k!(11088.0)
                            * (k!(163199.0) * chi12 - k!(266498.0) * chi1 * chi2 + k!(163199.0) * chi22))
                    * eta2
                    + k!(27026893936.0) * eta3
                    - k!(116424.0)
                        * (k!(147117.0) * (-(chi22 * (-k!(1.0) + delta)) + chi12 * (k!(1.0) + delta))
                            + k!(60928.0) * (chi1 + chi2 + chi1 * delta - chi2 * delta) * k!(PI))
                    + eta
                        * (k!(545384828789.0)
                            - k!(77616.0)
                                * (k!(638642.0) * chi1 * chi2
                                    + chi12 * (-k!(158633.0) + k!(282718.0) * delta)
                                    - chi22 * (k!(158633.0) + k!(282718.0) * delta)
                                    - k!(107520.0) * (chi1 + chi2) * k!(PI)
                                    + k!(275520.0) * k!(pi_two)))))
            / k!(6.0085960704e10))
            * k!(pi_two);
        let phi2ns = (k!(3715.0) / k!(756.0) + (k!(55.0) * eta) / k!(9.0)) * k!(pi_two_thirds);
        let phi3ns = -k!(16.0) * k!(pi_two);
        let phi3s = ((k!(113.0) * (chi1 + chi2 + chi1 * delta - chi2 * delta)
            - k!(76.0) * (chi1 + chi2) * eta)
            / k!(6.0))
            * k!(PI);
        let phi4ns = (k!(15293365.0) / k!(508032.0)
            + (k!(27145.0) * eta) / k!(504.0)
            + (k!(3085.0) * eta2) / k!(72.0))
            * k!(pi_four_thirds);
        let phi4s = ((-k!(5.0)
            * (k!(81.0) * chi12 * (k!(1.0) + delta - k!(2.0) * eta) + k!(316.0) * chi1l2l * eta
                - k!(81.0) * chi22 * (-k!(1.0) + delta + k!(2.0) * eta)))
            / k!(16.0))
            * k!(pi_four_thirds);
        let phi5lns =
            ((k!(5.0) * (k!(46374.0) - k!(6552.0) * eta) * k!(PI)) / k!(4536.0)) * k!(pi_five_thirds);
        let phi5ls = ((-k!(732985.0) * (chi1 + chi2 + chi1 * delta - chi2 * delta)
            - k!(560.0) * (-k!(1213.0) * (chi1 + chi2) + k!(63.0) * (chi1 - chi2) * delta) * eta
            + k!(85680.0) * (chi1 + chi2) * eta2)
            / k!(4536.0))
            * k!(pi_five_thirds);
        let phi6ns = (k!(11583231236531.0) / k!(4.69421568e9)
            - (k!(5.0) * eta * (k!(3147553127.0) + k!(588.0) * eta * (-k!(45633.0) + k!(102260.0) * eta)))
                / k!(3.048192e6)
            - (k!(6848.0) * k!(EULER_GAMMA)) / k!(21.0)
            - (k!(640.0) * k!(pi_two)) / k!(3.0)
            + (k!(2255.0) * eta * k!(pi_two)) / k!(12.0)
            - (k!(13696.0) * k!(ln_2)) / k!(21.0)
            - (k!(6848.0) * k!(ln_pi)) / k!(63.0))
            * k!(pi_two);
        let phi6s = ((k!(5.0)
            * (k!(227.0) * (chi1 + chi2 + chi1 * delta - chi2 * delta) - k!(156.0) * (chi1 + chi2) * eta)
            * k!(PI))
            / k!(3.0))
            * k!(pi_two);
        let phi6s = phi6s
            + ((k!(5.0)
                * (k!(20.0) * chi1l2l * eta * (k!(11763.0) + k!(12488.0) * eta)
                    + k!(7.0)
                        * chi22
                        * (-k!(15103.0) * (-k!(1.0) + delta)
                            + k!(2.0) * (-k!(21683.0) + k!(6580.0) * delta) * eta
                            - k!(9808.0) * eta2)
                    - k!(7.0)
                        * chi12
                        * (-k!(15103.0) * (k!(1.0) + delta)
                            + k!(2.0) * (k!(21683.0) + k!(6580.0) * delta) * eta
                            + k!(9808.0) * eta2)))
                / k!(4032.0))
                * k!(pi_two);
        let phi6lns = (-k!(6848.0) / k!(63.0)) * k!(pi_two);
        let phi7ns =
            ((k!(5.0) * (k!(15419335.0) + k!(168.0) * (k!(75703.0) - k!(29618.0) * eta) * eta) * k!(PI))
                / k!(254016.0))
                * k!(pi_seven_thirds);
        let phi7s = ((k!(5.0)
            * (-k!(5030016755.0) * (chi1 + chi2 + chi1 * delta - chi2 * delta)
                + k!(4.0)
                    * (k!(2113331119.0) * (chi1 + chi2) + k!(675484362.0) * (chi1 - chi2) * delta)
                    * eta
                - k!(1008.0) * (k!(208433.0) * (chi1 + chi2) + k!(25011.0) * (chi1 - chi2) * delta) * eta2
                + k!(90514368.0) * (chi1 + chi2) * eta3))
            / k!(6.096384e6))
            * k!(pi_seven_thirds);
        let phi7s = phi7s
            + (-k!(5.0)
                * (k!(57.0) * chi12 * (k!(1.0) + delta - k!(2.0) * eta) + k!(220.0) * chi1l2l * eta
                    - k!(57.0) * chi22 * (-k!(1.0) + delta + k!(2.0) * eta))
                * k!(PI))
                * k!(pi_seven_thirds);
        let phi7s = phi7s
            + ((k!(14585.0) * (-(chi23 * (-k!(1.0) + delta)) + chi13 * (k!(1.0) + delta))
                - k!(5.0)
                    * (chi23 * (k!(8819.0) - k!(2985.0) * delta)
                        + k!(8439.0) * chi1 * chi22 * (-k!(1.0) + delta)
                        - k!(8439.0) * chi12 * chi2 * (k!(1.0) + delta)
                        + chi13 * (k!(8819.0) + k!(2985.0) * delta))
                    * eta
                + k!(40.0)
                    * (chi1 + chi2)
                    * (k!(17.0) * chi12 - k!(14.0) * chi1l2l + k!(17.0) * chi22)
                    * eta2)
                / k!(48.0))
                * k!(pi_seven_thirds);
        let phi8s = ((-k!(5.0)
            * (k!(1263141.0) * (chi1 + chi2 + chi1 * delta - chi2 * delta)
                - k!(2.0) * (k!(794075.0) * (chi1 + chi2) + k!(178533.0) * (chi1 - chi2) * delta) * eta
                + k!(94344.0) * (chi1 + chi2) * eta2)
            * k!(PI)
            * (-k!(1.0) + k!(ln_pi)))
            / k!(9072.0))
            * k!(pi_eight_thirds);
        let phi8ls = ((-k!(5.0)
            * (k!(1263141.0) * (chi1 + chi2 + chi1 * delta - chi2 * delta)
                - k!(2.0) * (k!(794075.0) * (chi1 + chi2) + k!(178533.0) * (chi1 - chi2) * delta) * eta
                + k!(94344.0) * (chi1 + chi2) * eta2)
            * k!(PI))
            / k!(9072.0))
            * k!(pi_eight_thirds);
        Self {
            amp: [pn_two_thirds, pn_one, pn_four_thirds, pn_five_thirds, pn_two],
            phi2: phi2ns,
            phi3: phi3ns + phi3s,
            phi4: phi4ns + phi4s,
            phi5l: phi5lns + phi5ls,
            phi6: phi6ns + phi6s,
            phi6l: phi6lns,
            phi7: phi7ns + phi7s,
            phi8: phi8s,
            phi8l: phi8ls,
        }
    }
}

/// Pseudo-PN amplitude coefficients ρ1, ρ2, ρ3 (of f^(7/3), f^(8/3), f^3)
/// through the collocation values v1..v3 at f1..f3 (Eq. 5.7, solved in
/// closed form as LAL `IMRPhenomX_Inspiral_Amp_22_rho1..3`).
pub(super) fn ins_amp_rhos<T: Scalar>(f1: T, f2: T, f3: T, v1: T, v2: T, v3: T) -> [T; 3] {
    let (t1, t2, t3) = (f1.cbrt(), f2.cbrt(), f3.cbrt());
    let p7 = |t: T| {
        let t2 = t * t;
        let t4 = t2 * t2;
        t4 * t2 * t
    };
    let (f1p7, f2p7, f3p7) = (p7(t1), p7(t2), p7(t3));
    let (f1p8, f2p8, f3p8) = (f1p7 * t1, f2p7 * t2, f3p7 * t3);
    let (c1, c2, c3) = (f1 * f1 * f1, f2 * f2 * f2, f3 * f3 * f3);
    let den = f1p7 * (t1 - t2) * f2p7 * (t1 - t3) * (t2 - t3) * f3p7;
    let rho1 = (-(f2p8 * c3 * v1) + c2 * f3p8 * v1 + f1p8 * c3 * v2 - c1 * f3p8 * v2 - f1p8 * c2 * v3
        + c1 * f2p8 * v3)
        / den;
    let rho2 = (f2p7 * c3 * v1 - c2 * f3p7 * v1 - f1p7 * c3 * v2 + c1 * f3p7 * v2 + f1p7 * c2 * v3
        - c1 * f2p7 * v3)
        / den;
    let rho3 = (f2p8 * f3p7 * v1 - f2p7 * f3p8 * v1 - f1p8 * f3p7 * v2 + f1p7 * f3p8 * v2 + f1p8 * f2p7 * v3
        - f1p7 * f2p8 * v3)
        / den;
    [rho1, rho2, rho3]
}
