//! Calibrated fits of IMRPhenomXAS (Pratten et al. 2020, Phys. Rev. D 102,
//! 064001, arXiv:2001.11412), the final-state fits it uses (Jiménez-Forteza
//! et al. 2017, Phys. Rev. D 95, 064024, arXiv:1611.00332), the hybrid MECO
//! frequency (Cabero et al. 2017, Phys. Rev. D 95, 064016, arXiv:1602.03134)
//! and the (2,2) quasi-normal-mode fits of the Kerr remnant (rational fits
//! to Berti et al. 2009, arXiv:0905.2975).
//!
//! Every calibrated number of the model lives in this file. The
//! coefficients are those of LALSimulation's default IMRPhenomX versions
//! (inspiral phase 104, intermediate phase 105, ringdown phase 105;
//! inspiral amplitude 103, intermediate amplitude 104, ringdown amplitude
//! 103), written with the same grouping of terms so that the `f64` path
//! reproduces LAL's rounding. Each fit is `no_spin(η) + eq_spin(η, S) +
//! uneq_spin(η, S, Δχ)`, S being the effective spin named in its doc line
//! (χ̂_PN, Eq. 4.12, or S_tot,R, Eq. 4.13 of arXiv:2001.11412).
//!
//! All frequencies are dimensionless (M f with M the total mass); phase
//! derivative collocation values are in the normalisation of the paper
//! (Sec. VII), amplitude values relative to the leading-order amplitude.

use ferrax_autodiff::Scalar;

/// A constant of the scalar type `T` in scope.
macro_rules! k {
    ($x:expr) => {
        T::cst($x)
    };
}

/// Powers of η and of the effective spin S, the spin difference
/// Δχ = χ1 − χ2 and δ = (m1 − m2)/M, shared by the fits.
#[derive(Debug, Clone, Copy)]
pub struct FitVars<T> {
    /// Symmetric mass ratio η.
    pub eta: T,
    /// η².
    pub eta2: T,
    /// η³.
    pub eta3: T,
    /// η⁴.
    pub eta4: T,
    /// η⁵.
    pub eta5: T,
    /// η⁶.
    pub eta6: T,
    /// Effective spin S of the fit.
    pub s: T,
    /// S².
    pub s2: T,
    /// S³.
    pub s3: T,
    /// S⁴.
    pub s4: T,
    /// S⁵.
    pub s5: T,
    /// Δχ = χ1 − χ2.
    pub dchi: T,
    /// Δχ².
    pub dchi2: T,
    /// δ = (m1 − m2)/M ≥ 0.
    pub delta: T,
}

impl<T: Scalar> FitVars<T> {
    /// Collects the powers for symmetric mass ratio `eta`, effective spin
    /// `s`, spin difference `dchi` and mass difference `delta`.
    pub fn new(eta: T, s: T, dchi: T, delta: T) -> Self {
        let eta2 = eta * eta;
        let eta3 = eta2 * eta;
        let eta4 = eta3 * eta;
        let s2 = s * s;
        let s3 = s2 * s;
        let s4 = s3 * s;
        Self {
            eta,
            eta2,
            eta3,
            eta4,
            eta5: eta4 * eta,
            eta6: eta3 * eta3,
            s,
            s2,
            s3,
            s4,
            s5: s4 * s,
            dchi,
            dchi2: dchi * dchi,
            delta,
        }
    }
}

// ---------------------------------------------------------------------------
// Final state, MECO, time alignment (S = S_tot,R unless stated).
// ---------------------------------------------------------------------------

/// Energy radiated in units of the total mass, E_rad/M (Jiménez-Forteza et
/// al. 2017; LAL `XLALSimIMRPhenomXFinalMass2017` returns 1 − E_rad).
pub fn radiated_energy<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = k!(0.057190958417936644) * v.eta + k!(0.5609904135313374) * v.eta2
        - k!(0.84667563764404) * v.eta3
        + k!(3.145145224278187) * v.eta4;
    let eq_spin = ((k!(0.057190958417936644) * v.eta + k!(0.5609904135313374) * v.eta2
        - k!(0.84667563764404) * v.eta3
        + k!(3.145145224278187) * v.eta4)
        * (k!(1.0)
            + (-k!(0.13084389181783257) - k!(1.1387311580238488) * v.eta + k!(5.49074464410971) * v.eta2)
                * v.s
            + (-k!(0.17762802148331427) + k!(2.176667900182948) * v.eta2) * v.s2
            + (-k!(0.6320191645391563) + k!(4.952698546796005) * v.eta - k!(10.023747993978121) * v.eta2)
                * v.s3))
        / (k!(1.0)
            + (-k!(0.9919475346968611) + k!(0.367620218664352) * v.eta + k!(4.274567337924067) * v.eta2)
                * v.s);
    let eq_spin = eq_spin - no_spin;
    let uneq_spin = -k!(0.09803730445895877)
        * v.dchi
        * v.delta
        * (k!(1.0) - k!(3.2283713377939134) * v.eta)
        * v.eta2
        + k!(0.01118530335431078) * v.dchi2 * v.eta3
        - k!(0.01978238971523653) * v.dchi * v.delta * (k!(1.0) - k!(4.91667749015812) * v.eta) * v.eta * v.s;
    no_spin + eq_spin + uneq_spin
}

