//! Checkpoint/resume: a run stopped after a checkpoint and resumed from the
//! file gives bit-identical draws to an uninterrupted run with the same seed.

use ferrax::samplers::flowmc::{run_flowmc, FlowMcConfig, FlowMcState};
use ferrax::samplers::job::initial_points;
use ferrax::samplers::Target;
use rand::SeedableRng;

fn config(path: &std::path::Path) -> FlowMcConfig {
    let mut cfg = FlowMcConfig::for_dim(2);
    cfg.n_chains = 40;
    cfg.n_local_steps = 10;
    cfg.n_global_steps = 10;
    cfg.n_training_loops = 3;
    cfg.n_production_loops = 2;
    cfg.flow.n_layers = 2;
    cfg.flow.hidden = vec![8];
    cfg.train.epochs = 2;
    cfg.train.batch_size = 100;
    cfg.checkpoint_every = 1;
    cfg.checkpoint_path = Some(path.to_path_buf());
    cfg
}

#[test]
fn resumed_run_is_bit_identical() {
    let target = Target::from_json(r#"{"kind": "dual_moon"}"#).unwrap();
    let dir = std::env::temp_dir().join(format!("ferrax-resume-{}", std::process::id()));
    let (p1, p2) = (dir.join("a.ckpt"), dir.join("b.ckpt"));
    let start = |p: &std::path::Path| {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let x0 = initial_points(&target, 40, &mut rng).unwrap();
        FlowMcState::new(&target, config(p), x0, 11).unwrap()
    };
    let full = run_flowmc(&target, start(&p1), None).unwrap();
    // stop after 3 loops (all of training, with a checkpoint), then resume from the file
    let partial = run_flowmc(&target, start(&p2), Some(3)).unwrap();
    assert_eq!(partial.state.loops_done, 3);
    drop(partial);
    let loaded = FlowMcState::load(&p2).unwrap();
    assert_eq!(loaded.loops_done, 3);
    let resumed = run_flowmc(&target, loaded, None).unwrap();
    assert!(!full.samples.samples.is_empty());
    assert_eq!(full.samples.samples, resumed.samples.samples);
    assert_eq!(full.samples.logp, resumed.samples.logp);
    assert_eq!(full.state.flow, resumed.state.flow);
    // a corrupt checkpoint is a typed error naming the file
    std::fs::write(&p2, b"not a checkpoint").unwrap();
    let e = FlowMcState::load(&p2).unwrap_err().to_string();
    assert!(e.contains("b.ckpt"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
