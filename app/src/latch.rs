//! A latch: tasks wait until it is opened once (the documents are loaded), then never again.

use std::cell::RefCell;
use std::rc::Rc;

#[derive(Clone, Default)]
pub struct Latch(Rc<RefCell<Option<Vec<js_sys::Function>>>>);

impl Latch {
    pub fn closed() -> Self {
        Self(Rc::new(RefCell::new(Some(Vec::new()))))
    }

    /// Lets every waiting task go on, and every later one at once.
    pub fn open(&self) {
        let waiting = self.0.borrow_mut().take().unwrap_or_default();
        for wake in waiting {
            let _ = wake.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    }

    /// Resolves once the latch is open.
    pub async fn wait(&self) {
        let promise = {
            let mut waiting = self.0.borrow_mut();
            let Some(waiting) = waiting.as_mut() else {
                return;
            };
            let mut wake = None;
            let promise = js_sys::Promise::new(&mut |resolve, _| wake = Some(resolve));
            waiting.extend(wake);
            promise
        };
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}
