/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gate_engine.h — the one gate engine behind every backend of gate.h
 * (internal to firmware/gate). It implements the gate contract
 * (outputs.h) over:
 *
 *   - GPIO lines (struct gate_line_ops): the relay output when the relay is
 *     a GPIO line, and the sensors: door closed, door open (optional),
 *     passage (optional);
 *   - or an external relay with a read-back (struct gate_relay_ops: the USB
 *     HID board), with or without GPIO sensors next to it.
 *
 * Its states and what moves them are a table (gate_engine.c, printed into
 * docs/gate.md by egate-gate-diagram): SHUT, OPENING, OPEN, CLOSING,
 * FAULT, GONE. The door's level comes from the door sensors (debounced),
 * or, with no door sensor, from the relay's read-back.
 */
#ifndef EGATE_GATE_ENGINE_H
#define EGATE_GATE_ENGINE_H

#include <stdbool.h>
#include <stdio.h>

#include "egate/gate.h"
#include "egate/gate_lines.h"

#define GATE_CONFIRM_MS_DEFAULT 2000u
#define GATE_DEBOUNCE_MS_DEFAULT 30u
#define GATE_POLL_MS_DEFAULT 100u	/* a relay's read-back is read this often */

/* A relay that is not a GPIO line: the HID board. why gets a short reason. */
struct gate_relay_ops {
	const char *name;
	/* set — switch the relay: EG_OK, EG_ERR_NO_DEVICE, EG_ERR_DEVICE. */
	int (*set)(void *ctx, bool on, char *why, size_t cap);
	/* read — the relay's state as the board reports it: EG_OK,
	 * EG_ERR_NO_DEVICE, EG_ERR_DEVICE (a malformed or missing answer). */
	int (*read)(void *ctx, bool *on, char *why, size_t cap);
	/* reopen — after EG_ERR_NO_DEVICE: find the board again. EG_OK,
	 * EG_ERR_NOT_FOUND / EG_ERR_NO_DEVICE while it is not back, the errors
	 * of the first open otherwise. */
	int (*reopen)(void *ctx, char *why, size_t cap);
	/* detail — what status() says of this relay when nothing is wrong
	 * ("no door sensor: ..."); may be NULL. */
	const char *(*detail)(void *ctx);
	void (*close)(void *ctx);
};

struct gate_engine_cfg {
	const char *desc;			/* one line for logs and gate_desc() */
	unsigned confirm_ms, debounce_ms, poll_ms;
	/* the GPIO lines: chip "" for none */
	const char *chip;
	struct gate_line_cfg lines_cfg;
	const struct gate_line_ops *lines;
	void *lines_self;
	/* the external relay (NULL: the relay is the line GATE_LINE_RELAY);
	 * relay_ctx is the engine's from the call on (closed by gate_free,
	 * and on failure) */
	const struct gate_relay_ops *relay;
	void *relay_ctx;
	const struct gate_clock_ops *clock;
	void *clock_self;
	const struct eg_log *log;
};

/*
 * gate_engine_new — the gate over c: the lines opened, the relay driven
 * off, the sensors read. Errors: those of the line ops' open, and
 * EG_ERR_DEVICE when it must not start (the door reads open, the door
 * sensors contradict each other, the relay reads on after "off"); err gets
 * one line. *out owned by the caller (gate_free).
 */
int gate_engine_new(const struct gate_engine_cfg *c, struct gate **out, char *err, size_t errlen);

/* gate_engine_diagram — the engine's table as Markdown (docs/gate.md). */
void gate_engine_diagram(FILE *out);

#endif
