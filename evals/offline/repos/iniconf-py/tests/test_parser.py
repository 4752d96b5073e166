import unittest

from iniconf import ParseError, parse


class ParseTests(unittest.TestCase):
    def test_sections_and_keys(self):
        config = parse("name = demo\n[db]\nhost = localhost\nport=5432\n")
        self.assertEqual(config, {"": {"name": "demo"}, "db": {"host": "localhost", "port": "5432"}})

    def test_comments_and_blank_lines_are_skipped(self):
        config = parse("# a comment\n\n; another\n[a]\nk = v\n")
        self.assertEqual(config["a"], {"k": "v"})

    def test_a_line_without_equals_is_an_error(self):
        with self.assertRaises(ParseError) as caught:
            parse("[a]\nk = v\njust words\n")
        self.assertEqual(caught.exception.lineno, 3)

    def test_a_key_is_required(self):
        with self.assertRaises(ParseError):
            parse("= value\n")


if __name__ == "__main__":
    unittest.main()
