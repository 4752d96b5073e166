"""A small reader for INI-style configuration files."""


class ParseError(ValueError):
    def __init__(self, lineno, message):
        super().__init__(f"line {lineno}: {message}")
        self.lineno = lineno


def parse(text):
    """Returns {section: {key: value}}; keys before the first section go under ""."""
    sections = {"": {}}
    current = sections[""]
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip(), {})
            continue
        parts = line.split("=")
        if len(parts) < 2 or not parts[0].strip():
            raise ParseError(lineno, f"expected key = value, got {line!r}")
        key, value = parts[0], parts[1]
        current[key.strip()] = value.strip()
    return sections
