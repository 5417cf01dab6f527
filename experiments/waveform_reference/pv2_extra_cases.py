"""Extra IMRPhenomPv2 reference cases from LALSimulation for the corners the
main reference set does not visit: the aligned-spin limit (no in-plane spin,
where LAL takes its special branches for phi_J and alpha_0), bodies given with
m1 < m2 (LAL swaps them internally), face-on and edge-on viewing, and a
reference frequency above the first grid point.

Usage (from the repository root, needs `pip install lalsuite`):
    python3 experiments/waveform_reference/pv2_extra_cases.py
Writes tests/data/waveforms/IMRPhenomPv2_extra.json in the same format as the
other waveform reference files (f = 20 + 2k Hz, k = 0..502).
"""
import json
import os

import lal
import lalsimulation as ls

FREQS = [20.0 + 2.0 * k for k in range(503)]
CASES = [
    # id, m1, m2, chi1 (x, y, z), chi2 (x, y, z), distance, inclination, phi_ref, f_ref
    ("aligned-limit", 30.0, 12.0, (0.0, 0.0, 0.6), (0.0, 0.0, -0.4), 200.0, 0.9, 0.7, 20.0),
    ("m1-lighter", 8.0, 22.0, (0.3, -0.5, 0.1), (0.2, 0.6, -0.3), 300.0, 1.9, 2.5, 20.0),
    ("face-on", 25.0, 20.0, (0.5, 0.1, 0.2), (-0.3, 0.2, 0.4), 400.0, 0.0, 0.0, 30.0),
    ("edge-on-fref-100", 14.0, 6.0, (-0.6, 0.3, -0.2), (0.1, -0.1, 0.7), 150.0, 1.5707963267948966, 5.9, 100.0),
]


def main():
    freqs = lal.CreateREAL8Vector(len(FREQS))
    freqs.data[:] = FREQS
    approx = ls.GetApproximantFromString("IMRPhenomPv2")
    out = []
    for cid, m1, m2, c1, c2, dist, inc, phi, fref in CASES:
        hp, hc = ls.SimInspiralChooseFDWaveformSequence(
            phi, m1 * lal.MSUN_SI, m2 * lal.MSUN_SI, *c1, *c2, fref, dist * 1e6 * lal.PC_SI, inc,
            lal.CreateDict(), approx, freqs)
        out.append({
            "case_id": cid,
            "params": dict(m1=m1, m2=m2, chi1x=c1[0], chi1y=c1[1], chi1z=c1[2], chi2x=c2[0], chi2y=c2[1],
                           chi2z=c2[2], lambda1=0.0, lambda2=0.0, distance_mpc=dist, inclination=inc,
                           phi_ref=phi, f_ref=fref),
            "frequencies": FREQS,
            "hp_real": [float(z.real) for z in hp.data.data],
            "hp_imag": [float(z.imag) for z in hp.data.data],
            "hc_real": [float(z.real) for z in hc.data.data],
            "hc_imag": [float(z.imag) for z in hc.data.data],
        })
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    path = os.path.join(root, "tests", "data", "waveforms", "IMRPhenomPv2_extra.json")
    with open(path, "w") as f:
        json.dump({
            "approximant": "IMRPhenomPv2",
            "note": f"LALSimulation {ls.__version__} SimInspiralChooseFDWaveformSequence, fresh LALDict "
                    "per case; written by experiments/waveform_reference/pv2_extra_cases.py",
            "cases": out,
        }, f)
    print("wrote", path)


if __name__ == "__main__":
    main()
