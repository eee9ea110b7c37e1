//! `cargo run -p margin-engine --example engine_bench -- MODEL.gguf [THREADS]`: prints the
//! engine benchmark JSON (or, with `--thread-matrix`, the thread-policy measurement) (what `margin bench engine --model PATH --json` exposes).

fn main() {
    let mut args = std::env::args().skip(1);
    let model = args
        .next()
        .expect("usage: engine_bench MODEL.gguf [THREADS | --thread-matrix]");
    if args.next().as_deref() == Some("--thread-matrix") {
        let v = margin_engine::bench::thread_matrix(std::path::Path::new(&model)).unwrap();
        println!("{}", serde_json::to_string_pretty(&v).unwrap());
        return;
    }
    let mut args = std::env::args().skip(2);
    let threads = args
        .next()
        .map(|t| t.parse().expect("THREADS must be a number"));
    match margin_engine::bench::run(std::path::Path::new(&model), threads) {
        Ok(v) => println!("{}", serde_json::to_string_pretty(&v).unwrap()),
        Err(e) => {
            eprintln!("bench failed: {e}");
            std::process::exit(1);
        }
    }
}
