//! The `roster` binary: see [`roster::cli`].

/// mimalloc instead of the system allocator: a page of members allocates
/// some 750 small strings per request, and glibc's malloc and free were a
/// tenth of the server's time in the list's profile (issue 11).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    roster::cli::main()
}
