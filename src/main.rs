fn main() -> std::process::ExitCode {
    match shopws::cli::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("shopws: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
