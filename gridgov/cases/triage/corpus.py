"""The labelled corpus: reading it, and composing it from the written sentence pools.

`data/pools/NN.txt` holds, per leaf category (`@0101`), problem statements (`- …`) and
requests (`= …`) written for this project; `data/pools/common.txt` holds places, times,
openings, history and impact sentences. `corpus_build()` composes messages from them,
deterministically, in seven shapes from a hotline ticket to a one-line app report. Every fifth
problem statement of a leaf is kept out of the training split: messages built from those are marked `"split": "test"`, so the corpus's own test split
never shares a problem statement with training.

`data/heldout.jsonl` is written separately, in residents' own voice (short, colloquial,
Chongqing dialect, typos), and is never used for training.
"""

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
POOLS_DIR = DATA_DIR / "pools"
CORPUS_PATH = DATA_DIR / "corpus.jsonl"
HELDOUT_PATH = DATA_DIR / "heldout.jsonl"
TEST_EVERY = 5
MESSAGES_PER_SENTENCE = 3


@dataclass
class LeafPool:
    problems: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def corpus_pairs(split: str | None = None) -> list[tuple[str, str]]:
    """(text, leaf code) pairs of the corpus, of one split ("train"/"test") or all."""
    rows = read_jsonl(CORPUS_PATH)
    return [(r["text"], r["category"]) for r in rows if split is None or r["split"] == split]


def heldout_rows() -> list[dict]:
    return read_jsonl(HELDOUT_PATH)


def pools_read_leaves() -> dict[str, LeafPool]:
    leaves: dict[str, LeafPool] = {}
    for path in sorted(POOLS_DIR.glob("[0-9][0-9]*.txt")):
        code = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("@"):
                code = line[1:].strip()
                leaves.setdefault(code, LeafPool())
            elif line.startswith("- "):
                leaves[code].problems.append(line[2:].strip())
            elif line.startswith("= "):
                leaves[code].requests.append(line[2:].strip())
    return leaves


def pools_read_common() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    name = ""
    for line in (POOLS_DIR / "common.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("["):
            name = line.strip("[]")
            sections[name] = []
        else:
            sections[name].append(line.strip())
    return sections


def _first_person(text: str) -> str:
    return text.replace("来电人的", "我的").replace("来电人", "我")


def _request_core(text: str) -> str:
    return re.sub(r"^(请|希望|要求|建议)", "", text)


def _maybe(rng: random.Random, p: float, text: str) -> str:
    return text if rng.random() < p else ""


def _hotline(rng, common, problem, request) -> str:
    place = rng.choice(["家住", "住在", "居住在", "在"]) + rng.choice(common["place"])
    return (f"{rng.choice(common['opening'])}{place}，{rng.choice(common['time'])}，{problem}。"
            f"{_maybe(rng, .5, rng.choice(common['history']))}{_maybe(rng, .5, rng.choice(common['impact']))}"
            f"诉求：{request}。")


def _online(rng, common, problem, request) -> str:
    greet = rng.choice(["您好，", "领导好，", "你好！", "", "尊敬的领导：", "麻烦问一下，"])
    return (f"{greet}我是{rng.choice(common['place'])}的住户，{rng.choice(common['time'])}"
            f"{_first_person(problem)}。{_first_person(_maybe(rng, .5, rng.choice(common['impact'])))}"
            f"{_first_person(_maybe(rng, .4, rng.choice(common['history'])))}"
            f"希望{_request_core(request)}，{rng.choice(['谢谢！', '感谢！', '盼复。', '谢谢'])}")


def _patrol(rng, common, problem, request) -> str:
    who = rng.choice(["网格员", "楼栋长", "微网格员", "社区工作人员"])
    return (f"{who}巡查发现：{rng.choice(common['place'])}，{problem}。"
            f"{_maybe(rng, .4, rng.choice(common['impact']))}已拍照留存，建议{_request_core(request)}。")


def _short(rng, common, problem, request) -> str:
    return f"{rng.choice(common['place'])}，{problem}，{request}。{_maybe(rng, .3, rng.choice(common['closing']))}"


def _caller(rng, common, problem, request) -> str:
    return (f"来电人称其居住在{rng.choice(common['place'])}，{problem}。"
            f"{_maybe(rng, .6, rng.choice(common['history']))}来电人要求：{_request_core(request)}。"
            f"{_maybe(rng, .5, rng.choice(common['closing']))}")


def _app(rng, common, problem, request) -> str:
    lead = rng.choice(["随手拍：", "", "", "小程序上报：", "反映个问题，"])
    return f"{lead}{_first_person(problem)}{rng.choice(['。', '！', '，' + _request_core(request) + '。', '，咋办？'])}"


STYLES = [_hotline, _hotline, _online, _patrol, _short, _caller, _app]


def _compose(rng: random.Random, common, pool_problems: list[str], requests: list[str], first: str) -> str:
    problem = first
    others = [p for p in pool_problems if p != first]
    if others and rng.random() < 0.3:
        problem = f"{first}，{rng.choice(['而且', '另外', '同时', '还有就是', '此外'])}{rng.choice(others)}"
    return rng.choice(STYLES)(rng, common, problem, rng.choice(requests))


def corpus_build(seed: int = 12345) -> list[dict]:
    """Compose the corpus rows ({"text", "category", "split"}) from the pools."""
    rng = random.Random(seed)
    common = pools_read_common()
    rows, seen = [], set()
    for code, pool in pools_read_leaves().items():
        for split in ("train", "test"):
            chosen = [p for i, p in enumerate(pool.problems) if (i % TEST_EVERY == TEST_EVERY - 1) == (split == "test")]
            for problem in chosen:
                for _ in range(MESSAGES_PER_SENTENCE):
                    text = _compose_new(rng, common, chosen, pool.requests, problem, seen)
                    rows.append({"text": text, "category": code, "split": split})
    return rows


def _compose_new(rng: random.Random, common, problems, requests, first: str, seen: set[str]) -> str:
    """A message not composed before (the short shapes can repeat)."""
    while (text := _compose(rng, common, problems, requests, first)) in seen:
        pass
    seen.add(text)
    return text


def corpus_write(rows: list[dict], path: Path = CORPUS_PATH) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
