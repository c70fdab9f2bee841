//! Summaries of timed samples, the same for every benchmark of needle:
//! `needle bench` and the Criterion benchmarks report percentiles computed
//! here, so that their figures compare.

use std::time::Duration;

/// The nearest-rank `p`-th quantile (`p` in 0..=1) of samples sorted in
/// ascending order: the smallest sample that at least `p` of all samples
/// are at or below. Zero when there are none.
///
/// ```
/// use std::time::Duration;
/// use needle_bench::stats::percentile;
///
/// let ms: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
/// assert_eq!(percentile(&ms, 0.5), Duration::from_millis(50));
/// assert_eq!(percentile(&ms, 0.99), Duration::from_millis(99));
/// assert_eq!(percentile(&ms, 1.0), Duration::from_millis(100));
/// ```
#[must_use]
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// How many passages a benchmark's generated corpus has:
/// `NEEDLE_BENCH_PASSAGES` when it is set to a number, else `default`.
#[must_use]
pub fn passages_from_env(default: usize) -> usize {
    std::env::var("NEEDLE_BENCH_PASSAGES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let s: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&s, 0.5), Duration::from_millis(50));
        assert_eq!(percentile(&s, 0.9), Duration::from_millis(90));
        assert_eq!(percentile(&s, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&s[..1], 0.99), Duration::from_millis(1));
        assert_eq!(percentile(&s[..3], 0.0), Duration::from_millis(1));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }
}
