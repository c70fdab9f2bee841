//! Score buffers, kept per thread from one search to the next: large
//! fresh allocations cost page faults at every search.

use std::cell::RefCell;
use std::thread::LocalKey;

/// The buffers of one element type kept for later searches.
pub(super) type Free<T> = RefCell<Vec<Vec<T>>>;

thread_local! {
    static FREE: Free<f32> = const { RefCell::new(Vec::new()) };
    /// Buffers all `u32::MAX`.
    static NUMBERS: Free<u32> = const { RefCell::new(Vec::new()) };
}

/// A buffer of `n` zeros.
pub(super) fn take(n: usize) -> Vec<f32> {
    take_from(&FREE, n, 0.0)
}

/// Returns a buffer for later searches (a few are kept).
pub(super) fn give(buffer: Vec<f32>) {
    give_to(&FREE, buffer, 8);
}

/// A buffer of at least `n` times `u32::MAX`. Give it back as it was
/// taken, all `u32::MAX`: it is not filled again.
pub(super) fn take_numbers(n: usize) -> Vec<u32> {
    let mut buffer = NUMBERS.with(|f| f.borrow_mut().pop()).unwrap_or_default();
    if buffer.len() < n {
        buffer.resize(n, u32::MAX);
    }
    buffer
}

/// Returns a buffer of [`take_numbers`], all `u32::MAX` again.
pub(super) fn give_numbers(buffer: Vec<u32>) {
    debug_assert!(buffer.iter().all(|&x| x == u32::MAX));
    give_to(&NUMBERS, buffer, 2);
}

/// A buffer of `n` times `value`, reusing one of `free`.
pub(super) fn take_from<T: Clone>(free: &'static LocalKey<Free<T>>, n: usize, value: T) -> Vec<T> {
    let mut buffer = free.with(|f| f.borrow_mut().pop()).unwrap_or_default();
    buffer.clear();
    buffer.resize(n, value);
    buffer
}

/// Keeps a buffer in `free`, unless it holds `keep` already.
pub(super) fn give_to<T>(free: &'static LocalKey<Free<T>>, buffer: Vec<T>, keep: usize) {
    free.with(|f| {
        let mut free = f.borrow_mut();
        if free.len() < keep {
            free.push(buffer);
        }
    });
}
