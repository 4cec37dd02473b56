//! A record form driven by the domain's field table: one input per field by its kind, labels and
//! choice labels from `core`, the same validation the sync rules run, inline errors in the user's
//! language. What the user typed stays text until saving turns it into the record's JSON.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
};

use leptos::{prelude::*, task::spawn_local};
use serde_json::{Map, Value};
use wasm_bindgen::{JsCast, JsValue};
use yingxiao_core::{
    domain::{
        field_as_measured, validate_create, validate_fields, validate_patch, Collection, FieldDef,
        FieldKind,
    },
    sync::protocol::Intent,
    views::{
        group_field, line_choices_from, line_value, lines_total, lines_total_field, LineMoney,
    },
};

use super::grouped::GroupedRefList;
use crate::{
    data::{
        records::{use_list_prices, use_titles},
        store::DataError,
        sync::{use_data, Data},
    },
    format::{format_yuan, parse_yuan, yuan_input},
    i18n::{use_i18n, I18n, Key},
};

/// How a form offers one field, by what the user may do with it (`crate::permissions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldMode {
    /// An input.
    Edit,
    /// The value as text: the user may not change it; it is never sent.
    ReadOnly,
    /// Not offered and never sent (a new record's field the user may not set).
    Hidden,
}

/// Decides each field's mode by its name; it may read signals, and the form follows them.
type Modes = Arc<dyn Fn(&str) -> FieldMode + Send + Sync>;

/// Why one field cannot be saved.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldProblem {
    /// A rule of the record (`core::domain`), worded by `message_for`.
    Rule(yingxiao_core::domain::ValidationError),
    /// The text is not an amount in yuan.
    NotMoney,
    /// The text is not a whole number.
    NotWholeNumber,
}

/// Why the form as a whole was not saved.
#[derive(Clone, Debug, PartialEq)]
pub enum FormProblem {
    /// Some fields are marked; the summary points at them.
    FixFields,
    /// A rule about no field of the form (or a whole-record rule).
    Rule(yingxiao_core::domain::ValidationError),
    /// The device store failed.
    Storage(String),
}

/// The options of a reference field: (record id, what the user reads).
pub type Options = Signal<Vec<(String, String)>>;

/// A form over some fields of one collection: what was typed, the problems found, whether saving.
#[derive(Clone, Copy)]
pub struct RecordForm {
    pub collection: Collection,
    data: Data,
    i18n: I18n,
    fields: StoredValue<Vec<&'static FieldDef>>,
    modes: StoredValue<Option<Modes>>,
    raw: RwSignal<BTreeMap<&'static str, String>>,
    problems: RwSignal<BTreeMap<String, FieldProblem>>,
    pub problem: RwSignal<Option<FormProblem>>,
    pub busy: RwSignal<bool>,
}

