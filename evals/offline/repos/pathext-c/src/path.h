#ifndef PATH_H
#define PATH_H

/* The last component of a '/'-separated path: "docs/intro.md" -> "intro.md". */
const char *path_basename(const char *path);

/*
 * The extension of the last component, dot included ("docs/intro.md" -> ".md",
 * "site.tar.gz" -> ".gz"), or "" when it has none. As in most tools, the leading dot of a
 * hidden file is not an extension (".gitignore" -> "").
 */
const char *path_extension(const char *path);

#endif
