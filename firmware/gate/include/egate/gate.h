/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gate.h — the product's gate backends behind the gate contract of
 * firmware/kiosk/outputs.h (struct gate_ops), chosen at run time from a
 * spec string, `[devices] gate` of egate-kiosk.conf(5) (docs/kiosk.md,
 * "The gate"):
 *
 *   gpio:CHIP:relay=N,door=M[,door-open=O][,passage=K][,OPTIONS]
 *       a relay on GPIO line N of CHIP (libgpiod), the door-closed sensor
 *       on line M (a door-open limit switch on O), the passage sensor on K
 *   hidrelay[:VID:PID][,channel=N][,chip=CHIP,door=M[,door-open=O][,passage=K]][,OPTIONS]
 *       channel N (1..8) of a "USBRelay" HID board (default 16c0:05df,
 *       channel 1) over libusb; without chip= the door is the relay's own
 *       read-back (such a board has no door sensor), with chip= the door and
 *       passage sensors are GPIO lines of CHIP
 *   OPTIONS  active-low=ROLE[+ROLE...]  (relay, door, door-open, passage)
 *            bias=pull-up|pull-down|disable   (the sensor inputs)
 *            confirm=MS   the door must follow the relay within MS (2000)
 *            debounce=MS  a sensor counts once steady for MS (30)
 *
 * Every backend is the same engine (gate_engine.c, the table of
 * docs/gate.md) over two pieces: the GPIO lines (struct gate_line_ops:
 * libgpiod in gate_gpiod.c, an in-memory model in the tests) and, for the
 * HID board, a relay with a read-back (gate_hidrelay.c).
 *
 *   struct gate *g;
 *   gate_open("gpio:gpiochip0:relay=17,door=27,passage=22", &o, &g, err, sizeof(err));
 *   kiosk_devices.gate = gate_get_ops(g); kiosk_devices.gate_ctx = g;
 *   ...
 *   gate_free(&g);        // the relay released (gate shut) and the lines let go
 *
 * A struct gate is used by one thread at a time.
 */
#ifndef EGATE_GATE_H
#define EGATE_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "egate/gate_lines.h"
#include "egate/log.h"
#include "egate/usb_transport.h"
#include "outputs.h"

struct gate;

struct gate_opts {
	const struct eg_log *log;		/* may be NULL */
	/* the GPIO lines (NULL: libgpiod, gate_gpiod_ops) and their self */
	const struct gate_line_ops *lines;
	void *lines_self;
	/* the clock (NULL: CLOCK_MONOTONIC and nanosleep) */
	const struct gate_clock_ops *clock;
	void *clock_self;
	/* the USB transport of the HID relay (borrowed; NULL: a libusb
	 * context of the gate's own) */
	const struct usb_transport *usb;
	/* appended to the list of backends in an "unknown backend" error
	 * (the daemon's other backends, "sim, lane"); may be NULL */
	const char *extra_usage;
};

/*
 * gate_open — parse spec, open the hardware, drive the relay off and read
 * the sensors. o may be NULL (defaults). On success *out is owned by the
 * caller (gate_free). err (may be NULL) gets one line on failure.
 * Errors: EG_ERR_INVAL (a bad spec, a line beyond the chip, a channel the
 * board does not have: the configuration's fault), EG_ERR_NOT_FOUND (no
 * such chip, no such board), EG_ERR_NO_DEVICE (it went away while opening),
 * EG_ERR_PERM (no access: docs/kiosk.md, udev), EG_ERR_BUSY (a line or the
 * board is held by another program), EG_ERR_UNSUPPORTED (a device at that
 * VID:PID that is not a USBRelay board), EG_ERR_DEVICE (it answered, but
 * in a state the gate must not start in: the door open with the relay off,
 * sensors that contradict each other, a relay that reads on; err says
 * which), EG_ERR_IO, EG_ERR_NOMEM.
 */
int gate_open(const char *spec, const struct gate_opts *o, struct gate **out, char *err,
    size_t errlen);

/* gate_free — drive the relay off (the gate shut), release the lines and
 * the board, free; *g = NULL. NULL-safe. */
void gate_free(struct gate **g);

/* gate_get_ops — the gate contract's ops; their ctx is the struct gate
 * itself. Never NULL. */
const struct gate_ops *gate_get_ops(const struct gate *g);

/* gate_desc — one line naming the gate ("gpio:gpiochip0 relay=17 door=27
 * passage=22"), static to g. */
const char *gate_desc(const struct gate *g);

/* gate_spec_help — the specs this build takes, for messages and --help,
 * into buf[0..cap): "gpio:CHIP:relay=N,door=M[,...], hidrelay[:VID:PID][,...]". */
void gate_spec_help(char *buf, size_t cap);

/* gate_backend_named — does spec name one of this library's backends
 * ("gpio", "hidrelay")? */
bool gate_backend_named(const char *spec);

/* A spec, parsed (gate_spec_parse). */
enum gate_kind { GATE_KIND_GPIO = 0, GATE_KIND_HIDRELAY };

struct gate_spec {
	enum gate_kind kind;
	char chip[64];			/* "" for a HID relay without GPIO sensors */
	struct gate_line_cfg lines;	/* offsets -1 when absent */
	uint16_t vid, pid;		/* hidrelay */
	unsigned channel;		/* hidrelay: 1..8 */
	unsigned confirm_ms, debounce_ms;
};

/*
 * gate_spec_parse — spec (above) into *s, with the defaults filled in.
 * EG_OK or EG_ERR_INVAL with one line in err naming what is wrong (an
 * unknown key, a key given twice, a value out of range, a line used for two
 * roles, a missing relay or door line, sensors of a HID relay without
 * chip=).
 */
int gate_spec_parse(const char *spec, struct gate_spec *s, char *err, size_t errlen);

#endif
