"""Reference values for tests/strain_gwosc.rs, made from the GWOSC files with
h5py 3.16 and scipy 1.17 (numpy 2.4):

    python3 tests/data/gw150914/make_reference.py /path/to/gw150914-files

writes h5py_reference.json, welch_scipy_H1.npy and
H-H1_LOSC_4_V2-1126259446-32_first8s.txt.gz next to this script."""
import gzip, json, os, sys
import h5py
import numpy as np
from scipy.signal import welch

src = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
ref = {}
for det, ifo in [("H-H1", "H1"), ("L-L1", "L1")]:
    f = h5py.File(os.path.join(src, f"{det}_LOSC_4_V2-1126259446-32.hdf5"), "r")
    s = f["strain/Strain"]
    x = s[:]
    bits = x.view(np.uint64)
    dq = f["quality/simple/DQmask"][:]
    idx = [0, 1, 4095, 65536, 90000, len(x) - 1]
    ref[ifo] = {
        "xstart": float(s.attrs["Xstart"]),
        "xspacing": float(s.attrs["Xspacing"]),
        "npoints": int(s.attrs["Npoints"]),
        "detector": f["meta/Detector"][()].decode(),
        "gps_start": int(f["meta/GPSstart"][()]),
        "duration": int(f["meta/Duration"][()]),
        "dq_mask": [int(v) for v in dq],
        "dq_names": [v.decode() for v in f["quality/simple/DQShortnames"][:]],
        "sample_index": idx,
        "sample_value": [float(x[i]) for i in idx],
        # exact checks of all 131072 samples: wrapping sum and xor of the
        # IEEE-754 bit patterns
        "bits_wrapping_sum": int(np.sum(bits, dtype=np.uint64)),
        "bits_xor": int(np.bitwise_xor.reduce(bits)),
    }
    if ifo == "H1":
        # 14 s of off-source data before the event: 4 s segments, 2 s overlap
        fs = 4096
        seg = x[: 14 * fs]
        fr, p_med = welch(seg, fs=fs, nperseg=4 * fs, noverlap=2 * fs, average="median")
        _, p_mean = welch(seg, fs=fs, nperseg=4 * fs, noverlap=2 * fs, average="mean")
        _, p_tuk = welch(seg, fs=fs, nperseg=4 * fs, noverlap=2 * fs, average="median", window=("tukey", 0.2))
        keep = slice(0, None, 4)  # every 4th bin (1 Hz) to keep the file small
        np.save(os.path.join(here, "welch_scipy_H1.npy"), np.stack([fr[keep], p_med[keep], p_mean[keep], p_tuk[keep]], axis=1))
        # the first 8 s of the gzipped-text file GWOSC serves
        with gzip.open(os.path.join(src, f"{det}_LOSC_4_V2-1126259446-32.txt.gz"), "rt") as g:
            lines = g.read().splitlines()
        head = [l for l in lines[:3]]
        head[2] = "# starting GPS 1126259446 duration 8"
        with gzip.open(os.path.join(here, f"{det}_LOSC_4_V2-1126259446-32_first8s.txt.gz"), "wt") as g:
            g.write("\n".join(head + lines[3 : 3 + 8 * fs]) + "\n")
        assert np.array_equal(np.loadtxt(os.path.join(src, f"{det}_LOSC_4_V2-1126259446-32.txt.gz")), x)
with open(os.path.join(here, "h5py_reference.json"), "w") as g:
    json.dump(ref, g, indent=1)
