#include <string.h>

#include "path.h"

const char *path_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

const char *path_extension(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot : "";
}
