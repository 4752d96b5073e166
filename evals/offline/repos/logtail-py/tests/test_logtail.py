import io
import os
import tempfile
import unittest

from logtail import last_lines, main

LOG = "boot\nlisten :8080\nGET /\nGET /health\n"


class LastLinesTests(unittest.TestCase):
    def test_the_last_two_lines(self):
        self.assertEqual(last_lines(LOG, 2), ["GET /", "GET /health"])

    def test_asking_for_more_lines_than_there_are(self):
        self.assertEqual(last_lines("a\nb\n", 10), ["a", "b"])

    def test_a_negative_count_is_an_error(self):
        with self.assertRaises(ValueError):
            last_lines(LOG, -1)


class CommandTests(unittest.TestCase):
    def run_main(self, *args):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "app.log")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(LOG)
            out = io.StringIO()
            self.assertEqual(main([*args, path], out=out), 0)
            return out.getvalue()

    def test_prints_the_last_lines(self):
        self.assertEqual(self.run_main("-n", "1"), "GET /health\n")


if __name__ == "__main__":
    unittest.main()
