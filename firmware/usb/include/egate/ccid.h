/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccid.h — USB CCID smart-card reader driver (the passport reader).
 *
 * The driver speaks CCID bulk messages over any usb_transport (libusb, the
 * simulator, the fuzz backend): it never touches libusb itself, and all its
 * state — sequence number, selected slot, card state per slot — lives in
 * struct ccid_dev. Constants: ccid_proto.h.
 *
 * Return values are eg_err. What the reader itself said (bStatus, bError,
 * card state) goes to a struct ccid_status out-parameter:
 *
 *   EG_OK             the command was processed
 *   EG_ERR_NO_CARD    no card in the slot, or the card is mute (bError 0xFE)
 *   EG_ERR_DEVICE     the reader reported a hardware error (0xFB), a parity
 *                     or overrun error, or a bad ATR
 *   EG_ERR_UNSUPPORTED reader said "command not supported" (bError 0), or an
 *                     APDU longer than the reader's exchange level allows
 *   EG_ERR_BUSY       slot busy (0xE0) or busy with an automatic sequence
 *   EG_ERR_CANCELLED  command aborted (0xFF)
 *   EG_ERR_INVAL      a bad argument, or the reader named a bad parameter
 *   EG_ERR_PROTOCOL   the reply broke CCID: wrong message type, slot or
 *                     sequence number, dwLength not matching the bytes
 *                     received or above dwMaxCCIDMessageLength, short header,
 *                     bad chaining. The driver drains stale replies before the
 *                     next command, so the next call works.
 *   EG_ERR_IO         an endpoint stalled; the driver cleared the halt, the
 *                     next call works
 *   EG_ERR_TIMEOUT    no reply in time (including the time-extension cap);
 *                     should the reply still come, it is recognised by its
 *                     older sequence number and skipped
 *   EG_ERR_NO_DEVICE  reader unplugged: every call fails this way until
 *                     ccid_reconnect() succeeds
 *   EG_ERR_OVERFLOW   the reply does not fit the caller's buffer
 *
 * Time extension: a reply with bmCommandStatus = 2 (bStatus 0x80) means "the
 * card needs more time"; the driver reads again with the timeout multiplied by
 * bError (at least 1), each wait capped at ccid_opts.max_wait_ms and at most
 * CCID_MAX_TIME_EXT replies in a row.
 *
 * Exchange level: readers at short- or extended-APDU level are supported.
 * At extended level, commands and responses longer than
 * dwMaxCCIDMessageLength - 10 are chained with wLevelParameter /
 * bChainParameter. TPDU- and character-level readers are refused at open
 * (EG_ERR_UNSUPPORTED): egate does not implement T=1 framing.
 */
#ifndef EGATE_CCID_H
#define EGATE_CCID_H

#include <stddef.h>
#include <stdint.h>

#include "egate/usb_profile.h"
#include "egate/usb_transport.h"

#define CCID_MAX_SLOTS       16
#define CCID_MAX_ATR         33
#define CCID_MAX_TIME_EXT    64

/* The class descriptor (CCID 1.1 section 5.1), field by field. */
struct ccid_desc {
	uint16_t bcd_ccid;
	uint8_t max_slot_index;
	uint8_t voltage_support;
	uint32_t protocols;
	uint32_t default_clock, max_clock;
	uint8_t num_clocks;
	uint32_t data_rate, max_data_rate;
	uint8_t num_data_rates;
	uint32_t max_ifsd;
	uint32_t sync_protocols;
	uint32_t mechanical;
	uint32_t features;
	uint32_t max_message;
	uint8_t class_get_response, class_envelope;
	uint16_t lcd_layout;
	uint8_t pin_support;
	uint8_t max_busy_slots;
};

enum ccid_level {
	CCID_EXCHANGE_CHARACTER = 0,
	CCID_EXCHANGE_TPDU,
	CCID_EXCHANGE_SHORT_APDU,
	CCID_EXCHANGE_EXTENDED_APDU,
};

/*
 * ccid_desc_parse — find and parse the CCID class descriptor in the
 * class-specific bytes of an interface (a sequence of descriptors, each
 * bLength, bDescriptorType, ...). EG_OK; EG_ERR_NOT_FOUND when no descriptor
 * of type 0x21 is present; EG_ERR_FORMAT when one is present but bLength is
 * not 54, bMaxSlotIndex >= CCID_MAX_SLOTS, dwMaxCCIDMessageLength is outside
 * 271..65544, or a descriptor header runs past the end.
 */
int ccid_desc_parse(const uint8_t *extra, size_t len, struct ccid_desc *d);

/* ccid_desc_level — the exchange level dwFeatures announces. */
enum ccid_level ccid_desc_level(const struct ccid_desc *d);

/* What the reader said in its last reply. */
struct ccid_status {
	uint8_t bstatus;	/* raw bStatus */
	uint8_t berror;		/* raw bError */
	uint8_t icc;		/* CCID_ICC_ACTIVE / _INACTIVE / _ABSENT */
	uint8_t chain;		/* bChainParameter of the last DataBlock */
	unsigned time_ext;	/* time-extension replies waited for */
};

/* ccid_error_str — name of a bError value ("ICC_MUTE"); static, never NULL. */
const char *ccid_error_str(uint8_t berror);

struct eg_log;

struct ccid_opts {
	unsigned timeout_ms;	/* one command's reply; default 5000 */
	unsigned max_wait_ms;	/* cap of one time-extended wait; default 60000 */
	/* Optional logger (borrowed, may be NULL): one line per open,
	 * reconnect, unplug, stall, protocol violation (with the field that was
	 * wrong), reader-reported failure and time extension. APDU contents are
	 * never logged (they carry personal data). */
	const struct eg_log *log;
};

