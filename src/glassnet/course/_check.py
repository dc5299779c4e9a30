"""The exercise checker: compare a student's number with glassnet's and name what differs.

An exercise (see ``_exercises.py``) is a function that returns a :class:`Spec` built from
glassnet's own numbers: the expected value, the named parts of its chain (each with a hint) and
the usual mistakes (each a value computed the wrong way, with the hint that explains it). When
the value is a product of its parts (a chain rule), leaving out any one factor is a mistake
checked automatically.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError
from . import _lang

RTOL, ATOL = 1e-6, 1e-9
ROUNDING = 1e-2  # within 1 %: right idea, too few digits


@dataclass(frozen=True)
class Part:
    """One named step of the computation: ``check`` compares it when the student passes it."""

    name: str
    value: object
    hint: tuple[str, str]  # (English, Korean)


@dataclass(frozen=True)
class Mistake:
    """A value computed a known wrong way, and the hint that says which way."""

    kind: str
    value: object
    hint: tuple[str, str]


@dataclass(frozen=True)
class Spec:
    """What an exercise expects, computed from glassnet."""

    value: object
    rule: tuple[str, str]  # the formula, shown when no diagnosis fits
    parts: tuple[Part, ...] = ()
    mistakes: tuple[Mistake, ...] = ()
    product: bool = False  # value == product of parts: leaving one out is a mistake


@dataclass(frozen=True)
class Result:
    """What :func:`glassnet.course.check` says: ``ok``, the ``kind`` of answer and a message.

    ``kind`` is ``'right'``, ``'missing'`` (not filled in), ``'shape'``, ``'part:<name>'`` (a
    part you passed differs), ``'mistake:<name>'`` (a known mistake), ``'left-out:<name>'`` (a
    factor of the chain left out), ``'rounding'`` or ``'wrong'``.
    """

    key: str
    ok: bool
    kind: str
    message: str
    details: dict = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__


def close(a, b, rtol: float = RTOL) -> bool:
    """Same shape and equal within the checker's tolerance."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=ATOL))


def _numbers(value, key: str, what: str) -> np.ndarray | str:
    """``value`` as a float array, or the message saying why it is not numbers."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        got = type(value).__name__
        return _lang.pick((f"{what} must be a number or an array of numbers, got {got}",
                           f"{what} 값은 숫자나 숫자 배열이어야 합니다 ({got}을 받음)"))
    if not np.all(np.isfinite(array)):
        return _lang.pick((f"{what} holds NaN or inf: check the arithmetic before it",
                           f"{what} 값에 NaN이나 inf가 있습니다: 앞의 계산을 확인하세요"))
    return array


def judge(key: str, spec: Spec, value, parts: dict) -> Result:
    """Compare ``value`` (and any ``parts`` given) with ``spec``."""
    if value is Ellipsis or value is None:
        return Result(key, False, "missing", _lang.pick(
            (f"{key}: not answered yet: replace the ... with your computation",
             f"{key}: 아직 답이 없습니다: ... 자리에 계산을 써 넣으세요")))
    array = _numbers(value, key, key)
    if isinstance(array, str):
        return Result(key, False, "wrong", f"{key}: {array}")
    expected = np.asarray(spec.value, dtype=float)
    if array.shape != expected.shape and array.size == expected.size == 1:
        array = array.reshape(expected.shape)
    if close(array, expected):
        return Result(key, True, "right", _lang.pick((f"{key}: right ✓", f"{key}: 정답 ✓")))
    found = _by_parts(key, spec, parts)  # a Result is falsy when wrong: compare with None
    if found is None:
        found = _by_mistakes(key, spec, array)
    if found is None and array.shape != expected.shape:
        return _shape(key, array, expected)
    return _near(key, spec, array, expected) if found is None else found


def _shape(key: str, array: np.ndarray, expected: np.ndarray) -> Result:
    if array.T.shape == expected.shape and array.ndim == 2:
        hint = ("it is transposed: rows and columns are swapped",
                "전치되어 있습니다: 행과 열이 바뀌었습니다")
    else:
        hint = (f"shape {array.shape}, expected {expected.shape}",
                f"모양이 {array.shape}입니다. {expected.shape}이어야 합니다")
    return Result(key, False, "shape", f"{key}: {_lang.pick(('wrong shape', '모양이 다릅니다'))}: "
                  f"{_lang.pick(hint)}")


def _by_parts(key: str, spec: Spec, parts: dict) -> Result | None:
    known = {p.name: p for p in spec.parts}
    unknown = sorted(set(parts) - set(known))
    if unknown:
        raise ConfigError(f"check({key!r}): unknown part(s) {', '.join(unknown)}; this exercise "
                          f"has parts {', '.join(known) or '(none)'}")
    for part in spec.parts:
        if part.name in parts and parts[part.name] is not Ellipsis:
            given = _numbers(parts[part.name], key, part.name)
            if isinstance(given, str) or not close(given, part.value):
                said = _lang.pick(("differs", "값이 다릅니다"))
                return Result(key, False, f"part:{part.name}",
                              f"{key}: {part.name} {said}: {_lang.pick(part.hint)}",
                              {"part": part.name})
    return None


def _by_mistakes(key: str, spec: Spec, array: np.ndarray) -> Result | None:
    for mistake in spec.mistakes:
        if close(array, mistake.value):
            return Result(key, False, f"mistake:{mistake.kind}",
                          f"{key}: {_lang.pick(('not yet', '아직 아닙니다'))}: "
                          f"{_lang.pick(mistake.hint)}")
    if spec.product:
        values = [np.asarray(p.value, dtype=float) for p in spec.parts]
        for i, part in enumerate(spec.parts):
            rest = np.prod(values[:i] + values[i + 1:], axis=0)
            if close(array, rest):
                return Result(key, False, f"left-out:{part.name}", _lang.pick((
                    f"{key}: a factor is missing: {part.name} ({part.hint[0]})",
                    f"{key}: 인수 하나가 빠졌습니다: {part.name} ({part.hint[1]})")))
    return None


def _near(key: str, spec: Spec, array: np.ndarray, expected: np.ndarray) -> Result:
    if close(array, expected, rtol=ROUNDING):
        return Result(key, False, "rounding", _lang.pick((
            f"{key}: close, but rounded too early: keep more digits (to about 1e-6)",
            f"{key}: 거의 맞지만 너무 일찍 반올림했습니다: 자릿수를 더 남기세요 (약 1e-6까지)")))
    if close(array, -expected):
        return Result(key, False, "mistake:sign", _lang.pick((
            f"{key}: the size is right but the sign is flipped: {spec.rule[0]}",
            f"{key}: 크기는 맞지만 부호가 반대입니다: {spec.rule[1]}")))
    names = ", ".join(p.name for p in spec.parts)
    more = _lang.pick((f" (pass your parts to see which differs: {names})",
                       f" (중간값을 넘기면 어느 것이 다른지 알려 줍니다: {names})"))
    more = more if names else ""
    return Result(key, False, "wrong", f"{key}: {_lang.pick(('wrong', '틀렸습니다'))}: "
                  f"{_lang.pick(spec.rule)}{more}")
