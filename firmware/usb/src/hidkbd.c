/* SPDX-License-Identifier: Apache-2.0 */
/* hidkbd.c — boot keyboard reports to MRZ lines (see hidkbd.h). */
#include <stdio.h>
#include <string.h>

#include "egate/error.h"
#include "egate/hidkbd.h"
#include "egate/secure.h"

#define KEY_BAD   '\0'	/* a key-down that is no MRZ character */
#define KEY_ENTER '\n'

void
hidkbd_init(struct hidkbd *k)
{
	if (k != NULL)
		memset(k, 0, sizeof(*k));
}

void
hidkbd_wipe(struct hidkbd *k)
{
	if (k != NULL)
		eg_memzero(k, sizeof(*k));
}

/* The first fault of a line is the one reported. */
static void
spoil(struct hidkbd *k, const char *what, unsigned usage, bool with_usage)
{
	if (!k->cur_bad) {
		if (with_usage)
			snprintf(k->cur_why, sizeof(k->cur_why), "%s (usage 0x%02X) at column %zu",
			    what, usage, k->cur_len + 1);
		else
			snprintf(k->cur_why, sizeof(k->cur_why), "%s at column %zu", what,
			    k->cur_len + 1);
	}
	k->cur_bad = true;
}

void
hidkbd_garbled(struct hidkbd *k, const char *what)
{
	if (k != NULL)
		spoil(k, what != NULL ? what : "garbled report", 0, false);
}

/* One key-down: its character, KEY_ENTER, or KEY_BAD. */
static char
key_char(uint8_t usage, uint8_t mods)
{
	bool shift = (mods & HID_MOD_SHIFT) != 0;

	if (mods & (uint8_t)~HID_MOD_SHIFT)
		return KEY_BAD;		/* Ctrl, Alt or GUI: a shortcut, not text */
	if (usage >= HID_KEY_A && usage <= HID_KEY_Z)
		return (char)('A' + (usage - HID_KEY_A));
	if (usage >= HID_KEY_1 && usage <= HID_KEY_9)
		return shift ? KEY_BAD : (char)('1' + (usage - HID_KEY_1));
	if (usage == HID_KEY_0)
		return shift ? KEY_BAD : '0';
	if (usage >= HID_KEY_KP_1 && usage <= HID_KEY_KP_9)
		return (char)('1' + (usage - HID_KEY_KP_1));
	if (usage == HID_KEY_KP_0)
		return '0';
	if (usage == HID_KEY_ENTER || usage == HID_KEY_KP_ENTER)
		return KEY_ENTER;
	if (usage == HID_KEY_COMMA)
		return shift ? '<' : KEY_BAD;
	return KEY_BAD;
}

static bool
in_keys(const uint8_t *keys, size_t n, uint8_t usage)
{
	for (size_t i = 0; i < n; i++)
		if (keys[i] == usage)
			return true;
	return false;
}

int
hidkbd_push(struct hidkbd *k, const uint8_t *rep, size_t len)
{
	const uint8_t *keys;
	uint8_t mods;

	if (k == NULL || (rep == NULL && len > 0))
		return EG_ERR_INVAL;
	if (k->pend_off < k->pend_len)
		return EG_ERR_BUSY;
	eg_memzero(k->pend, sizeof(k->pend));
	k->pend_off = k->pend_len = 0;
	if (len != HID_BOOT_KBD_REPORT_LEN) {
		char what[48];

		snprintf(what, sizeof(what), "a report of %zu bytes, not %u", len,
		    HID_BOOT_KBD_REPORT_LEN);
		spoil(k, what, 0, false);
		return EG_OK;
	}
	mods = rep[0];
	keys = rep + HID_BOOT_KBD_KEY0;
	for (size_t i = 0; i < HID_BOOT_KBD_KEYS; i++) {
		if (keys[i] == HID_KEY_ERR_ROLLOVER)
			return EG_OK;	/* phantom state: keep the previous keys */
		if (keys[i] == HID_KEY_POST_FAIL || keys[i] == HID_KEY_ERR_UNDEFINED) {
			spoil(k, "the reader reports a keyboard error", keys[i], true);
			return EG_OK;
		}
	}
	for (size_t i = 0; i < HID_BOOT_KBD_KEYS; i++) {
		uint8_t u = keys[i];

		if (u == HID_KEY_NONE || in_keys(k->prev, HID_BOOT_KBD_KEYS, u) ||
		    in_keys(keys, i, u))
			continue;	/* no key, held, or twice in one report */
		k->pend[k->pend_len] = key_char(u, mods);
		k->pend_usage[k->pend_len] = u;
		k->pend_len++;
	}
	memcpy(k->prev, keys, HID_BOOT_KBD_KEYS);
	return EG_OK;
}

static void
line_reset(struct hidkbd *k)
{
	eg_memzero(k->cur, sizeof(k->cur));
	k->cur_len = 0;
	k->cur_bad = k->cur_long = false;
	k->cur_why[0] = '\0';
}

int
hidkbd_next_line(struct hidkbd *k, char *line, size_t cap)
{
	int ret;

	if (k == NULL || line == NULL || cap == 0)
		return EG_ERR_INVAL;
	line[0] = '\0';
	while (k->pend_off < k->pend_len) {
		size_t i = k->pend_off++;
		char c = k->pend[i];

		k->pend[i] = '\0';
		if (c == KEY_ENTER) {
			if (k->cur_len == 0 && !k->cur_bad && !k->cur_long)
				continue;	/* empty line */
			k->why[0] = '\0';
			if (k->cur_long || k->cur_len >= cap) {
				snprintf(k->why, sizeof(k->why), "a line over %zu characters",
				    k->cur_long || cap - 1 > MRZDEV_MAX_LINE ?
				    (size_t)MRZDEV_MAX_LINE : cap - 1);
				ret = EG_ERR_OVERFLOW;
			} else if (k->cur_bad) {
				snprintf(k->why, sizeof(k->why), "%s", k->cur_why);
				ret = EG_ERR_FORMAT;
			} else {
				memcpy(line, k->cur, k->cur_len);
				line[k->cur_len] = '\0';
				ret = EG_OK;
			}
			line_reset(k);
			return ret;
		}
		if (c == KEY_BAD)
			spoil(k, "a key that is no MRZ character", k->pend_usage[i], true);
		else if (k->cur_len >= MRZDEV_MAX_LINE)
			k->cur_long = true;
		else
			k->cur[k->cur_len++] = c;
	}
	return EG_ERR_TRUNCATED;
}

const char *
hidkbd_why(const struct hidkbd *k)
{
	return k != NULL ? k->why : "";
}