struct ccid_info {
	uint16_t vid, pid;
	char name[USB_PROFILE_NAME_MAX];	/* from the profile, or "" */
	uint32_t max_message;	/* effective dwMaxCCIDMessageLength */
	enum ccid_level level;
	uint8_t max_slot_index;
	uint8_t slot;		/* selected slot */
	uint32_t quirks;
};

enum ccid_event_type {
	CCID_EVENT_CARD_PLACED = 1,
	CCID_EVENT_CARD_REMOVED,
	CCID_EVENT_HW_ERROR,
};

struct ccid_event {
	enum ccid_event_type type;
	uint8_t slot;
	uint8_t hw_error;	/* CCID_EVENT_HW_ERROR: bHardwareErrorCode */
};

struct ccid_dev;

/*
 * ccid_open — open the first reader matching m (m->iface_class is forced to
 * 0x0B) through transport t, read and check its CCID descriptor, and look it
 * up in profiles (may be NULL; a reader missing from it still works, with
 * the descriptor's values). When the profile gives a smaller max message
 * length than the descriptor, the smaller one is used. t and profiles are
 * borrowed and must outlive the device; opts may be NULL for defaults.
 * On success *out is owned by the caller (ccid_free).
 * Errors: the transport's open errors, EG_ERR_FORMAT/NOT_FOUND for a bad or
 * missing descriptor, EG_ERR_UNSUPPORTED for TPDU/character level readers,
 * EG_ERR_NOMEM.
 */
int ccid_open(struct ccid_dev **out, const struct usb_transport *t,
    const struct usb_match *m, const struct usb_profile_table *profiles,
    const struct ccid_opts *opts);

/* ccid_free — close and free; sets *d to NULL. NULL allowed. */
void ccid_free(struct ccid_dev **d);

/* ccid_get_info — identity and limits of the open reader (copied to *info). */
void ccid_get_info(const struct ccid_dev *d, struct ccid_info *info);

/* ccid_select_slot — the slot later commands go to (default 0).
 * EG_ERR_INVAL beyond bMaxSlotIndex. */
int ccid_select_slot(struct ccid_dev *d, uint8_t slot);

/*
 * ccid_power_on — IccPowerOn; the ATR (up to CCID_MAX_ATR bytes) goes to
 * atr[0..cap), its length to *atr_len. st may be NULL.
 */
int ccid_power_on(struct ccid_dev *d, uint8_t *atr, size_t cap,
    size_t *atr_len, struct ccid_status *st);
/* ccid_power_off — IccPowerOff. */
int ccid_power_off(struct ccid_dev *d, struct ccid_status *st);
/* ccid_slot_status — GetSlotStatus: card state in st->icc. */
int ccid_slot_status(struct ccid_dev *d, struct ccid_status *st);

/*
 * ccid_xfr_block — send a command APDU, receive the response APDU into
 * rapdu[0..cap) (*rlen bytes). Chains both ways as needed (see above).
 */
int ccid_xfr_block(struct ccid_dev *d, const uint8_t *capdu, size_t clen,
    uint8_t *rapdu, size_t cap, size_t *rlen, struct ccid_status *st);

/*
 * ccid_transmit — ccid_xfr_block with the card-transport shape
 * transmit(ctx, capdu, clen, rapdu, cap, &rlen) used by the APDU layer; the
 * reader status of the last call is kept for ccid_last_status().
 */
int ccid_transmit(struct ccid_dev *d, const uint8_t *capdu, size_t clen,
    uint8_t *rapdu, size_t cap, size_t *rlen);
/* ccid_last_status — the status of the last command sent on this device. */
void ccid_last_status(const struct ccid_dev *d, struct ccid_status *st);

/* ccid_escape — a vendor Escape command (PC_to_RDR_Escape/RDR_to_PC_Escape). */
int ccid_escape(struct ccid_dev *d, const uint8_t *in, size_t inlen,
    uint8_t *out, size_t cap, size_t *outlen, struct ccid_status *st);

/*
 * ccid_abort — abort what the selected slot is doing (CCID 1.1 section 5.3.1:
 * the ABORT class request on EP0, then PC_to_RDR_Abort with the same
 * sequence number). Use it after EG_ERR_TIMEOUT or to cancel a long read
 * when the traveller takes the document away. EG_OK when the reader
 * confirms; the control transfer's errors; as for other commands.
 */
int ccid_abort(struct ccid_dev *d, struct ccid_status *st);

/*
 * ccid_wait_event — wait up to timeout_ms for a card placed in / removed
 * from a slot (NotifySlotChange on the interrupt endpoint) or a hardware
 * error report. Readers without an interrupt endpoint, or with the
 * no_notify quirk, are polled with GetSlotStatus on the selected slot.
 * EG_OK with *ev filled; EG_ERR_TIMEOUT when nothing happened;
 * EG_ERR_PROTOCOL for a malformed interrupt message.
 */
int ccid_wait_event(struct ccid_dev *d, unsigned timeout_ms,
    struct ccid_event *ev);

/*
 * ccid_reconnect — after EG_ERR_NO_DEVICE: close the dead handle and open the
 * same reader again (same VID/PID and serial; bus address may differ), re-read
 * its descriptor and start a fresh sequence. Card state is reset (the card
 * must be powered on again). EG_OK, or EG_ERR_NOT_FOUND while it is not back.
 */
int ccid_reconnect(struct ccid_dev *d);

#endif
