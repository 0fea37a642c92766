"""The category catalogue (`data/catalogue.json`): two levels, leaves carry the routing.

Format: {"categories": [{"code", "name", "first_level", "department", "children": [
{"code", "name", "first_level", "department", "keywords": [...], "whistle"?}, ...]}, ...]}.
`whistle` (quick / urgent / complex; absent: none) is the whistle proposed when a case of the leaf
is registered; it is set when a category is first created and then edited in admin.
A leaf's code starts with its parent's code; `first_level` is the 12345 hotline's first-level
class. The catalogue's version is a hash of the file, stored with a trained model so that a
model trained on another catalogue is not used.
"""

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

CATALOGUE_PATH = Path(__file__).resolve().parent / "data" / "catalogue.json"

FIRST_LEVELS = (
    "城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生",
    "市场监管", "公共安全", "民政", "政法", "农林水利",
)


@dataclass(frozen=True)
class Leaf:
    code: str
    name: str
    first_level: str
    department: str
    keywords: tuple[str, ...]
    parent_code: str
    parent_name: str


@dataclass(frozen=True)
class Catalogue:
    version: str
    leaves: dict[str, Leaf]
    parents: dict[str, str]  # parent code → name

    def leaf(self, code: str) -> Leaf:
        return self.leaves[code]


def _leaf(parent: dict, child: dict) -> Leaf:
    return Leaf(code=child["code"], name=child["name"], first_level=child["first_level"],
                department=child["department"], keywords=tuple(child["keywords"]),
                parent_code=parent["code"], parent_name=parent["name"])


def catalogue_parse(raw: bytes) -> Catalogue:
    doc = json.loads(raw)
    leaves = {c["code"]: _leaf(p, c) for p in doc["categories"] for c in p["children"]}
    parents = {p["code"]: p["name"] for p in doc["categories"]}
    return Catalogue(version=hashlib.sha256(raw).hexdigest()[:12], leaves=leaves, parents=parents)


@functools.cache
def catalogue_load(path: Path = CATALOGUE_PATH) -> Catalogue:
    return catalogue_parse(Path(path).read_bytes())
