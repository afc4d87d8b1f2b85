/* SPDX-License-Identifier: Apache-2.0 */
/*
 * console_assets.h — the officer console's page (host/cli/console/),
 * compiled into `egate` by scripts/embed-assets: served at /NAME with its
 * content type; no file is read at run time.
 */
#ifndef EGATE_CONSOLE_ASSETS_H
#define EGATE_CONSOLE_ASSETS_H

#include <stddef.h>

struct console_asset {
	const char *path;		/* "/index.html", "/console.js", ... */
	const char *type;		/* Content-Type */
	const unsigned char *data;
	size_t len;
};

extern const struct console_asset console_assets[];
extern const size_t console_assets_n;

#endif
