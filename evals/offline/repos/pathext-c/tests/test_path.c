#include "harness.h"
#include "path.h"

static void basename_is_the_last_component(void)
{
    CHECK(strcmp(path_basename("docs/intro.md"), "intro.md") == 0);
    CHECK(strcmp(path_basename("intro.md"), "intro.md") == 0);
    CHECK(strcmp(path_basename("docs/"), "") == 0);
}

static void extension_of_a_file(void)
{
    CHECK(strcmp(path_extension("docs/intro.md"), ".md") == 0);
    CHECK(strcmp(path_extension("index.html"), ".html") == 0);
}

static void only_the_last_extension(void)
{
    CHECK(strcmp(path_extension("dist/site.tar.gz"), ".gz") == 0);
}

static void no_extension(void)
{
    CHECK(strcmp(path_extension("Makefile"), "") == 0);
    CHECK(strcmp(path_extension("docs/LICENSE"), "") == 0);
}

static const struct test TESTS[] = {
    {"basename_is_the_last_component", basename_is_the_last_component},
    {"extension_of_a_file", extension_of_a_file},
    {"only_the_last_extension", only_the_last_extension},
    {"no_extension", no_extension},
};

int main(int argc, char **argv)
{
    return RUN_TESTS(TESTS, argc, argv);
}
