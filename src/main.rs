//! The `newswatch` binary: parse arguments, dispatch (logging is set up once
//! the config is known), and map
//! errors to exit codes (0 success, 1 runtime failure, 2 bad usage or config).

use std::process::ExitCode;

use clap::Parser;
use newswatch::cli::{Cli, dispatch, error_text};

/// mimalloc instead of glibc malloc: the poll path makes about 170 small
/// allocations per item, and glibc's malloc/free took a tenth of the CPU of a
/// cold poll (perf). Built without transparent huge pages (`no_thp`), which
/// would round the heap up in 2 MiB steps.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc v3's `mi_option_e` (mimalloc.h); the
/// crate has no constant for it. The test below pins the value.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Give freed memory back to the OS at once rather than after mimalloc's
/// default delay of a second: a poll frees most of what it allocates within
/// the second, so the delay alone added about 8 MB to peak RSS; the extra
/// `madvise` calls cost no measurable CPU (bench/cycles.py).
#[allow(unsafe_code)]
fn tune_allocator() {
    // SAFETY: `mi_option_set` stores an integer in mimalloc's option table;
    // it takes no pointers and may be called at any time from any thread.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        // The reader went away (`newswatch items | head`): not an error.
        Err(e)
            if e.error
                .downcast_ref::<std::io::Error>()
                .map(std::io::Error::kind)
                == Some(std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", error_text(&e));
            ExitCode::from(e.code)
        }
    }
}

#[cfg(test)]
mod tests {
    /// The option index is mimalloc's purge delay: its default is 1000 ms
    /// (v3 `options.c`), unlike any neighbouring option.
    #[test]
    #[allow(unsafe_code)]
    fn purge_delay_option_index_is_right() {
        // SAFETY: reads an integer from mimalloc's option table.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, 1000);
    }
}
