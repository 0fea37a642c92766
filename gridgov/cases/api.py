from ninja import Router

router = Router(tags=["事件与工单"])
