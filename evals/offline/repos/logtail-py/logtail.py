"""The last lines of a log file: `python3 logtail.py -n 20 app.log`."""

import argparse
import sys


def last_lines(text, n):
    """The last n lines of text, without their line endings."""
    if n < 0:
        raise ValueError(f"cannot take {n} lines")
    lines = text.splitlines()
    return lines[-n:]


def main(argv=None, out=sys.stdout):
    parser = argparse.ArgumentParser(prog="logtail", description="print the last lines of a file")
    parser.add_argument("-n", type=int, default=10, help="how many lines (default 10)")
    parser.add_argument("file")
    args = parser.parse_args(argv)
    with open(args.file, encoding="utf-8", errors="replace") as handle:
        for line in last_lines(handle.read(), args.n):
            print(line, file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
