"""Texts as the model and the rules read them: traditional characters read as simplified, Latin lowercased.

Residents' messages reach the platform in traditional characters too (typed on a phone set to
繁體, pasted from a page converted by a mirror site: "鄭州市惠濟區"), and a model trained on
simplified text would see those as unknown n-grams. OpenCC's character table (the package
opencc-python-reimplemented, pinned) maps each traditional character to its first simplified
reading; a character-by-character `str.translate` keeps this as fast as the vectorizer's own
lowercasing (phrase-level conversion is not needed to recognise a subject).
"""

from functools import cache
from importlib import resources


@cache
def _table() -> dict[int, str]:
    text = resources.files("opencc").joinpath("dictionary", "TSCharacters.txt").read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1 and targets:
            target = targets.split()[0]
            if target != source:
                table[ord(source)] = target
    return table


def text_normalise(text: str) -> str:
    """`text` with traditional characters as simplified and letters in lower case."""
    return text.translate(_table()).lower()
