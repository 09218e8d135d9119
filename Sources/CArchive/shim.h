#include <archive.h>
#include <archive_entry.h>

// glibc declares syncfs only with _GNU_SOURCE: a bundle installed is flushed to the disk before it is made current.
int syncfs(int fd);
