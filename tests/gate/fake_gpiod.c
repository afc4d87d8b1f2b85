/* SPDX-License-Identifier: Apache-2.0 */
/* fake_gpiod.c — libgpiod 1.6's v1 API as gate_gpiod.c uses it, over a
 * modelled chip (see fake_gpiod.h). TEST ONLY. */
#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_gpiod.h"

struct gpiod_line {
	unsigned offset;
};

struct gpiod_chip {
	struct gpiod_line line[FG_LINES];
};

static struct fake_gpiod W;

struct fake_gpiod *
fake_gpiod_world(void)
{
	return &W;
}

void
fake_gpiod_reset(void)
{
	memset(&W, 0, sizeof(W));
	W.name = "gpiochip0";
	W.label = "egate-test";
	W.present = true;
	W.relay = 0;
	W.door_closed = 1;
	W.door_open = 2;
	W.passage = 3;
	W.relay_on_level = 1;
	W.closed_level = 0;
	W.travel_ms = 300;
	W.walk_ms = 200;
	W.door_follows = true;
	W.traveller = true;
	W.held_offset = -1;
	W.now_ms = 5000;
	for (int i = 0; i < FG_LINES; i++)
		W.phys[i] = 1;		/* pulled up: open switches read high */
	W.phys[W.relay] = 0;
	W.phys[W.door_closed] = W.closed_level;	/* the door is shut */
}

static void
sched(uint64_t at, int offset, int phys)
{
	unsigned i = W.nsched;

	if (offset < 0 || W.nsched == FG_SCHED)
		return;
	while (i > 0 && W.sched[i - 1].at > at) {
		W.sched[i] = W.sched[i - 1];
		i--;
	}
	W.sched[i].at = at;
	W.sched[i].offset = offset;
	W.sched[i].phys = phys;
	W.nsched++;
}

void
fake_gpiod_at(unsigned ms, int offset, int phys)
{
	sched(W.now_ms + ms, offset, phys);
}

/* A pin changes: an edge for a line requested for events. */
static void
pin(int offset, int phys, uint64_t at)
{
	if (W.phys[offset] == phys)
		return;
	W.phys[offset] = phys;
	if (W.requested[offset] && !W.output[offset] && W.nev[offset] < 32) {
		W.ev[offset][W.nev[offset]].at = at;
		W.ev[offset][W.nev[offset]].rising = phys != 0;
		W.nev[offset]++;
	}
}

static void
run_until(uint64_t t)
{
	while (W.nsched > 0 && W.sched[0].at <= t) {
		if (W.sched[0].at > W.now_ms)
			W.now_ms = W.sched[0].at;
		pin(W.sched[0].offset, W.sched[0].phys, W.sched[0].at);
		memmove(&W.sched[0], &W.sched[1], (W.nsched - 1) * sizeof(W.sched[0]));
		W.nsched--;
	}
	if (t > W.now_ms)
		W.now_ms = t;
}

/* The relay pin moved: the door follows it. */
static void
relay_moved(bool energised)
{
	int open = !W.closed_level, closed = W.closed_level;

	if (!W.door_follows)
		return;
	if (energised) {
		W.relay_energised++;
		fake_gpiod_at(10, W.door_closed, open);
		fake_gpiod_at(W.travel_ms, W.door_open, closed);
		if (W.traveller) {
			fake_gpiod_at(W.travel_ms + 100, W.passage, closed);
			fake_gpiod_at(W.travel_ms + 100 + W.walk_ms, W.passage, open);
		}
	} else {
		fake_gpiod_at(10, W.door_open, open);
		fake_gpiod_at(W.travel_ms, W.door_closed, closed);
	}
}

static int
fail(int e)
{
	errno = e;
	return -1;
}

/* ---- the chip ---------------------------------------------------------------------------------- */

