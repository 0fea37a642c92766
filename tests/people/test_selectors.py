import pytest
from django.http import Http404

from gridgov.people import selectors
from gridgov.people.models import Resident


@pytest.fixture
def everyone(households, persona):
    return persona


def names(queryset) -> list[str]:
    return sorted(r.name for r in queryset)


def test_each_persona_sees_exactly_their_subtree(everyone):
    assert names(selectors.residents_visible_to(everyone["worker_a"])) == ["张秀英"]
    assert names(selectors.residents_visible_to(everyone["worker_b"])) == ["李建国", "王芳"]
    assert names(selectors.residents_visible_to(everyone["community_staff"])) == ["张秀英", "李建国", "王芳"]
    assert names(selectors.residents_visible_to(everyone["resident"])) == []
    assert names(selectors.residents_visible_to(everyone["auditor"])) == []


def test_out_of_scope_resident_reads_as_not_found(everyone):
    li = Resident.objects.get(name="李建国")
    with pytest.raises(Http404):
        selectors.resident_get_for(everyone["worker_a"], li.pk)
    assert selectors.resident_get_for(everyone["worker_b"], li.pk) == li


def test_search_by_full_id_number_and_phone_uses_the_blind_index(everyone):
    zhang = Resident.objects.get(name="张秀英")
    staff = everyone["community_staff"]
    assert list(selectors.residents_search(staff, query=zhang.id_number.lower())) == [zhang]
    assert list(selectors.residents_search(staff, query="13912345678")) == [zhang]
    assert list(selectors.residents_search(staff, query="139123")) == []
    assert names(selectors.residents_search(staff, query="王")) == ["王芳"]
