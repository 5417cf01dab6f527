"""Times jesterTOV 0.1.1 on the workload of ferrax's `tov_family_timing`:
the metamodel + CSE EOS of the radius-loss case (theta_true of
tests/data/tov/radius_loss.json) plus its 100-star family at jester's default
tolerances, jit-compiled, CPU, float64, best of REPS repetitions.

The family is jester's `construct_family` with p_c,max from the returned
construction cs2 (jester >= 0.2; the rule ferrax's radius loss uses), see
the comparison data's README. Only for the speed comparison; ferrax does not
need Python.

    pip install jesterTOV==0.1.1
    REPS=50 python experiments/benchmarks/jester_family.py

`GRAD=1` also times the value and gradient of the radius loss (18 free
parameters, `jax.value_and_grad`, jit) at the third perturbed point, the
workload of `tov_family_timing`'s gradient lines, and prints the loss next
to the stored reference value.
"""

import json
import os
import pathlib
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")
import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
from jesterTOV import eos as jeos  # noqa: E402
from jesterTOV import tov, utils  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
doc = json.loads((ROOT / "tests/data/tov/radius_loss.json").read_text())
settings = doc["eos_settings"]
params = dict(doc["fixed_parameters"])
params.update(doc["theta_true"])
nsat = settings["nsat"]
nmax = settings["nmax_nsat"] * nsat
nb = settings["nb_CSE"]

model = jeos.MetaModel_with_CSE_EOS_model(
    nsat=nsat,
    nmin_MM_nsat=settings["nmin_MM_nsat"],
    nmax_nsat=settings["nmax_nsat"],
    ndat_metamodel=settings["ndat_metamodel"],
    ndat_CSE=settings["ndat_CSE"],
    crust_name=settings["crust_name"],
)
NDAT, MIN_NSAT = 100, 0.75


def family(theta):
    nbreak = theta["nbreak"]
    u = jnp.sort(jnp.array([theta[f"n_CSE_{i}_u"] for i in range(nb)]))
    ngrids = jnp.concatenate([nbreak + u * (nmax - nbreak), jnp.array([nmax])])
    cs2grids = jnp.array([theta[f"cs2_CSE_{i}"] for i in range(nb + 1)])
    ns, ps, hs, es, dloge_dlogps, _, cs2 = model.construct_eos(theta, ngrids, cs2grids)
    eos_dict = dict(p=ps, h=hs, e=es, dloge_dlogp=dloge_dlogps)
    pc_min = utils.interp_in_logspace(MIN_NSAT * 0.16 * utils.fm_inv3_to_geometric, ns, ps)
    pc_max = ps[jeos.locate_lowest_non_causal_point(cs2)]
    pcs = jnp.logspace(jnp.log10(pc_min), jnp.log10(pc_max), num=NDAT)
    ms, rs, ks = jax.vmap(lambda pc: tov.tov_solver(eos_dict, pc))(pcs)
    cs = ms / rs
    ms = ms / utils.solar_mass_in_meter
    rs = rs / 1e3
    lambdas = 2.0 / 3.0 * ks * jnp.power(cs, -5.0)
    pcs, ms, rs, lambdas = utils.limit_by_MTOV(pcs, ms, rs, lambdas)
    grid = jnp.linspace(jnp.min(ms), jnp.max(ms), NDAT)
    return (
        jnp.log(jnp.interp(grid, ms, pcs)),
        grid,
        jnp.interp(grid, ms, rs),
        jnp.interp(grid, ms, lambdas),
    )


def timed(fn, arg, reps):
    """First call (with compilation) and the sorted times of `reps` more, s."""
    t0 = time.perf_counter()
    first = jax.block_until_ready(fn(arg))
    compile_s = time.perf_counter() - t0
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        jax.block_until_ready(fn(arg))
        times.append(time.perf_counter() - t0)
    return first, compile_s, sorted(times)


theta = {k: jnp.float64(v) for k, v in params.items()}
reps = int(os.environ.get("REPS", "50"))
out, compile_s, times = timed(jax.jit(family), theta, reps)
print(
    f"jester {jeos.__name__} EOS build + {NDAT}-star family: fastest {times[0] * 1e3:.2f} ms, "
    f"median {times[len(times) // 2] * 1e3:.2f} ms over {reps} reps "
    f"(first call incl. compile {compile_s:.1f} s); M_max {float(out[1][-1]):.5f} "
    f"(radius_loss.json M_max_true {doc['M_max_true']})"
)

if os.environ.get("GRAD") == "1":
    point = doc["perturbed_points"][2]
    masses = jnp.array(doc["masses_Msun"])
    rhat = jnp.array(doc["Rhat_km"])
    fixed = {k: jnp.float64(v) for k, v in params.items()}

    def loss(free):
        _, grid, radii, _ = family({**fixed, **free})
        r = jnp.interp(masses, grid, radii)
        return jnp.mean(jnp.abs(r - rhat) / rhat)

    free = {k: jnp.float64(point["theta"][k]) for k in doc["free_parameters"]}
    greps = max(reps // 5, 3)
    (value, _), compile_s, times = timed(jax.jit(jax.value_and_grad(loss)), free, greps)
    print(
        f"jester radius loss value + gradient ({len(free)} parameters): fastest {times[0] * 1e3:.1f} ms, "
        f"median {times[len(times) // 2] * 1e3:.1f} ms over {greps} reps (compile {compile_s:.1f} s); "
        f"L = {float(value):.6e} (reference {point['loss']:.6e})"
    )
