//! `needle eval --compare A B`: two rankings of the same judged queries,
//! side by side: the means, per-query wins and losses, and a paired
//! randomization test (Fisher's, as trec_eval users and ranx run it).

use serde::Serialize;

/// How many random sign flips the randomization test draws.
pub const PERMUTATIONS: u32 = 10_000;

/// Two runs compared on one metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The metric (`ndcg_10`, `map`, ...).
    pub metric: &'static str,
    /// Mean of A and of B.
    pub a: f64,
    pub b: f64,
    /// Queries where B scores higher, lower, the same.
    pub wins: usize,
    pub losses: usize,
    pub ties: usize,
    /// Two-sided p-value of the paired randomization test: the share of
    /// random sign flips of the per-query differences whose mean is at
    /// least as far from 0 as the one observed.
    pub p_value: f64,
}

/// Compares per-query scores `a` and `b` (same queries, same order).
pub fn compare(metric: &'static str, a: &[f64], b: &[f64]) -> Comparison {
    assert_eq!(a.len(), b.len(), "the runs score the same queries");
    let diffs: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    const EPS: f64 = 1e-12;
    Comparison {
        metric,
        a: mean(a),
        b: mean(b),
        wins: diffs.iter().filter(|d| **d > EPS).count(),
        losses: diffs.iter().filter(|d| **d < -EPS).count(),
        ties: diffs.iter().filter(|d| d.abs() <= EPS).count(),
        p_value: randomization_p(&diffs, PERMUTATIONS),
    }
}

/// The paired randomization test on differences `diffs`: under the null
/// hypothesis each difference is as likely to have either sign. Seeded, so
/// the same runs give the same p-value.
pub fn randomization_p(diffs: &[f64], permutations: u32) -> f64 {
    if diffs.is_empty() {
        return 1.0;
    }
    let observed = diffs.iter().sum::<f64>().abs();
    let mut rng = SplitMix64(0x6e65_6564_6c65);
    let mut at_least = 0u32;
    for _ in 0..permutations {
        let mut sum = 0.0;
        let mut bits = 0u64;
        for (i, d) in diffs.iter().enumerate() {
            if i % 64 == 0 {
                bits = rng.next();
            }
            sum += if bits & 1 == 1 { *d } else { -*d };
            bits >>= 1;
        }
        // A tolerance, so that the observed arrangement always counts.
        if sum.abs() >= observed - 1e-12 {
            at_least += 1;
        }
    }
    f64::from(at_least + 1) / f64::from(permutations + 1)
}

/// A small, well-mixed generator (Steele et al.'s SplitMix64).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wins_losses_and_ties_are_counted_from_b() {
        let c = compare("ndcg_10", &[0.5, 0.2, 0.7, 0.1], &[0.6, 0.2, 0.3, 0.4]);
        assert_eq!((c.wins, c.losses, c.ties), (2, 1, 1));
        assert!((c.a - 0.375).abs() < 1e-12);
        assert!((c.b - 0.375).abs() < 1e-12);
    }

    #[test]
    fn identical_runs_are_not_different() {
        let c = compare("map", &[0.1, 0.9, 0.4], &[0.1, 0.9, 0.4]);
        assert_eq!(c.ties, 3);
        assert!((c.p_value - 1.0).abs() < 1e-12, "{}", c.p_value);
    }

    #[test]
    fn a_consistent_gain_is_significant_and_a_noisy_one_is_not() {
        let a = vec![0.3; 40];
        let b = vec![0.4; 40];
        assert!(
            randomization_p(
                &b.iter().zip(&a).map(|(x, y)| x - y).collect::<Vec<_>>(),
                PERMUTATIONS
            ) < 0.001
        );
        let noisy: Vec<f64> = (0..40)
            .map(|i| if i % 2 == 0 { 0.1 } else { -0.1 })
            .collect();
        assert!(randomization_p(&noisy, PERMUTATIONS) > 0.5);
    }

    #[test]
    fn the_test_is_seeded() {
        let d = [0.1, -0.05, 0.2, 0.0, 0.03, -0.01, 0.07];
        assert_eq!(randomization_p(&d, 2000), randomization_p(&d, 2000));
    }
}
