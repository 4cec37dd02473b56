//! 产品: the catalogue that opportunities, orders and promotions refer to.

use super::{
    no_record_rules, no_value_rules, FieldDef, FieldKind::*, Table, CODE_CHARS, NAME_CHARS,
    SHORT_CHARS,
};

pub(super) static PRODUCTS: Table = Table {
    wire: "products",
    label_zh: "产品",
    label_en: "Products",
    fields: &[
        FieldDef::new(
            "sku",
            Text {
                max_chars: CODE_CHARS,
            },
            "产品编码",
            "SKU",
        )
        .required(),
        FieldDef::new(
            "name",
            Text {
                max_chars: NAME_CHARS,
            },
            "产品名称",
            "Name",
        )
        .required(),
        FieldDef::new(
            "category",
            Text {
                max_chars: SHORT_CHARS,
            },
            "品类",
            "Category",
        ),
        // The selling unit, e.g. 箱 (case), 瓶 (bottle), 台 (unit).
        FieldDef::new("unit", Text { max_chars: 16 }, "单位", "Unit"),
        FieldDef::new("list_price", Money, "标准价", "List price").required(),
        FieldDef::new("cost", Money, "成本", "Cost"),
        FieldDef::new("active", Bool, "在售", "On sale"),
    ],
    check_value: no_value_rules,
    check_record: no_record_rules,
};
