from ninja import Router, Schema

from gridgov.core.errors import NotAllowed
from gridgov.notify.models import Outbox

router = Router(tags=["通知"])


class MessageOut(Schema):
    id: int
    channel: str
    template: str
    text: str
    state: str
    created_at: str


@router.get("/mine", response=list[MessageOut], summary="我的通知（最近50条）")
def my_messages(request):
    if not request.user.is_authenticated:
        raise NotAllowed("请先登录")
    rows = Outbox.objects.filter(user=request.user).order_by("-id")[:50]
    return [MessageOut(id=m.id, channel=m.channel, template=m.template, text=m.text, state=m.state,
                       created_at=m.created_at.isoformat()) for m in rows]
