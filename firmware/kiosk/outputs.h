/* SPDX-License-Identifier: Apache-2.0 */
/*
 * outputs.h — what the traveller sees and the gate does, behind ops tables
 * like the input devices: a simulated gate and a text display for the demo
 * and the tests; GPIO or USB-relay gates and a screen are further backends.
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

/* ---- gate ---- */

struct gate_ops {
	const char *name;
	/* open/close: EG_OK, or EG_ERR_DEVICE / EG_ERR_NO_DEVICE. Closing a
	 * closed gate is EG_OK. */
	int (*open)(void *ctx);
	int (*close)(void *ctx);
	/* is_open: the gate's reported state (true = open). */
	int (*is_open)(void *ctx, bool *open);
};

/* The simulated gate: a flag, a counter of openings, and a log line per
 * movement; fail_next makes the next operation fail (device tests). */
struct sim_gate {
	bool open;
	unsigned openings;
	bool fail_next;
	bool unplugged;
	const struct eg_log *log;
};

extern const struct gate_ops sim_gate_ops;

/* ---- display ---- */

struct display_ops {
	const char *name;
	/* show: put a prompt on screen in the traveller's language. */
	int (*show)(void *ctx, enum prompt_id id, enum prompt_lang lang);
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
