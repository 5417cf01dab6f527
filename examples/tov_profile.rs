//! Step statistics and timing of one jester-style family (development aid).
use ferrax::eos::cse::metamodel_cse_table;
use ferrax::eos::TableLookup;
use ferrax::tov::family::central_pressures;
use ferrax::tov::radius_loss::RadiusLoss;
use ferrax::tov::solve_star;

fn main() {
    let doc: serde_json::Value = serde_json::from_str(include_str!("../tests/data/tov/radius_loss.json")).unwrap();
    let mut problem = RadiusLoss::from_json(&doc).unwrap();
    let args: Vec<f64> = std::env::args().skip(1).map(|a| a.parse().unwrap()).collect();
    if args.len() == 2 {
        problem.family.tov.pcoeff = args[0];
        problem.family.tov.icoeff = args[1];
    }
    let truth = problem.theta_from_json(&doc["theta_true"]).unwrap();
    let t0 = std::time::Instant::now();
    let table = metamodel_cse_table(&problem.params(&truth).unwrap(), &problem.eos).unwrap();
    let t_eos = t0.elapsed();
    let pcs = central_pressures(&table, &problem.family).unwrap();
    let lk = TableLookup::new(&table);
    let t1 = std::time::Instant::now();
    let (mut acc, mut rej, mut ev) = (0, 0, 0);
    let reps: usize = std::env::var("REPS").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    for &pc in pcs.iter().cycle().take(pcs.len() * reps) {
        let s = solve_star(&lk, pc, &problem.family.tov).unwrap();
        acc += s.stats.accepted_steps;
        rej += s.stats.rejected_steps;
        ev += s.stats.rhs_evaluations;
    }
    let t_fam = t1.elapsed();
    println!("eos build {:?}, 100 stars {:?}: accepted {acc} rejected {rej} evals {ev} ({:.1} ns/eval)", t_eos, t_fam, t_fam.as_nanos() as f64 / ev as f64);
}
