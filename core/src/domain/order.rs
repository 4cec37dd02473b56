//! 订单: a customer's order with its lines.

use super::{
    choices, no_record_rules, no_value_rules, Collection, FieldDef, FieldKind::*, Table,
    CODE_CHARS, CURRENCIES, MAX_COUNT, NOTES_CHARS,
};

/// Order statuses that are sales: what promotion uplift and target attainment count.
pub const SOLD: [&str; 3] = ["confirmed", "shipped", "delivered"];

choices!(ORDER_STATUSES, ORDER_STATUS_CHOICES {
    "draft" => "草稿", "Draft";
    "confirmed" => "已确认", "Confirmed";
    "shipped" => "已发货", "Shipped";
    "delivered" => "已签收", "Delivered";
    "cancelled" => "已取消", "Cancelled";
});

const ORDER_LINE_FIELDS: &[FieldDef] = &[
    FieldDef::new("product_id", Ref(Collection::Product), "产品", "Product").required(),
    FieldDef::new(
        "quantity",
        Integer {
            min: 1,
            max: MAX_COUNT,
        },
        "数量",
        "Quantity",
    )
    .required(),
    FieldDef::new("unit_price", Money, "单价", "Unit price").required(),
    FieldDef::new("discount_percent", Percent, "折扣（%）", "Discount (%)"),
];

/// `total` is what was agreed, kept as entered: rounding of discounted lines is the seller's call.
pub(super) static ORDERS: Table = Table {
    wire: "orders",
    label_zh: "订单",
    label_en: "Orders",
    fields: &[
        FieldDef::new("customer_id", Ref(Collection::Customer), "客户", "Customer").required(),
        FieldDef::new("owner_id", Ref(Collection::User), "负责人", "Owner").required(),
        FieldDef::new("unit_id", Ref(Collection::OrgUnit), "所属组织", "Org unit").required(),
        FieldDef::new(
            "opportunity_id",
            Ref(Collection::Opportunity),
            "销售机会",
            "Opportunity",
        ),
        FieldDef::new(
            "order_no",
            Text {
                max_chars: CODE_CHARS,
            },
            "订单编号",
            "Order no.",
        )
        .required(),
        FieldDef::new("ordered_on", Date, "下单日期", "Ordered on").required(),
        FieldDef::new("status", Enum(ORDER_STATUSES), "状态", "Status").required(),
        FieldDef::new("currency", Enum(CURRENCIES), "币种", "Currency"),
        FieldDef::new("lines", Lines(ORDER_LINE_FIELDS), "订单明细", "Order lines"),
        FieldDef::new("total", Money, "订单金额", "Total"),
        FieldDef::new(
            "notes",
            Text {
                max_chars: NOTES_CHARS,
            },
            "备注",
            "Notes",
        ),
    ],
    check_value: no_value_rules,
    check_record: no_record_rules,
};
