/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate-doc — `egate doc` on its own: the same code (cmd_doc.c) linked
 * with common/ and docauth/ only (mbedTLS; no OpenCV, libusb or libuvc),
 * for an auditor's or integrator's package without the face and device
 * stack. `egate-doc verify ...` is `egate doc verify ...`.
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

int
main(int argc, char **argv)
{
	return cmd_doc(argc, argv);
}
