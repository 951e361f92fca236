/* Where atelier's data (dictionaries, tables) lie: found relative to the
 * running program, never through a path compiled in, so that an
 * installed tree (PREFIX/bin/atelier-engine, PREFIX/share/atelier/...)
 * works wherever it is put (make install PREFIX=... DESTDIR=...), and a
 * build tree works through the link CMake makes (BUILD/share/atelier ->
 * the source's data/). */
#include "atelier/core.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

at_status at_data_path(const char *rel, char **out)
{
    *out = NULL;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return at_error_set(AT_ERR_IO, "cannot find where the running program lies: %s", strerror(errno));
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    static const char *const under[2] = {"../share/atelier", "share/atelier"}; /* installed, build tree */
    char tried[2][PATH_MAX + 64];
    for (int i = 0; i < 2; i++) {
        snprintf(tried[i], sizeof tried[i], "%s/%s/%s", self, under[i], rel);
        struct stat sb;
        if (stat(tried[i], &sb) == 0)
            return (*out = at_strdup(tried[i])) ? AT_OK : AT_ERR_NOMEM;
    }
    return at_error_set(AT_ERR_NOT_FOUND,
                        "atelier's data %s is not installed beside the program (looked in %s and %s)", rel,
                        tried[0], tried[1]);
}
