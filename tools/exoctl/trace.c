// SPDX-License-Identifier: GPL-2.0
/*
 * exoctl trace: turn on tracefs's events/exo group and stream trace_pipe,
 * as "perf trace -e exo:*" would but with nothing to install. The group's
 * enable file is put back as it was found on the way out.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exoctl.h"

static const char *const exoctl_tracefs_roots[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

static int exoctl_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* A trace_pipe line: "TASK-PID [CPU] FLAGS SECONDS: EVENT: FIELDS". */
static void exoctl_trace_json(char *line)
{
	char *bracket = strchr(line, '['), *close_b, *colon, *event, *fields;
	char task[64] = "";
	unsigned int cpu = 0;
	double seconds = 0;

	json_open_obj(NULL);
	json_str("line", line);
	if (bracket && (close_b = strchr(bracket, ']')) &&
	    (colon = strstr(close_b, ": ")) &&
	    (fields = strstr(colon + 2, ": "))) {
		char *dash;
		size_t len = (size_t)(bracket - line);

		while (len && line[len - 1] == ' ')
			len--;
		while (*line == ' ' && len) {
			line++;
			len--;
		}
		if (len >= sizeof(task))
			len = sizeof(task) - 1;
		memcpy(task, line, len);
		task[len] = '\0';
		dash = strrchr(task, '-');
		sscanf(bracket, "[%u]", &cpu);
		*colon = '\0';
		sscanf(strrchr(close_b, ' ') ? strrchr(close_b, ' ') : close_b,
		       "%lf", &seconds);
		event = colon + 2;
		*fields = '\0';
		if (dash) {
			*dash = '\0';
			json_u64("pid", strtoull(dash + 1, NULL, 10));
		}
		json_str("task", task);
		json_u64("cpu", cpu);
		json_u64("time_us", (uint64_t)(seconds * 1e6));
		json_str("event", event);
		json_str("fields", fields + 2);
	}
	json_close_obj();
}

int exoctl_trace(int argc, char **argv)
{
	char group[128], enable[160], pipe_path[160], was[8] = "0";
	char *line = NULL;
	size_t room = 0, r;
	uint64_t count, seen = 0;
	ssize_t len;
	FILE *pipe;
	int ret, fd;

	ret = exoctl_parse_count(argc, argv, &count);
	if (ret)
		return ret;
	for (r = 0; r < sizeof(exoctl_tracefs_roots) / sizeof(*exoctl_tracefs_roots); r++) {
		snprintf(group, sizeof(group), "%s/events/exo",
			 exoctl_tracefs_roots[r]);
		if (access(group, F_OK) == 0)
			break;
	}
	if (r == sizeof(exoctl_tracefs_roots) / sizeof(*exoctl_tracefs_roots)) {
		if (access("/dev/exo", F_OK))
			return exoctl_err("/dev/exo: module not loaded");
		return exoctl_err("trace: no exo tracepoints in tracefs (no events/exo under /sys/kernel/tracing; is tracefs mounted?)");
	}
	snprintf(enable, sizeof(enable), "%s/enable", group);
	snprintf(pipe_path, sizeof(pipe_path), "%s/trace_pipe",
		 exoctl_tracefs_roots[r]);

	fd = open(enable, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		len = read(fd, was, sizeof(was) - 1);
		was[len > 0 ? len : 0] = '\0';
		close(fd);
	}
	/* Before enabling, so that no signal leaves the group on behind us. */
	exoctl_catch_stop_signals();
	pipe = fopen(pipe_path, "re");
	if (!pipe)
		return exoctl_err("trace: %s: %s", pipe_path, strerror(errno));
	ret = exoctl_write_file(enable, "1");
	if (ret) {
		fclose(pipe);
		return exoctl_err("trace: %s: %s%s", enable, strerror(-ret),
				  ret == -EACCES || ret == -EPERM ?
				  " (needs root)" : "");
	}
	/* Enabled: a script may now make events and expect to see them. */
	fprintf(stderr, "exoctl: tracing %s\n", group);
	if (exoctl_json)
		json_open_arr(NULL);
	ret = 0;
	/* A signal interrupts the read (no SA_RESTART), ending the loop. */
	while (!exoctl_stopped() && (!count || seen < count)) {
		len = getline(&line, &room, pipe);
		if (len < 0) {
			if (errno == EINTR || exoctl_stopped())
				break;
			ret = exoctl_err("trace: %s: %s", pipe_path,
					 feof(pipe) ? "end of file" : strerror(errno));
			break;
		}
		if (len && line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (exoctl_json)
			exoctl_trace_json(line);
		else
			puts(line);
		fflush(stdout);
		seen++;
	}
	/* Put the group back as found: "1" stays on, anything else goes off. */
	exoctl_write_file(enable, was[0] == '1' ? "1" : "0");
	if (exoctl_json) {
		json_close_arr();
		json_end();
	}
	free(line);
	fclose(pipe);
	return ret;
}
