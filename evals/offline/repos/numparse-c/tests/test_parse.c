#include "harness.h"
#include "parse.h"

static void parses_small_numbers(void)
{
    uint32_t n = 1;
    CHECK(parse_u32("0", &n) == 0 && n == 0);
    CHECK(parse_u32("4096", &n) == 0 && n == 4096);
    CHECK(parse_u32("007", &n) == 0 && n == 7);
}

static void accepts_uint32_max(void)
{
    uint32_t n = 0;
    CHECK(parse_u32("4294967295", &n) == 0 && n == UINT32_MAX);
}

static void rejects_what_is_not_a_number(void)
{
    uint32_t n;
    CHECK(parse_u32("", &n) == -1);
    CHECK(parse_u32("12a", &n) == -1);
    CHECK(parse_u32("-1", &n) == -1);
    CHECK(parse_u32(" 1", &n) == -1);
}

static void rejects_numbers_far_too_big(void)
{
    uint32_t n;
    CHECK(parse_u32("99999999999", &n) == -1);
    CHECK(parse_u32("42949672950", &n) == -1);
}

static void parses_ports(void)
{
    uint16_t port = 0;
    CHECK(parse_port("8080", &port) == 0 && port == 8080);
    CHECK(parse_port("65535", &port) == 0 && port == 65535);
    CHECK(parse_port("0", &port) == -1);
    CHECK(parse_port("65536", &port) == -1);
}

static const struct test TESTS[] = {
    {"parses_small_numbers", parses_small_numbers},
    {"accepts_uint32_max", accepts_uint32_max},
    {"rejects_what_is_not_a_number", rejects_what_is_not_a_number},
    {"rejects_numbers_far_too_big", rejects_numbers_far_too_big},
    {"parses_ports", parses_ports},
};

int main(int argc, char **argv)
{
    return RUN_TESTS(TESTS, argc, argv);
}
