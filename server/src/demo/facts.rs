//! The demo company's fixed facts: regions, cities, catalogue, names.

/// The demo company's name.
pub const COMPANY_NAME: &str = "华禾消费品集团";
pub(super) const MAIL_DOMAIN: &str = "huahe.example";
/// History reaches this many days before the as-of day (18 months).
pub(super) const HISTORY_DAYS: i64 = 540;

/// (name, code)
pub(super) const REGIONS: [(&str, &str); 4] = [
    ("华东大区", "EAST"),
    ("华南大区", "SOUTH"),
    ("华北大区", "NORTH"),
    ("西南大区", "SW"),
];

pub(super) struct City {
    pub(super) name: &'static str,
    pub(super) code: &'static str,
    pub(super) region: usize,
    pub(super) phone_prefix: &'static str,
    pub(super) districts: &'static [&'static str],
    /// Relative market size: how many customers land here.
    pub(super) weight: u32,
}

/// In round-robin order over the regions, so a small company still spans them; 上海 first.
pub(super) const CITIES: [City; 12] = [
    City {
        name: "上海",
        code: "SH",
        region: 0,
        phone_prefix: "021",
        districts: &["浦东新区", "徐汇区", "静安区", "闵行区", "杨浦区", "长宁区"],
        weight: 14,
    },
    City {
        name: "广州",
        code: "GZ",
        region: 1,
        phone_prefix: "020",
        districts: &["天河区", "越秀区", "海珠区", "白云区", "番禺区"],
        weight: 11,
    },
    City {
        name: "北京",
        code: "BJ",
        region: 2,
        phone_prefix: "010",
        districts: &["朝阳区", "海淀区", "东城区", "丰台区", "通州区"],
        weight: 13,
    },
    City {
        name: "成都",
        code: "CD",
        region: 3,
        phone_prefix: "028",
        districts: &["锦江区", "武侯区", "青羊区", "成华区", "金牛区"],
        weight: 9,
    },
    City {
        name: "杭州",
        code: "HZ",
        region: 0,
        phone_prefix: "0571",
        districts: &["西湖区", "上城区", "拱墅区", "滨江区", "萧山区"],
        weight: 9,
    },
    City {
        name: "深圳",
        code: "SZ",
        region: 1,
        phone_prefix: "0755",
        districts: &["南山区", "福田区", "罗湖区", "宝安区", "龙岗区"],
        weight: 10,
    },
    City {
        name: "天津",
        code: "TJ",
        region: 2,
        phone_prefix: "022",
        districts: &["和平区", "河西区", "南开区", "河东区", "滨海新区"],
        weight: 7,
    },
    City {
        name: "重庆",
        code: "CQ",
        region: 3,
        phone_prefix: "023",
        districts: &["渝中区", "江北区", "南岸区", "九龙坡区", "沙坪坝区"],
        weight: 8,
    },
    City {
        name: "南京",
        code: "NJ",
        region: 0,
        phone_prefix: "025",
        districts: &["鼓楼区", "玄武区", "秦淮区", "建邺区", "江宁区"],
        weight: 7,
    },
    City {
        name: "福州",
        code: "FZ",
        region: 1,
        phone_prefix: "0591",
        districts: &["鼓楼区", "台江区", "仓山区", "晋安区"],
        weight: 5,
    },
    City {
        name: "济南",
        code: "JN",
        region: 2,
        phone_prefix: "0531",
        districts: &["历下区", "市中区", "槐荫区", "历城区"],
        weight: 5,
    },
    City {
        name: "苏州",
        code: "SU",
        region: 0,
        phone_prefix: "0512",
        districts: &["姑苏区", "吴中区", "相城区", "虎丘区"],
        weight: 6,
    },
];

#[rustfmt::skip]
pub(super) const ROADS: &[&str] = &[
    "人民路", "中山路", "解放路", "建设路", "和平路", "新华路", "文化路", "学府路", "滨江路", "光明路",
    "振兴路", "青年路", "长江路", "黄河路", "东风路", "迎宾大道",
];

pub(super) struct ProductDef {
    pub(super) sku: &'static str,
    pub(super) name: &'static str,
    pub(super) short: &'static str,
    pub(super) category: &'static str,
    pub(super) unit: &'static str,
    pub(super) list_price: i64,
    pub(super) cost: i64,
}

const fn product(
    sku: &'static str,
    name: &'static str,
    short: &'static str,
    category: &'static str,
    unit: &'static str,
    list_price: i64,
    cost: i64,
) -> ProductDef {
    ProductDef {
        sku,
        name,
        short,
        category,
        unit,
        list_price,
        cost,
    }
}

