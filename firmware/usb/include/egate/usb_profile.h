/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb_profile.h — reader profiles as data (hw/profiles/readers.ini).
 *
 * One INI section per device, named by "VID:PID" in hex:
 *
 *   [072F:223E]
 *   name = ACS ACR1252
 *   max_message = 522          ; dwMaxCCIDMessageLength, 271..65544
 *   voltage = auto             ; auto | 5V | 3V | 1.8V (IccPowerOn bPowerSelect)
 *   quirks = no_notify         ; comma-separated, see USB_QUIRK_*
 *
 * The loader is strict: unknown keys or quirks, duplicate sections or keys,
 * out-of-range numbers, overlong lines and NUL bytes are errors reported with
 * file, line, section and key (struct eg_cfg_error, as for config files).
 */
#ifndef EGATE_USB_PROFILE_H
#define EGATE_USB_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "egate/config.h"

#define USB_PROFILE_NAME_MAX 64
#define USB_PROFILE_MAX      64
#define USB_PROFILE_MAX_FILE (64 * 1024)

/* Reader has no (usable) interrupt endpoint: card presence is polled with
 * GetSlotStatus instead of waiting for NotifySlotChange. */
#define USB_QUIRK_NO_NOTIFY  0x1u

struct usb_profile {
	uint16_t vid, pid;
	char name[USB_PROFILE_NAME_MAX];
	uint32_t max_message;	/* dwMaxCCIDMessageLength the reader reports */
	uint8_t voltage;	/* CCID_VOLTAGE_* */
	uint32_t quirks;	/* USB_QUIRK_* */
};

struct usb_profile_table {
	struct usb_profile p[USB_PROFILE_MAX];
	size_t n;
};

/*
 * usb_profile_load_file / usb_profile_load_string — replace *t with the
 * profiles in a file / in len bytes of text (name used in messages).
 * Returns EG_OK; EG_ERR_IO if the file cannot be read; EG_ERR_CONFIG for any
 * content problem (details in *err, which may be NULL); EG_ERR_OVERFLOW for
 * more than USB_PROFILE_MAX profiles or a file over USB_PROFILE_MAX_FILE.
 * On error *t is left empty (n = 0).
 */
int usb_profile_load_file(const char *path, struct usb_profile_table *t,
    struct eg_cfg_error *err);
int usb_profile_load_string(const char *name, const char *text, size_t len,
    struct usb_profile_table *t, struct eg_cfg_error *err);

/* usb_profile_find — the profile for vid:pid, or NULL. Borrowed from t. */
const struct usb_profile *usb_profile_find(const struct usb_profile_table *t,
    uint16_t vid, uint16_t pid);

#endif
