from ninja import Router, Schema

from gridgov.territory import selectors

router = Router(tags=["辖区"])


class AreaOut(Schema):
    id: int
    kind: str
    name: str
    code: str
    parent_id: int | None


class LocateOut(Schema):
    grid: AreaOut | None
    microgrid: AreaOut | None


@router.get("/areas", response=list[AreaOut], summary="我管辖范围内的区域")
def list_areas(request, kind: str = ""):
    areas = selectors.areas_visible_to(request.user)
    return areas.filter(kind=kind) if kind else areas


@router.get("/locate", response=LocateOut, summary="坐标定位到网格与微网格")
def locate(request, lat: float, lng: float):
    grid, microgrid = selectors.locate(lat, lng)
    return {"grid": grid, "microgrid": microgrid}
