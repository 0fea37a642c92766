from django.db import models


class Heartbeat(models.Model):
    """The last time a long-running process (worker, ingester) said it was alive."""

    name = models.CharField("进程", max_length=100, primary_key=True)
    beat_at = models.DateTimeField("最后心跳")

    class Meta:
        verbose_name = verbose_name_plural = "进程心跳"

    def __str__(self):
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
