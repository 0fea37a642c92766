from dataclasses import dataclass

from .catalogue import Leaf


@dataclass(frozen=True)
class Suggestion:
    category_code: str
    category_name: str
    first_level: str
    department: str
    p: float

    @classmethod
    def of(cls, leaf: Leaf, p: float) -> "Suggestion":
        return cls(category_code=leaf.code, category_name=leaf.name, first_level=leaf.first_level,
                   department=leaf.department, p=p)
