"""Plausible people from a seeded random generator: names, ID numbers, phones, birth dates.

Everything here is pure Python and depends only on the `random.Random` passed in, so the
same seed always yields the same people.
"""

import datetime as dt
import random

from gridgov.lib import idcard

# The most common surnames, weighted roughly by their share of the population.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_SURNAME_WEIGHTS = [max(40 - i, 4) for i in range(len(SURNAMES))]
GIVEN_MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林峰建国志文博成东海亮晨阳兵宏"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英华玲桂兰萍红燕梅琳雪倩婷慧莉琴云洁佳颖欣怡晶蓉丹凤玉珍月淑瑶璐"

# Where residents come from: Banan itself (local hukou) and the districts and provinces that
# send most migrant workers to Chongqing's public-rental estates.
LOCAL_REGION = "500113"
NON_LOCAL_REGIONS = (
    "500101", "500102", "500110", "500112", "500222", "500228", "500229", "500230", "500231", "500233",
    "500235", "500236", "500237", "500238", "500240", "500241", "500242", "500243", "510121", "510722",
    "511303", "511621", "511702", "513723", "522121", "522725", "430524", "421127", "532128", "510623",
)
PHONE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159",
                  "177", "180", "181", "182", "183", "186", "187", "188", "189", "191", "199")

# Birth dates are counted back from a fixed day so that ID numbers do not change with the date.
REFERENCE_DAY = dt.date(2025, 12, 31)


def surname(rng: random.Random) -> str:
    return rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]


def given_name(rng: random.Random, gender: str) -> str:
    chars = GIVEN_MALE if gender == "M" else GIVEN_FEMALE
    if rng.random() < 0.3:
        return rng.choice(chars)
    return rng.choice(chars) + rng.choice(chars)


def birth_date(rng: random.Random, *, min_age: int, max_age: int) -> dt.date:
    oldest = REFERENCE_DAY - dt.timedelta(days=365 * (max_age + 1) - 1)
    youngest = REFERENCE_DAY - dt.timedelta(days=365 * min_age)
    return oldest + dt.timedelta(days=rng.randrange((youngest - oldest).days + 1))


def phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


class IdNumbers:
    """Valid, unique ID numbers: the sequence part is bumped until the number is new."""

    def __init__(self):
        self.used: set[str] = set()

    def make(self, rng: random.Random, *, region: str, birth: dt.date, gender: str) -> str:
        sequence = rng.randrange(500)
        for step in range(500):
            number = idcard.make(region, birth, sequence + step, gender)
            if number not in self.used:
                self.used.add(number)
                return number
        raise RuntimeError(f"no free ID number for {region} {birth} {gender}")
