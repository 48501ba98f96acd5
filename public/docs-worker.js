// The documents' worker: loads its wasm (Automerge, storage, sync; app/src/worker.rs), which
// then answers the window. `cargo xtask build-web` fills in the content-hashed file names.
import init from '/{{DOCS_JS}}';

// The window may speak before the wasm listens (the worker is started early): its messages wait
// here, then go to the handler the wasm installs.
const early = [];
self.onmessage = (event) => early.push(event);
await init({ module_or_path: '/{{DOCS_WASM}}' });
for (const event of early) self.onmessage(event);
