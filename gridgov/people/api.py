from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from gridgov.people import selectors

router = Router(tags=["人口"])


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    masked_id_number: str
    masked_phone: str
    area_code: str
    household_id: int | None


@router.get("/residents", response=list[ResidentOut], summary="查询居民（身份证号、电话已脱敏）")
@paginate(PageNumberPagination, page_size=50)
def list_residents(request, q: str = "", care_group: str = ""):
    return selectors.residents_search(request.user, query=q, care_group=care_group)


@router.get("/residents/{resident_id}", response=ResidentOut, summary="居民详情")
def get_resident(request, resident_id: int):
    return selectors.resident_get_for(request.user, resident_id)
