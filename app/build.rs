//! The app's wasm keeps the linker's relocations, which `cargo xtask build-web` needs to cut
//! it at its lazy pages (wasm-split).

fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-bin=app=--emit-relocs");
    }
}
