"""Batched IMRPhenomD with ripple on JAX, for comparison with ferrax on the
same GPU: 1000 parameter sets x 4017 frequency bins (20-1024 Hz), float64.

Prints the median time of (a) the batched waveform (h+, hx) and (b) the
batched likelihood value and gradient w.r.t. all 8 parameters, after
compilation. Run by experiments/benchmarks/gpu.sh.
"""
import importlib
import os
import sys
import time

try:
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
except ImportError as e:  # pragma: no cover
    print(f"skipping: {e}")
    sys.exit(0)

gen_hphc = None
for module in (
    "ripplegw.waveforms.cbc.IMRPhenomD.IMRPhenomD",  # ripplegw >= 0.4
    "ripplegw.waveforms.IMRPhenomD",
    "ripple.waveforms.IMRPhenomD",
):
    try:
        gen_hphc = importlib.import_module(module).gen_IMRPhenomD_hphc
        break
    except (ImportError, AttributeError):
        continue
if gen_hphc is None:
    print("skipping: ripple not importable; carry its wheel (RIPPLE_WHEELS)")
    sys.exit(0)

BATCH = int(os.environ.get("RIPPLE_BATCH", "1000"))
NBINS, F_REF = 4017, 20.0


def median_time(f, *args, reps=10):
    jax.block_until_ready(f(*args))  # compile
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        jax.block_until_ready(f(*args))
        ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2]


def main():
    print("jax", jax.__version__, "devices:", jax.devices())
    f = jnp.linspace(20.0, 1024.0, NBINS)  # Hz
    df = f[1] - f[0]
    k = jax.random.split(jax.random.PRNGKey(0), 4)
    m1 = jax.random.uniform(k[0], (BATCH,), minval=20.0, maxval=40.0)  # solar masses
    m2 = jax.random.uniform(k[1], (BATCH,), minval=10.0, maxval=20.0)
    mc = (m1 * m2) ** 0.6 / (m1 + m2) ** 0.2
    eta = m1 * m2 / (m1 + m2) ** 2
    chi = jax.random.uniform(k[2], (BATCH, 2), minval=-0.5, maxval=0.5)
    ones = jnp.ones(BATCH)
    # [Mchirp (Msun), eta, chi1, chi2, distance (Mpc), tc (s), phic, inclination]
    theta = jnp.stack([mc, eta, chi[:, 0], chi[:, 1], 440.0 * ones, 0.0 * ones, 0.0 * ones, 0.4 * ones], axis=1)

    def hphc(p):
        return gen_hphc(f, p, F_REF)

    wave = jax.jit(jax.vmap(hphc))
    t = median_time(wave, theta)
    print(f"| ripple IMRPhenomD h+,hx, {BATCH} x {NBINS} | JAX {jax.devices()[0]} | {t * 1e3:.3f} ms |")

    psd = 1e-46 * (1.0 + (f / 100.0) ** -4 + (f / 100.0) ** 2)  # toy PSD (1/Hz)
    data_p, data_c = hphc(theta[0])

    def loglike(p):
        hp, hc = hphc(p)
        r = jnp.abs(hp - data_p) ** 2 + jnp.abs(hc - data_c) ** 2
        return -2.0 * df * jnp.sum(r / psd)

    vg = jax.jit(jax.vmap(jax.value_and_grad(loglike)))
    t = median_time(vg, theta)
    v, g = vg(theta)
    print(f"| ripple likelihood value+grad, {BATCH} x {NBINS} | JAX {jax.devices()[0]} | {t * 1e3:.3f} ms |"
          f" finite: {bool(jnp.all(jnp.isfinite(g)))} |")


if __name__ == "__main__":
    main()
