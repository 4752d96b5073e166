/* A minimal test harness: `run_tests` with no names runs every test, with names only those. */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdio.h>
#include <string.h>

static int harness_failures;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            harness_failures++;                                                       \
        }                                                                             \
    } while (0)

struct test {
    const char *name;
    void (*run)(void);
};

static int wanted(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

static int run_tests(const struct test *tests, size_t count, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        size_t t = 0;
        while (t < count && strcmp(tests[t].name, argv[i]) != 0)
            t++;
        if (t == count) {
            fprintf(stderr, "no test named %s\n", argv[i]);
            return 2;
        }
    }
    for (size_t t = 0; t < count; t++) {
        if (!wanted(tests[t].name, argc, argv))
            continue;
        int before = harness_failures;
        tests[t].run();
        printf("%s %s\n", harness_failures == before ? "ok  " : "FAIL", tests[t].name);
    }
    return harness_failures ? 1 : 0;
}

#define RUN_TESTS(tests, argc, argv) run_tests(tests, sizeof(tests) / sizeof((tests)[0]), argc, argv)

#endif
