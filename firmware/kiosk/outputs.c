/* SPDX-License-Identifier: Apache-2.0 */
/* outputs.c — the text display and the names of the gate contract (see
 * outputs.h). */
#include <stdio.h>

#include "egate/error.h"
#include "outputs.h"

const char *
gate_event_str(enum gate_event_type t)
{
	switch (t) {
	case GATE_EV_DOOR_OPENED: return "door_opened";
	case GATE_EV_PASSED: return "passed";
	case GATE_EV_DOOR_CLOSED: return "door_closed";
	case GATE_EV_FAULT: return "fault";
	default: return "none";
	}
}

const char *
gate_door_str(enum gate_door d)
{
	return d == GATE_DOOR_OPEN ? "open" : d == GATE_DOOR_CLOSED ? "closed" : "unknown";
}

static int
text_show(void *ctx, const struct display_msg *m)
{
	struct text_display *d = ctx;
	const char *t = prompt_text(m->prompt, m->lang);

	if (t == NULL)
		return EG_ERR_INVAL;
	d->last = m->prompt;
	if (d->bilingual)	/* the kiosk's language first, then the other */
		fprintf(d->out, "%s%s / %s\n", d->prefix ? d->prefix : "", t,
		    prompt_text(m->prompt, m->lang == LANG_KO ? LANG_EN : LANG_KO));
	else
		fprintf(d->out, "%s%s\n", d->prefix ? d->prefix : "", t);
	return ferror(d->out) ? EG_ERR_IO : EG_OK;
}

const struct display_ops text_display_ops = {
	.name = "text",
	.show = text_show,
};