impl RecordForm {
    /// A form for `names` of `collection`, filled from `initial` (a record's fields or defaults).
    pub fn new(collection: Collection, names: &[&str], initial: &Map<String, Value>) -> Self {
        let fields: Vec<&'static FieldDef> =
            names.iter().filter_map(|n| collection.field(n)).collect();
        let metric = initial.get("metric").and_then(Value::as_str);
        let raw = fields
            .iter()
            .map(|def| {
                let shown = field_as_measured(collection, def.name, metric).unwrap_or(def);
                (def.name, to_raw(shown, initial.get(def.name)))
            })
            .collect();
        Self {
            collection,
            data: use_data(),
            i18n: use_i18n(),
            fields: StoredValue::new(fields),
            modes: StoredValue::new(None),
            raw: RwSignal::new(raw),
            problems: RwSignal::new(BTreeMap::new()),
            problem: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    /// Offers only what the user may do: `modes` says per field whether it is an input, read-only
    /// text or left out. Fields that are not inputs are never sent.
    pub fn with_modes(self, modes: impl Fn(&str) -> FieldMode + Send + Sync + 'static) -> Self {
        self.modes.set_value(Some(Arc::new(modes)));
        self
    }

    /// How a field is offered now (tracked).
    pub fn mode(&self, name: &str) -> FieldMode {
        match self.modes.get_value() {
            Some(modes) => modes(name),
            None => FieldMode::Edit,
        }
    }

    /// The text of a field as typed (tracked).
    pub fn get(&self, name: &str) -> String {
        self.raw
            .with(|raw| raw.get(name).cloned())
            .unwrap_or_default()
    }

    /// The user changed a field: its old problem no longer applies.
    pub fn set(&self, name: &'static str, text: String) {
        self.raw.update(|raw| {
            raw.insert(name, text);
        });
        if self.problems.with_untracked(|p| p.contains_key(name)) {
            self.problems.update(|p| {
                p.remove(name);
            });
        }
    }

    pub fn problem_of(&self, name: &str) -> Option<FieldProblem> {
        self.problems.with(|p| p.get(name).cloned())
    }

    /// The DOM id of a field's input.
    pub fn input_id(&self, name: &str) -> String {
        format!("{}-{name}", self.collection.as_str())
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.fields.with_value(|f| f.iter().any(|d| d.name == name))
    }

    /// Turns every field's text into its JSON value (`None`: left empty), marking fields that do not
    /// convert or break their own rule. `None` overall when any field has a problem.
    fn convert(&self) -> Option<Vec<(&'static str, Option<Value>)>> {
        let mut problems = BTreeMap::new();
        let mut values = Vec::new();
        let raw = self.raw.get_untracked();
        let metric = raw.get("metric").map(String::as_str);
        for def in self.fields.get_value() {
            if untrack(|| self.mode(def.name)) != FieldMode::Edit {
                continue;
            }
            let text = raw.get(def.name).map(String::as_str).unwrap_or("");
            let typed = field_as_measured(self.collection, def.name, metric).unwrap_or(def);
            match from_raw(typed, text) {
                Err(problem) => {
                    problems.insert(def.name.to_owned(), problem);
                }
                Ok(value) => {
                    let mut one = Map::new();
                    one.insert(def.name.to_owned(), value.clone().unwrap_or(Value::Null));
                    if let Err(error) = validate_fields(self.collection, &one) {
                        problems.insert(def.name.to_owned(), FieldProblem::Rule(error));
                    }
                    values.push((def.name, value));
                }
            }
        }
        let clean = problems.is_empty();
        self.problems.set(problems);
        self.problem.set((!clean).then_some(FormProblem::FixFields));
        clean.then_some(values)
    }

    /// Puts a rule the whole record (or the store) broke next to its field, or above the form.
    pub fn report(&self, error: yingxiao_core::domain::ValidationError) {
        let field = error
            .field()
            .split(['.', '['])
            .next()
            .unwrap_or("")
            .to_owned();
        if self.has(&field) {
            self.problems.update(|p| {
                p.insert(field, FieldProblem::Rule(error));
            });
            self.problem.set(Some(FormProblem::FixFields));
        } else {
            self.problem.set(Some(FormProblem::Rule(error)));
        }
    }

    /// The fields of a new record (with `fixed` ones the form does not show), checked as at create.
    pub fn for_create(&self, fixed: Map<String, Value>) -> Option<Map<String, Value>> {
        let values = self.convert()?;
        let mut fields = fixed;
        for (name, value) in values {
            if let Some(value) = value {
                fields.insert(name.to_owned(), value);
            }
        }
        match validate_create(self.collection, &fields) {
            Ok(()) => Some(fields),
            Err(error) => {
                self.report(error);
                None
            }
        }
    }

    /// Only the fields that differ from `before` (`null` clears one), checked as a patch.
    pub fn for_patch(&self, before: &Map<String, Value>) -> Option<Map<String, Value>> {
        let values = self.convert()?;
        let mut patch = Map::new();
        for (name, value) in values {
            let old = before.get(name).filter(|v| !v.is_null());
            if old != value.as_ref() {
                patch.insert(name.to_owned(), value.unwrap_or(Value::Null));
            }
        }
        match validate_patch(self.collection, &patch) {
            Ok(()) => Some(patch),
            Err(error) => {
                self.report(error);
                None
            }
        }
    }

    /// Records the change on the device; `done` runs once it is stored.
    pub fn save(&self, intent: Intent, done: impl FnOnce() + 'static) {
        let form = *self;
        form.busy.set(true);
        spawn_local(async move {
            match form.data.mutate(intent).await {
                Ok(()) => {
                    form.busy.try_set(false);
                    done();
                }
                Err(error) => {
                    match error {
                        DataError::Invalid(rule) => form.report(rule),
                        other => form.problem.set(Some(FormProblem::Storage(
                            other.message(form.i18n.locale_untracked()),
                        ))),
                    }
                    form.busy.try_set(false);
                }
            }
        });
    }

    /// Moves the keyboard to the first field with a problem, so it is read out and fixed first.
    pub fn focus_first_problem(&self) {
        let first = self.fields.with_value(|fields| {
            self.problems.with_untracked(|problems| {
                fields
                    .iter()
                    .find(|d| problems.contains_key(d.name))
                    .map(|d| d.name)
            })
        });
        let id = match first {
            Some(name) => self.input_id(name),
            None => format!("{}-form-problem", self.collection.as_str()),
        };
        if let Some(element) = document()
            .get_element_by_id(&id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    }
}

/// A stored value as the text an input shows.
fn to_raw(def: &FieldDef, value: Option<&Value>) -> String {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return String::new();
    };
    match (def.kind, value) {
        // A list is kept as JSON text of what each entry's inputs show (`lines_raw`).
        (FieldKind::Lines(line_defs), Value::Array(lines)) => {
            let rows: Vec<BTreeMap<&str, String>> = lines
                .iter()
                .map(|line| {
                    line_defs
                        .iter()
                        .map(|d| (d.name, to_raw(d, line.get(d.name))))
                        .collect()
                })
                .collect();
            serde_json::to_string(&rows).unwrap_or_default()
        }
        (FieldKind::RefList(_), Value::Array(_)) => value.to_string(),
        (FieldKind::Money, Value::Number(n)) => n.as_i64().map(yuan_input).unwrap_or_default(),
        (FieldKind::Bool, Value::Bool(b)) => if *b { "true" } else { "" }.to_owned(),
        (FieldKind::Instant, Value::String(s)) => instant_to_local_input(s),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

/// What the user typed as the field's JSON value; `Ok(None)` for an empty field.
fn from_raw(def: &FieldDef, text: &str) -> Result<Option<Value>, FieldProblem> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    Ok(Some(match def.kind {
        FieldKind::Lines(line_defs) => {
            let rows = lines_raw(trimmed);
            if rows.is_empty() {
                return Ok(None);
            }
            let mut lines = Vec::with_capacity(rows.len());
            for row in rows {
                let mut line = Map::new();
                for d in line_defs {
                    let text = row.get(d.name).map(String::as_str).unwrap_or("");
                    if let Some(value) = from_raw(d, text)? {
                        line.insert(d.name.to_owned(), value);
                    }
                }
                lines.push(Value::Object(line));
            }
            Value::Array(lines)
        }
        FieldKind::RefList(_) => {
            let ids = ids_raw(trimmed);
            if ids.is_empty() {
                return Ok(None);
            }
            Value::from(ids)
        }
        FieldKind::Money => Value::from(parse_yuan(trimmed).ok_or(FieldProblem::NotMoney)?),
        FieldKind::Bool => Value::Bool(trimmed == "true"),
        FieldKind::Instant => Value::from(local_input_to_instant(trimmed)),
        // The range is the domain's rule, checked later.
        FieldKind::Integer { .. } | FieldKind::Percent => Value::from(
            trimmed
                .trim_end_matches('%')
                .trim()
                .parse::<i64>()
                .map_err(|_| FieldProblem::NotWholeNumber)?,
        ),
        _ => Value::from(trimmed),
    }))
}

/// A `datetime-local` input's text (`2026-11-27T10:30`, the device's local time) as a UTC instant.
/// An unparsable text is passed through so the domain's rule names the field.
fn local_input_to_instant(text: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(text));
    if date.get_time().is_nan() {
        text.to_owned()
    } else {
        String::from(date.to_iso_string())
    }
}

/// A UTC instant as a `datetime-local` input's text in the device's local time.
fn instant_to_local_input(instant: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(instant));
    if date.get_time().is_nan() {
        return String::new();
    }
    local_input_of(&date)
}

fn local_input_of(date: &js_sys::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// The entries of a `Lines` field's text: per line, each line field's text.
pub(crate) fn lines_raw(text: &str) -> Vec<BTreeMap<String, String>> {
    serde_json::from_str(text).unwrap_or_default()
}

/// The ids of a `RefList` field's text.
pub(crate) fn ids_raw(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// One labelled input for a field, by its kind, with its error underneath; or the field's value as
/// text when the user may not change it (`FieldMode`).
#[component]
pub fn FormField(
    form: RecordForm,
    name: &'static str,
    /// The choices of a reference field.
    #[prop(optional, into)]
    options: Option<Options>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Some(def) = form.collection.field(name) else {
        return ().into_any();
    };
    let mode = Memo::new(move |_| form.mode(name));
    // A target's value is typed in yuan or as a count, as its metric says (followed only there).
    let measured = Memo::new(move |_| {
        if name == "value" {
            field_as_measured(form.collection, name, Some(&form.get("metric"))).unwrap_or(def)
        } else {
            def
        }
    });
    view! {
        {move || match mode.get() {
            FieldMode::Edit => editable_field(form, measured.get(), options, i18n),
            FieldMode::ReadOnly => read_only_field(form, measured.get(), options, i18n),
            FieldMode::Hidden => ().into_any(),
        }}
    }
    .into_any()
}

/// A field the user may not change: its label and value, and no control.
fn read_only_field(
    form: RecordForm,
    def: &'static FieldDef,
    options: Option<Options>,
    i18n: I18n,
) -> AnyView {
    let name = def.name;
    let shown = move || {
        let raw = form.get(name);
        let raw = raw.trim();
        if raw.is_empty() {
            return i18n.t(Key::NotAvailable).to_owned();
        }
        let locale = i18n.locale();
        match def.kind {
            FieldKind::Enum(_) => def.choice_label(raw, locale).unwrap_or(raw).to_owned(),
            FieldKind::Ref(_) | FieldKind::Text { .. } if options.is_some() => options
                .and_then(|o| {
                    o.with(|list| list.iter().find(|(v, _)| v == raw).map(|(_, l)| l.clone()))
                })
                .unwrap_or_else(|| i18n.t(Key::RecordUnknownRef).to_owned()),
            FieldKind::Money => parse_yuan(raw).map_or_else(|| raw.to_owned(), format_yuan),
            FieldKind::Bool => i18n
                .t(if raw == "true" {
                    Key::RecordYes
                } else {
                    Key::RecordNo
                })
                .to_owned(),
            FieldKind::Instant => raw.replace('T', " "),
            _ => raw.to_owned(),
        }
    };
    view! {
        <div class="field field-read-only" data-read-only=name>
            <span class="field-label">{move || def.label(i18n.locale())}</span>
            <span class="read-only-value">{shown}</span>
            <span class="read-only-note">{move || i18n.t(Key::FormReadOnly)}</span>
        </div>
    }
    .into_any()
}

/// The input of a field, by its kind.
fn editable_field(
    form: RecordForm,
    def: &'static FieldDef,
    options: Option<Options>,
    i18n: I18n,
) -> AnyView {
    let name = def.name;
    let id = form.input_id(name);
    let error_id = format!("{id}-error");
    let problem = move || form.problem_of(name);
    let invalid = move || problem().is_some().then_some("true");
    let described = move || problem().map(|_| error_id.clone());
    let value = move || form.get(name);
    let on_input = move |ev| form.set(name, event_target_value(&ev));
    let required = def.required;
    let collection = form.collection;

    let control = match def.kind {
        // A reference, or a text field holding a record's id that is offered as one (a target's
        // subject, from the collection its kind names).
        FieldKind::Ref(_) | FieldKind::Text { .. } if options.is_some() => view! {
            <RefPicker
                id=id.clone()
                options=options.unwrap_or_default()
                value=Signal::derive(move || form.get(name))
                on_pick=Callback::new(move |picked: String| form.set(name, picked))
                invalid=Signal::derive(move || problem().is_some())
                required
            />
        }
        .into_any(),
        FieldKind::RefList(target) if group_field(target).is_some() => view! {
            <GroupedRefList id=id.clone() form name target options=options.unwrap_or_default() />
        }
        .into_any(),
        FieldKind::RefList(_) => view! {
            <RefListEditor id=id.clone() form name options=options.unwrap_or_default() />
        }
        .into_any(),
        FieldKind::Lines(line_defs) => view! {
            <LinesEditor id=id.clone() form name line_defs options=options.unwrap_or_default() />
        }
        .into_any(),
        FieldKind::Enum(_) | FieldKind::Ref(_) => {
            let fixed: Vec<(String, &'static FieldDef)> = def
                .choices()
                .unwrap_or_default()
                .iter()
                .map(|c| (c.value.to_owned(), def))
                .collect();
            // The list does not follow the value, so choosing never rebuilds the open list.
            let choices = move || -> Vec<(String, String)> {
                match &options {
                    Some(options) => {
                        let mut list = options.get();
                        let current = form.raw.with_untracked(|raw| raw.get(name).cloned());
                        let current = current.unwrap_or_default();
                        if !current.is_empty() && !list.iter().any(|(v, _)| *v == current) {
                            list.push((current, i18n.t(Key::RecordUnknownRef).to_owned()));
                        }
                        list
                    }
                    None => fixed
                        .iter()
                        .map(|(v, d)| {
                            let label = d.choice_label(v, i18n.locale()).unwrap_or(v);
                            (v.clone(), label.to_owned())
                        })
                        .collect(),
                }
            };
            view! {
                <select
                    id=id.clone()
                    name=name
                    required=required
                    aria-invalid=invalid
                    aria-describedby=described
                    on:change=on_input
                >
                    <option value="" prop:selected=move || value().is_empty()>
                        {move || if required { i18n.t(Key::FormChoose) } else { i18n.t(Key::FormNone) }}
                    </option>
                    {move || choices()
                        .into_iter()
                        .map(|(v, label)| {
                            let wire = v.clone();
                            view! { <option value=v prop:selected=move || form.get(name) == wire>{label}</option> }
                        })
                        .collect_view()}
                </select>
            }
            .into_any()
        }
        FieldKind::Bool => view! {
            <input
                id=id.clone()
                name=name
                type="checkbox"
                prop:checked=move || value() == "true"
                on:change=move |ev| form.set(name, if event_target_checked(&ev) { "true".into() } else { String::new() })
            />
        }
        .into_any(),
        FieldKind::Text { max_chars } if max_chars >= 500 => view! {
            <textarea
                id=id.clone()
                name=name
                rows="3"
                required=required
                aria-invalid=invalid
                aria-describedby=described
                prop:value=value
                on:input=on_input
            ></textarea>
        }
        .into_any(),
        FieldKind::Money => view! {
            <span class="money-input">
                // In the record's currency (a deal's, an order's); ¥ where it has none.
                <span class="money-sign" aria-hidden="true">
                    {move || yingxiao_core::money::symbol(&form.get("currency")).to_owned()}
                </span>
                <input
                    id=id.clone()
                    name=name
                    type="text"
                    inputmode="decimal"
                    autocomplete="off"
                    required=required
                    aria-invalid=invalid
                    aria-describedby=described
                    prop:value=value
                    on:input=on_input
                />
            </span>
        }
        .into_any(),
        kind => {
            let input_type = match kind {
                FieldKind::Instant => "datetime-local",
                FieldKind::Date => "date",
                _ if name.contains("phone") => "tel",
                _ if name == "email" => "email",
                _ => "text",
            };
            let input_mode = match kind {
                FieldKind::Integer { .. } | FieldKind::Percent => "numeric",
                _ => "text",
            };
            view! {
                <input
                    id=id.clone()
                    name=name
                    type=input_type
                    inputmode=input_mode
                    required=required
                    aria-invalid=invalid
                    aria-describedby=described
                    prop:value=value
                    on:input=on_input
                />
            }
            .into_any()
        }
    };

    let wide = matches!(def.kind, FieldKind::Text { max_chars } if max_chars >= 500)
        || matches!(def.kind, FieldKind::Lines(_) | FieldKind::RefList(_));
    let class = if def.kind == FieldKind::Bool {
        "field field-check"
    } else {
        "field"
    };
    view! {
        <div class=class class:field-wide=wide data-field=name>
            <label for=id.clone()>
                {move || def.label(i18n.locale())}
                {required.then(|| view! { <span class="required-mark" aria-hidden="true">"*"</span> })}
            </label>
            {control}
            {move || problem().map(|p| {
                let message = match p {
                    FieldProblem::Rule(error) => error.message_for(collection, i18n.locale()),
                    FieldProblem::NotMoney => i18n.t(Key::FormMoneyInvalid).to_owned(),
                    FieldProblem::NotWholeNumber => i18n.t(Key::FormWholeNumberInvalid).to_owned(),
                };
                view! { <p class="field-error" id=format!("{}-error", form.input_id(name))>{message}</p> }
            })}
        </div>
    }
    .into_any()
}

/// Matches shown by a reference picker at once; typing narrows them.
const PICKER_SHOWN: usize = 30;

/// Picks one record by typing part of its name: the device's records of the field's collection,
/// searched as the user types (a list of thousands of customers is never drawn whole). Arrow keys
/// move, Enter picks, Escape closes; a tap picks.
#[component]
pub fn RefPicker(
    id: String,
    options: Options,
    #[prop(into)] value: Signal<String>,
    on_pick: Callback<String>,
    #[prop(optional, into)] invalid: Signal<bool>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(None::<String>);
    let active = RwSignal::new(0_usize);
    let list_id = format!("{id}-options");
    let chosen_title = move || {
        let value = value.get();
        if value.is_empty() {
            return String::new();
        }
        options
            .with(|o| o.iter().find(|(v, _)| *v == value).map(|(_, t)| t.clone()))
            .unwrap_or_else(|| i18n.t(Key::RecordUnknownRef).to_owned())
    };
    let matches = Memo::new(move |_| {
        let Some(typed) = query.get() else {
            return Vec::new();
        };
        let search = yingxiao_core::list::SearchQuery::parse(&typed);
        options.with(|o| {
            o.iter()
                .filter(|(_, title)| {
                    search.is_empty()
                        || search.matches(&yingxiao_core::list::search_haystack([title.as_str()]))
                })
                .take(PICKER_SHOWN)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let pick = move |picked: String| {
        on_pick.run(picked);
        query.set(None);
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let count = matches.with(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                if query.with_untracked(Option::is_none) {
                    query.set(Some(String::new()));
                }
                active.update(|a| *a = (*a + 1).min(count.saturating_sub(1)));
            }
            "ArrowUp" => {
                ev.prevent_default();
                active.update(|a| *a = a.saturating_sub(1));
            }
            "Enter" if query.with_untracked(Option::is_some) => {
                ev.prevent_default();
                if let Some((v, _)) =
                    matches.with_untracked(|m| m.get(active.get_untracked()).cloned())
                {
                    pick(v);
                }
            }
            "Escape" => query.set(None),
            _ => {}
        }
    };
    let option_id = {
        let list_id = list_id.clone();
        move |i: usize| format!("{list_id}-{i}")
    };
    view! {
        <div class="ref-picker">
            <input
                id=id
                type="text"
                role="combobox"
                autocomplete="off"
                aria-autocomplete="list"
                aria-expanded=move || query.with(Option::is_some).to_string()
                aria-controls=list_id.clone()
                aria-activedescendant={
                    let option_id = option_id.clone();
                    move || query.with(Option::is_some).then(|| option_id(active.get()))
                }
                aria-invalid=move || invalid.get().then_some("true")
                aria-required=required.to_string()
                placeholder=move || i18n.t(Key::FormPickerPlaceholder)
                prop:value=move || query.get().unwrap_or_else(chosen_title)
                on:input=move |ev| { query.set(Some(event_target_value(&ev))); active.set(0); }
                on:focus=move |_| if query.with_untracked(Option::is_none) { query.set(Some(String::new())); active.set(0); }
                on:blur=move |_| query.set(None)
                on:keydown=on_key
            />
            {(!required).then(|| view! {
                <Show when=move || !value.with(String::is_empty)>
                    <button type="button" class="button button-ghost ref-clear" on:click=move |_| on_pick.run(String::new())
                        aria-label=move || i18n.t(Key::FormPickerClear)>"×"</button>
                </Show>
            })}
            <Show when=move || query.with(Option::is_some)>
                <ul class="ref-options" role="listbox" id=list_id.clone()>
                    {
                        let option_id = option_id.clone();
                        move || {
                            let shown = matches.get();
                            if shown.is_empty() {
                                return view! { <li class="ref-none" role="presentation">{i18n.t(Key::FormPickerNone)}</li> }.into_any();
                            }
                            shown.into_iter().enumerate().map(|(i, (v, title))| {
                                let picked = v.clone();
                                let selected = value.with_untracked(|c| *c == v);
                                view! {
                                    <li role="option" id=option_id(i)
                                        class:active=move || active.get() == i
                                        aria-selected=selected.to_string()
                                        // Before the input's blur, so the tap is not lost.
                                        on:pointerdown=move |ev| { ev.prevent_default(); pick(picked.clone()); }
                                    >{title}</li>
                                }
                            }).collect_view().into_any()
                        }
                    }
                </ul>
            </Show>
        </div>
    }
}

/// A list of references (a promotion's stores): the chosen ones as removable chips, and a picker
/// to add one more.
#[component]
fn RefListEditor(
    id: String,
    form: RecordForm,
    name: &'static str,
    options: Options,
) -> impl IntoView {
    let i18n = use_i18n();
    let ids = move || ids_raw(&form.get(name));
    let write = move |list: Vec<String>| {
        form.set(
            name,
            if list.is_empty() {
                String::new()
            } else {
                Value::from(list).to_string()
            },
        )
    };
    let title_of = move |id: &str| {
        options
            .with(|o| o.iter().find(|(v, _)| v == id).map(|(_, t)| t.clone()))
            .unwrap_or_else(|| i18n.t(Key::RecordUnknownRef).to_owned())
    };
    let remaining = Signal::derive(move || {
        let chosen = ids();
        options
            .get()
            .into_iter()
            .filter(|(v, _)| !chosen.contains(v))
            .collect::<Vec<_>>()
    });
    view! {
        <div class="ref-list">
            <ul class="chips" aria-label=move || i18n.t(Key::FormChosen)>
                {move || ids().into_iter().map(|chosen| {
                    let title = title_of(&chosen);
                    let label = title.clone();
                    view! {
                        <li class="chip">
                            {title}
                            <button type="button" class="chip-remove"
                                aria-label=move || i18n.format(Key::FormRemoveNamed, &[("name", &label)])
                                on:click=move |_| write(ids().into_iter().filter(|i| *i != chosen).collect())
                            >"×"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <RefPicker
                id
                options=remaining
                value=Signal::derive(String::new)
                on_pick=Callback::new(move |picked: String| if !picked.is_empty() {
                    let mut list = ids();
                    list.push(picked);
                    write(list);
                })
            />
        </div>
    }
}

/// A `Lines` field as an editable table: one row per line with an input per line field (a picker for
/// a reference, a list for a choice, a date, text or a number), the line's amount where lines are
/// priced, and the total where they carry money. When the form has the field the lines' total
/// fills in (`views::lines_total_field`: an order's total, a promotion's budget), it follows the
/// lines as they change and stays editable. A reference the record lists itself (a shift's store
/// among the promotion's stores) is picked from that list as the form has it now.
#[component]
fn LinesEditor(
    id: String,
    form: RecordForm,
    name: &'static str,
    line_defs: &'static [FieldDef],
    /// The choices of the lines' reference that the record does not list itself (an order line's product).
    options: Options,
) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let money = LineMoney::of(line_defs);
    let total_field = lines_total_field(form.collection, name).filter(|f| form.has(f));
    let rows = Memo::new(move |_| lines_raw(&form.get(name)));
    let write = move |rows: Vec<BTreeMap<String, String>>| {
        let text = if rows.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&rows).unwrap_or_default()
        };
        form.set(name, text);
        if let Some(total) = total_field {
            if untrack(|| form.mode(total)) == FieldMode::Edit {
                if let Some(sum) = converted_total(line_defs, &rows) {
                    form.set(total, yuan_input(sum));
                }
            }
        }
    };
    let edit = move |at: usize, field: &'static str, text: String| {
        let mut all = rows.get_untracked();
        if let Some(row) = all.get_mut(at) {
            row.insert(field.to_owned(), text);
        }
        write(all);
    };
    // A product picked for a line without a price brings its list price, which the user may change.
    let list_prices = use_list_prices(data);
    let pick = move |at: usize, field: &'static str, picked: String| {
        let mut all = rows.get_untracked();
        let Some(row) = all.get_mut(at) else {
            return;
        };
        let priced = row.get("unit_price").is_some_and(|p| !p.trim().is_empty());
        if !priced && money == LineMoney::Priced {
            let list_price = list_prices.with_untracked(|prices| prices.get(&picked).copied());
            if let Some(price) = list_price {
                row.insert("unit_price".to_owned(), yuan_input(price));
            }
        }
        row.insert(field.to_owned(), picked);
        write(all);
    };
    // The references the record lists itself, offered from the form's list with their titles.
    let own_lists: Vec<(Collection, &'static str)> = line_defs
        .iter()
        .filter_map(|d| match d.kind {
            FieldKind::Ref(target) => {
                line_choices_from(form.collection, target).map(|list| (target, list))
            }
            _ => None,
        })
        .collect();
    let titles = use_titles(data, own_lists.iter().map(|(t, _)| *t).collect());
    let options_for = move |target: Collection| -> Options {
        match own_lists.iter().find(|(t, _)| *t == target) {
            Some(&(_, list)) => Signal::derive(move || {
                titles.with(|titles| {
                    ids_raw(&form.get(list))
                        .into_iter()
                        .map(|id| {
                            let title = titles.get(&id).cloned().unwrap_or_default();
                            (id, title)
                        })
                        .collect()
                })
            }),
            None => options,
        }
    };
    let amount_of = move |row: &BTreeMap<String, String>| -> Option<i64> {
        line_value(&converted_line(line_defs, row)?)
    };
    let total = move || rows.with(|all| all.iter().map(amount_of).sum::<Option<i64>>());
    let priced = money == LineMoney::Priced;
    let label_cols = line_defs.len() + 1 - usize::from(money == LineMoney::Own);
    view! {
        // Focusable, so a keyboard can scroll lines wider than a phone (read-only ones hold no input).
        <div class="lines-editor" id=id data-testid=format!("lines-{name}") tabindex="0">
            <table class="lines-table">
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        {line_defs.iter().map(|d| view! {
                            <th scope="col" class:numeric=matches!(d.kind, FieldKind::Money)>{move || d.label(i18n.locale())}</th>
                        }).collect_view()}
                        {priced.then(|| view! { <th scope="col" class="numeric">{move || i18n.t(Key::FormLineAmount)}</th> })}
                        <th scope="col"><span class="visually-hidden">{move || i18n.t(Key::FormLineRemove)}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {move || (0..rows.with(Vec::len)).map(|at| {
                        let cells = line_defs.iter().map(|d| {
                            let field = d.name;
                            let cell_id = format!("{}-{name}-{at}-{field}", form.collection.as_str());
                            let value = Signal::derive(move || rows.with(|r| r.get(at).and_then(|row| row.get(field).cloned()).unwrap_or_default()));
                            let label = move || format!("{} {}", d.label(i18n.locale()), at + 1);
                            let on_input = move |ev| edit(at, field, event_target_value(&ev));
                            let control = match d.kind {
                                FieldKind::Ref(target) => view! {
                                    <RefPicker id=cell_id options=options_for(target) value
                                        on_pick=Callback::new(move |picked: String| pick(at, field, picked)) required=d.required />
                                }.into_any(),
                                FieldKind::Enum(_) => view! {
                                    <select id=cell_id aria-label=label on:change=on_input>
                                        <option value="">{move || i18n.t(Key::FormChoose)}</option>
                                        {d.choices().unwrap_or_default().iter().map(|choice| view! {
                                            <option value=choice.value prop:selected=move || value.with(|v| v == choice.value)>
                                                {move || choice.label(i18n.locale())}
                                            </option>
                                        }).collect_view()}
                                    </select>
                                }.into_any(),
                                FieldKind::Date => view! {
                                    <input id=cell_id type="date" aria-label=label prop:value=value on:input=on_input />
                                }.into_any(),
                                FieldKind::Text { max_chars } => view! {
                                    <input id=cell_id type="text" maxlength=max_chars aria-label=label prop:value=value on:input=on_input />
                                }.into_any(),
                                // A file is added where it is taken (store mode); here it is named,
                                // not typed.
                                FieldKind::Attachment => view! {
                                    <span id=cell_id class="muted" aria-label=label>
                                        {move || i18n.format(Key::FormAttachment, &[("hash", &value.get().chars().take(8).collect::<String>())])}
                                    </span>
                                }.into_any(),
                                kind => view! {
                                    <input id=cell_id type="text"
                                        inputmode=if matches!(kind, FieldKind::Money) { "decimal" } else { "numeric" }
                                        aria-label=label
                                        prop:value=value
                                        on:input=on_input />
                                }.into_any(),
                            };
                            view! { <td data-label=move || d.label(i18n.locale())>{control}</td> }
                        }).collect_view();
                        let row_amount = move || rows.with(|r| r.get(at).and_then(amount_of)).map(format_yuan).unwrap_or_else(|| "—".into());
                        view! {
                            <tr data-testid="line">
                                <td>{at + 1}</td>
                                {cells}
                                {priced.then(|| view! { <td class="numeric" data-testid="line-amount">{row_amount}</td> })}
                                <td>
                                    <button type="button" class="button button-ghost"
                                        aria-label=move || i18n.format(Key::FormLineRemoveNumbered, &[("number", &(at + 1).to_string())])
                                        on:click=move |_| { let mut all = rows.get_untracked(); all.remove(at); write(all); }
                                    >"×"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
                {(money != LineMoney::None).then(|| view! {
                    <tfoot>
                        <tr>
                            <th scope="row" colspan=label_cols>{move || i18n.t(Key::FormLinesTotal)}</th>
                            <td class="numeric" data-testid="lines-total">{move || total().map(format_yuan).unwrap_or_else(|| "—".into())}</td>
                            <td></td>
                        </tr>
                    </tfoot>
                })}
            </table>
            <button type="button" class="button" data-testid="line-add" on:click=move |_| {
                let mut all = rows.get_untracked();
                all.push(BTreeMap::new());
                write(all);
            }>{move || i18n.t(Key::FormLineAdd)}</button>
        </div>
    }
}

/// A line's text as its JSON value; `None` if a field does not convert.
fn converted_line(line_defs: &[FieldDef], row: &BTreeMap<String, String>) -> Option<Value> {
    let mut line = Map::new();
    for d in line_defs {
        let text = row.get(d.name).map(String::as_str).unwrap_or("");
        if let Some(v) = from_raw(d, text).ok()? {
            line.insert(d.name.to_owned(), v);
        }
    }
    Some(Value::Object(line))
}

/// The lines' total in 分 when every line converts.
fn converted_total(line_defs: &[FieldDef], rows: &[BTreeMap<String, String>]) -> Option<i64> {
    let lines = rows
        .iter()
        .map(|row| converted_line(line_defs, row))
        .collect::<Option<Vec<_>>>()?;
    lines_total(&lines)
}

/// The form's own message: the summary of marked fields, a rule about no one field, a storage failure.
#[component]
pub fn FormProblemNote(form: RecordForm) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("{}-form-problem", form.collection.as_str());
    move || {
        form.problem.get().map(|problem| {
            let message = match problem {
                FormProblem::FixFields => i18n.t(Key::FormFixErrors).to_owned(),
                FormProblem::Rule(error) => error.message_for(form.collection, i18n.locale()),
                FormProblem::Storage(detail) => {
                    i18n.format(Key::FormSaveFailed, &[("error", &detail)])
                }
            };
            view! { <p class="form-error" role="alert" id=id.clone() tabindex="-1">{message}</p> }
        })
    }
}

/// The save button: disabled, and saying so, while saving.
#[component]
pub fn SaveButton(form: RecordForm, #[prop(into)] label: Signal<&'static str>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button type="submit" class="button button-primary" disabled=move || form.busy.get()>
            {move || if form.busy.get() { i18n.t(Key::FormSaving) } else { label.get() }}
        </button>
    }
}

/// Who will see the record once a reassignment is saved: the owner chosen and the managers of the
/// unit chosen. Shown only while the form changes either of them.
#[component]
pub fn VisibleAfterNote(
    form: RecordForm,
    owner_field: &'static str,
    unit_field: &'static str,
    /// The owner and unit as saved, to tell a change.
    before: (String, String),
    /// Names of people and units by id.
    #[prop(into)]
    names: Signal<HashMap<String, String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let note = move || {
        let (owner, unit) = (form.get(owner_field), form.get(unit_field));
        if owner == before.0 && unit == before.1 {
            return None;
        }
        let name_of = |id: &str| {
            names
                .with(|n| n.get(id).filter(|n| !n.is_empty()).cloned())
                .unwrap_or_else(|| i18n.t(Key::RecordUnknownRef).to_owned())
        };
        let role = form
            .collection
            .field(owner_field)
            .map(|d| d.label(i18n.locale()))
            .unwrap_or_default();
        Some(i18n.format(
            Key::FormVisibleAfter,
            &[
                ("owner", &name_of(&owner)),
                ("role", role),
                ("unit", &name_of(&unit)),
            ],
        ))
    };
    view! {
        {move || note().map(|text| view! {
            <p class="notice" role="status" data-testid="visible-after">{text}</p>
        })}
    }
}
