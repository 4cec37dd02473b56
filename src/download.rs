//! Handing the user a file made on the device (a list as CSV or .xlsx, a chart as SVG or PNG): no
//! server round trip, so it works offline too.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};
use yingxiao_core::export::{csv_for_excel, xlsx_for_excel, Sheet};

/// The files a table is exported as, from the same sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableFile {
    Csv,
    Xlsx,
}

/// Saves `sheet` as `<stem>.csv` or `<stem>.xlsx`.
pub fn save_table(stem: &str, sheet: &Sheet, file: TableFile) -> Result<(), String> {
    match file {
        TableFile::Csv => save_file(
            &format!("{stem}.csv"),
            "text/csv;charset=utf-8",
            &csv_for_excel(sheet),
        ),
        TableFile::Xlsx => save_file(
            &format!("{stem}.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &xlsx_for_excel(sheet),
        ),
    }
}

/// Saves `bytes` as a file called `name` through the browser's download.
pub fn save_file(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| format!("{e:?}"))?;
    save_blob(name, &blob)
}

/// Saves a blob as a file called `name`.
pub fn save_blob(name: &str, blob: &Blob) -> Result<(), String> {
    let url = Url::create_object_url_with_blob(blob).map_err(|e| format!("{e:?}"))?;
    save_url(name, &url)?;
    // Some browsers read the blob after the click returns; let it go a little later.
    leptos::prelude::set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    Ok(())
}

/// Saves what a URL (a blob or `data:` URL) holds as a file called `name`.
pub fn save_url(name: &str, url: &str) -> Result<(), String> {
    let document = leptos::prelude::document();
    let link: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    link.set_href(url);
    link.set_download(name);
    link.set_hidden(true);
    // Some browsers only follow a link that is in the document.
    let body = document.body().ok_or("the page has no body")?;
    body.append_child(&link).map_err(|e| format!("{e:?}"))?;
    link.click();
    link.remove();
    Ok(())
}
