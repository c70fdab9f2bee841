//! Edit distances as Tantivy's fuzzy queries count them.

/// Optimal string alignment distance (a transposition costs one), as
/// Tantivy's fuzzy queries count; returns `limit + 1` early when above `limit`.
pub(crate) fn osa_distance(a: &str, b: &str, limit: usize) -> usize {
    // A word is at least as many edits away as the lengths differ.
    if a.chars().count().abs_diff(b.chars().count()) > limit {
        return limit + 1;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    osa_last_row(&a, &b, limit).map_or(limit + 1, |row| row[b.len()].min(limit + 1))
}

/// The least distance between `query` and any prefix of `word`.
#[cfg(test)]
pub(crate) fn prefix_distance(query: &str, word: &str) -> usize {
    let q: Vec<char> = query.chars().collect();
    let w: Vec<char> = word.chars().collect();
    osa_last_row(&q, &w, usize::MAX)
        .and_then(|row| row.into_iter().min())
        .unwrap_or(q.len())
}

/// Whether a prefix of `word` is at most `limit` edits from `query`
/// (`prefix_distance(query, word) <= limit`, sooner).
pub(crate) fn prefix_within(query: &str, word: &str, limit: usize) -> bool {
    // Every prefix of a word shorter than the query by more than the limit
    // is too far.
    if word.chars().count() + limit < query.chars().count() {
        return false;
    }
    let q: Vec<char> = query.chars().collect();
    let w: Vec<char> = word.chars().collect();
    osa_last_row(&q, &w, limit).is_some_and(|row| row.into_iter().min().unwrap_or(q.len()) <= limit)
}

/// The last row of the optimal string alignment table of `a` and `b`: the
/// distances between `a` and each prefix of `b`. `None` as soon as two rows
/// in a row exceed `limit` everywhere (no later row can go below it then).
fn osa_last_row(a: &[char], b: &[char], limit: usize) -> Option<Vec<usize>> {
    let width = b.len() + 1;
    let mut before: Vec<usize> = vec![0; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut row: Vec<usize> = vec![0; width];
    let mut prev_over = false;
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(row[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(before[j - 2] + 1);
            }
            row[j] = v;
        }
        let over = row.iter().all(|&v| v > limit);
        if over && prev_over {
            return None;
        }
        prev_over = over;
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut row);
    }
    Some(prev)
}
