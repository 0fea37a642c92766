from ninja import Router

router = Router(tags=["感知设备"])
