/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_common.c — what `egate` and its helper egate-tools share (cli.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"

int64_t
cli_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
cli_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "egate %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
