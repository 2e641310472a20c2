// SPDX-License-Identifier: GPL-2.0
/*
 * Reading /sys/kernel/debug/exo/: debugfs is not an ABI: the views that
 * lean on it take their totals from ioctls and only the per-object detail
 * from here, and say so when it is missing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "exoctl.h"

#define EXOCTL_DEBUGFS "/sys/kernel/debug/exo/"

int exoctl_debugfs_lines(const char *name, int (*line)(char *text, void *arg),
			 void *arg)
{
	char path[128], *buf = NULL;
	size_t room = 0;
	ssize_t len;
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), EXOCTL_DEBUGFS "%s", name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!ret && (len = getline(&buf, &room, f)) >= 0) {
		if (len && buf[len - 1] == '\n')
			buf[len - 1] = '\0';
		ret = line(buf, arg);
	}
	free(buf);
	fclose(f);
	return ret;
}

/* Words are separated by spaces; KEY's value is the word after it. */
bool exoctl_field(const char *text, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);
	const char *p = text;

	while ((p = strstr(p, key))) {
		bool starts = p == text || p[-1] == ' ';

		if (starts && p[klen] == ' ') {
			char *end;

			errno = 0;
			*out = strtoull(p + klen + 1, &end, 0);
			if (!errno && end != p + klen + 1 &&
			    (*end == ' ' || *end == '\0' || *end == ','))
				return true;
		}
		p += klen;
	}
	return false;
}
