"""National reference data shipped as seed data (GB/T 2260 provinces, GB/T 4754-2017 sections).

Data migrations import these tuples; keeping them here (not inside a migration) lets the demo generator and the
tests share them.
"""

PROVINCES = (
    ("110000", "北京市"), ("120000", "天津市"), ("130000", "河北省"), ("140000", "山西省"),
    ("150000", "内蒙古自治区"), ("210000", "辽宁省"), ("220000", "吉林省"), ("230000", "黑龙江省"),
    ("310000", "上海市"), ("320000", "江苏省"), ("330000", "浙江省"), ("340000", "安徽省"),
    ("350000", "福建省"), ("360000", "江西省"), ("370000", "山东省"), ("410000", "河南省"),
    ("420000", "湖北省"), ("430000", "湖南省"), ("440000", "广东省"), ("450000", "广西壮族自治区"),
    ("460000", "海南省"), ("500000", "重庆市"), ("510000", "四川省"), ("520000", "贵州省"),
    ("530000", "云南省"), ("540000", "西藏自治区"), ("610000", "陕西省"), ("620000", "甘肃省"),
    ("630000", "青海省"), ("640000", "宁夏回族自治区"), ("650000", "新疆维吾尔自治区"),
)  # fmt: skip

SECTIONS = (
    ("A", "农、林、牧、渔业"), ("B", "采矿业"), ("C", "制造业"),
    ("D", "电力、热力、燃气及水生产和供应业"), ("E", "建筑业"), ("F", "批发和零售业"),
    ("G", "交通运输、仓储和邮政业"), ("H", "住宿和餐饮业"), ("I", "信息传输、软件和信息技术服务业"),
    ("J", "金融业"), ("K", "房地产业"), ("L", "租赁和商务服务业"), ("M", "科学研究和技术服务业"),
    ("N", "水利、环境和公共设施管理业"), ("O", "居民服务、修理和其他服务业"), ("P", "教育"),
    ("Q", "卫生和社会工作"), ("R", "文化、体育和娱乐业"), ("S", "公共管理、社会保障和社会组织"), ("T", "国际组织"),
)  # fmt: skip

# English names, shown in the English interface (the Chinese names stay the record).
PROVINCES_EN = {
    "110000": "Beijing", "120000": "Tianjin", "130000": "Hebei", "140000": "Shanxi", "150000": "Inner Mongolia",
    "210000": "Liaoning", "220000": "Jilin", "230000": "Heilongjiang", "310000": "Shanghai", "320000": "Jiangsu",
    "330000": "Zhejiang", "340000": "Anhui", "350000": "Fujian", "360000": "Jiangxi", "370000": "Shandong",
    "410000": "Henan", "420000": "Hubei", "430000": "Hunan", "440000": "Guangdong", "450000": "Guangxi",
    "460000": "Hainan", "500000": "Chongqing", "510000": "Sichuan", "520000": "Guizhou", "530000": "Yunnan",
    "540000": "Tibet", "610000": "Shaanxi", "620000": "Gansu", "630000": "Qinghai", "640000": "Ningxia",
    "650000": "Xinjiang",
}  # fmt: skip

SECTIONS_EN = {
    "A": "Agriculture, forestry, animal husbandry and fishery", "B": "Mining",
    "C": "Manufacturing", "D": "Electricity, heat, gas and water supply", "E": "Construction",
    "F": "Wholesale and retail trade", "G": "Transport, storage and postal services",
    "H": "Accommodation and catering", "I": "Information transmission, software and IT services",
    "J": "Finance", "K": "Real estate", "L": "Leasing and business services",
    "M": "Scientific research and technical services", "N": "Water conservancy, environment and public facilities",
    "O": "Residential, repair and other services", "P": "Education", "Q": "Health and social work",
    "R": "Culture, sports and entertainment", "S": "Public administration, social security and social organisations",
    "T": "International organisations",
}  # fmt: skip

BANK_NAMES_EN = {  # code → (name, short name) in English
    "cdb": ("China Development Bank", "CDB"), "eximbank": ("Export-Import Bank of China", "China Exim Bank"),
    "adbc": ("Agricultural Development Bank of China", "ADBC"),
    "icbc": ("Industrial and Commercial Bank of China", "ICBC"), "abc": ("Agricultural Bank of China", "ABC"),
    "boc": ("Bank of China", "BOC"), "ccb": ("China Construction Bank", "CCB"),
    "bocom": ("Bank of Communications", "BoCom"), "psbc": ("Postal Savings Bank of China", "PSBC"),
    "citic": ("China CITIC Bank", "CITIC Bank"), "ceb": ("China Everbright Bank", "CEB"),
    "hxb": ("Hua Xia Bank", "Hua Xia Bank"), "cmbc": ("China Minsheng Bank", "CMBC"),
    "cmb": ("China Merchants Bank", "CMB"), "cib": ("Industrial Bank", "CIB"),
    "cgb": ("China Guangfa Bank", "CGB"), "pab": ("Ping An Bank", "Ping An Bank"),
    "spdb": ("Shanghai Pudong Development Bank", "SPDB"), "czb": ("China Zheshang Bank", "CZBank"),
    "hfb": ("Hengfeng Bank", "Hengfeng Bank"), "cbhb": ("China Bohai Bank", "CBHB"),
    "bjbank": ("Bank of Beijing", "Bank of Beijing"), "jsbank": ("Bank of Jiangsu", "Bank of Jiangsu"),
    "hzbank": ("Bank of Hangzhou", "Bank of Hangzhou"),
    "szrcb": ("Shenzhen Rural Commercial Bank", "Shenzhen RCB"),
}  # fmt: skip
GUARANTOR_NAMES_EN = {"国家融资担保基金": "National Financing Guarantee Fund"}
