// Starts the app and registers the service worker. `cargo xtask build-web` fills in the
// content-hashed file names and serves this file under a hashed name too.
import init from '/{{APP_JS}}';

// Marks on the page's timeline (read by the browser bench and the browser's profiler).
performance.mark('desmigratif:boot');
init({ module_or_path: '/{{APP_WASM}}' }).then(() => performance.mark('desmigratif:wasm-ready'));

// The documents' worker (app/src/worker.rs). With a session that keeps documents on this device,
// it starts now, beside the app's own wasm, and waits for the app to hand it the session once
// the PIN is typed; otherwise the app starts it after logging in.
window.desmigratifDocsWorker = '/{{DOCS_WORKER}}';
try {
  const kept = JSON.parse(localStorage.getItem('desmigratif.session') ?? 'null');
  if (kept?.documents?.length) {
    window.desmigratifEarlyWorker = new Worker(window.desmigratifDocsWorker, { type: 'module' });
  }
} catch (error) {
  console.warn('documents worker not started early', error);
}

// The file module (XLSX exports, reading imported files): its own wasm, loaded the first time
// the app asks for it, so it is not part of every phone's first download (app/src/files.rs).
let files;
window.desmigratifFiles = () => {
  files ??= import('/{{FILES_JS}}')
    .then(async (module) => {
      await module.default({ module_or_path: '/{{FILES_WASM}}' });
      return module;
    })
    .catch((error) => {
      files = undefined;
      throw error;
    });
  return files;
};

if ('serviceWorker' in navigator) {
  window.addEventListener('load', async () => {
    try {
      const registration = await navigator.serviceWorker.register('/sw.js');
      // A new version waits until the user agrees; the app shows a banner on this event.
      const announce = () => window.dispatchEvent(new Event('desmigratif-update'));
      if (registration.waiting && navigator.serviceWorker.controller) announce();
      registration.addEventListener('updatefound', () => {
        const worker = registration.installing;
        worker?.addEventListener('statechange', () => {
          if (worker.state === 'installed' && navigator.serviceWorker.controller) announce();
        });
      });
      let requested = false;
      window.desmigratifApplyUpdate = () => {
        requested = true;
        if (registration.waiting) registration.waiting.postMessage('skipWaiting');
        else location.reload();
      };
      navigator.serviceWorker.addEventListener('controllerchange', () => {
        if (requested) location.reload();
      });
    } catch (error) {
      console.warn('service worker not registered', error);
    }
  });
}