/// Dimensionless final spin of the remnant (Jiménez-Forteza et al. 2017;
/// LAL `XLALSimIMRPhenomXFinalSpin2017`).
pub fn final_spin<T: Scalar>(v: &FitVars<T>) -> T {
    let m1 = (v.delta + 1.0) * 0.5;
    let m2 = v.delta.rsub(1.0) * 0.5;
    let m1sq = m1 * m1;
    let m2sq = m2 * m2;
    let no_spin = (k!(3.4641016151377544) * v.eta + k!(20.0830030082033) * v.eta2
        - k!(12.333573402277912) * v.eta3)
        / (k!(1.0) + k!(7.2388440419467335) * v.eta);
    let eq_spin = (m1sq + m2sq) * v.s
        + ((-k!(0.8561951310209386) * v.eta - k!(0.09939065676370885) * v.eta2
            + k!(1.668810429851045) * v.eta3)
            * v.s
            + (k!(0.5881660363307388) * v.eta - k!(2.149269067519131) * v.eta2
                + k!(3.4768263932898678) * v.eta3)
                * v.s2
            + (k!(0.142443244743048) * v.eta - k!(0.9598353840147513) * v.eta2
                + k!(1.9595643107593743) * v.eta3)
                * v.s3)
            / (k!(1.0)
                + (-k!(0.9142232693081653) + k!(2.3191363426522633) * v.eta
                    - k!(9.710576749140989) * v.eta3)
                    * v.s);
    let uneq_spin =
        k!(0.3223660562764661) * v.dchi * v.delta * (k!(1.0) + k!(9.332575956437443) * v.eta) * v.eta2
            - k!(0.059808322561702126) * v.dchi2 * v.eta3
            + k!(2.3170397514509933)
                * v.dchi
                * v.delta
                * (k!(1.0) - k!(3.2624649875884852) * v.eta)
                * v.eta3
                * v.s;
    no_spin + eq_spin + uneq_spin
}

/// Hybrid minimum-energy-circular-orbit frequency M f_MECO (Cabero et al.
/// 2017), with S = χ̂_PN (LAL `XLALSimIMRPhenomXfMECO`).
pub fn f_meco<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin =
        (k!(0.018744340279608845) + k!(0.0077903147004616865) * v.eta + k!(0.003940354686136861) * v.eta2
            - k!(0.00006693930988501673) * v.eta3)
            / (k!(1.0) - k!(0.10423384680638834) * v.eta);
    let eq_spin = (v.s
        * (k!(0.00027180386951683135) - k!(0.00002585252361022052) * v.s
            + v.eta4
                * (-k!(0.0006807631931297156) + k!(0.022386313074011715) * v.s
                    - k!(0.0230825153005985) * v.s2)
            + v.eta2
                * (k!(0.00036556167661117023)
                    - k!(0.000010021140796150737) * v.s
                    - k!(0.00038216081981505285) * v.s2)
            + v.eta
                * (k!(0.00024422562796266645)
                    - k!(0.00001049013062611254) * v.s
                    - k!(0.00035182990586857726) * v.s2)
            + v.eta3
                * (-k!(0.0005418851224505745)
                    + k!(0.000030679548774047616) * v.s
                    + k!(4.038390455349854e-6) * v.s2)
            - k!(0.00007547517256664526) * v.s2))
        / (k!(0.026666543809890402)
            + (-k!(0.014590539285641243) - k!(0.012429476486138982) * v.eta
                + k!(1.4861197211952053) * v.eta4
                + k!(0.025066696514373803) * v.eta2
                + k!(0.005146809717492324) * v.eta3)
                * v.s
            + (-k!(0.0058684526275074025)
                - k!(0.02876774751921441) * v.eta
                - k!(2.551566872093786) * v.eta4
                - k!(0.019641378027236502) * v.eta2
                - k!(0.001956646166089053) * v.eta3)
                * v.s2
            + (k!(0.003507640638496499)
                + k!(0.014176504653145768) * v.eta
                + k!(1.0) * v.eta4
                + k!(0.012622225233586283) * v.eta2
                - k!(0.00767768214056772) * v.eta3)
                * v.s3);
    let uneq_spin = v.dchi2 * (k!(0.00034375176678815234) + k!(0.000016343732281057392) * v.eta) * v.eta2
        + v.dchi
            * v.delta
            * v.eta
            * (k!(0.08064665214195679) * v.eta2
                + v.eta * (-k!(0.028476219509487793) - k!(0.005746537021035632) * v.s)
                - k!(0.0011713735642446144) * v.s);
    no_spin + eq_spin + uneq_spin
}

