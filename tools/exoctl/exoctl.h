/* SPDX-License-Identifier: GPL-2.0 */
/* exoctl: shared declarations of the subcommand files. */
#ifndef EXOCTL_H
#define EXOCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <exo/exo.h>

/* Set by the global options before a subcommand runs. */
extern bool exoctl_json;

/* Print "exoctl: <msg>" to stderr; returns 1, the exit status of a failure. */
int exoctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The usage text to stderr; returns 2, the exit status of bad arguments. */
int exoctl_usage(void);
/* Parse a whole decimal number in [0, max]; false if @s is not one. */
bool exoctl_parse_u64(const char *s, uint64_t max, uint64_t *out);
/* An environment of our own, with a clear error if the module is absent. */
struct exo *exoctl_open(void);

/*
 * A streaming JSON writer to stdout. Keys are NULL inside arrays. Strings
 * are escaped, so any byte a kernel file hands us stays valid JSON.
 */
void json_open_obj(const char *key);
void json_close_obj(void);
void json_open_arr(const char *key);
void json_close_arr(void);
void json_u64(const char *key, uint64_t v);
void json_s64(const char *key, int64_t v);
void json_str(const char *key, const char *s);
void json_bool(const char *key, bool v);
/* Ends the document with a newline; checks nothing is left open. */
void json_end(void);

/* SIGINT and SIGTERM end a stream cleanly, so that --json closes it. */
void exoctl_catch_stop_signals(void);
bool exoctl_stopped(void);
/* "-c N" of monitor and trace (N >= 1); *count is 0 without it. */
int exoctl_parse_count(int argc, char **argv, uint64_t *count);

/* Subcommand groups: argc/argv start after the group's name. */
int exoctl_env(int argc, char **argv);
int exoctl_monitor(int argc, char **argv);
int exoctl_mem(int argc, char **argv);
int exoctl_cpu(int argc, char **argv);
int exoctl_net(int argc, char **argv);
int exoctl_xn(int argc, char **argv);
int exoctl_revoke(int argc, char **argv);
int exoctl_trace(int argc, char **argv);

struct nlattr;
/*
 * Dump generic-netlink command @cmd of the "exo" family, calling @msg with
 * each reply's attributes (a non-zero return stops it). 0, or -errno:
 * ENOENT (no family: exo.ko not loaded), EPERM, EOPNOTSUPP (an older
 * kernel without @cmd), or the callback's own.
 */
int exoctl_genl_dump(int cmd, int (*msg)(struct nlattr **attrs, void *arg),
		     void *arg);
/*
 * A show command's dump of @cmd, named @what in its errors ("mem show: pool
 * dump"). 1 with the details, 0 from an older exo.ko without @cmd (the
 * totals alone, then), or -1 once the error is printed.
 */
int exoctl_show_dump(const char *what, int cmd,
		     int (*msg)(struct nlattr **attrs, void *arg), void *arg);

#endif
