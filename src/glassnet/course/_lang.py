"""The course's language and plot font: ``setup('ko')`` or ``setup('en')``.

Korean plot labels need a font with Hangul. ``setup('ko')`` picks one in this order: the
``font=`` you pass, NanumGothic (Debian/Ubuntu ``apt-get install fonts-nanum``), then any
installed family whose name says it carries Korean (Noto Sans CJK KR, Malgun Gothic,
AppleGothic, ...). It sets matplotlib's ``font.family`` to it (with DejaVu Sans behind it for
the symbols it lacks). With none installed the labels fall back to English, and a one-line note
says what to install: no empty boxes, no warnings.
"""

from __future__ import annotations

from ..errors import ConfigError

LANGUAGES = ("en", "ko")
KOREAN_FONTS = ("NanumGothic", "Noto Sans CJK KR", "Noto Sans KR", "Malgun Gothic",
                "AppleGothic", "UnDotum", "Baekmuk Gulim")

_state = {"lang": "en", "labels": "en", "font": None}


def pick(pair) -> str:
    """The English or the Korean of an ``(english, korean)`` pair, by the course's language."""
    return pair[1] if _state["lang"] == "ko" else pair[0]


def t(korean: str, english: str) -> str:
    """A plot label: Korean when the course is in Korean and a Korean font is installed."""
    return korean if _state["labels"] == "ko" else english


def korean_font(font: str | None = None) -> str | None:
    """The Korean font ``setup`` would use (``font`` first), or None when none is installed."""
    from .. import plot

    candidates = [font] if font else list(KOREAN_FONTS)
    for name in candidates:
        try:
            return plot._figure.check_font(name)
        except ConfigError:
            if font:
                raise
    found = [f for f in plot.cjk_fonts() if any(k in f.lower() for k in ("kr", "korean",
                                                                           "nanum", "gothic"))]
    return found[0] if found else None


def setup(lang: str = "en", font: str | None = None):
    """Set the course's language (``'en'`` or ``'ko'``) and plot font; returns :func:`t`.

    Example
    -------
    >>> t = setup("en")
    >>> t("오차", "error")
    'error'
    """
    if lang not in LANGUAGES:
        raise ConfigError(f"setup: lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    if _state["font"] is not None:  # a previous setup('ko') set the font: put it back
        import matplotlib

        matplotlib.rcParams.update(_state.pop("saved"))
    _state.update(lang=lang, labels="en", font=None)
    if lang == "ko":
        try:
            import matplotlib
        except ImportError:  # no plots without matplotlib: labels stay as they are
            return t
        chosen = korean_font(font)
        if chosen is None:
            print("한글 글꼴이 없어 그림의 글자는 영어로 씁니다 (설치: apt-get install "
                  "fonts-nanum, 또는 setup('ko', font='...'))")
            return t
        _state["saved"] = {k: matplotlib.rcParams[k] for k in ("font.family",
                                                               "axes.unicode_minus")}
        matplotlib.rcParams["font.family"] = [chosen, "DejaVu Sans"]
        matplotlib.rcParams["axes.unicode_minus"] = False  # Nanum has no U+2212 minus
        _state.update(labels="ko", font=chosen)
    return t
