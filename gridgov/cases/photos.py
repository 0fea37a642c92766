"""Photos: at most 9 per upload, JPEG/PNG/WebP up to 10 MB, re-encoded so no metadata (EXIF, GPS) is kept."""

import io
import uuid

from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

from gridgov.core.errors import DomainError

MAX_PHOTOS = 9
MAX_BYTES = 10 * 1024 * 1024
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
MAX_PIXELS = 40_000_000


def check_count(files: list) -> None:
    if len(files) > MAX_PHOTOS:
        raise DomainError(f"最多上传{MAX_PHOTOS}张照片，收到{len(files)}张", code="too_many_photos")


def reencode(raw: bytes, *, name: str = "") -> tuple[ContentFile, dict]:
    """Decode, drop everything but the pixels, and encode again in the same format."""
    if len(raw) > MAX_BYTES:
        raise DomainError(f"照片 {name} 超过10MB（{len(raw) // 1024} KB）", code="photo_too_large")
    try:
        image = Image.open(io.BytesIO(raw))
        kind = image.format
        if kind not in FORMATS:
            raise DomainError(f"照片 {name} 格式为 {kind}，只接受 JPEG、PNG、WebP", code="photo_format")
        if image.width * image.height > MAX_PIXELS:
            raise DomainError(f"照片 {name} 像素过多", code="photo_too_large")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise DomainError(f"文件 {name} 不是可识别的图片", code="photo_format") from None
    clean = _pixels_only(image, kind)
    out = io.BytesIO()
    clean.save(out, format=kind, **({"quality": 85} if kind in ("JPEG", "WEBP") else {}))
    content_type, ext = FORMATS[kind]
    data = out.getvalue()
    meta = {"content_type": content_type, "size": len(data), "width": clean.width, "height": clean.height}
    return ContentFile(data, name=f"{uuid.uuid4().hex}.{ext}"), meta


def _pixels_only(image: Image.Image, kind: str) -> Image.Image:
    from PIL import ImageOps

    image = ImageOps.exif_transpose(image)  # keep the orientation the camera meant, then forget EXIF
    mode = "RGB" if kind == "JPEG" else ("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    pixels = image.convert(mode)
    fresh = Image.new(mode, pixels.size)
    fresh.paste(pixels)
    return fresh
