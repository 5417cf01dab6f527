#!/usr/bin/env python3.11
"""Reference values of the time-, distance- and phase-marginalised GW likelihood from bilby.

Makes tests/data/likelihood/bilby_marginalised_IMRPhenomD_HLV.json: bilby 2.8.2's
GravitationalWaveTransient.log_likelihood_ratio with time, time+phase, distance,
distance+phase, time+distance and time+distance+phase marginalisation, evaluated at the
ten points of tests/data/likelihood/bilby_IMRPhenomD_HLV_zero_noise.json (same zero-noise
IMRPhenomD injection in H1+L1+V1, same PSDs, 4 s at 2048 Hz, 20-1024 Hz).

For the distance-marginalised cases it also stores an exact quadrature of the same integral
(dense Simpson rule over the distance prior, from bilby's own <h|d> and <h|h>), so that the
error of bilby's interpolated lookup table can be told apart from that of a port.

Priors: geocent_time ~ Uniform(t_inj - 0.1, t_inj + 0.1); luminosity_distance ~
PowerLaw(alpha=2, 50, 2000) Mpc; phase ~ Uniform(0, 2 pi). Time-marginalised points use bilby's
sampling configuration: geocent_time = start_time, with a time_jitter per point (jitter_time=True).

Run from the repository root:  python3.11 experiments/likelihood_marginalised/bilby_marginalised.py
Needs bilby 2.8.2 and lalsuite (pip); writes only the JSON above (bilby's lookup tables go to a
temporary folder).
"""
import copy
import json
import os
import tempfile

import numpy as np
import bilby
from bilby.gw.utils import ln_i0
from scipy.special import logsumexp

REF = "tests/data/likelihood/bilby_IMRPhenomD_HLV_zero_noise.json"
OUT = "tests/data/likelihood/bilby_marginalised_IMRPhenomD_HLV.json"
T_WINDOW = 0.1
D_MIN, D_MAX, D_ALPHA = 50.0, 2000.0, 2.0
# jitter (s) per point for the time-marginalised cases; bilby's jitter prior is U(-dt/2, dt/2), dt = 2/fs
JITTERS = [0.0, 1.0e-4, -2.0e-4, 3.0e-4, -4.5e-4, 0.0, 2.5e-4, -1.0e-4, 4.0e-4, -3.0e-4]

bilby.core.utils.logger.setLevel("ERROR")
ref = json.load(open(REF))
setup = ref["setup"]
T = setup["duration_s"]
fs = setup["sampling_frequency_hz"]
start = setup["start_time"]
t_inj = setup["geocent_time_injection"]
wargs = setup["waveform_arguments"]

wfg = bilby.gw.WaveformGenerator(
    duration=T,
    sampling_frequency=fs,
    frequency_domain_source_model=bilby.gw.source.lal_binary_black_hole,
    parameter_conversion=bilby.gw.conversion.convert_to_lal_binary_black_hole_parameters,
    waveform_arguments=wargs,
)
ifos = bilby.gw.detector.InterferometerList(["H1", "L1", "V1"])
for ifo in ifos:
    ifo.power_spectral_density = bilby.gw.detector.PowerSpectralDensity(
        psd_file=setup["detectors"][ifo.name]["psd_file"]
    )
    ifo.minimum_frequency = wargs["minimum_frequency"]
    ifo.maximum_frequency = wargs["maximum_frequency"]
ifos.set_strain_data_from_zero_noise(sampling_frequency=fs, duration=T, start_time=start)
ifos.inject_signal(waveform_generator=wfg, parameters=ref["injection"]["bilby_params"])

# the setup must reproduce the stored data and the stored unmarginalised values
for ifo in ifos:
    m = ifo.frequency_mask
    d = setup["detectors"][ifo.name]
    data = np.array(d["data_real_on_mask"]) + 1j * np.array(d["data_imag_on_mask"])
    err = np.max(np.abs(ifo.frequency_domain_strain[m] - data)) / np.max(np.abs(data))
    assert err < 1e-12, (ifo.name, err)
    assert np.allclose(ifo.power_spectral_density_array[m], d["psd_on_mask"], rtol=1e-14, atol=0)
plain = bilby.gw.likelihood.GravitationalWaveTransient(ifos, wfg)
for p in ref["points"]:
    v = plain.log_likelihood_ratio(copy.deepcopy(p["bilby_params"]))
    assert abs(v - p["log_likelihood_ratio"]) < 1e-9, (p["label"], v, p["log_likelihood_ratio"])


def priors():
    pr = bilby.gw.prior.BBHPriorDict()
    pr["geocent_time"] = bilby.core.prior.Uniform(t_inj - T_WINDOW, t_inj + T_WINDOW, name="geocent_time")
    pr["luminosity_distance"] = bilby.core.prior.PowerLaw(
        alpha=D_ALPHA, minimum=D_MIN, maximum=D_MAX, name="luminosity_distance"
    )
    pr["phase"] = bilby.core.prior.Uniform(0, 2 * np.pi, name="phase", boundary="periodic")
    return pr


