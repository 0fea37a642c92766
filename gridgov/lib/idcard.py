"""Mainland resident identity numbers (GB 11643-1999): checksum, birth date and gender."""

import datetime as dt
import re

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


class InvalidIdNumber(ValueError):
    pass


def check_char(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalise(value: str) -> str:
    return (value or "").strip().upper()


def parse(value: str) -> tuple[dt.date, str]:
    """Validate an 18-character ID number; return (birth date, gender 'M'/'F').

    Raises InvalidIdNumber with a Chinese message that says what is wrong.
    """
    value = normalise(value)
    if not _SHAPE.match(value):
        raise InvalidIdNumber("身份证号应为18位（前17位数字，末位数字或X）")
    if check_char(value[:17]) != value[17]:
        raise InvalidIdNumber("身份证号校验位错误")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumber("身份证号中的出生日期无效") from None
    if birth.year < 1890 or birth > dt.date.today():
        raise InvalidIdNumber("身份证号中的出生日期无效")
    return birth, ("M" if int(value[16]) % 2 else "F")


def make(region: str, birth: dt.date, sequence: int, gender: str) -> str:
    """Build a valid number (for demo data and tests): 6-digit region, birth date, 3-digit order."""
    order = sequence % 500 * 2 + (1 if gender == "M" else 0)
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + check_char(first17)
