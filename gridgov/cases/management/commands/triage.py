"""`gridgov triage classify [FILE] | train | evaluate [--file F]` — text triage from the command line."""

import json
import math
import sys
from itertools import islice
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.cases.training import triage_training_pairs
from gridgov.cases.triage import suggest_many
from gridgov.cases.triage.catalogue import FIRST_LEVELS, catalogue_load
from gridgov.cases.triage.corpus import corpus_pairs, heldout_rows, read_jsonl
from gridgov.cases.triage.evaluate import Evaluation, confusion_lines, evaluation_lines, evaluation_run
from gridgov.cases.triage.model import model_fit, model_suggest_many, model_train
from gridgov.cases.triage.rules import rules_suggest

BATCH = 2000
HELDOUT_KINDS = ("paraphrase", "novel", "fresh")


class Command(BaseCommand):
    help = "事件文本分类：classify 对文本给出最可能的 3 个类别；train 训练模型；evaluate 评估准确率"

    def add_arguments(self, parser):
        parser.add_argument("--model", type=Path, default=None, help="模型文件（默认 VAR_DIR/triage/model.pkl）")
        sub = parser.add_subparsers(dest="action", required=True)
        classify = sub.add_parser("classify", help="每行一条文本或 JSON（含 id、text），输出 JSON 行")
        classify.add_argument("file", nargs="?", type=Path, help="输入文件，缺省读标准输入")
        train = sub.add_parser("train", help="用语料、已结案事件与分类纠正（及 --extra 的 JSON 行 text/category）训练并保存模型")
        train.add_argument("--extra", type=Path, default=None, help="额外训练样本（JSON 行，含 text、category）")
        evaluate = sub.add_parser("evaluate", help="在语料的测试部分和 heldout.jsonl 上评估，或用 --file 评估另一组已标注文本")
        evaluate.add_argument("--file", type=Path, default=None,
                              help="已标注文本（JSON 行，含 text 以及 category 或 first_level），如真实居民留言")

    def handle(self, *args, action, model=None, **options):
        for key in ("file", "extra"):
            if options.get(key) and not options[key].is_file():
                raise CommandError(f"找不到文件：{options[key]}")
        getattr(self, f"_{action}")(model=model, **options)

    def _classify(self, *, model, file=None, **options):
        stream = file.open(encoding="utf-8") if file else sys.stdin
        try:
            lines = enumerate(stream, start=1)
            while chunk := list(islice(lines, BATCH)):
                self._classify_batch([item for n, line in chunk if (item := _parse(n, line))], model)
        finally:
            if file:
                stream.close()

    def _classify_batch(self, batch: list[tuple[object, str]], model: Path | None) -> None:
        tops = suggest_many([text for _, text in batch], 3, model_path=model)
        for (ident, _), top in zip(batch, tops, strict=True):
            self.stdout.write(json.dumps({"id": ident, "top": [_top_item(s) for s in top]}, ensure_ascii=False))

    def _train(self, *, model, extra=None, **options):
        pairs = _pairs(read_jsonl(extra)) if extra else []
        recorded = triage_training_pairs()
        self.stdout.write(f"事件记录中的样本 {len(recorded)} 条（已结案事件及调度员的分类纠正）")
        result = model_train(extra=pairs + recorded, path=model)
        self.stdout.write(f"语料 {result.corpus_count} 条，额外样本 {result.extra_count} 条"
                          f"（类别不在目录中而舍弃 {result.dropped_count} 条），类别 {result.category_count} 个")
        self.stdout.write(f"模型已保存：{result.path}")

    def _evaluate(self, *, model, file=None, **options):
        """Model trained on the train split → test split; on the whole corpus → heldout.jsonl (or `file`)."""
        if file is not None:
            rows = _labelled(file)
            name = f"{file.name}（模型用全部语料训练）"
            self._print(_scored(name, model_fit(corpus_pairs()), rows), confusion=True)
            self._print(evaluation_run(f"{file.name} 关键词规则（冷启动）",
                                       lambda texts: [rules_suggest(t) for t in texts], rows))
            return
        split_model = model_fit(corpus_pairs("train"))
        self._print(_scored("语料测试部分（模型只用语料训练部分训练）", split_model, corpus_pairs("test")))
        full = model_fit(corpus_pairs())
        held = heldout_rows()
        self._print(_scored("heldout.jsonl 居民口语（模型用全部语料训练）", full, _pairs(held)), confusion=True)
        for kind in HELDOUT_KINDS:
            self._print(_scored(f"heldout.jsonl 中 {kind} 部分", full, _pairs(r for r in held if r["kind"] == kind)))
        rules = evaluation_run("heldout.jsonl 关键词规则（冷启动）", lambda texts: [rules_suggest(t) for t in texts], _pairs(held))
        self._print(rules)

    def _print(self, result: Evaluation, *, confusion: bool = False) -> None:
        for line in evaluation_lines(result) + (confusion_lines(result) if confusion else []):
            self.stdout.write(line)


def _labelled(path: Path) -> list[tuple[str, str, str]]:
    """(text, leaf code or "", first-level class) rows of a labelled file; any bad line stops with its number."""
    catalogue = catalogue_load()
    rows = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                rows.append(_labelled_row(catalogue, path, number, line))
    if not rows:
        raise CommandError(f"{path} 中没有已标注文本")
    return rows


def _labelled_row(catalogue, path: Path, number: int, line: str) -> tuple[str, str, str]:
    where = f"{path} 第{number}行"
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{where} 不是 JSON：{exc.msg}（第{exc.colno}列）") from None
    if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not row["text"].strip():
        raise CommandError(f"{where} 缺少 text")
    code, first_level = str(row.get("category") or ""), str(row.get("first_level") or "")
    if code and code not in catalogue.leaves:
        raise CommandError(f"{where} 的类别 {code} 不在类别目录中")
    if code and first_level and catalogue.leaf(code).first_level != first_level:
        raise CommandError(f"{where} 的类别 {code} 属于 {catalogue.leaf(code).first_level}，与 first_level {first_level} 不符")
    if not code and first_level not in FIRST_LEVELS:
        raise CommandError(f"{where} 需要 category（二级类别编码）或有效的 first_level，收到“{first_level}”")
    return row["text"], code, first_level or catalogue.leaf(code).first_level


def _pairs(rows) -> list[tuple[str, str]]:
    return [(row["text"], row["category"]) for row in rows]


def _scored(name: str, pipeline, rows: list[tuple[str, str]]) -> Evaluation:
    return evaluation_run(name, lambda texts: model_suggest_many(pipeline, texts, 3), rows)


def _parse(number: int, line: str) -> tuple[object, str] | None:
    line = line.strip()
    if not line:
        return None
    if line.startswith("{"):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict) and isinstance(obj.get("text"), str):
            return obj.get("id", str(number)), obj["text"]
    return str(number), line


def _top_item(suggestion) -> dict:
    return {"category": suggestion.category_name, "code": suggestion.category_code,
            "first_level": suggestion.first_level, "p": math.floor(suggestion.p * 10000) / 10000}
