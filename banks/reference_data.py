"""The 21 national financial institutions of the sci-tech innovation relending scheme (科技创新再贷款), as seed data."""

NATIONAL_BANKS = (
    # code, full name, short name, kind
    ("cdb", "国家开发银行", "国开行", "policy"),
    ("eximbank", "中国进出口银行", "进出口银行", "policy"),
    ("adbc", "中国农业发展银行", "农发行", "policy"),
    ("icbc", "中国工商银行", "工商银行", "state_owned"),
    ("abc", "中国农业银行", "农业银行", "state_owned"),
    ("boc", "中国银行", "中国银行", "state_owned"),
    ("ccb", "中国建设银行", "建设银行", "state_owned"),
    ("bocom", "交通银行", "交通银行", "state_owned"),
    ("psbc", "中国邮政储蓄银行", "邮储银行", "state_owned"),
    ("citic", "中信银行", "中信银行", "joint_stock"),
    ("ceb", "中国光大银行", "光大银行", "joint_stock"),
    ("hxb", "华夏银行", "华夏银行", "joint_stock"),
    ("cmbc", "中国民生银行", "民生银行", "joint_stock"),
    ("cmb", "招商银行", "招商银行", "joint_stock"),
    ("cib", "兴业银行", "兴业银行", "joint_stock"),
    ("cgb", "广发银行", "广发银行", "joint_stock"),
    ("pab", "平安银行", "平安银行", "joint_stock"),
    ("spdb", "上海浦东发展银行", "浦发银行", "joint_stock"),
    ("czb", "浙商银行", "浙商银行", "joint_stock"),
    ("hfb", "恒丰银行", "恒丰银行", "joint_stock"),
    ("cbhb", "渤海银行", "渤海银行", "joint_stock"),
)

NATIONAL_GUARANTEE_FUND = "国家融资担保基金"
