/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hidkbd.h — the decoder of a "keyboard wedge" MRZ reader: USB HID boot
 * keyboard input reports (hid_proto.h) in, MRZ lines out. Pure: no USB, no
 * clock, no allocation — the hid backend of the MRZ source (mrzsrc.h) reads
 * the reports, the unit test and the fuzz target feed them directly.
 *
 * A key-down is a usage in a report's six key slots that was not in the
 * previous report taken: a key held over several reports is one keypress,
 * so a reader types "<<" as [<] [] [<]. An ErrorRollOver ("phantom") report
 * (slots 0x01) says nothing about the keys and is ignored: the previous
 * state stays. US layout: usages A..Z give 'A'..'Z' with or without Shift
 * (the MRZ is upper case), 1..9, 0 and the keypad digits give digits
 * (Shift with a top-row digit is a symbol: an error), Shift+',' gives '<',
 * Enter or keypad Enter ends the line. Anything else — another key, ',' or
 * a digit with Shift, Ctrl/Alt/GUI with a key, POSTFail/ErrorUndefined
 * slots, a report that is not 8 bytes — spoils the line: it is reported
 * as EG_ERR_FORMAT when its Enter comes, with a reason that names the usage
 * and column (never the text).
 *
 * Lines are framed as mrzdev_read_line frames CDC-ACM lines: empty lines
 * are skipped, a line over MRZDEV_MAX_LINE is EG_ERR_OVERFLOW, and a spoilt
 * line is discarded up to its Enter, so the next line starts clean.
 *
 * MRZ text is personal data: the decoder wipes the characters it has handed
 * out; hidkbd_wipe clears everything. The struct is the caller's (stack or
 * embedded); there is nothing to free.
 */
#ifndef EGATE_HIDKBD_H
#define EGATE_HIDKBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "egate/hid_proto.h"
#include "egate/mrzdev.h"

struct hidkbd {
	uint8_t prev[HID_BOOT_KBD_KEYS];	/* keys down in the last report taken */
	char pend[HID_BOOT_KBD_KEYS];		/* decoded key-downs not yet consumed */
	uint8_t pend_usage[HID_BOOT_KBD_KEYS];	/* their usages (for the reason) */
	size_t pend_off, pend_len;
	char cur[MRZDEV_MAX_LINE + 1];		/* the line being typed */
	size_t cur_len;
	bool cur_bad, cur_long;
	char cur_why[96];			/* the first fault of this line */
	char why[96];				/* why the last line was refused */
};

/* hidkbd_init — an empty decoder: no key down, no line. Cannot fail. */
void hidkbd_init(struct hidkbd *k);
/* hidkbd_wipe — wipe everything (eg_memzero) and start again as after
 * hidkbd_init (a reader unplugged or closed). NULL allowed. */
void hidkbd_wipe(struct hidkbd *k);

/*
 * hidkbd_push — take one input report (len bytes; a boot keyboard report
 * has 8). Its key-downs wait in the decoder until hidkbd_next_line consumes
 * them. A malformed report spoils the current line (see above) and leaves
 * the key state as it was. EG_OK; EG_ERR_BUSY when key-downs of the last
 * report are still waiting (call hidkbd_next_line until EG_ERR_TRUNCATED
 * first); EG_ERR_INVAL (k NULL, or rep NULL with len > 0).
 */
int hidkbd_push(struct hidkbd *k, const uint8_t *rep, size_t len);

/*
 * hidkbd_garbled — the transport lost or mangled a report (babble, CRC
 * error): the current line is spoilt with reason `what` (a short constant
 * string, no personal data). Key state stays. NULL k allowed.
 */
void hidkbd_garbled(struct hidkbd *k, const char *what);

/*
 * hidkbd_next_line — consume waiting key-downs up to the next Enter. EG_OK:
 * the line, without Enter, NUL-terminated in line[0..cap); EG_ERR_FORMAT:
 * the line was spoilt (hidkbd_why says how); EG_ERR_OVERFLOW: it was over
 * MRZDEV_MAX_LINE or cap - 1; EG_ERR_TRUNCATED: every key-down is consumed
 * and no line is complete yet (push the next report); EG_ERR_INVAL. line
 * is "" unless EG_OK.
 */
int hidkbd_next_line(struct hidkbd *k, char *line, size_t cap);

/* hidkbd_why — why the last line was refused (EG_ERR_FORMAT or
 * EG_ERR_OVERFLOW); "" otherwise. Owned by k; never personal data. */
const char *hidkbd_why(const struct hidkbd *k);

#endif
