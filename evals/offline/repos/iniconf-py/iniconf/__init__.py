from iniconf.parser import ParseError, parse

__all__ = ["ParseError", "parse"]