/// Fit of the time from the peak of ψ4 to the peak of the strain [M]
/// (LAL `XLALSimIMRPhenomXPsi4ToStrain`).
pub fn psi4_to_strain<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = k!(13.39320482758057) - k!(175.42481512989315) * v.eta + k!(2097.425116152503) * v.eta2
        - k!(9862.84178637907) * v.eta3
        + k!(16026.897939722587) * v.eta4;
    let eq_spin = (k!(4.7895602776763) - k!(163.04871764530466) * v.eta + k!(609.5575850476959) * v.eta2)
        * v.s
        + (k!(1.3934428041390161) - k!(97.51812681228478) * v.eta + k!(376.9200932531847) * v.eta2) * v.s2
        + (k!(15.649521097877374) + k!(137.33317057388916) * v.eta - k!(755.9566456906406) * v.eta2) * v.s3
        + (k!(13.097315867845788) + k!(149.30405703643288) * v.eta - k!(764.5242164872267) * v.eta2) * v.s4;
    let uneq_spin = k!(105.37711654943146) * v.dchi * v.delta * v.eta2;
    no_spin + eq_spin + uneq_spin
}

/// Fit of dφ22/d(Mf) at f_ring − f_damp on the calibration hybrids, used
/// to put the amplitude peak at t = 0 (LAL `XLALSimIMRPhenomXLinb`).
pub fn linb<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = k!(3155.1635543201924) + k!(1257.9949740608242) * v.eta - k!(32243.28428870599) * v.eta2
        + k!(347213.65466875216) * v.eta3
        - k!(1.9223851649491738e6) * v.eta4
        + k!(5.3035911346921865e6) * v.eta5
        - k!(5.789128656876938e6) * v.eta6;
    let eq_spin = (-k!(24.181508118588667) + k!(115.49264174560281) * v.eta
        - k!(380.19778216022763) * v.eta2)
        * v.s
        + (k!(24.72585609641552) - k!(328.3762360751952) * v.eta + k!(725.6024119989094) * v.eta2) * v.s2
        + (k!(23.404604124552) - k!(646.3410199799737) * v.eta + k!(1941.8836639529036) * v.eta2) * v.s3
        + (-k!(12.814828278938885) - k!(325.92980012408367) * v.eta + k!(1320.102640190539) * v.eta2) * v.s4;
    let uneq_spin = -k!(148.17317525117338) * v.dchi * v.delta * v.eta2;
    no_spin + eq_spin + uneq_spin
}

/// Ringdown frequency M f_ring of the (2,2) mode of a Kerr black hole of
/// unit mass and dimensionless spin `a` (LAL `evaluate_QNMfit_fring22`).
pub fn qnm_fring22<T: Scalar>(a: T) -> T {
    let x2 = a * a;
    let x3 = x2 * a;
    let x4 = x2 * x2;
    let x5 = x3 * x2;
    let x6 = x3 * x3;
    let x7 = x4 * x3;
    (k!(0.05947169566573468) - k!(0.14989771215394762) * a
        + k!(0.09535606290986028) * x2
        + k!(0.02260924869042963) * x3
        - k!(0.02501704155363241) * x4
        - k!(0.005852438240997211) * x5
        + k!(0.0027489038393367993) * x6
        + k!(0.0005821983163192694) * x7)
        / (k!(1.0) - k!(2.8570126619966296) * a + k!(2.373335413978394) * x2 - k!(0.6036964688511505) * x4
            + k!(0.0873798215084077) * x6)
}

/// Damping frequency M f_damp of the (2,2) mode of a Kerr black hole of
/// unit mass and dimensionless spin `a` (LAL `evaluate_QNMfit_fdamp22`).
pub fn qnm_fdamp22<T: Scalar>(a: T) -> T {
    let x2 = a * a;
    let x3 = x2 * a;
    let x4 = x2 * x2;
    let x5 = x3 * x2;
    let x6 = x3 * x3;
    (k!(0.014158792290965177) - k!(0.036989395871554566) * a
        + k!(0.026822526296575368) * x2
        + k!(0.0008490933750566702) * x3
        - k!(0.004843996907020524) * x4
        - k!(0.00014745235759327472) * x5
        + k!(0.0001504546201236794) * x6)
        / (k!(1.0) - k!(2.5900842798681376) * a + k!(1.8952576220623967) * x2 - k!(0.31416610693042507) * x4
            + k!(0.009002719412204133) * x6)
}

// ---------------------------------------------------------------------------
// Collocation values of the amplitude and phase (arXiv:2001.11412).
// Inspiral fits use S = χ̂_PN; intermediate and ringdown fits S = S_tot,R.
// ---------------------------------------------------------------------------

/// Inspiral amplitude collocation value at 2/4 of the inspiral range (Eq. 5.7)
/// (LALSimulation `IMRPhenomX_Inspiral_Amp_22_v2`, version 103).
pub fn ins_amp_v2<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (-k!(0.015178276424448592) - k!(0.06098548699809163) * v.eta
        + k!(0.4845148547154606) * v.eta2)
        / (k!(1.0) + k!(0.09799277215675059) * v.eta);
    let eq_spin = ((k!(0.02300153747158323) + k!(0.10495263104245876) * v.eta2) * v.s
        + (k!(0.04834642258922544) - k!(0.14189350657140673) * v.eta) * v.eta * v.s3
        + (k!(0.01761591799745109) - k!(0.14404522791467844) * v.eta2) * v.s2)
        / (k!(1.0) - k!(0.7340448493183307) * v.s);
    let uneq_spin = v.dchi * v.delta * v.eta4 * (k!(0.0018724905795891192) + k!(34.90874132485147) * v.eta);
    no_spin + eq_spin + uneq_spin
}

