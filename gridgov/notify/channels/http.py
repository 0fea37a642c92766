"""POST a JSON body, for the channels that talk to an HTTP gateway."""

import json
import urllib.error
import urllib.request


def post_json(url: str, body: dict, *, timeout: float = 10) -> dict:
    from gridgov.notify.channels import ChannelError

    request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ChannelError(f"{url}: {exc}") from None
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        raise ChannelError(f"{url}: 返回的不是 JSON") from None
