//! Saving a chart as a file: its SVG with the theme's colours written in (a file has no style sheet),
//! or a PNG drawn from that SVG at twice the size.

use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, Element, HtmlCanvasElement, Url};

/// What the drawing looks like comes from the style sheet; these properties are copied onto each
/// element of the saved file so it looks the same on its own.
const KEPT_STYLE: [&str; 8] = [
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "font-family",
    "font-size",
    "font-weight",
];

/// Why a chart could not be saved; the page says "could not export" whatever the cause.
#[derive(Debug)]
pub struct ExportError;

impl From<JsValue> for ExportError {
    fn from(_: JsValue) -> Self {
        ExportError
    }
}

fn computed(element: &Element) -> Result<web_sys::CssStyleDeclaration, ExportError> {
    window().get_computed_style(element)?.ok_or(ExportError)
}

/// The colour behind the chart: the first ancestor with a background that is not transparent.
fn backdrop(svg: &Element) -> Option<String> {
    let mut node = svg.parent_element();
    while let Some(element) = node {
        let colour = computed(&element)
            .ok()?
            .get_property_value("background-color")
            .ok()?;
        if !colour.is_empty() && colour != "transparent" && colour != "rgba(0, 0, 0, 0)" {
            return Some(colour);
        }
        node = element.parent_element();
    }
    None
}

/// The SVG element as a standalone file: computed colours and fonts written onto every element,
/// a background behind it, nothing that needs the page.
pub fn svg_markup(svg: &Element) -> Result<String, ExportError> {
    let copy: Element = svg
        .clone_node_with_deep(true)?
        .dyn_into()
        .map_err(|_| ExportError)?;
    let originals = svg.query_selector_all("*")?;
    let copies = copy.query_selector_all("*")?;
    let pairs = std::iter::once((svg.clone(), copy.clone())).chain(
        (0..originals.length()).filter_map(|i| {
            let original = originals.item(i)?.dyn_into::<Element>().ok()?;
            let copied = copies.item(i)?.dyn_into::<Element>().ok()?;
            Some((original, copied))
        }),
    );
    for (original, copied) in pairs {
        let style = computed(&original)?;
        let inline = KEPT_STYLE
            .iter()
            .filter_map(|name| {
                let value = style.get_property_value(name).ok()?;
                (!value.is_empty()).then(|| format!("{name}:{value}"))
            })
            .collect::<Vec<_>>()
            .join(";");
        copied.set_attribute("style", &inline)?;
        // Focus and selection are states of the page, not of the saved picture.
        copied.remove_attribute("tabindex")?;
    }
    copy.set_attribute("xmlns", "http://www.w3.org/2000/svg")?;
    if let Some(colour) = backdrop(svg) {
        let document = document();
        let rect = document.create_element_ns(Some("http://www.w3.org/2000/svg"), "rect")?;
        rect.set_attribute("width", "100%")?;
        rect.set_attribute("height", "100%")?;
        rect.set_attribute("fill", &colour)?;
        copy.insert_before(&rect, copy.first_child().as_ref())?;
    }
    Ok(web_sys::XmlSerializer::new()?.serialize_to_string(&copy)?)
}

fn svg_blob(markup: &str) -> Result<Blob, ExportError> {
    let options = BlobPropertyBag::new();
    options.set_type("image/svg+xml;charset=utf-8");
    let parts = js_sys::Array::of1(&JsValue::from_str(markup));
    Ok(Blob::new_with_str_sequence_and_options(&parts, &options)?)
}

/// Downloads the chart as an SVG file.
pub fn download_svg(svg: &Element, file_name: &str) -> Result<(), ExportError> {
    let blob = svg_blob(&svg_markup(svg)?)?;
    crate::download::save_blob(file_name, &blob).map_err(|_| ExportError)
}

/// Downloads the chart as a PNG at twice its size, drawn from its SVG in a canvas. `done` hears
/// whether it worked once the picture has been drawn.
pub fn download_png(
    svg: &Element,
    file_name: &str,
    done: impl FnOnce(Result<(), ExportError>) + 'static,
) -> Result<(), ExportError> {
    let size = |name: &str| {
        svg.get_attribute(name)
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or(ExportError)
    };
    let (width, height) = (size("width")?, size("height")?);
    download_png_markup(&svg_markup(svg)?, width, height, 2.0, file_name, done)
}

/// Downloads a standalone SVG document of `width` × `height` px as a PNG drawn `scale` times its
/// size. `done` hears whether it worked once the picture has been drawn.
pub fn download_png_markup(
    markup: &str,
    width: f64,
    height: f64,
    scale: f64,
    file_name: &str,
    done: impl FnOnce(Result<(), ExportError>) + 'static,
) -> Result<(), ExportError> {
    let url = Url::create_object_url_with_blob(&svg_blob(markup)?)?;
    let image = web_sys::HtmlImageElement::new()?;
    let file_name = file_name.to_owned();
    let drawn = {
        let image = image.clone();
        let url = url.clone();
        move || -> Result<(), ExportError> {
            let canvas: HtmlCanvasElement = document()
                .create_element("canvas")?
                .dyn_into()
                .map_err(|_| ExportError)?;
            canvas.set_width((width * scale).ceil() as u32);
            canvas.set_height((height * scale).ceil() as u32);
            let context: web_sys::CanvasRenderingContext2d = canvas
                .get_context("2d")?
                .ok_or(ExportError)?
                .dyn_into()
                .map_err(|_| ExportError)?;
            context.draw_image_with_html_image_element_and_dw_and_dh(
                &image,
                0.0,
                0.0,
                width * scale,
                height * scale,
            )?;
            let _ = Url::revoke_object_url(&url);
            crate::download::save_url(&file_name, &canvas.to_data_url_with_type("image/png")?)
                .map_err(|_| ExportError)
        }
    };
    let onload = Closure::once_into_js(move || done(drawn()));
    image.set_onload(Some(onload.unchecked_ref()));
    image.set_src(&url);
    Ok(())
}
