// The documents' worker: loads its wasm (Automerge, storage, sync; app/src/worker.rs), which
// then answers the window. `cargo xtask build-web` fills in the content-hashed file names.
import init from '/{{DOCS_JS}}';

init({ module_or_path: '/{{DOCS_WASM}}' });
