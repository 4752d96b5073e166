#include "utf8.h"

int utf8_is_continuation(unsigned char byte)
{
    return (byte & 0xC0) == 0x80;
}

size_t utf8_length(const char *s)
{
    size_t count = 0;
    for (; *s; s++) {
        char c = *s;
        /* An ASCII byte or the lead byte of a multi-byte character starts a new character. */
        if (c < 0x80 || c >= 0xC0)
            count++;
    }
    return count;
}

void utf8_copy(char *dst, const char *src, size_t size)
{
    size_t n = 0;
    if (size == 0)
        return;
    while (src[n] && n < size - 1)
        n++;
    /* Cut before the lead byte of a character that did not fit whole. */
    if (src[n] && utf8_is_continuation((unsigned char)src[n]))
        while (n > 0 && utf8_is_continuation((unsigned char)src[n]))
            n--;
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i];
    dst[n] = '\0';
}
