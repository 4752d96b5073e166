#ifndef PARSE_H
#define PARSE_H

#include <stdint.h>

/* 0 and *out set, or -1 when text is empty, holds anything but digits, or is past UINT32_MAX. */
int parse_u32(const char *text, uint32_t *out);

/* 0 and *out set, or -1 unless text is a TCP port number, 1..65535. */
int parse_port(const char *text, uint16_t *out);

#endif
