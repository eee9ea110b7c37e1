//! Giving memory back after large documents are closed. With glibc's defaults
//! freed memory stays in the allocator: its mmap threshold grows to the size of
//! the largest block freed, so a document's next copies come from per-thread
//! arenas that keep them, and a server that opened a 6 MB file five times held
//! 2.2 times its starting memory after closing all of them. So the threshold is
//! fixed at [`MMAP_THRESHOLD`] (document-sized blocks are mapped and unmapped
//! whole) and, once enough document bytes were closed, the arenas are trimmed.
//! Other allocators and systems: nothing to do.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Blocks at least this large are always mmapped (and returned when freed).
const MMAP_THRESHOLD: i32 = 1 << 20;

/// Closed document bytes that trigger a trim.
const TRIM_AFTER: usize = 1 << 20;

static CLOSED: AtomicUsize = AtomicUsize::new(0);

/// A document of `bytes` was closed (and dropped).
pub fn document_closed(bytes: usize) {
    if CLOSED.fetch_add(bytes, Ordering::Relaxed) + bytes >= TRIM_AFTER {
        CLOSED.store(0, Ordering::Relaxed);
        trim();
    }
}

/// Set the allocator up for a long-running server; call once at start, before threads.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn configure_for_server() {
    // SAFETY: `mallopt` takes plain integers and only changes glibc's allocation parameters.
    let ok = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) };
    if ok != 1 {
        tracing::debug!("mallopt(M_MMAP_THRESHOLD) was refused");
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn configure_for_server() {}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: `malloc_trim` takes no pointers; it only walks glibc's own heap structures, under
    // the allocator's locks, and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}
