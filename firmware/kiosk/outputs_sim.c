/* SPDX-License-Identifier: Apache-2.0 */
/* outputs_sim.c — the simulated gate and the text display. */
#include <stdio.h>

#include "egate/error.h"
#include "egate/log.h"
#include "outputs.h"

static int
sim_gate_fail(struct sim_gate *g)
{
	if (g->unplugged)
		return EG_ERR_NO_DEVICE;
	if (g->fail_next) {
		g->fail_next = false;
		return EG_ERR_DEVICE;
	}
	return EG_OK;
}

static int
sim_gate_open(void *ctx)
{
	struct sim_gate *g = ctx;
	int r;

	if ((r = sim_gate_fail(g)) != EG_OK)
		return r;
	if (!g->open)
		g->openings++;
	g->open = true;
	EG_LOG(g->log, EG_LOG_INFO, "gate.open", EG_UINT("openings", g->openings));
	return EG_OK;
}

static int
sim_gate_close(void *ctx)
{
	struct sim_gate *g = ctx;
	int r;

	if ((r = sim_gate_fail(g)) != EG_OK)
		return r;
	if (g->open)
		EG_LOG(g->log, EG_LOG_INFO, "gate.close");
	g->open = false;
	return EG_OK;
}

static int
sim_gate_is_open(void *ctx, bool *open)
{
	struct sim_gate *g = ctx;

	if (g->unplugged)
		return EG_ERR_NO_DEVICE;
	*open = g->open;
	return EG_OK;
}

const struct gate_ops sim_gate_ops = {
	.name = "sim",
	.open = sim_gate_open,
	.close = sim_gate_close,
	.is_open = sim_gate_is_open,
};

static int
text_show(void *ctx, enum prompt_id id, enum prompt_lang lang)
{
	struct text_display *d = ctx;
	const char *t = prompt_text(id, lang);

	if (t == NULL)
		return EG_ERR_INVAL;
	d->last = id;
	if (d->bilingual)	/* the kiosk's language first, then the other */
		fprintf(d->out, "%s%s / %s\n", d->prefix ? d->prefix : "", t,
		    prompt_text(id, lang == LANG_KO ? LANG_EN : LANG_KO));
	else
		fprintf(d->out, "%s%s\n", d->prefix ? d->prefix : "", t);
	return ferror(d->out) ? EG_ERR_IO : EG_OK;
}

const struct display_ops text_display_ops = {
	.name = "text",
	.show = text_show,
};
