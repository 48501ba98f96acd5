//! The Desmigratif field app (client-side rendered Leptos, compiled to WebAssembly).

use app::App;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
