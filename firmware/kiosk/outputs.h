/* SPDX-License-Identifier: Apache-2.0 */
/*
 * outputs.h — what the traveller sees and the gate does, behind ops tables
 * like the input devices (kiosk.h struct kiosk_devices). This file is the
 * CONTRACT a backend implements; the backends live elsewhere: a text
 * display here (text_display_ops), the simulated gate in hw/sim/ (tests,
 * demo, simulation runner only). GPIO (libgpiod) and USB HID relay gates
 * and a browser display are further backends of the same contracts.
 *
 * Prompts exist in English and Korean (prompts.c); the advance notice that
 * automated face comparison is in use is shown with the first prompt of
 * every passage (Korea's AI Basic Act: advance notice of high-impact AI).
 */
#ifndef EGATE_OUTPUTS_H
#define EGATE_OUTPUTS_H

#include <stdbool.h>
#include <stdio.h>

#include "egate/log.h"
#include "passage.h"

enum prompt_id {
	PROMPT_PLACE_DOC,
	PROMPT_NOTICE,		/* advance notice: automated face comparison */
	PROMPT_LOOK,
	PROMPT_RETAKE,
	PROMPT_PROCEED,
	PROMPT_SEE_OFFICER,
	PROMPT_ONE_PERSON,
	PROMPT_OUT_OF_SERVICE,
	PROMPT_COUNT
};

enum prompt_lang { LANG_EN, LANG_KO, LANG_COUNT };

/* prompt_text — the text of a prompt in a language (static, UTF-8); never
 * NULL for valid arguments, NULL otherwise. */
const char *prompt_text(enum prompt_id id, enum prompt_lang lang);
/* prompt_lang_parse — "en" or "ko"; EG_OK or EG_ERR_INVAL. */
int prompt_lang_parse(const char *s, enum prompt_lang *out);

/* ---- gate ----------------------------------------------------------------

The gate contract. A gate is a relay (or motor controller) that the kiosk
commands, a door that reports where it is, and a passage sensor that sees a
person go through. Commands return at once; what the door and the sensor
do comes back as events, which the passage machine waits for with the
state's timeout (policy.timeout_ms[PS_GATE_OPENING], [PS_GATE_OPEN],
[PS_GATE_CLOSING]; docs/passage.md):

   PX_GATE_OPEN  -> open()   ... GATE_EV_DOOR_OPENED   (else: faulty gate)
                             ... GATE_EV_PASSED        (else: close anyway)
   PX_GATE_CLOSE -> close()  ... GATE_EV_DOOR_CLOSED   (else: faulty gate)

A backend:
  - reports the door's own sensor, never the command it was given: a relay
    whose door does not move must not produce DOOR_OPENED (a gate without
    a door sensor confirms from the relay's read-back, and says so in
    its documentation);
  - reports every traveller the passage sensor sees, in order (PASSED
    while the door is shut is a forced passage: report it all the same);
  - closes the gate on its own when the kiosk process dies (a relay that
    needs power to stay open: fail-closed wiring, docs/kiosk.md);
  - returns EG_ERR_NO_DEVICE from every call once the hardware is gone,
    until reconnect() succeeds; EG_ERR_DEVICE for a fault it can name (the
    relay does not answer, a sensor reads an impossible state), with the
    reason in the event's or status's detail.
*/

enum gate_door { GATE_DOOR_UNKNOWN = 0, GATE_DOOR_CLOSED, GATE_DOOR_OPEN };

enum gate_event_type {
	GATE_EV_NONE = 0,
	GATE_EV_DOOR_OPENED,	/* the door sensor reads open */
	GATE_EV_PASSED,		/* the passage sensor saw someone go through */
	GATE_EV_DOOR_CLOSED,	/* the door sensor reads closed */
	GATE_EV_FAULT,		/* the backend found a fault (detail says which) */
};

struct gate_event {
	enum gate_event_type type;
	char detail[64];
};

struct gate_status {
	enum gate_door door;
	bool commanded_open;	/* the last command was open() */
	char detail[64];	/* what is wrong, when something is */
};

struct gate_ops {
	const char *name;
	/* open / close: command the gate. EG_OK (confirmation follows as an
	 * event), EG_ERR_DEVICE, EG_ERR_NO_DEVICE. Closing a gate whose door
	 * is shut is EG_OK and produces no event. */
	int (*open)(void *ctx);
	int (*close)(void *ctx);
	/* wait_event — the next door or sensor event within timeout_ms:
	 * EG_OK with *ev, EG_ERR_TIMEOUT, EG_ERR_NO_DEVICE. */
	int (*wait_event)(void *ctx, unsigned timeout_ms, struct gate_event *ev);
	/* status — the door and the last command now. */
	int (*status)(void *ctx, struct gate_status *st);
	/* reconnect — after EG_ERR_NO_DEVICE; EG_OK once back (door state
	 * read again). NULL: the gate cannot come back by itself. */
	int (*reconnect)(void *ctx);
};

const char *gate_event_str(enum gate_event_type t);
const char *gate_door_str(enum gate_door d);

/* ---- display ---------------------------------------------------------------

What the traveller's screen shows: a prompt in the traveller's language,
and with it, when known, the progress of the passage, a countdown for the
current step and the decision. A browser display (issue 14) renders all of
it; the text display writes the prompt (and the decision) as a line. */

struct display_msg {
	enum prompt_id prompt;
	enum prompt_lang lang;
	int progress;			/* 0..100 percent of the passage; -1 none */
	int countdown_s;		/* seconds left in this step; -1 none */
	enum passage_outcome outcome;	/* PO_NONE until decided */
	const char *rule;		/* the rule that fired ("" none); borrowed */
};

struct display_ops {
	const char *name;
	/* show — put m on screen (m borrowed for the call). EG_OK, EG_ERR_IO,
	 * EG_ERR_INVAL (an unknown prompt), EG_ERR_NO_DEVICE. */
	int (*show)(void *ctx, const struct display_msg *m);
};

/* The text display: one line per prompt on a stream, both languages when
 * `bilingual` (how the demo shows it). */
struct text_display {
	FILE *out;
	bool bilingual;
	const char *prefix;	/* e.g. "[K01 display] " */
	enum prompt_id last;
};

extern const struct display_ops text_display_ops;

#endif
