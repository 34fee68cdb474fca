"""Server-side SVG charts for the assessment dashboards.

Plain functions returning SVG markup: no script, no style attribute (the Content-Security-Policy
forbids both), colours through CSS classes in assessment-dashboard.css. Large text, since the
dashboards are shown on a projector in meetings. Every text is escaped here.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "Noto Sans CJK SC"
WIDTH = 1000
LABEL_WIDTH = 300  # Chinese department names of 8 to 12 characters at the font size below
VALUE_WIDTH = 190  # room right of the plot for the value and its note
ROW = 46
BAR = 30
TOP = 16
FONT_SIZE = 20
PLOT = WIDTH - LABEL_WIDTH - VALUE_WIDTH


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    note: str = ""  # shown after the value, e.g. the coefficient and rank
    css: str = ""  # an extra class for the bar, e.g. "warn"


@dataclass(frozen=True)
class Segment:
    count: int
    css: str


@dataclass(frozen=True)
class Mark:
    """A quota drawn across a stacked bar: `at` people from the left end."""

    at: int
    label: str


@dataclass(frozen=True)
class Stack:
    label: str
    segments: tuple[Segment, ...]
    marks: tuple[Mark, ...] = ()


def _px(value: Decimal) -> str:
    return str(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:.2f}"


def _text_width(text: str) -> int:
    """Roughly how wide a text runs: a Chinese character is square, a Latin one about 3/5 of it."""
    return sum(FONT_SIZE if ord(char) >= 0x2E80 else FONT_SIZE * 3 // 5 for char in text)


def _svg(height: int, title: str, body: list[str]) -> SafeString:
    # A viewBox and no fixed width, so the chart scales with the card and the projector.
    return mark_safe(  # noqa: S308 - every text below went through escape()
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}" font-family="{FONT}" font-size="{FONT_SIZE}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _label(y: int, text: str) -> str:
    return (
        f'<text class="label" x="{LABEL_WIDTH - 12}" y="{y + BAR // 2}" text-anchor="end" '
        f'dominant-baseline="middle">{escape(text)}</text>'
    )


def bar_chart(
    *,
    bars: Sequence[Bar],
    title: str,
    maximum: Decimal | None = None,
    reference: Decimal | None = None,
    reference_label: str = "",
    unit: str = "",
) -> SafeString:
    """Horizontal bars, one row each, scaled to `maximum` (the largest value if none); a dashed
    reference line (a target, 100 %) when given. Values beyond the maximum are drawn to its end."""
    top = TOP + (FONT_SIZE + 8 if reference is not None else 0)
    height = top + ROW * max(len(bars), 1) + TOP
    largest = max([bar.value for bar in bars] + [reference or Decimal(0)], default=Decimal(0))
    scale_to = maximum if maximum is not None else largest
    scale_to = scale_to if scale_to > 0 else Decimal(1)
    body = []
    for index, bar in enumerate(bars):
        y = top + index * ROW
        length = PLOT * min(max(bar.value, Decimal(0)), scale_to) / scale_to
        css = f"bar {bar.css}".strip()
        text = f"{_number(bar.value)}{unit}" + (f"  {bar.note}" if bar.note else "")
        body += [
            _label(y, bar.label),
            f'<rect class="track" x="{LABEL_WIDTH}" y="{y}" width="{PLOT}" height="{BAR}"/>',
            f'<rect class="{escape(css)}" x="{LABEL_WIDTH}" y="{y}" width="{_px(length)}" height="{BAR}"/>',
            f'<text class="value" x="{LABEL_WIDTH + int(_px(length)) + 8}" y="{y + BAR // 2}" '
            f'dominant-baseline="middle">{escape(text)}</text>',
        ]
    if reference is not None:
        x = _px(LABEL_WIDTH + PLOT * min(reference, scale_to) / scale_to)
        body += [
            f'<line class="reference" x1="{x}" y1="{top - 6}" x2="{x}" y2="{height - TOP + 6}"/>',
            f'<text class="reference-label" x="{x}" y="{TOP + FONT_SIZE // 2}" text-anchor="middle" '
            f'dominant-baseline="middle">{escape(reference_label)}</text>',
        ]
    return _svg(height, title, body)


def stacked_chart(*, stacks: Sequence[Stack], legend: Sequence[tuple[str, str]], title: str) -> SafeString:
    """One bar per group split into its segments (grades), each bar the group's full width, with
    the quota marks drawn across it; `legend` is (label, css) per segment kind."""
    legend_height = FONT_SIZE + 16
    top = TOP + legend_height
    height = top + ROW * max(len(stacks), 1) + TOP
    body = []
    x = LABEL_WIDTH
    for label, css in legend:
        body += [
            f'<rect class="{escape(css)}" x="{x}" y="{TOP}" width="{FONT_SIZE}" height="{FONT_SIZE}"/>',
            f'<text class="legend" x="{x + FONT_SIZE + 6}" y="{TOP + FONT_SIZE // 2}" '
            f'dominant-baseline="middle">{escape(label)}</text>',
        ]
        x += FONT_SIZE + 16 + _text_width(label)
    for index, stack in enumerate(stacks):
        y = top + index * ROW
        total = sum(segment.count for segment in stack.segments)
        body.append(_label(y, stack.label))
        if not total:
            continue
        start = Decimal(0)
        for segment in stack.segments:
            if not segment.count:
                continue
            width = Decimal(PLOT) * segment.count / total
            body.append(
                f'<rect class="{escape(segment.css)}" x="{_px(LABEL_WIDTH + start)}" y="{y}" '
                f'width="{_px(width)}" height="{BAR}"><title>{segment.count}</title></rect>'
            )
            if width >= FONT_SIZE * 2:
                body.append(
                    f'<text class="inside" x="{_px(LABEL_WIDTH + start + width / 2)}" y="{y + BAR // 2}" '
                    f'text-anchor="middle" dominant-baseline="middle">{segment.count}</text>'
                )
            start += width
        body.append(
            f'<text class="value" x="{LABEL_WIDTH + PLOT + 8}" y="{y + BAR // 2}" '
            f'dominant-baseline="middle">{total}</text>'
        )
        for mark in stack.marks:
            mx = _px(LABEL_WIDTH + Decimal(PLOT) * min(mark.at, total) / total)
            body.append(
                f'<line class="quota" x1="{mx}" y1="{y - 4}" x2="{mx}" y2="{y + BAR + 4}">'
                f"<title>{escape(mark.label)}</title></line>"
            )
    return _svg(height, title, body)
