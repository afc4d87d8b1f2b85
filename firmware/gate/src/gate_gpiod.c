/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gate_gpiod.c — the gate's GPIO lines through libgpiod 1.6 (the GPIO
 * character device's v1 interface): the only file of egate that calls
 * libgpiod (gate_lines.h). Everything it decides is in gate_engine.c, which
 * the tests drive through an in-memory model of the same ops table; what
 * only a real chip (or a kernel with gpio-sim) shows is listed in
 * docs/testing-devices.md.
 */
#include <errno.h>
#include <gpiod.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "egate/error.h"
#include "egate/gate_lines.h"

#define GG_CONSUMER "egate-gate"

struct gg {
	struct gpiod_chip *chip;
	struct gpiod_line *line[GATE_LINE_COUNT];
	struct gpiod_line_bulk inputs;			/* lines with edge events */
	enum gate_line_role role_of[GATE_LINE_COUNT];	/* inputs.lines[i] -> role */
};

static int
errno_err(int e)
{
	switch (e) {
	case ENODEV: case ENXIO: case ESHUTDOWN: return EG_ERR_NO_DEVICE;
	case EBUSY: return EG_ERR_BUSY;
	case EACCES: case EPERM: return EG_ERR_PERM;
	case ENOENT: return EG_ERR_NOT_FOUND;
	case EINVAL: return EG_ERR_INVAL;
	case ENOMEM: return EG_ERR_NOMEM;
	default: return EG_ERR_IO;
	}
}

static int
flags_of(const struct gate_line_cfg *cfg, enum gate_line_role r)
{
	int f = cfg->active_low[r] ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;

	if (r == GATE_LINE_RELAY)
		return f;
	switch (cfg->bias) {
	case GATE_BIAS_PULL_UP: return f | GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
	case GATE_BIAS_PULL_DOWN: return f | GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
	case GATE_BIAS_DISABLE: return f | GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
	default: return f;
	}
}

static void
gg_close(void *ctx)
{
	struct gg *g = ctx;

	if (g == NULL)
		return;
	/* releasing a line keeps its last level on most chips: the engine
	 * has driven the relay off before this */
	if (g->chip != NULL)
		gpiod_chip_close(g->chip);	/* releases every requested line */
	free(g);
}

static int
gg_open(void *self, const char *chip, const struct gate_line_cfg *cfg, void **out, char *err,
    size_t errlen)
{
	struct gg *g;
	unsigned nlines;
	int ret = EG_ERR_NOMEM;

	(void)self;
	*out = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return ret;
	gpiod_line_bulk_init(&g->inputs);
	if ((g->chip = gpiod_chip_open_lookup(chip)) == NULL) {
		ret = errno_err(errno);
		if (ret == EG_ERR_INVAL || ret == EG_ERR_IO)
			ret = EG_ERR_NOT_FOUND;	/* a name that is no chip */
		eg_errbuf(err, errlen, "gpio: chip '%s': %s", chip, ret == EG_ERR_NOT_FOUND ?
		    "no such chip (gpiodetect lists them)" : strerror(errno));
		goto out;
	}
	nlines = gpiod_chip_num_lines(g->chip);
	for (int r = 0; r < GATE_LINE_COUNT; r++) {
		struct gpiod_line *l;
		int rc;

		if (cfg->offset[r] < 0)
			continue;
		if ((unsigned)cfg->offset[r] >= nlines) {
			ret = EG_ERR_INVAL;
			eg_errbuf(err, errlen, "gpio: %s=%d, but %s has lines 0..%u",
			    gate_line_role_str((enum gate_line_role)r), cfg->offset[r],
			    gpiod_chip_name(g->chip), nlines - 1);
			goto out;
		}
		if ((l = gpiod_chip_get_line(g->chip, (unsigned)cfg->offset[r])) == NULL) {
			ret = errno_err(errno);
			eg_errbuf(err, errlen, "gpio: line %d: %s", cfg->offset[r], strerror(errno));
			goto out;
		}
		if (r == GATE_LINE_RELAY)
			rc = gpiod_line_request_output_flags(l, GG_CONSUMER, flags_of(cfg,
			    (enum gate_line_role)r), 0);
		else
			rc = gpiod_line_request_both_edges_events_flags(l, GG_CONSUMER,
			    flags_of(cfg, (enum gate_line_role)r));
		if (rc != 0) {
			int e = errno;
			const char *who = gpiod_line_consumer(l);

			ret = errno_err(e);
			eg_errbuf(err, errlen, "gpio: %s line %d: %s%s%s", gate_line_role_str(
			    (enum gate_line_role)r), cfg->offset[r], strerror(e), e == EBUSY &&
			    who != NULL ? ", held by " : "", e == EBUSY && who != NULL ? who : "");
			goto out;
		}
		g->line[r] = l;
		if (r != GATE_LINE_RELAY) {
			g->role_of[gpiod_line_bulk_num_lines(&g->inputs)] = (enum gate_line_role)r;
			gpiod_line_bulk_add(&g->inputs, l);
		}
	}
	*out = g;
	g = NULL;
	ret = EG_OK;
out:
	gg_close(g);
	return ret;
}

