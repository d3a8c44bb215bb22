"""The sandbox every template and snippet renders in: plain data only, and limits on time, text and memory.

Jinja's `SandboxedEnvironment` already refuses private attributes and unsafe callables. Here it is narrowed
to an allow-list: attributes may be read only on the template API's views (`api.View`) and on plain data
(text, numbers, dates, tuples, lists, mappings) and Jinja's own loop helpers, so even an object that slipped
into the context could not be used to reach a file. A render is also bounded: it may run for `SECONDS`,
produce `MAX_TEXT` characters, and allocate `MAX_MEMORY` bytes more than the process had; past any of these
it stops with `RenderLimit`, raised inside the template so that its traceback locates the snippet line.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any

import jinja2.exceptions
import jinja2.runtime
import jinja2.utils
import markupsafe
from jinja2.sandbox import SandboxedEnvironment

from briefkit.api import View
from briefkit.names import upper_first

SANDBOX_VERSION = 2  # compiled templates depend on these settings (see compose._BytecodeCache)
SECONDS = 10.0  # one output's whole composition
MAX_TEXT = 2_000_000  # characters one value, or one output's text, may have (a long paper has 60,000)
MAX_MEMORY = 1 << 30  # bytes a composition may allocate

PLAIN = (View, str, int, float, bool, dt.date, dt.time, dt.timedelta, tuple, list, dict, set, frozenset,
         MappingProxyType, range, type(None), markupsafe.Markup, jinja2.runtime.LoopContext,
         jinja2.utils.Namespace, jinja2.utils.Cycler, jinja2.utils.Joiner, jinja2.runtime.Undefined)


class RenderLimit(Exception):
    """A render went past a limit; the message says which."""


def roman(number: int) -> str:
    """A number in upper-case Roman numerals (the `roman` filter: topics I, II, III ...)."""
    if not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 4000:
        return str(number)
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, number = divmod(number, value)
        out += letters * count
    return out


class Sandbox(SandboxedEnvironment):
    """The sandboxed environment with an allow-list of types and size checks on `*` and `**`."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.filters["roman"] = roman
        self.filters["upper_first"] = upper_first

    def join_path(self, template: str, parent: str) -> str:
        """`{% include %}`, `{% import %}` and `{% extends %}` name templates; snippets are used with `snippet(id)`,
        which records them (the build cache and the citations depend on knowing every snippet a brief used)."""
        if template.startswith("snippet:"):
            raise jinja2.exceptions.SecurityError(f"'{template}' cannot be included; use snippet('{template[8:]}')")
        return template

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return isinstance(obj, PLAIN) and super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context: jinja2.runtime.Context, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_TEXT:
                    raise RenderLimit(f"a repetition of {len(seq) * times:,} characters or items is over the limit "
                                      f"of {MAX_TEXT:,}")
            return operator.mul(left, right)
        if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0 and \
                right * math.log2(abs(left)) > 100_000:
            raise RenderLimit(f"{left} ** {right} is too large a number")
        return operator.pow(left, right)


def finalize(value: Any) -> Any:
    """Every `{{ value }}` a template prints passes here: a value past the text limit stops the render."""
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise RenderLimit(f"a value of {len(value):,} characters is over the limit of {MAX_TEXT:,}")
    return value


def check_text(text: str, where: str) -> str:
    """A rendered text within the limit, or RenderLimit naming where it came from."""
    if len(text) > MAX_TEXT:
        raise RenderLimit(f"{where} produced {len(text):,} characters, over the limit of {MAX_TEXT:,}")
    return text


@contextmanager
def limited() -> Iterator[None]:
    """Bound a composition in time and memory (on the main thread of a POSIX process; elsewhere only the text
    limits hold)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise RenderLimit(f"rendering took longer than {SECONDS:g} s (a loop that does not end?)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, SECONDS)
    try:
        with _memory_bound():
            yield
    except MemoryError as err:
        raise RenderLimit(f"rendering needed more than {MAX_MEMORY >> 20} MB of memory") from err
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _memory_bound() -> Iterator[None]:
    """Lower the address-space limit to what the process uses now plus MAX_MEMORY, then restore it."""
    limits = _address_space_limits()
    if limits is None:  # no /proc or no resource module, or a lower limit already: the time limit still holds
        yield
        return
    import resource

    soft, hard, bound = limits
    resource.setrlimit(resource.RLIMIT_AS, (bound, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space_limits() -> tuple[int, int, int] | None:
    """(soft, hard, bound): the current limits and the one a render gets, or None where none can be set."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            used = int(statm.read().split()[0]) * resource.getpagesize()
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):
        return None
    bound = used + MAX_MEMORY if hard == resource.RLIM_INFINITY else min(used + MAX_MEMORY, hard)
    if soft != resource.RLIM_INFINITY and soft <= bound:
        return None
    return soft, hard, bound