/// Inspiral amplitude collocation value at 3/4 of the inspiral range (Eq. 5.7)
/// (LALSimulation `IMRPhenomX_Inspiral_Amp_22_v3`, version 103).
pub fn ins_amp_v3<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (-k!(0.058572000924124644) - k!(1.1970535595488723) * v.eta + k!(8.4630293045015) * v.eta2)
        / (k!(1.0) + k!(15.430818840453686) * v.eta);
    let eq_spin = ((-k!(0.08746408292050666)
        + v.eta * (-k!(0.20646621646484237) - k!(0.21291764491897636) * v.s)
        + v.eta2 * (k!(0.788717372588848) + k!(0.8282888482429105) * v.s)
        - k!(0.018924013869130434) * v.s)
        * v.s)
        / (-k!(1.332123330797879) + k!(1.0) * v.s);
    let uneq_spin = v.dchi * v.delta * v.eta4 * (k!(0.004389995099201855) + k!(105.84553997647659) * v.eta);
    no_spin + eq_spin + uneq_spin
}

/// Inspiral amplitude collocation value at the end of the inspiral range (Eq. 5.7)
/// (LALSimulation `IMRPhenomX_Inspiral_Amp_22_v4`, version 103).
pub fn ins_amp_v4<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (-k!(0.16212854591357853) + k!(1.617404703616985) * v.eta - k!(3.186012733446088) * v.eta2
        + k!(5.629598195000046) * v.eta3)
        / (k!(1.0) + k!(0.04507019231274476) * v.eta);
    let eq_spin = (v.s
        * (k!(1.0055835408962206) + v.eta2 * (k!(18.353433894421833) - k!(18.80590889704093) * v.s)
            - k!(0.31443470118113853) * v.s
            + v.eta * (-k!(4.127597118865669) + k!(5.215501942120774) * v.s)
            + v.eta3 * (-k!(41.0378120175805) + k!(19.099315016873643) * v.s)))
        / (k!(5.852706459485663) - k!(5.717874483424523) * v.s + k!(1.0) * v.s2);
    let uneq_spin = v.dchi * v.delta * v.eta4 * (k!(0.05575955418803233) + k!(208.92352600701068) * v.eta);
    no_spin + eq_spin + uneq_spin
}

/// Inspiral phase-derivative collocation value v3 (Sec. VII.A)
/// (LALSimulation `IMRPhenomX_Inspiral_Phase_22_v3`, version 104).
pub fn ins_phase_v3<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (k!(15415.000000000007) + k!(873401.6255736464) * v.eta + k!(376665.64637025696) * v.eta2
        - k!(3.9719980569125614e6) * v.eta3
        + k!(8.913612508054944e6) * v.eta4)
        / (k!(1.0) + k!(46.83697749859996) * v.eta);
    let eq_spin = (v.s
        * (k!(397951.95299014193) - k!(207180.42746987) * v.s
            + v.eta3
                * (k!(4.662143741417853e6) - k!(584728.050612325) * v.s - k!(1.6894189124921719e6) * v.s2)
            + v.eta
                * (-k!(1.0053073129700898e6) + k!(1.235279439281927e6) * v.s
                    - k!(174952.69161683554) * v.s2)
            - k!(130668.37221912303) * v.s2
            + v.eta2
                * (-k!(1.9826323844247842e6) + k!(208349.45742548333) * v.s + k!(895372.155565861) * v.s2)))
        / (-k!(9.675704197652225)
            + k!(3.5804521763363075) * v.s
            + k!(2.5298346636273306) * v.s2
            + k!(1.0) * v.s3);
    let uneq_spin = -k!(1296.9289110696955) * v.dchi2 * v.eta
        + v.dchi
            * v.delta
            * v.eta
            * (-k!(24708.109411857182) + k!(24703.28267342699) * v.eta + k!(47752.17032707405) * v.s);
    no_spin + eq_spin + uneq_spin
}

/// Inspiral phase-derivative difference d13 = v1 - v3 (Sec. VII.A)
/// (LALSimulation `IMRPhenomX_Inspiral_Phase_22_d13`, version 104).
pub fn ins_phase_d13<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (-k!(17294.000000000007) - k!(19943.076428555978) * v.eta + k!(483033.0998073767) * v.eta2)
        / (k!(1.0) + k!(4.460294035404433) * v.eta);
    let eq_spin = (v.s
        * (k!(68384.62786426462) + k!(67663.42759836042) * v.s - k!(2179.3505885609297) * v.s2
            + v.eta
                * (-k!(58475.33302037833) + k!(62190.404951852535) * v.s + k!(18298.307770807573) * v.s2
                    - k!(303141.1945565486) * v.s3)
            + k!(19703.894135534803) * v.s3
            + v.eta2
                * (-k!(148368.4954044637) - k!(758386.5685734496) * v.s - k!(137991.37032619823) * v.s2
                    + k!(1.0765877367729193e6) * v.s3)
            + k!(32614.091002011017) * v.s4))
        / (k!(2.0412979553629143) + k!(1.0) * v.s);
    let uneq_spin = k!(12017.062595934838) * v.dchi * v.delta * v.eta;
    no_spin + eq_spin + uneq_spin
}

