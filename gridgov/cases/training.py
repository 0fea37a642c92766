"""Training pairs for text triage from the case records: what dispatchers decided.

Closed cases give (description, registered category code); every TriageCorrection gives
(description, chosen category code) once more, so a dispatcher's correction weighs on the model.
"""

from gridgov.cases.enums import CaseState
from gridgov.cases.models import Case, TriageCorrection


def triage_training_pairs() -> list[tuple[str, str]]:
    closed = Case.objects.filter(state=CaseState.CLOSED, category__isnull=False).order_by("pk")
    pairs = list(closed.values_list("description", "category__code"))
    corrections = TriageCorrection.objects.order_by("pk").values_list("case__description", "chosen__code")
    return pairs + list(corrections)