# exact distance marginalisation (independent of bilby's table): Simpson rule on a dense grid
D_GRID = np.linspace(D_MIN, D_MAX, 400001)
SIMPSON = np.ones_like(D_GRID)
SIMPSON[1:-1:2] = 4.0
SIMPSON[2:-1:2] = 2.0
SIMPSON *= (D_GRID[1] - D_GRID[0]) / 3.0
PRIOR = D_GRID**D_ALPHA * (D_ALPHA + 1) / (D_MAX ** (D_ALPHA + 1) - D_MIN ** (D_ALPHA + 1))
LOG_W = np.log(PRIOR * SIMPSON)


def exact_distance(dh, hh, dist, phase):
    """ln of the prior average over d' of exp(dh u - hh u^2/2), u = dist/d' (dh at distance dist)."""
    u = dist / D_GRID
    a = ln_i0(abs(dh) * u) if phase else dh.real * u
    return logsumexp(a - 0.5 * hh * u * u + LOG_W)


tmp = tempfile.mkdtemp()
configs = {
    "time": dict(time_marginalization=True),
    "time_phase": dict(time_marginalization=True, phase_marginalization=True),
    "distance": dict(distance_marginalization=True),
    "distance_phase": dict(distance_marginalization=True, phase_marginalization=True),
    "time_distance": dict(time_marginalization=True, distance_marginalization=True),
    "time_distance_phase": dict(
        time_marginalization=True, distance_marginalization=True, phase_marginalization=True
    ),
}
results = {name: [] for name in configs}
for name, flags in configs.items():
    table = os.path.join(tmp, "phase" if flags.get("phase_marginalization") else "nophase")
    lik = bilby.gw.likelihood.GravitationalWaveTransient(
        ifos,
        wfg,
        priors=priors(),
        distance_marginalization_lookup_table=table if flags.get("distance_marginalization") else None,
        jitter_time=True,
        **flags,
    )
    for i, p in enumerate(ref["points"]):
        bp = copy.deepcopy(p["bilby_params"])
        rec = {"label": p["label"]}
        if flags.get("time_marginalization"):
            bp["geocent_time"] = start
            bp["time_jitter"] = JITTERS[i]
            rec["time_jitter"] = JITTERS[i]
            rec["template_geocent_time"] = start + JITTERS[i]
        if flags.get("phase_marginalization"):
            rec["phase"] = bp["phase"]
        v = lik.log_likelihood_ratio(copy.deepcopy(bp))
        # bilby's lookup table returns -inf outside its grid (<d|h> below -1e3 at the
        # reference distance); JSON has no infinity: stored as null
        rec["log_likelihood_ratio"] = v if np.isfinite(v) else None
        if flags.get("distance_marginalization"):
            # bilby's inner products at this point; the same integral by quadrature
            q = copy.deepcopy(bp)
            if flags.get("time_marginalization"):
                q["geocent_time"] += q.pop("time_jitter")
            pol = wfg.frequency_domain_strain(q)
            q.update(lik.get_sky_frame_parameters(q))
            snrs = lik._CalculatedSNRs()
            for ifo in ifos:
                snrs += lik.calculate_snrs(pol, ifo, parameters=q)
            hh = snrs.optimal_snr_squared
            dist = q["luminosity_distance"]
            phase = bool(flags.get("phase_marginalization"))
            if flags.get("time_marginalization"):
                times = lik._times + bp["time_jitter"]
                pr = lik.priors["geocent_time"]
                msk = (times >= pr.minimum) & (times <= pr.maximum)
                w = pr.prob(times[msk]) * lik._delta_tc
                arr = snrs.d_inner_h_array[msk]
                vals = np.array([exact_distance(a, hh, dist, phase) for a in arr])
                rec["log_likelihood_ratio_exact_quadrature"] = float(logsumexp(vals, b=w))
            else:
                rec["log_likelihood_ratio_exact_quadrature"] = float(
                    exact_distance(snrs.d_inner_h, hh, dist, phase)
                )
        results[name].append(rec)
        print(name, p["label"], v, rec.get("log_likelihood_ratio_exact_quadrature"))

out = {
    "description": "bilby 2.8.2 GravitationalWaveTransient log_likelihood_ratio with time / distance / "
    "phase marginalisation at the points of bilby_IMRPhenomD_HLV_zero_noise.json (same setup)",
    "generator": "experiments/likelihood_marginalised/bilby_marginalised.py",
    "versions": {"bilby": bilby.__version__, "numpy": np.__version__},
    "source_points": os.path.basename(REF),
    "sampling_frequency_hz": fs,
    "time_prior": {"kind": "Uniform", "minimum": t_inj - T_WINDOW, "maximum": t_inj + T_WINDOW},
    "distance_prior": {"kind": "PowerLaw", "alpha": D_ALPHA, "minimum": D_MIN, "maximum": D_MAX},
    "time_marginalisation_convention": "jitter_time=True; params geocent_time = start_time, time_jitter "
    "as stored; template epoch = start_time + time_jitter; bilby's _times grid start + "
    "linspace(0, T, T fs/2 + 1)[1:] + time_jitter, delta_tc = 2/fs",
    "exact_quadrature": "Simpson rule over the PowerLaw distance prior on 400001 points, from bilby's "
    "d_inner_h and optimal_snr_squared (no lookup table)",
    "null_values": "bilby returned -inf (outside its distance lookup table)",
    "configurations": results,
}
with open(OUT, "w") as f:
    json.dump(out, f, indent=1, allow_nan=False)
print("wrote", OUT)
