#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>

/* 1 when byte continues a multi-byte character (10xxxxxx). */
int utf8_is_continuation(unsigned char byte);

/* The number of characters (code points) in a NUL-terminated UTF-8 string. */
size_t utf8_length(const char *s);

/* Copies as much of src as fits in size bytes (NUL included) without splitting a character. */
void utf8_copy(char *dst, const char *src, size_t size);

#endif
