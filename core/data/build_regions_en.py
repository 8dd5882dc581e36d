"""Build regions_en.csv (code, English name) from regions.csv: Hanyu Pinyin of the proper name plus the English
word for its kind (District, County, City, Autonomous Prefecture …), as the names are written in English
(GB/T 16159, 中国地名汉语拼音字母拼写规则). Run by hand when regions.csv changes; needs ``pypinyin`` (not a
dependency of the platform: the built file is what ships):

    pip install --target /tmp/pplib pypinyin && PYTHONPATH=/tmp/pplib python core/data/build_regions_en.py
"""

import csv
from pathlib import Path

from pypinyin import Style, lazy_pinyin

HERE = Path(__file__).resolve().parent
# Longest suffix first; the level decides what 市 means (a prefecture city's name stands alone).
SUFFIXES = (
    ("自治州", "Autonomous Prefecture"), ("自治县", "Autonomous County"), ("自治旗", "Autonomous Banner"),
    ("特别行政区", "SAR"), ("林区", "Forestry District"), ("新区", "New Area"), ("地区", "Prefecture"),
    ("矿区", "Mining District"), ("区", "District"), ("县", "County"), ("旗", "Banner"), ("盟", "League"),
    ("市", "City"),
)  # fmt: skip


# Readings pypinyin gets wrong for place names (多音字).
STEMS = {"朝阳": "Chaoyang", "长安": "Chang'an", "长宁": "Changning", "厦门": "Xiamen", "蚌埠": "Bengbu",
         "六安": "Lu'an", "丽水": "Lishui", "番禺": "Panyu"}  # fmt: skip


def english(name: str, level: str) -> str:
    for suffix, word in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix == "市" and level == "city":
                word = ""
            break
    else:
        stem, word = name, ""
    spelled = STEMS.get(stem) or "".join(lazy_pinyin(stem, style=Style.NORMAL)).capitalize()
    return f"{spelled} {word}".strip()


def main() -> None:
    rows = list(csv.DictReader((HERE / "regions.csv").open(encoding="utf-8")))
    with (HERE / "regions_en.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "name_en"])
        for row in rows:
            if row["level"] != "province":  # provinces: core.reference_data.PROVINCES_EN
                writer.writerow([row["code"], english(row["name"], row["level"])])


if __name__ == "__main__":
    main()
