"""Time LALSimulation and ferrax waveforms on the same grid (20-1024 Hz,
df = 1/4 Hz, 4017 bins, one core) in one run.

Usage (from the repository root):  python3 experiments/benchmarks/compare_lal.py
Needs `pip install lalsuite` for the LAL half; ferrax is timed through
`cargo run --release --example waveform_timing`.
"""
import os
import subprocess
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

GRID = [0.25 * k for k in range(80, 4097)]
BBH = dict(m1=36.0, m2=29.0, chi1z=0.3, chi2z=-0.1, d=400.0, iota=0.4, phi=1.3, lam1=0.0, lam2=0.0)
PV2 = dict(m1=36.0, m2=29.0, chi1x=0.4, chi1y=0.1, chi1z=0.3, chi2x=-0.2, chi2y=0.3, chi2z=-0.1, d=400.0,
           iota=0.4, phi=1.3, lam1=0.0, lam2=0.0)
BNS = dict(m1=1.5, m2=1.3, chi1z=0.02, chi2z=-0.01, d=40.0, iota=0.4, phi=1.3, lam1=400.0, lam2=700.0)


def time_lal():
    try:
        import lal
        import lalsimulation as ls
    except ImportError:
        print("lalsuite not installed: skipping LAL timings (pip install lalsuite)")
        return
    freqs = lal.CreateREAL8Vector(len(GRID))
    freqs.data[:] = GRID
    for name, p in [("IMRPhenomD", BBH), ("IMRPhenomXAS", BBH), ("TaylorF2", BNS), ("IMRPhenomD_NRTidalv2", BNS), ("IMRPhenomPv2", PV2)]:
        approx = ls.GetApproximantFromString(name)

        def once():
            d = lal.CreateDict()
            if p["lam1"] or p["lam2"]:
                ls.SimInspiralWaveformParamsInsertTidalLambda1(d, p["lam1"])
                ls.SimInspiralWaveformParamsInsertTidalLambda2(d, p["lam2"])
            ls.SimInspiralChooseFDWaveformSequence(
                p["phi"], p["m1"] * lal.MSUN_SI, p["m2"] * lal.MSUN_SI, p.get("chi1x", 0.0), p.get("chi1y", 0.0), p["chi1z"],
                p.get("chi2x", 0.0), p.get("chi2y", 0.0), p["chi2z"],
                20.0, p["d"] * 1e6 * lal.PC_SI, p["iota"], d, approx, freqs)

        n = 200
        best = float("inf")
        for _ in range(5):
            t = time.process_time()
            for _ in range(n):
                once()
            best = min(best, (time.process_time() - t) / n)
        print(f"LAL    {name}: {best * 1e3:.4f} ms per waveform (CPU time)")


def time_ferrax():
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    out = subprocess.run(["cargo", "run", "--quiet", "--release", "--example", "waveform_timing"],
                         cwd=root, capture_output=True, text=True)
    print(out.stdout.strip() or out.stderr.strip())


if __name__ == "__main__":
    time_lal()
    time_ferrax()
