import unittest

from humansize import format_size, parse_size


class FormatTests(unittest.TestCase):
    def test_small_sizes_are_whole_bytes(self):
        self.assertEqual(format_size(0), "0 B")
        self.assertEqual(format_size(1023), "1023 B")

    def test_one_decimal_above_a_kibibyte(self):
        self.assertEqual(format_size(1536), "1.5 KiB")
        self.assertEqual(format_size(10 * 1024 * 1024 + 512 * 1024), "10.5 MiB")

    def test_the_largest_unit_holds_anything_bigger(self):
        self.assertEqual(format_size(5 * 1024**4), "5.0 TiB")
        self.assertEqual(format_size(3000 * 1024**5), "3000.0 PiB")

    def test_a_negative_size_is_an_error(self):
        with self.assertRaises(ValueError):
            format_size(-1)


class ParseTests(unittest.TestCase):
    def test_parse_reads_units(self):
        self.assertEqual(parse_size("1.5 KiB"), 1536)
        self.assertEqual(parse_size("12 B"), 12)

    def test_parse_rejects_an_unknown_unit(self):
        with self.assertRaises(ValueError):
            parse_size("3 KB")


if __name__ == "__main__":
    unittest.main()
