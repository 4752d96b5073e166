#include "harness.h"
#include "utf8.h"

static void counts_ascii(void)
{
    CHECK(utf8_length("") == 0);
    CHECK(utf8_length("hello") == 5);
    CHECK(utf8_length("a b\tc") == 5);
}

static void knows_continuation_bytes(void)
{
    CHECK(utf8_is_continuation(0xA9));
    CHECK(!utf8_is_continuation('a'));
    CHECK(!utf8_is_continuation(0xC3));
}

static void copies_what_fits(void)
{
    char buf[4];
    utf8_copy(buf, "abcdef", sizeof buf);
    CHECK(strcmp(buf, "abc") == 0);
    utf8_copy(buf, "ab", sizeof buf);
    CHECK(strcmp(buf, "ab") == 0);
}

static void never_splits_a_character(void)
{
    char buf[3];
    /* "a" then "é" (C3 A9): only "a" and the first byte of é would fit. */
    utf8_copy(buf, "a\xC3\xA9", sizeof buf);
    CHECK(strcmp(buf, "a") == 0);
}

static const struct test TESTS[] = {
    {"counts_ascii", counts_ascii},
    {"knows_continuation_bytes", knows_continuation_bytes},
    {"copies_what_fits", copies_what_fits},
    {"never_splits_a_character", never_splits_a_character},
};

int main(int argc, char **argv)
{
    return RUN_TESTS(TESTS, argc, argv);
}
