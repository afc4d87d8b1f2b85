/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_common.c — what `egate` and its helper egate-tools share (cli.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

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
