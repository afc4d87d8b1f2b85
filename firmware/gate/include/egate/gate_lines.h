/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gate_lines.h — the GPIO lines of a gate and the clock, behind ops tables
 * (gate.h): a relay output and the sensor inputs of one GPIO chip, with
 * edge events. libgpiod stands behind gate_gpiod_ops (gate_gpiod.c, the only
 * file that calls libgpiod); the tests put an in-memory model of a door,
 * its sensors and a traveller there (umockdev cannot emulate the line
 * file descriptors of the GPIO character device: docs/testing-devices.md).
 *
 * Values are LOGICAL: "active" is after the line's active-low setting (the
 * kernel inverts active-low lines for reads, writes and edge events), so a
 * door-closed sensor reads active when the door is closed, whatever its
 * wiring.
 */
#ifndef EGATE_GATE_LINES_H
#define EGATE_GATE_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gate_line_role {
	GATE_LINE_RELAY = 0,		/* output: active = the gate commanded open */
	GATE_LINE_DOOR_CLOSED,		/* input: active = the door is shut */
	GATE_LINE_DOOR_OPEN,		/* input: active = the door is fully open (optional) */
	GATE_LINE_PASSAGE,		/* input: active = someone in the passage sensor */
	GATE_LINE_COUNT
};

enum gate_line_bias {
	GATE_BIAS_AS_IS = 0,		/* as the board's device tree left it */
	GATE_BIAS_PULL_UP,
	GATE_BIAS_PULL_DOWN,
	GATE_BIAS_DISABLE,
};

/* gate_line_role_str — "relay", "door", "door-open", "passage" (the spec's
 * names); "?" otherwise. */
const char *gate_line_role_str(enum gate_line_role r);

/* An edge on an input: its line, the level it went to, and when (the
 * kernel's CLOCK_MONOTONIC timestamp, in ms, so edges read late keep their
 * time and order: the engine debounces with them). */
struct gate_line_edge {
	enum gate_line_role role;
	bool active;
	uint64_t at_ms;
};

/* Which line of the chip plays which role. */
struct gate_line_cfg {
	int offset[GATE_LINE_COUNT];	/* -1: no such line */
	bool active_low[GATE_LINE_COUNT];
	enum gate_line_bias bias;	/* of the inputs */
};

struct gate_line_ops {
	const char *name;
	/* open — the lines of cfg on chip (a name "gpiochip0", a path, a label
	 * or a number), the relay (when cfg has one) as an output driven
	 * inactive, the others as inputs with edge events on both edges.
	 * *ctx is the caller's (close()). err gets one line. Errors:
	 * EG_ERR_NOT_FOUND (no such chip), EG_ERR_INVAL (a line beyond the
	 * chip), EG_ERR_BUSY (a line held by another consumer), EG_ERR_PERM,
	 * EG_ERR_NO_DEVICE, EG_ERR_IO, EG_ERR_NOMEM. */
	int (*open)(void *self, const char *chip, const struct gate_line_cfg *cfg, void **ctx,
	    char *err, size_t errlen);
	/* set — drive the output of role (the relay). */
	int (*set)(void *ctx, enum gate_line_role role, bool active);
	/* get — read the line of role now. */
	int (*get)(void *ctx, enum gate_line_role role, bool *active);
	/* wait — the next edge on an input within timeout_ms (0: only what is
	 * pending): EG_OK with *e, EG_ERR_TIMEOUT. Edges come in the order
	 * they happened. */
	int (*wait)(void *ctx, unsigned timeout_ms, struct gate_line_edge *e);
	/* close — release every line and the chip. NULL-safe. */
	void (*close)(void *ctx);
	/* Every call but close: EG_ERR_NO_DEVICE once the chip is gone
	 * (unbound, a USB GPIO expander unplugged), EG_ERR_IO otherwise. */
};

/* The clock the gate measures its timeouts and debouncing with. */
struct gate_clock_ops {
	uint64_t (*now_ms)(void *self);			/* monotonic milliseconds */
	void (*sleep_ms)(void *self, unsigned ms);	/* when there is no line to wait on */
};

/* libgpiod 1.6 (the GPIO character device, /dev/gpiochipN). self: NULL. */
extern const struct gate_line_ops gate_gpiod_ops;
/* CLOCK_MONOTONIC, nanosleep. self: NULL. */
extern const struct gate_clock_ops gate_clock_monotonic;

#endif
