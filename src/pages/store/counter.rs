//! A count on the store floor: −1, the number (tap it for a number pad) and +1, each a large touch
//! target. The pad takes digits from the screen or a keyboard; Enter sets, Escape cancels.

use leptos::{ev, prelude::*};

use crate::i18n::{use_i18n, Key};

/// Most digits the pad takes (the field table's counts stop at 10⁹).
const MAX_DIGITS: usize = 9;

#[component]
pub(crate) fn CountRow(
    /// What is counted (a product's name, "customers served").
    #[prop(into)]
    label: String,
    /// A second line under the label (the price), if any.
    #[prop(optional, into)]
    detail: String,
    #[prop(into)] value: Signal<i64>,
    /// Called with the new count.
    on_set: Callback<i64>,
    #[prop(into)] disabled: Signal<bool>,
    #[prop(into)] testid: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let minus_label = i18n.format(Key::StoreCountMinus, &[("name", &label)]);
    let plus_label = i18n.format(Key::StoreCountPlus, &[("name", &label)]);
    let pad_label = i18n.format(Key::StoreCountType, &[("name", &label)]);
    let name = label.clone();
    view! {
        <div class="count-row" data-testid=testid>
            <div class="count-label">
                <span>{label}</span>
                {(!detail.is_empty()).then(|| view! { <span class="muted">{detail}</span> })}
            </div>
            <button type="button" class="button touch count-step" aria-label=minus_label
                disabled=move || disabled.get() || value.get() <= 0
                on:click=move |_| on_set.run(value.get_untracked() - 1)>"−1"</button>
            <button type="button" class="button touch count-value" aria-label=pad_label data-testid="count-value"
                disabled=move || disabled.get()
                on:click=move |_| open.set(true)>{move || value.get().to_string()}</button>
            <button type="button" class="button button-primary touch count-step" aria-label=plus_label data-testid="count-plus"
                disabled=move || disabled.get()
                on:click=move |_| on_set.run(value.get_untracked() + 1)>"+1"</button>
            <Show when=move || open.get()>
                <NumberPad name=name.clone() start=value.get_untracked()
                    on_done=Callback::new(move |set: Option<i64>| {
                        open.set(false);
                        if let Some(n) = set { on_set.run(n) }
                    }) />
            </Show>
        </div>
    }
}

/// The number pad, over the page. `on_done(None)` cancels.
#[component]
fn NumberPad(name: String, start: i64, on_done: Callback<Option<i64>>) -> impl IntoView {
    let i18n = use_i18n();
    let typed = RwSignal::new(start.to_string());
    let fresh = RwSignal::new(true);
    let press = move |digit: char| {
        typed.update(|t| {
            if fresh.get_untracked() || t == "0" {
                t.clear();
            }
            if t.len() < MAX_DIGITS {
                t.push(digit);
            }
        });
        fresh.set(false);
    };
    let back = move || {
        fresh.set(false);
        typed.update(|t| {
            t.pop();
        });
    };
    let done = move || on_done.run(Some(typed.get_untracked().parse().unwrap_or(0)));
    let dialog = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = dialog.get() {
            let _ = el.focus();
        }
    });
    let on_key = move |e: ev::KeyboardEvent| {
        let key = e.key();
        match key.as_str() {
            "Escape" => on_done.run(None),
            "Enter" => done(),
            "Backspace" => back(),
            k if k.len() == 1 && k.chars().all(|c| c.is_ascii_digit()) => {
                press(k.chars().next().unwrap_or('0'))
            }
            _ => return,
        }
        e.prevent_default();
        e.stop_propagation();
    };
    let digit = move |d: char| {
        view! {
            <button type="button" class="button touch pad-key" on:click=move |_| press(d)>{d.to_string()}</button>
        }
    };
    view! {
        <div class="pad-backdrop" on:click=move |_| on_done.run(None)></div>
        <div class="pad card" role="dialog" aria-modal="true" aria-label=name.clone() tabindex="-1"
            node_ref=dialog on:keydown=on_key data-testid="number-pad">
            <p class="pad-name">{name.clone()}</p>
            <output class="pad-display" data-testid="pad-display">{move || typed.get()}</output>
            <div class="pad-keys">
                {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map(digit).collect_view()}
                <button type="button" class="button touch pad-key" on:click=move |_| { typed.set("0".into()); fresh.set(true); }>
                    {move || i18n.t(Key::StorePadClear)}
                </button>
                {digit('0')}
                <button type="button" class="button touch pad-key" aria-label=move || i18n.t(Key::StorePadBack) on:click=move |_| back()>"⌫"</button>
            </div>
            <div class="form-actions">
                <button type="button" class="button touch" on:click=move |_| on_done.run(None)>{move || i18n.t(Key::FormCancel)}</button>
                <button type="button" class="button button-primary touch" data-testid="pad-ok" on:click=move |_| done()>{move || i18n.t(Key::StorePadSet)}</button>
            </div>
        </div>
    }
}