/// Inspiral phase-derivative difference d23 = v2 - v3 (Sec. VII.A)
/// (LALSimulation `IMRPhenomX_Inspiral_Phase_22_d23`, version 104).
pub fn ins_phase_d23<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (-k!(7579.300000000004) - k!(120297.86185566607) * v.eta
        + k!(1.1694356931282217e6) * v.eta2
        - k!(557253.0066989232) * v.eta3)
        / (k!(1.0) + k!(18.53018618227582) * v.eta);
    let eq_spin = (v.s
        * (-k!(27089.36915061857) - k!(66228.9369155027) * v.s
            + v.eta2
                * (k!(150022.21343386435) - k!(50166.382087278434) * v.s - k!(399712.22891153296) * v.s2)
            - k!(44331.41741405198) * v.s2
            + v.eta
                * (k!(50644.13475990821) + k!(157036.45676788126) * v.s + k!(126736.43159783827) * v.s2)
            + v.eta3
                * (-k!(593633.5370110178) - k!(325423.99477314285) * v.s + k!(847483.2999508682) * v.s2)))
        / (-k!(1.5232497464826662) - k!(3.062957826830017) * v.s - k!(1.130185486082531) * v.s2
            + k!(1.0) * v.s3);
    let uneq_spin = k!(3843.083992827935) * v.dchi * v.delta * v.eta;
    no_spin + eq_spin + uneq_spin
}

/// Inspiral phase-derivative difference d43 = v4 - v3 (Sec. VII.A)
/// (LALSimulation `IMRPhenomX_Inspiral_Phase_22_d43`, version 104).
pub fn ins_phase_d43<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (k!(2439.000000000001) - k!(31133.52170083207) * v.eta + k!(28867.73328134167) * v.eta2)
        / (k!(1.0) + k!(0.41143032589262585) * v.eta);
    let eq_spin = (v.s
        * (k!(16116.057657391262)
            + v.eta3 * (-k!(375818.0132734753) - k!(386247.80765802023) * v.s)
            + v.eta * (-k!(82355.86732027541) - k!(25843.06175439942) * v.s)
            + k!(9861.635308837876) * v.s
            + v.eta2 * (k!(229284.04542668918) + k!(117410.37432997991) * v.s)))
        / (-k!(3.7385208695213668) + k!(0.25294420589064653) * v.s + k!(1.0) * v.s2);
    let uneq_spin = k!(194.5554531509207) * v.dchi * v.delta * v.eta;
    no_spin + eq_spin + uneq_spin
}

/// Intermediate amplitude collocation value at the midpoint (Table II)
/// (LALSimulation `IMRPhenomX_Intermediate_Amp_22_vA`, version 104).
pub fn int_amp_va<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (k!(1.4873184918202145) + k!(1974.6112656679577) * v.eta + k!(27563.641024162127) * v.eta2
        - k!(19837.908020966777) * v.eta3)
        / (k!(1.0) + k!(143.29004876335128) * v.eta + k!(458.4097306093354) * v.eta2);
    let eq_spin = (v.s
        * (k!(27.952730865904343)
            + v.eta * (-k!(365.55631765202895) - k!(260.3494489873286) * v.s)
            + k!(3.2646808851249016) * v.s
            + k!(3011.446602208493) * v.eta2 * v.s
            - k!(19.38970173389662) * v.s2
            + v.eta3
                * (k!(1612.2681322644232) - k!(6962.675551371755) * v.s + k!(1486.4658089990298) * v.s2)))
        / (k!(12.647425554323242) - k!(10.540154508599963) * v.s + k!(1.0) * v.s2);
    let uneq_spin = v.dchi * v.delta * (-k!(0.016404056649860943) - k!(296.473359655246) * v.eta) * v.eta2;
    no_spin + eq_spin + uneq_spin
}

/// Intermediate phase-derivative collocation value v2 (Sec. VII.B)
/// (LALSimulation `IMRPhenomX_Intermediate_Phase_22_v2`, version 105).
pub fn int_phase_v2<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin =
        (-k!(82.54500000000004) - k!(5.58197349185435e6) * v.eta - k!(3.5225742421184325e8) * v.eta2
            + k!(1.4667258334378073e9) * v.eta3)
            / (k!(1.0)
                + k!(66757.12830903867) * v.eta
                + k!(5.385164380400193e6) * v.eta2
                + k!(2.5176585751772933e6) * v.eta3);
    let eq_spin = (v.s
        * (k!(19.416719811164853) - k!(36.066611959079935) * v.s - k!(0.8612656616290079) * v.s2
            + v.eta2
                * (k!(170.97203068800542) - k!(107.41099349364234) * v.s - k!(647.8103976942541) * v.s3)
            + k!(5.95010003393006) * v.s3
            + v.eta3
                * (-k!(1365.1499998427248)
                    + k!(1152.425940764218) * v.s
                    + k!(415.7134909564443) * v.s2
                    + k!(1897.5444343138167) * v.s3
                    - k!(866.283566780576) * v.s4)
            + k!(4.984750041013893) * v.s4
            + v.eta
                * (k!(207.69898051583655) - k!(132.88417400679026) * v.s - k!(17.671713040498304) * v.s2
                    + k!(29.071788188638315) * v.s3
                    + k!(37.462217031512786) * v.s4)))
        / (-k!(1.1492259468169692) + k!(1.0) * v.s);
    let uneq_spin = v.dchi
        * v.delta
        * v.eta3
        * (k!(7343.130973149263) - k!(20486.813161100774) * v.eta + k!(515.9898508588834) * v.s);
    no_spin + eq_spin + uneq_spin
}