/// The catalogue, categories interleaved so a small company still sells all three. Prices in 分.
#[rustfmt::skip]
pub(super) const PRODUCTS: [ProductDef; 20] = [
    product("YL-001", "华禾冰红茶 500ml×15瓶", "冰红茶", "饮料", "箱", 4_500, 3_050),
    product("LS-001", "华禾原味薯片 70g×20袋", "原味薯片", "零食", "箱", 9_000, 5_800),
    product("RH-001", "华禾薰衣草洗衣液 2kg", "洗衣液", "日化", "瓶", 3_990, 2_100),
    product("YL-002", "华禾茉莉绿茶 500ml×15瓶", "茉莉绿茶", "饮料", "箱", 4_500, 3_000),
    product("LS-002", "华禾每日坚果 25g×30袋", "每日坚果", "零食", "盒", 12_900, 8_200),
    product("RH-002", "华禾柠檬洗洁精 1.29kg", "洗洁精", "日化", "瓶", 1_590, 780),
    product("YL-003", "华禾鲜橙汁 1L×12瓶", "鲜橙汁", "饮料", "箱", 9_600, 6_500),
    product("LS-003", "华禾五香牛肉干 100g", "牛肉干", "零食", "袋", 3_580, 2_200),
    product("RH-003", "华禾去屑洗发水 400ml", "洗发水", "日化", "瓶", 4_590, 2_400),
    product("YL-004", "华禾苏打水 350ml×24瓶", "苏打水", "饮料", "箱", 7_200, 4_300),
    product("LS-004", "华禾苏打饼干 400g", "苏打饼干", "零食", "袋", 1_290, 760),
    product("RH-004", "华禾清爽沐浴露 750ml", "沐浴露", "日化", "瓶", 3_990, 2_000),
    product("YL-005", "华禾核桃露 240ml×20罐", "核桃露", "饮料", "箱", 7_800, 5_200),
    product("LS-005", "华禾麻辣豆干 200g", "麻辣豆干", "零食", "袋", 990, 520),
    product("RH-005", "华禾清新牙膏 180g", "牙膏", "日化", "支", 1_290, 560),
    product("YL-006", "华禾能量维生素饮料 250ml×24罐", "能量饮料", "饮料", "箱", 11_800, 7_600),
    product("LS-006", "华禾番茄味薯片 70g×20袋", "番茄薯片", "零食", "箱", 9_000, 5_800),
    product("RH-006", "华禾抽纸 3层120抽×10包", "抽纸", "日化", "提", 2_990, 1_900),
    product("YL-007", "华禾天然饮用水 550ml×24瓶", "饮用水", "饮料", "箱", 3_600, 2_100),
    product("LS-007", "华禾海苔脆片 40g×12袋", "海苔脆片", "零食", "盒", 4_680, 2_900),
];

#[rustfmt::skip]
pub(super) const SURNAMES: &[(&str, &str)] = &[
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
    ("高", "gao"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"), ("彭", "peng"),
    ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("潘", "pan"), ("袁", "yuan"),
    ("蒋", "jiang"), ("蔡", "cai"), ("余", "yu"), ("杜", "du"),
];

#[rustfmt::skip]
pub(super) const GIVEN: &[(&str, &str)] = &[
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"),
    ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("英", "ying"), ("华", "hua"), ("玲", "ling"),
    ("鹏", "peng"), ("辉", "hui"), ("建", "jian"), ("文", "wen"), ("斌", "bin"), ("宇", "yu"),
    ("浩", "hao"), ("凯", "kai"), ("婷", "ting"), ("雪", "xue"), ("琳", "lin"), ("晨", "chen"),
    ("欣", "xin"), ("佳", "jia"), ("怡", "yi"), ("俊", "jun"), ("峰", "feng"), ("亮", "liang"),
    ("倩", "qian"), ("颖", "ying"), ("博", "bo"), ("飞", "fei"), ("志", "zhi"), ("红", "hong"),
];

/// Trade names of customers.
#[rustfmt::skip]
pub(super) const BRAND_WORDS: &[&str] = &[
    "鑫源", "恒达", "华联", "佳和", "永盛", "金禾", "宏图", "德润", "瑞丰", "富民", "安泰", "盛世",
    "天润", "兴隆", "汇通", "嘉信", "广源", "万顺", "长青", "利民", "和美", "新世纪", "百汇", "聚福",
    "荣昌", "祥和", "东方", "顺发", "旺达", "益康", "同心", "福满多", "乐购", "惠家", "诚信", "四季",
];

/// Store chains of the stores where promoters work.
#[rustfmt::skip]
pub(super) const STORE_CHAINS: &[&str] = &[
    "万家惠超市", "佳乐福超市", "联发超市", "好邻居便利", "优品汇超市", "鲜丰生活超市", "百佳汇商场", "家家乐超市",
];

/// (kind, name suffix, segment, weight)
#[rustfmt::skip]
pub(super) const CUSTOMER_TYPES: &[(&str, &str, &str, u32)] = &[
    ("dealer", "商贸有限公司", "批发", 8),
    ("dealer", "食品贸易有限公司", "批发", 6),
    ("dealer", "日用品经销有限公司", "批发", 4),
    ("distributor", "物流配送有限公司", "分销", 4),
    ("distributor", "副食品批发有限公司", "分销", 4),
    ("end_customer", "超市有限公司", "商超", 20),
    ("end_customer", "便利店连锁有限公司", "便利店", 14),
    ("end_customer", "餐饮管理有限公司", "餐饮", 12),
    ("end_customer", "酒店管理有限公司", "酒店", 6),
    ("end_customer", "百货有限公司", "商超", 8),
    ("end_customer", "企业服务有限公司", "企事业团购", 6),
    ("end_customer", "网络科技有限公司", "电商", 8),
];

pub(super) const CUSTOMER_NOTES: &[&str] = &[
    "月结 30 天，对账日每月 25 日。",
    "送货需提前一天预约，仓库周日不收货。",
    "春节、中秋前备货量大，提前两个月沟通。",
    "老板重视陈列费用，谈判时准备好陈列方案。",
    "对价格敏感，竞品促销时容易流失。",
    "新开门店较多，有扩大合作的空间。",
];
