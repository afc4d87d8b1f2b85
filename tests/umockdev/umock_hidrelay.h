/* SPDX-License-Identifier: Apache-2.0 */
/*
 * umock_hidrelay.h — an emulated "USBRelayN" HID relay board (V-USB
 * firmware, 16c0:05df) on the umockdev testbed, the board the kiosk's
 * `hidrelay` gate drives (firmware/gate, docs/kiosk.md "The gate"). TEST
 * ONLY. Feature reports on endpoint 0 switch and read back its relays:
 * SET_REPORT [0xFF|0xFD, channel] and GET_REPORT (5-byte board ID, state
 * byte at offset 7). Faults make the boards that misbehave.
 */
#ifndef EGATE_TEST_UMOCK_HIDRELAY_H
#define EGATE_TEST_UMOCK_HIDRELAY_H

#include "umock.h"

#define UMOCK_HIDRELAY_VID 0x16c0
#define UMOCK_HIDRELAY_PID 0x05df

enum umock_hidrelay_fault {
	UMOCK_HIDRELAY_OK = 0,
	UMOCK_HIDRELAY_STUCK,	/* SET_REPORT accepted, the relays do not move:
				 * the read-back never confirms a command */
	UMOCK_HIDRELAY_SHORT,	/* GET_REPORT answers 3 bytes */
	UMOCK_HIDRELAY_STALL,	/* every feature report stalls */
};

struct umock_hidrelay;

/* umock_hidrelay_add — plug a board of `channels` relays (1..8; product
 * string "USBRelayN"), all off. *out: umock_hidrelay_free after umock_free.
 * EG_ERR_INVAL, EG_ERR_NOMEM, or as umock_dev_add. */
int umock_hidrelay_add(struct umock *u, unsigned channels,
    struct umock_hidrelay **out);
void umock_hidrelay_free(struct umock_hidrelay **r);
struct umock_dev *umock_hidrelay_dev(struct umock_hidrelay *r);
/* Under the lock: the fault from now on, the relays' state (bit N-1 for
 * channel N), and how many times channel `ch` was switched on. */
void umock_hidrelay_set_fault(struct umock_hidrelay *r, enum umock_hidrelay_fault f);
uint8_t umock_hidrelay_state(struct umock_hidrelay *r);
unsigned umock_hidrelay_ons(struct umock_hidrelay *r, unsigned ch);

#endif