/// Intermediate v2 minus ringdown v4 (Sec. VII.B)
/// (LALSimulation `IMRPhenomX_Intermediate_Phase_22_v2mRDv4`, version 105).
pub fn int_phase_v2m_rd_v4<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (v.eta
        * (k!(0.9951733419499662) + k!(101.21991715215253) * v.eta + k!(632.4731389009143) * v.eta2))
        / (k!(0.00016803066316882238)
            + k!(0.11412314719189287) * v.eta
            + k!(1.8413983770369362) * v.eta2
            + k!(1.0) * v.eta3);
    let eq_spin = (v.s
        * (k!(18.694178521101332)
            + k!(16.89845522539974) * v.s
            + k!(4941.31613710257) * v.eta2 * v.s
            + v.eta * (-k!(697.6773920613674) - k!(147.53381808989846) * v.s2)
            + k!(0.3612417066833153) * v.s2
            + v.eta3
                * (k!(3531.552143264721) - k!(14302.70838220423) * v.s + k!(178.85850322465944) * v.s2)))
        / (k!(2.965640445745779) - k!(2.7706595614504725) * v.s + k!(1.0) * v.s2);
    let uneq_spin =
        v.dchi * v.delta * v.eta2 * (k!(356.74395864902294) + k!(1693.326644293169) * v.eta2 * v.s);
    no_spin + eq_spin + uneq_spin
}

/// Intermediate v3 minus ringdown v4 (Sec. VII.B)
/// (LALSimulation `IMRPhenomX_Intermediate_Phase_22_v3mRDv4`, version 105).
pub fn int_phase_v3m_rd_v4<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (v.eta
        * (-k!(5.126358906504587) - k!(227.46830225846668) * v.eta + k!(688.3609087244353) * v.eta2
            - k!(751.4184178636324) * v.eta3))
        / (-k!(0.004551938711031158) - k!(0.7811680872741462) * v.eta + k!(1.0) * v.eta2);
    let eq_spin = (v.s
        * (k!(0.1549280856660919) - k!(0.9539250460041732) * v.s - k!(539.4071941841604) * v.eta2 * v.s
            + v.eta * (k!(73.79645135116367) - k!(8.13494176717772) * v.s2)
            - k!(2.84311102369862) * v.s2
            + v.eta3
                * (-k!(936.3740515136005) + k!(1862.9097047992134) * v.s + k!(224.77581754671272) * v.s2)))
        / (-k!(1.5308507364054487) + k!(1.0) * v.s);
    let uneq_spin = k!(2993.3598520496153) * v.dchi * v.delta * v.eta6;
    no_spin + eq_spin + uneq_spin
}

/// Intermediate d43 = v4 - v3 (Sec. VII.B)
/// (LALSimulation `IMRPhenomX_Intermediate_Phase_22_d43`, version 105).
pub fn int_phase_d43<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (k!(0.4248820426833804)
        - k!(906.746595921514) * v.eta
        - k!(282820.39946006844) * v.eta2
        - k!(967049.2793750163) * v.eta3
        + k!(670077.5414916876) * v.eta4)
        / (k!(1.0) + k!(1670.9440812294847) * v.eta + k!(19783.077247023448) * v.eta2);
    let eq_spin = (v.s
        * (k!(0.22814271667259703)
            + k!(1.1366593671801855) * v.s
            + v.eta3 * (k!(3499.432393555856) - k!(877.8811492839261) * v.s - k!(4974.189172654984) * v.s2)
            + v.eta * (k!(12.840649528989287) - k!(61.17248283184154) * v.s2)
            + k!(0.4818323187946999) * v.s2
            + v.eta2
                * (-k!(711.8532052499075) + k!(269.9234918621958) * v.s + k!(941.6974723887743) * v.s2)
            + v.eta4
                * (-k!(4939.642457025497) - k!(227.7672020783411) * v.s + k!(8745.201037897836) * v.s2)))
        / (-k!(1.2442293719740283) + k!(1.0) * v.s);
    let uneq_spin = v.dchi * v.delta * (-k!(514.8494071830514) + k!(1493.3851099678195) * v.eta) * v.eta3;
    no_spin + eq_spin + uneq_spin
}

/// Ringdown amplitude coefficient γ2 (λ in the paper, Sec. VI.C)
/// (LALSimulation `IMRPhenomX_Ringdown_Amp_22_gamma2`, version 103).
pub fn rd_amp_gamma2<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (k!(0.8312293675316895) + k!(7.480371544268765) * v.eta - k!(18.256121237800397) * v.eta2)
        / (k!(1.0) + k!(10.915453595496611) * v.eta - k!(30.578409433912874) * v.eta2);
    let eq_spin = (v.s
        * (k!(0.5869408584532747)
            + v.eta * (-k!(0.1467158405070222) - k!(2.8489481072076472) * v.s)
            + k!(0.031852563636196894) * v.s
            + v.eta2 * (k!(0.25295441250444334) + k!(4.6849496672664594) * v.s)))
        / (k!(3.8775263105069953) - k!(3.41755361841226) * v.s + k!(1.0) * v.s2);
    let uneq_spin = -k!(0.00548054788508203) * v.dchi * v.delta * v.eta;
    no_spin + eq_spin + uneq_spin
}

