/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fake_gpiod.h — a libgpiod 1.6 stand-in for tests/gate/test_gate_gpiod.c.
 * TEST ONLY.
 *
 * This machine's kernel has no gpio-sim (no CONFIG_GPIO_SIM, no configfs)
 * and umockdev cannot emulate the GPIO character device (a line request
 * returns a new file descriptor that an ioctl handler cannot create), so
 * the real gate_gpiod.c is tested against this model of libgpiod's v1 API
 * instead: fake_gpiod.c defines the gpiod_* functions gate_gpiod.c calls and
 * the test links them in place of libgpiod. It models what the kernel
 * does under that API: PHYSICAL pin levels, active-low inversion of reads,
 * writes and edges, the request flags (bias, active-low, the output's
 * initial value), lines held by another consumer (EBUSY), a chip that is not
 * there (ENOENT), no permission (EACCES), a chip unbound (ENODEV on every
 * call), and edge events with CLOCK_MONOTONIC-style timestamps, on a
 * virtual clock (fake_gpiod_clock) that wait jumps forward.
 *
 * Its world: a door on the relay line. When the relay pin goes to its
 * energised level, the door-closed switch releases after 10 ms and the
 * door-open switch closes after travel_ms; a traveller crosses the passage
 * sensor walk_ms later. De-energised: the reverse. Switches are wired as
 * the test says (closed_level: the physical level a closed switch gives).
 */
#ifndef EGATE_TEST_FAKE_GPIOD_H
#define EGATE_TEST_FAKE_GPIOD_H

#include <stdbool.h>
#include <stdint.h>

#include "egate/gate_lines.h"

#define FG_LINES 16
#define FG_SCHED 64

struct fake_gpiod {
	const char *name, *label;	/* "gpiochip0", "egate-test" */
	bool present, gone, no_perm;
	/* the wiring: which offset plays which part, and the physical level
	 * of a closed switch / an energised relay */
	int relay, door_closed, door_open, passage;
	int relay_on_level, closed_level;
	unsigned travel_ms, walk_ms;
	bool door_follows, traveller;
	/* a line another program holds */
	int held_offset;
	/* per line, as the kernel sees it */
	int phys[FG_LINES];
	bool requested[FG_LINES], output[FG_LINES];
	int flags[FG_LINES];
	char consumer[FG_LINES][32];
	/* virtual time and what is scheduled */
	uint64_t now_ms;
	struct { uint64_t at; int offset, phys; } sched[FG_SCHED];
	unsigned nsched;
	/* edges not yet read, per line: (time, rising) */
	struct { uint64_t at; bool rising; } ev[FG_LINES][32];
	unsigned nev[FG_LINES];
	unsigned relay_energised;	/* how many times */
};

/* fake_gpiod_world — the one chip (the library has no context: a global,
 * test-only). Reset to: present, 16 lines, relay=0 door=1 door-open=2
 * passage=3, relay energised high, switches closed low (pulled up, so
 * active-low in the spec), travel 300 ms, walk 200 ms, door shut. */
struct fake_gpiod *fake_gpiod_world(void);
void fake_gpiod_reset(void);
/* fake_gpiod_at — a physical level on offset, ms from now. */
void fake_gpiod_at(unsigned ms, int offset, int phys);

extern const struct gate_clock_ops fake_gpiod_clock;	/* self: NULL */

#endif
