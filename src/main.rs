// glibc's allocator cost 15–20% of a small request's CPU (malloc, free and consolidation
// of the many short-lived buffers a request makes); mimalloc's per-thread pages halve that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    match shopws::cli::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("shopws: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