/// Ringdown amplitude coefficient γ3 (σ in the paper, Sec. VI.C)
/// (LALSimulation `IMRPhenomX_Ringdown_Amp_22_gamma3`, version 103).
pub fn rd_amp_gamma3<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (k!(1.3666000000000007) - k!(4.091333144596439) * v.eta + k!(2.109081209912545) * v.eta2
        - k!(4.222259944408823) * v.eta3)
        / (k!(1.0) - k!(2.7440263888207594) * v.eta);
    let eq_spin = (k!(0.07179105336478316)
        + v.eta2 * (k!(2.331724812782498) - k!(0.6330998412809531) * v.s)
        + v.eta * (-k!(0.8752427297525086) + k!(0.4168560229353532) * v.s)
        - k!(0.05633734476062242) * v.s)
        * v.s;
    let uneq_spin = k!(0.0) * v.delta * v.dchi;
    no_spin + eq_spin + uneq_spin
}

/// Ringdown amplitude collocation value at the peak frequency (Sec. VI.C)
/// (LALSimulation `IMRPhenomX_Ringdown_Amp_22_v1`, version 103).
pub fn rd_amp_v1<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin =
        (k!(0.03689164742964719) + k!(25.417967754401182) * v.eta + k!(162.52904393600332) * v.eta2)
            / (k!(1.0) + k!(61.19874463331437) * v.eta - k!(29.628854485544874) * v.eta2);
    let eq_spin = (v.s
        * (-k!(0.14352506969368556) + k!(0.026356911108320547) * v.s + k!(0.19967405175523437) * v.s2
            - k!(0.05292913111731128) * v.s3
            + v.eta3
                * (-k!(48.31945248941757) - k!(3.751501972663298) * v.s
                    + k!(81.9290740950083) * v.s2
                    + k!(30.491948143930266) * v.s3
                    - k!(132.77982622925845) * v.s4)
            + v.eta
                * (-k!(4.805034453745424) + k!(1.11147906765112) * v.s + k!(6.176053843938542) * v.s2
                    - k!(0.2874540719094058) * v.s3
                    - k!(8.990840289951514) * v.s4)
            - k!(0.18147275151697131) * v.s4
            + v.eta2
                * (k!(27.675454081988036)
                    - k!(2.398327419614959) * v.s
                    - k!(47.99096500250743) * v.s2
                    - k!(5.104257870393138) * v.s3
                    + k!(72.08174136362386) * v.s4)))
        / (-k!(1.4160870461211452) + k!(1.0) * v.s);
    let uneq_spin = -k!(0.04426571511345366) * v.dchi * v.delta * v.eta2;
    no_spin + eq_spin + uneq_spin
}

/// Ringdown phase-derivative collocation value v4 at f_ring (Eq. 7.13)
/// (LALSimulation `IMRPhenomX_Ringdown_Phase_22_v4`, version 105).
pub fn rd_phase_v4<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (-k!(85.86062966719405) - k!(4616.740713893726) * v.eta - k!(4925.756920247186) * v.eta2
        + k!(7732.064464348168) * v.eta3
        + k!(12828.269960300782) * v.eta4
        - k!(39783.51698102803) * v.eta5)
        / (k!(1.0) + k!(50.206318806624004) * v.eta);
    let eq_spin = (v.s
        * (k!(33.335857451144356) - k!(36.49019206094966) * v.s
            + v.eta3 * (k!(1497.3545918387515) - k!(101.72731770500685) * v.s) * v.s
            - k!(3.835967351280833) * v.s2
            + k!(2.302712009652155) * v.s3
            + v.eta2
                * (k!(93.64156367505917) - k!(18.184492163348665) * v.s + k!(423.48863373726243) * v.s2
                    - k!(104.36120236420928) * v.s3
                    - k!(719.8775484010988) * v.s4)
            + k!(1.6533417657003922) * v.s4
            + v.eta
                * (-k!(69.19412903018717) + k!(26.580344399838758) * v.s - k!(15.399770764623746) * v.s2
                    + k!(31.231253209893488) * v.s3
                    + k!(97.69027029734173) * v.s4)
            + v.eta4
                * (k!(1075.8686153198323)
                    - k!(3443.0233614187396) * v.s
                    - k!(4253.974688619423) * v.s2
                    - k!(608.2901586790335) * v.s3
                    + k!(5064.173605639933) * v.s4)))
        / (-k!(1.3705601055555852) + k!(1.0) * v.s);
    let uneq_spin = v.dchi * v.delta * v.eta * (k!(22.363215261437862) + k!(156.08206945239374) * v.eta);
    no_spin + eq_spin + uneq_spin
}

