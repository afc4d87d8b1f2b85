/* SPDX-License-Identifier: Apache-2.0 */
/*
 * display_web.h — the traveller's display in a browser: a backend of the
 * display contract (outputs.h, struct display_ops). egate-kiosk serves a
 * page on a loopback address only (libmicrohttpd, a thread per connection)
 * for a browser in kiosk mode on the same board (`chromium --kiosk URL`),
 * and pushes every message of show() to it as a Server-Sent Event: the
 * prompt's text in the traveller's language (and in English beside it),
 * its pictogram, the advance notice of automated face comparison, the
 * progress, the countdown and the decision. The page is compiled in
 * (firmware/kiosk/display/, scripts/embed-assets): no file is read, no
 * CDN, no build step. Nothing personal is shown: prompts, a language and a
 * decision only.
 */
#ifndef EGATE_DISPLAY_WEB_H
#define EGATE_DISPLAY_WEB_H

#include <stddef.h>
#include <stdint.h>

#include "egate/log.h"
#include "outputs.h"

struct display_web;

/*
 * display_web_new — listen on spec ("ADDRESS:PORT": 127.x.y.z or
 * localhost; port 0 = any free port) and start serving. *out is the
 * caller's (display_web_free). log may be NULL. Errors: EG_ERR_INVAL (not
 * a loopback address, a bad port; err says why), EG_ERR_IO (cannot
 * listen), EG_ERR_NOMEM.
 */
int display_web_new(const char *spec, struct eg_log *log, struct display_web **out, char *err,
    size_t errlen);
/* display_web_free — stop serving (open event streams end) and free; safe
 * on NULL; sets *d to NULL. */
void display_web_free(struct display_web **d);
/* display_web_url — "http://127.0.0.1:PORT/" (valid while d lives). */
const char *display_web_url(const struct display_web *d);

/* ctx: a struct display_web. */
extern const struct display_ops display_web_ops;

#endif
