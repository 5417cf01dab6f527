//! The light curves of each training epoch: every bright curve, and a
//! fresh random share of the faint ones (importance subsampling; the
//! trainer divides the faint curves' loss weights by the share, so the
//! expected loss is that of the whole set).

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// The training rows of one epoch: every bright light curve, and a fresh
/// draw of `share` of the faint ones (all of them, in the data's order
/// shuffled, when `share` is 1).
pub(crate) struct EpochRows {
    bright: Vec<usize>,
    faint: Vec<usize>,
    faint_drawn: usize,
    order: Vec<usize>,
}

impl EpochRows {
    /// Rows `0..faint.len()`, `faint[i]` when row `i` has no bright point;
    /// `share` in (0, 1] of the faint rows is drawn per epoch.
    pub(crate) fn new(faint: &[bool], share: f64) -> Self {
        let (f, b): (Vec<usize>, Vec<usize>) = (0..faint.len()).partition(|&i| faint[i] && share < 1.0);
        let faint_drawn = ((f.len() as f64 * share).ceil() as usize).min(f.len());
        EpochRows {
            bright: b,
            faint: f,
            faint_drawn,
            order: Vec::new(),
        }
    }

    /// Rows per epoch.
    pub(crate) fn len(&self) -> usize {
        self.bright.len() + self.faint_drawn
    }

    /// This epoch's rows in random order.
    pub(crate) fn draw(&mut self, rng: &mut ChaCha8Rng) -> &[usize] {
        if self.faint.is_empty() {
            // every row: reshuffle the last epoch's order
            if self.order.is_empty() {
                self.order.clone_from(&self.bright);
            }
            self.order.shuffle(rng);
            return &self.order;
        }
        self.order.clear();
        self.order.extend_from_slice(&self.bright);
        if self.faint_drawn > 0 {
            let (drawn, _) = self.faint.partial_shuffle(rng, self.faint_drawn);
            self.order.extend_from_slice(drawn);
        }
        self.order.shuffle(rng);
        &self.order
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn rng(seed: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(seed)
    }

    #[test]
    fn an_epoch_draws_every_bright_curve_and_a_share_of_the_faint() {
        // rows 0..30, every third faint: 10 faint, 20 bright
        let faint: Vec<bool> = (0..30).map(|i| i % 3 == 0).collect();
        let mut rows = EpochRows::new(&faint, 0.25);
        assert_eq!(rows.len(), 20 + 3);
        let mut r = rng(5);
        let mut seen = [0usize; 30];
        let draws = 400;
        for _ in 0..draws {
            let mut order = rows.draw(&mut r).to_vec();
            assert_eq!(order.len(), 23);
            order.sort_unstable();
            order.dedup();
            assert_eq!(order.len(), 23, "a row drawn twice");
            for i in order {
                seen[i] += 1;
            }
        }
        for (i, &s) in seen.iter().enumerate() {
            if faint[i] {
                // drawn with probability 3/10: 120 of 400 on average, σ ≈ 9
                assert!((80..=160).contains(&s), "faint row {i} drawn {s} times");
            } else {
                assert_eq!(s, draws, "bright row {i}");
            }
        }
    }

    #[test]
    fn with_every_curve_an_epoch_reshuffles_the_last_order() {
        // share 1 keeps the batch order of earlier releases: one permutation
        // of all rows, shuffled again each epoch
        let faint: Vec<bool> = (0..50).map(|i| i % 2 == 0).collect();
        let mut rows = EpochRows::new(&faint, 1.0);
        assert_eq!(rows.len(), 50);
        let (mut a, mut b) = (rng(9), rng(9));
        let mut order: Vec<usize> = (0..50).collect();
        for _ in 0..3 {
            order.shuffle(&mut b);
            assert_eq!(rows.draw(&mut a), order.as_slice());
        }
    }
}