/// Ringdown phase-derivative difference d12 = v1 - v2 (Sec. VII.C)
/// (LALSimulation `IMRPhenomX_Ringdown_Phase_22_d12`, version 105).
pub fn rd_phase_d12<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (v.eta
        * (k!(0.7207992174994245) - k!(1.237332073800276) * v.eta + k!(6.086871214811216) * v.eta2))
        / (k!(0.006851189888541745) + k!(0.06099184229137391) * v.eta - k!(0.15500218299268662) * v.eta2
            + k!(1.0) * v.eta3);
    let eq_spin =
        ((k!(0.06519048552628343) - k!(25.25397971063995) * v.eta - k!(308.62513664956975) * v.eta4
            + k!(58.59408241189781) * v.eta2
            + k!(160.14971486043524) * v.eta3)
            * v.s
            + v.eta
                * (-k!(5.215945111216946) + k!(153.95945758807616) * v.eta - k!(693.0504179144295) * v.eta2
                    + k!(835.1725103648205) * v.eta3)
                * v.s2
            + (k!(0.20035146870472367) - k!(0.28745205203100666) * v.eta - k!(47.56042058800358) * v.eta4)
                * v.s3
            + v.eta
                * (k!(5.7756520242745735) - k!(43.97332874253772) * v.eta + k!(338.7263666984089) * v.eta3)
                * v.s4
            + (-k!(0.2697933899920511) + k!(4.917070939324979) * v.eta
                - k!(22.384949087140086) * v.eta4
                - k!(11.61488280763592) * v.eta2)
                * v.s5)
            / (k!(1.0) - k!(0.6628745847248266) * v.s);
    let uneq_spin = -k!(23.504907495268824) * v.dchi * v.delta * v.eta2;
    no_spin + eq_spin + uneq_spin
}

/// Ringdown phase-derivative difference d24 = v2 - v4 (Sec. VII.C)
/// (LALSimulation `IMRPhenomX_Ringdown_Phase_22_d24`, version 105).
pub fn rd_phase_d24<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (v.eta
        * (-k!(9.460253118496386) + k!(9.429314399633007) * v.eta + k!(64.69109972468395) * v.eta2))
        / (-k!(0.0670554310666559) - k!(0.09987544893382533) * v.eta + k!(1.0) * v.eta2);
    let eq_spin = (k!(17.36495157980372) * v.eta * v.s
        + v.eta3 * v.s * (k!(930.3458437154668) + k!(808.457330742532) * v.s)
        + v.eta4
            * v.s
            * (-k!(774.3633787391745) - k!(2177.554979351284) * v.s - k!(1031.846477275069) * v.s2)
        + v.eta2
            * v.s
            * (-k!(191.00932194869588) - k!(62.997389062600035) * v.s + k!(64.42947340363101) * v.s2)
        + k!(0.04497628581617564) * v.s3)
        / (k!(1.0) - k!(0.7267610313751913) * v.s);
    let uneq_spin = v.dchi * v.delta * (-k!(36.66374091965371) + k!(91.60477826830407) * v.eta) * v.eta2;
    no_spin + eq_spin + uneq_spin
}

/// Ringdown phase-derivative difference d34 = v3 - v4 (Sec. VII.C)
/// (LALSimulation `IMRPhenomX_Ringdown_Phase_22_d34`, version 105).
pub fn rd_phase_d34<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (v.eta * (-k!(8.506898502692536) + k!(13.936621412517798) * v.eta))
        / (-k!(0.40919671232073945) + k!(1.0) * v.eta);
    let eq_spin = (v.eta
        * (k!(1.7280582989361533) * v.s + k!(18.41570325463385) * v.s3 - k!(13.743271480938104) * v.s4)
        + v.eta2
            * (k!(73.8367329022058) * v.s - k!(95.57802408341716) * v.s3 + k!(215.78111099820157) * v.s4)
        + k!(0.046849371468156265) * v.s2
        + v.eta3
            * v.s
            * (-k!(27.976989112929353) + k!(6.404060932334562) * v.s - k!(633.1966645925428) * v.s3
                + k!(109.04824706217418) * v.s2))
        / (k!(1.0) - k!(0.6862449113932192) * v.s);
    let uneq_spin = k!(641.8965762829259) * v.dchi * v.delta * v.eta5;
    no_spin + eq_spin + uneq_spin
}

/// Ringdown phase-derivative difference d54 = v5 - v4 (Sec. VII.C)
/// (LALSimulation `IMRPhenomX_Ringdown_Phase_22_d54`, version 105).
pub fn rd_phase_d54<T: Scalar>(v: &FitVars<T>) -> T {
    let no_spin = (v.eta
        * (k!(7.05731400277692) + k!(22.455288821807095) * v.eta + k!(119.43820622871043) * v.eta2))
        / (k!(0.26026709603623255) + k!(1.0) * v.eta);
    let eq_spin = (v.eta2 * (k!(134.88158268621922) - k!(56.05992404859163) * v.s) * v.s
        + v.eta * v.s * (-k!(7.9407123129681425) + k!(9.486783128047414) * v.s)
        + v.eta3 * v.s * (-k!(316.26970506215554) + k!(90.31815139272628) * v.s))
        / (k!(1.0) - k!(0.7162058321905909) * v.s);
    let uneq_spin = k!(43.82713604567481) * v.dchi * v.delta * v.eta3;
    no_spin + eq_spin + uneq_spin
}
