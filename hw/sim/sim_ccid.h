/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_ccid.h — a simulated CCID reader at the USB message level.
 *
 * It answers bulk-out messages with bulk-in messages exactly as a reader
 * does: 10-byte headers, the command's slot and sequence number echoed,
 * chaining (wLevelParameter / bChainParameter) per its profile's maximum
 * message length, NotifySlotChange on the interrupt endpoint. It hosts a
 * card behind struct sim_card_ops. Plug it into a usb_sim bus with
 * sim_ccid_device_ops.
 *
 * Faults are armed one at a time for the NEXT command (sim_ccid_arm):
 * time extensions, a reply with the wrong sequence number / message type /
 * slot, a dwLength that does not match the bytes, a stalled endpoint, the
 * card removed mid-APDU, the reader unplugged mid-APDU.
 */
#ifndef EGATE_SIM_CCID_H
#define EGATE_SIM_CCID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "egate/usb_profile.h"
#include "egate/usb_sim.h"
#include "sim_card.h"

enum sim_ccid_fault {
	SIM_CCID_FAULT_NONE = 0,
	SIM_CCID_FAULT_TIME_EXT,	/* `count` time-extension replies first */
	SIM_CCID_FAULT_WRONG_SEQ,	/* reply carries bSeq + 1 */
	SIM_CCID_FAULT_WRONG_TYPE,	/* DataBlock <-> SlotStatus swapped */
	SIM_CCID_FAULT_WRONG_SLOT,	/* reply names bSlot + 1 */
	SIM_CCID_FAULT_BAD_LENGTH,	/* dwLength one more than the bytes sent */
	SIM_CCID_FAULT_HUGE_LENGTH,	/* dwLength above dwMaxCCIDMessageLength */
	SIM_CCID_FAULT_STALL_OUT,	/* the bulk-out endpoint stalls */
	SIM_CCID_FAULT_STALL_IN,	/* the bulk-in endpoint stalls */
	SIM_CCID_FAULT_REMOVE_CARD,	/* card taken away during the APDU */
	SIM_CCID_FAULT_REMOVE_MID_CHAIN,/* ... after the first part of a
					 * chained response was sent */
	SIM_CCID_FAULT_UNPLUG,		/* reader unplugged during the APDU */
	SIM_CCID_FAULT_HW_ERROR,	/* command fails with bError HW_ERROR */
	SIM_CCID_FAULT_LATE,		/* reply held back: it arrives just
					 * before the reply to the next command */
};

struct sim_ccid_stats {
	unsigned commands;	/* bulk-out messages taken */
	unsigned cmd_parts;	/* XfrBlock parts with wLevelParameter != 0 */
	unsigned rsp_parts;	/* DataBlocks sent with bChainParameter != 0 */
	unsigned clear_halts;
	unsigned aborts;	/* PC_to_RDR_Abort matched by an EP0 ABORT */
	unsigned last_in_timeout;	/* timeout_ms of the last bulk_in */
	size_t max_out_msg;	/* longest bulk-out message seen */
	size_t max_in_msg;	/* longest bulk-in message sent */
};

struct sim_ccid;

extern const struct usb_sim_device_ops sim_ccid_device_ops;

/* sim_ccid_new — a reader that looks like profile p (VID/PID, name, max
 * message length, quirks: no_notify removes the interrupt endpoint).
 * Plugged in, no card. EG_OK or EG_ERR_NOMEM. */
int sim_ccid_new(struct sim_ccid **out, const struct usb_profile *p);
void sim_ccid_free(struct sim_ccid **r);

/* sim_ccid_insert — place a card (borrowed); NotifySlotChange queued. */
void sim_ccid_insert(struct sim_ccid *r, const struct sim_card_ops *ops,
    void *card);
/* sim_ccid_remove — take the card away; NotifySlotChange queued. */
void sim_ccid_remove(struct sim_ccid *r);
/* sim_ccid_unplug / sim_ccid_replug — the reader leaves / comes back
 * (a new generation: old handles stay dead; queues are emptied). */
void sim_ccid_unplug(struct sim_ccid *r);
void sim_ccid_replug(struct sim_ccid *r);
/* sim_ccid_arm — a fault for the next command; count is the number of time
 * extensions (TIME_EXT) and mult the bError multiplier they carry. */
void sim_ccid_arm(struct sim_ccid *r, enum sim_ccid_fault f, unsigned count,
    uint8_t mult);
/* sim_ccid_set_features — override dwFeatures of the class descriptor
 * (e.g. a short-APDU or TPDU reader); takes effect at the next open. */
void sim_ccid_set_features(struct sim_ccid *r, uint32_t features);
/* sim_ccid_set_slots — a reader with nslots slots (1..16; default 1); the
 * card sits in slot 0, the others stay empty. Takes effect at the next open. */
void sim_ccid_set_slots(struct sim_ccid *r, uint8_t nslots);
/* sim_ccid_stats — counters since creation. */
void sim_ccid_stats(const struct sim_ccid *r, struct sim_ccid_stats *st);
/* sim_ccid_push_interrupt — queue a raw interrupt-in message (tests). */
int sim_ccid_push_interrupt(struct sim_ccid *r, const uint8_t *msg, size_t len);

#endif
