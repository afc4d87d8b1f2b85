/* SPDX-License-Identifier: Apache-2.0 */
/* sim_gate.c — the simulated gate (see sim_gate.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "egate/error.h"
#include "sim_gate.h"

void
sim_gate_init(struct sim_gate *g, const struct eg_log *log)
{
	memset(g, 0, sizeof(*g));
	g->door = GATE_DOOR_CLOSED;
	g->traveller_walks = true;
	g->log = log;
}

static void
queue(struct sim_gate *g, enum gate_event_type t)
{
	if (g->qhead == g->qn)
		g->qhead = g->qn = 0;
	if (g->qn < SIM_GATE_QUEUE) {
		memset(&g->q[g->qn], 0, sizeof(g->q[0]));
		g->q[g->qn++].type = t;
	}
}

static int
fault(struct sim_gate *g)
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
sg_open(void *ctx)
{
	struct sim_gate *g = ctx;
	int r;

	if ((r = fault(g)) != EG_OK)
		return r;
	g->commanded_open = true;
	if (g->door_stuck || g->door == GATE_DOOR_OPEN)
		return EG_OK;
	g->door = GATE_DOOR_OPEN;
	g->openings++;
	EG_LOG(g->log, EG_LOG_INFO, "gate.open", EG_UINT("openings", g->openings));
	queue(g, GATE_EV_DOOR_OPENED);
	if (g->traveller_walks)
		queue(g, GATE_EV_PASSED);
	return EG_OK;
}

static int
sg_close(void *ctx)
{
	struct sim_gate *g = ctx;
	int r;

	if ((r = fault(g)) != EG_OK)
		return r;
	g->commanded_open = false;
	if (g->door_stuck || g->door != GATE_DOOR_OPEN)
		return EG_OK;
	g->door = GATE_DOOR_CLOSED;
	EG_LOG(g->log, EG_LOG_INFO, "gate.close");
	queue(g, GATE_EV_DOOR_CLOSED);
	return EG_OK;
}

/* Nothing queued: the time passes as it would in front of a real gate. */
static int
sg_wait_event(void *ctx, unsigned timeout_ms, struct gate_event *ev)
{
	struct sim_gate *g = ctx;
	struct timespec ts;

	if (g->unplugged)
		return EG_ERR_NO_DEVICE;
	if (g->qhead < g->qn) {
		*ev = g->q[g->qhead++];
		return EG_OK;
	}
	ts.tv_sec = timeout_ms / 1000;
	ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return EG_ERR_TIMEOUT;
}

static int
sg_status(void *ctx, struct gate_status *st)
{
	struct sim_gate *g = ctx;

	if (g->unplugged)
		return EG_ERR_NO_DEVICE;
	memset(st, 0, sizeof(*st));
	st->door = g->door;
	st->commanded_open = g->commanded_open;
	if (g->door_stuck)
		snprintf(st->detail, sizeof(st->detail), "door does not follow the relay");
	return EG_OK;
}

/* Back when plugged in and the door follows the relay again. */
static int
sg_reconnect(void *ctx)
{
	struct sim_gate *g = ctx;

	if (g->unplugged)
		return EG_ERR_NO_DEVICE;
	return g->door_stuck ? EG_ERR_DEVICE : EG_OK;
}

const struct gate_ops sim_gate_ops = {
	.name = "sim",
	.open = sg_open,
	.close = sg_close,
	.wait_event = sg_wait_event,
	.status = sg_status,
	.reconnect = sg_reconnect,
};
