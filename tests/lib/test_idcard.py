import datetime as dt

import pytest

from gridgov.lib import idcard


def test_valid_number_gives_birth_date_and_gender():
    assert idcard.parse("11010519491231002X") == (dt.date(1949, 12, 31), "F")


def test_lower_case_x_is_accepted():
    assert idcard.parse("11010519491231002x") == (dt.date(1949, 12, 31), "F")


@pytest.mark.parametrize(("number", "message"), [
    ("110105194912310021", "身份证号校验位错误"),
    ("1101051949123100", "身份证号应为18位（前17位数字，末位数字或X）"),
    ("11010519491331002X", "身份证号中的出生日期无效"),
])
def test_invalid_numbers_say_what_is_wrong(number, message):
    first17 = number[:17]
    if message == "身份证号中的出生日期无效":
        number = first17 + idcard.check_char(first17)
    with pytest.raises(idcard.InvalidIdNumber) as raised:
        idcard.parse(number)
    assert str(raised.value) == message


def test_make_builds_numbers_that_parse_back():
    number = idcard.make("500113", dt.date(1948, 2, 29), 17, "M")
    assert idcard.parse(number) == (dt.date(1948, 2, 29), "M")
    assert number.startswith("50011319480229")