struct gpiod_chip *
gpiod_chip_open_lookup(const char *descr)
{
	struct gpiod_chip *c;
	char path[64];

	snprintf(path, sizeof(path), "/dev/%s", W.name);
	if (descr == NULL || !(strcmp(descr, W.name) == 0 || strcmp(descr, path) == 0 ||
	    strcmp(descr, W.label) == 0 || strcmp(descr, W.name + 8) == 0) || !W.present) {
		errno = ENOENT;
		return NULL;
	}
	if (W.no_perm) {
		errno = EACCES;
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	for (unsigned i = 0; i < FG_LINES; i++)
		c->line[i].offset = i;
	return c;
}

void
gpiod_chip_close(struct gpiod_chip *chip)
{
	if (chip == NULL)
		return;
	/* the kernel releases every line of the chip's requests */
	for (int i = 0; i < FG_LINES; i++) {
		W.requested[i] = W.output[i] = false;
		W.nev[i] = 0;
		W.consumer[i][0] = '\0';
	}
	free(chip);
}

const char *
gpiod_chip_name(struct gpiod_chip *chip)
{
	(void)chip;
	return W.name;
}

unsigned int
gpiod_chip_num_lines(struct gpiod_chip *chip)
{
	(void)chip;
	return FG_LINES;
}

struct gpiod_line *
gpiod_chip_get_line(struct gpiod_chip *chip, unsigned int offset)
{
	if (offset >= FG_LINES) {
		errno = EINVAL;
		return NULL;
	}
	return &chip->line[offset];
}

/* ---- requests ------------------------------------------------------------------------------- */

static int
request(struct gpiod_line *l, const char *consumer, int flags, bool output)
{
	unsigned o = l->offset;

	if (W.gone)
		return fail(ENODEV);
	if ((int)o == W.held_offset)
		return fail(EBUSY);
	if (W.requested[o])
		return fail(EBUSY);
	W.requested[o] = true;
	W.output[o] = output;
	W.flags[o] = flags;
	W.nev[o] = 0;
	snprintf(W.consumer[o], sizeof(W.consumer[o]), "%s", consumer != NULL ? consumer : "");
	return 0;
}

int
gpiod_line_request_output_flags(struct gpiod_line *line, const char *consumer, int flags,
    int default_val)
{
	bool al = (flags & GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) != 0;
	int phys = (default_val != 0) != al;

	if (request(line, consumer, flags, true) != 0)
		return -1;
	if (W.phys[line->offset] != phys) {
		W.phys[line->offset] = phys;
		if ((int)line->offset == W.relay)
			relay_moved(phys == W.relay_on_level);
	}
	return 0;
}

int
gpiod_line_request_both_edges_events_flags(struct gpiod_line *line, const char *consumer,
    int flags)
{
	return request(line, consumer, flags, false);
}

const char *
gpiod_line_consumer(struct gpiod_line *line)
{
	if ((int)line->offset == W.held_offset)
		return "gpio-door-daemon";
	return W.consumer[line->offset][0] ? W.consumer[line->offset] : NULL;
}

/* ---- values: logical = physical, inverted for active-low lines ------------------------------- */

static bool
active_low(unsigned o)
{
	return (W.flags[o] & GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) != 0;
}

int
gpiod_line_set_value(struct gpiod_line *line, int value)
{
	unsigned o = line->offset;
	int phys;

	if (W.gone)
		return fail(ENODEV);
	if (!W.requested[o] || !W.output[o])
		return fail(EPERM);
	run_until(W.now_ms);
	phys = (value != 0) != active_low(o);
	if (W.phys[o] != phys) {
		W.phys[o] = phys;
		if ((int)o == W.relay)
			relay_moved(phys == W.relay_on_level);
	}
	return 0;
}

int
gpiod_line_get_value(struct gpiod_line *line)
{
	unsigned o = line->offset;

	if (W.gone)
		return fail(ENODEV);
	if (!W.requested[o])
		return fail(EPERM);
	run_until(W.now_ms);
	return (W.phys[o] != 0) != active_low(o);
}

/* ---- events -------------------------------------------------------------------------------- */

int
gpiod_line_event_wait_bulk(struct gpiod_line_bulk *bulk, const struct timespec *timeout,
    struct gpiod_line_bulk *event_bulk)
{
	uint64_t deadline = W.now_ms + (uint64_t)timeout->tv_sec * 1000u +
	    (uint64_t)timeout->tv_nsec / 1000000u;

	for (;;) {
		unsigned ready = 0;

		if (W.gone)
			return fail(ENODEV);
		gpiod_line_bulk_init(event_bulk);
		for (unsigned i = 0; i < bulk->num_lines; i++)
			if (W.nev[bulk->lines[i]->offset] > 0) {
				gpiod_line_bulk_add(event_bulk, bulk->lines[i]);
				ready++;
			}
		if (ready > 0)
			return 1;
		if (W.nsched == 0 || W.sched[0].at > deadline) {
			run_until(deadline);
			return 0;
		}
		run_until(W.sched[0].at);
	}
}

int
gpiod_line_event_read(struct gpiod_line *line, struct gpiod_line_event *event)
{
	unsigned o = line->offset;
	bool rising;

	if (W.gone)
		return fail(ENODEV);
	if (W.nev[o] == 0)
		return fail(EAGAIN);
	/* the kernel reports edges of active-low lines inverted */
	rising = W.ev[o][0].rising != active_low(o);
	memset(event, 0, sizeof(*event));
	event->event_type = rising ? GPIOD_LINE_EVENT_RISING_EDGE : GPIOD_LINE_EVENT_FALLING_EDGE;
	event->ts.tv_sec = (time_t)(W.ev[o][0].at / 1000u);
	event->ts.tv_nsec = (long)(W.ev[o][0].at % 1000u) * 1000000L;
	memmove(&W.ev[o][0], &W.ev[o][1], (W.nev[o] - 1) * sizeof(W.ev[o][0]));
	W.nev[o]--;
	return 0;
}

/* ---- the clock ----------------------------------------------------------------------------- */

static uint64_t
fg_now(void *self)
{
	(void)self;
	return W.now_ms;
}

static void
fg_sleep(void *self, unsigned ms)
{
	(void)self;
	run_until(W.now_ms + ms);
}

const struct gate_clock_ops fake_gpiod_clock = { .now_ms = fg_now, .sleep_ms = fg_sleep };
