/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gate_model.h — an in-memory gate for the gate engine's tests: the GPIO
 * lines of gate_lines.h over a door that follows its relay (or does not), a
 * door-closed sensor, an optional door-open switch, a passage sensor and a
 * traveller who walks through an open door; contact bounce; a chip that goes
 * away and comes back; lines held by another program; read errors. TEST
 * ONLY.
 *
 * Time is the model's own (virtual) clock: wait() and sleep() jump to the
 * next scheduled change, so a test of a 2 s timeout takes no time and the
 * same steps happen in the same order on a busy machine. With `realtime`
 * the model follows CLOCK_MONOTONIC instead (for the tests that combine it
 * with a USB relay under umockdev); then every call takes the model's lock,
 * and the relay can be driven from another thread (gate_model_relay).
 *
 * Umockdev cannot stand in for the GPIO character device
 * (docs/testing-devices.md): a line request returns a new file descriptor
 * that an ioctl handler cannot create in the client.
 */
#ifndef EGATE_TEST_GATE_MODEL_H
#define EGATE_TEST_GATE_MODEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "egate/gate_lines.h"

#define GM_SCHED 128
#define GM_EDGES 128
#define GM_LINES 32		/* the chip's line count */

/* A scheduled change: a line's level, the chip leaving or coming back. */
enum gm_what { GM_LEVEL = 0, GM_GONE, GM_BACK };

struct gm_item {
	uint64_t at;
	enum gm_what what;
	enum gate_line_role role;
	bool level;
	bool mech;		/* the door's own travel: a new command cancels it */
};

struct gate_model {
	pthread_mutex_t lock;
	bool realtime;
	uint64_t now;			/* virtual ms (unless realtime) */
	uint64_t t0;			/* realtime: the clock at init */
	/* the lines (logical levels) */
	bool relay;
	bool level[GATE_LINE_COUNT];
	/* the door's mechanics */
	bool door_follows;		/* false: the door does not move (stuck) */
	unsigned travel_ms;		/* relay change -> the other end reached */
	unsigned bounce;		/* extra edges at each sensor change, 1 ms apart */
	/* the traveller: once the door is open, after walk_delay_ms, in the
	 * passage sensor for walk_ms, once per opening */
	bool traveller;
	unsigned walk_delay_ms, walk_ms;
	/* the chip */
	bool present;			/* open() finds it */
	bool gone;			/* every call EG_ERR_NO_DEVICE */
	bool busy;			/* open(): a line is held by another program */
	bool get_io_error;		/* get(): EG_ERR_IO */
	bool set_io_error;		/* set(): EG_ERR_IO (the relay's line refuses) */
	bool wait_io_error;		/* wait(): EG_ERR_IO (the chip's event queue fails) */
	struct gate_line_cfg cfg;	/* as open() got it */
	char chip[64];
	bool is_open;
	/* counters */
	unsigned opens, relay_on_count, relay_sets;
	/* scheduled changes and edges not yet taken */
	struct gm_item sched[GM_SCHED];
	size_t nsched;
	struct gate_line_edge edges[GM_EDGES];
	size_t nedges;
};

/* gate_model_init — a shut door that follows the relay in 300 ms, sensors
 * as the door, a traveller who walks 200 ms after the door opened for
 * 400 ms, no bounce, the chip present. realtime: see above. */
void gate_model_init(struct gate_model *m, bool realtime);
void gate_model_fini(struct gate_model *m);

/* gate_model_at — schedule a change ms from now. */
void gate_model_at(struct gate_model *m, unsigned ms, enum gm_what what, enum gate_line_role role,
    bool level);
/* gate_model_relay — the relay switched by something else (a USB relay's
 * model): the door follows as for the relay line. */
void gate_model_relay(struct gate_model *m, bool on);
/* gate_model_now — the model's clock. */
uint64_t gate_model_now(struct gate_model *m);
/* gate_model_move_door — a person moves the door by hand: open then shut
 * again, ms apart. */
void gate_model_move_door(struct gate_model *m, unsigned ms);

extern const struct gate_line_ops gate_model_lines;	/* self: struct gate_model * */
extern const struct gate_clock_ops gate_model_clock;	/* self: struct gate_model * */

#endif
