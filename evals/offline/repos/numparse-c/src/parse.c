#include "parse.h"

int parse_u32(const char *text, uint32_t *out)
{
    uint32_t value = 0;
    if (*text == '\0')
        return -1;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        uint32_t digit = (uint32_t)(*p - '0');
        if (value > UINT32_MAX / 10)
            return -1;
        value = value * 10 + digit;
    }
    *out = value;
    return 0;
}

int parse_port(const char *text, uint16_t *out)
{
    uint32_t value;
    if (parse_u32(text, &value) != 0 || value == 0 || value > 65535)
        return -1;
    *out = (uint16_t)value;
    return 0;
}
