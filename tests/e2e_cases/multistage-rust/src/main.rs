// Prints a greeting; linked dynamically against glibc like every binary for the gnu target.
fn main() {
    let who = std::env::args().nth(1).unwrap_or_else(|| "rust".to_string());
    println!("hello from {who}, built in release mode");
}