static int
gg_set(void *ctx, enum gate_line_role role, bool active)
{
	struct gg *g = ctx;

	if (g->line[role] == NULL)
		return EG_ERR_INVAL;
	return gpiod_line_set_value(g->line[role], active ? 1 : 0) == 0 ? EG_OK : errno_err(errno);
}

static int
gg_get(void *ctx, enum gate_line_role role, bool *active)
{
	struct gg *g = ctx;
	int v;

	if (g->line[role] == NULL)
		return EG_ERR_INVAL;
	if ((v = gpiod_line_get_value(g->line[role])) < 0)
		return errno_err(errno);
	*active = v != 0;
	return EG_OK;
}

static int
gg_wait(void *ctx, unsigned timeout_ms, struct gate_line_edge *e)
{
	struct gg *g = ctx;
	struct gpiod_line_bulk ready;
	struct gpiod_line_event ev;
	struct timespec ts = { (time_t)(timeout_ms / 1000u), (long)(timeout_ms % 1000u) * 1000000L };
	int rc;

	if (gpiod_line_bulk_num_lines(&g->inputs) == 0) {
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		return EG_ERR_TIMEOUT;
	}
	gpiod_line_bulk_init(&ready);
	rc = gpiod_line_event_wait_bulk(&g->inputs, &ts, &ready);
	if (rc == 0)
		return EG_ERR_TIMEOUT;
	if (rc < 0)
		return errno == EINTR ? EG_ERR_TIMEOUT : errno_err(errno);
	for (unsigned i = 0; i < gpiod_line_bulk_num_lines(&g->inputs); i++) {
		if (g->inputs.lines[i] != gpiod_line_bulk_get_line(&ready, 0))
			continue;
		if (gpiod_line_event_read(g->inputs.lines[i], &ev) != 0)
			return errno_err(errno);
		/* edges are logical (active-low applied by the kernel); their
		 * time is CLOCK_MONOTONIC since Linux 5.7 (the engine falls back
		 * to the time it read them when it is not) */
		e->role = g->role_of[i];
		e->active = ev.event_type == GPIOD_LINE_EVENT_RISING_EDGE;
		e->at_ms = (uint64_t)ev.ts.tv_sec * 1000u + (uint64_t)ev.ts.tv_nsec / 1000000u;
		return EG_OK;
	}
	return EG_ERR_IO;
}

const struct gate_line_ops gate_gpiod_ops = {
	.name = "libgpiod",
	.open = gg_open,
	.set = gg_set,
	.get = gg_get,
	.wait = gg_wait,
	.close = gg_close,
};
