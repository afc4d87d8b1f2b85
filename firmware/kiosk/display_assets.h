/* SPDX-License-Identifier: Apache-2.0 */
/*
 * display_assets.h — the traveller's display page (firmware/kiosk/display/),
 * compiled into egate-kiosk by scripts/embed-assets --prefix display.
 */
#ifndef EGATE_DISPLAY_ASSETS_H
#define EGATE_DISPLAY_ASSETS_H

#include <stddef.h>

struct display_asset {
	const char *path;		/* "/index.html", "/display.js", ... */
	const char *type;		/* Content-Type */
	const unsigned char *data;
	size_t len;
};

extern const struct display_asset display_assets[];
extern const size_t display_assets_n;

#endif
