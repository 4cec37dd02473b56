//! The Chromium benches' clock: `performance.now()`, since `Date.now()` only counts whole
//! milliseconds.

use js_sys::{Function, Reflect};
use wasm_bindgen::JsCast;

pub fn clock() -> impl Fn() -> f64 {
    let performance = Reflect::get(&js_sys::global(), &"performance".into()).unwrap();
    let now: Function = Reflect::get(&performance, &"now".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    move || now.call0(&performance).unwrap().as_f64().unwrap()
}
