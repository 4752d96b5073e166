"""Byte counts for people, in binary units: 1536 -> "1.5 KiB"."""

UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]


def format_size(n):
    """Formats a byte count: whole bytes below 1 KiB, then one decimal in the largest unit that fits."""
    if n < 0:
        raise ValueError(f"a size cannot be negative: {n}")
    if n <= 1024:
        return f"{n} B"
    size = n / 1024
    for unit in UNITS[1:]:
        if size <= 1024 or unit == UNITS[-1]:
            return f"{size:.1f} {unit}"
        size /= 1024


def parse_size(text):
    """The inverse: "1.5 KiB" -> 1536 (rounded down to a whole byte)."""
    number, _, unit = text.strip().partition(" ")
    if unit not in UNITS:
        raise ValueError(f"unknown unit in {text!r}; use one of {', '.join(UNITS)}")
    return int(float(number) * 1024 ** UNITS.index(unit))
