//! Inline SVG icons (24 × 24, stroked with `currentColor`), so they follow the theme and cost no request.

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Icon {
    Home,
    Customers,
    Opportunities,
    Board,
    Settings,
    Language,
    Funnel,
    Orders,
    Promotion,
    Target,
    Service,
    Organisation,
    Store,
    Import,
    More,
}

impl Icon {
    fn path(self) -> &'static str {
        match self {
            Self::Home => "M3 10.5 12 3l9 7.5M5 9v11h5v-6h4v6h5V9",
            Self::Customers => "M3 20v-1a5 5 0 0 1 5-5h2a5 5 0 0 1 5 5v1M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7Zm6.5-6.8a3.5 3.5 0 0 1 0 6.6M17 14.2a5 5 0 0 1 4 4.8v1",
            Self::Board => "M4 4h4v16H4zM10 4h4v10h-4zM16 4h4v13h-4z",
            Self::Opportunities => "M4 8h16v11H4zM9 8V5h6v3M4 13h16M11 13v2h2v-2",
            Self::Settings => "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6Zm7.4-3a7.4 7.4 0 0 0-.1-1.2l2-1.6-2-3.4-2.4 1a7.3 7.3 0 0 0-2-1.2L14.5 3h-5l-.4 2.6a7.3 7.3 0 0 0-2 1.2l-2.4-1-2 3.4 2 1.6a7.4 7.4 0 0 0 0 2.4l-2 1.6 2 3.4 2.4-1a7.3 7.3 0 0 0 2 1.2l.4 2.6h5l.4-2.6a7.3 7.3 0 0 0 2-1.2l2.4 1 2-3.4-2-1.6c.1-.4.1-.8.1-1.2Z",
            Self::Language => "M4 5h9M8.5 3v2M6 5c0 4 2.5 7 6 8.5M11 5c0 4-3 7.5-7 9M13 21l4-9 4 9m-6.6-3h5.2",
            Self::Import => "M12 15V4M7.5 8.5 12 4l4.5 4.5M4 14v5a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-5",
            Self::Funnel => "M3 4h18l-7 8v6l-4 2v-8L3 4Z",
            Self::Store => "M3 9 4.5 4h15L21 9M3 9h18M3 9a3 3 0 0 0 6 0 3 3 0 0 0 6 0 3 3 0 0 0 6 0M5 11.5V20h14v-8.5M10 20v-5h4v5",
            Self::Orders => "M6 3h12v18l-3-2-3 2-3-2-3 2V3Zm3 5h6M9 12h6M9 16h3",
            Self::Promotion => "M3 10v4h3l7 4V6L6 10H3Zm14-1.5a4 4 0 0 1 0 7M19.5 6a7.5 7.5 0 0 1 0 12",
            Self::Target => "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18Zm0-4a5 5 0 1 0 0-10 5 5 0 0 0 0 10Zm0-4a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z",
            Self::Service => "M4 14v-2a8 8 0 0 1 16 0v2M4 14h3v5H5a1 1 0 0 1-1-1v-4Zm16 0h-3v5h2a1 1 0 0 0 1-1v-4Zm-3 5c0 1.5-2 2-5 2",
            Self::Organisation => "M9 3h6v4H9zM3 17h6v4H3zm12 0h6v4h-6zM12 7v5M6 17v-5h12v5",
            Self::More => "M5 12h.01M12 12h.01M19 12h.01",
        }
    }
}

#[component]
pub fn IconSvg(icon: Icon) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
            <path d=icon.path() fill="none" stroke="currentColor" stroke-width="1.8"
                stroke-linecap="round" stroke-linejoin="round" />
        </svg>
    }
}
