/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hidrelay_proto.h — the protocol of the common "USBRelay" HID relay boards
 * (V-USB firmware on an ATtiny45, sold as USBRelay1/2/4/8; docs/kiosk.md),
 * in one place, and the parsers of what such a board sends (fuzz target
 * tests/fuzz/fuzz_hidrelay.c).
 *
 * The board is a HID device at the shared V-USB ids 16c0:05df whose product
 * string is "USBRelayN" (N channels). Everything goes through HID feature
 * reports on endpoint 0 (HID 1.11 §7.2), report ID 0, 8 bytes:
 *
 *   SET_REPORT  bmRequestType 0x21, bRequest 0x09, wValue 0x0300, wIndex iface
 *               data: [0] 0xFF (on) or 0xFD (off), [1] channel 1..N, [2..7] 0
 *   GET_REPORT  bmRequestType 0xA1, bRequest 0x01, wValue 0x0300, wIndex iface
 *               answer: [0..4] the board's ID (5 ASCII characters),
 *               [7] the relays' state, bit N-1 for channel N
 *
 * The state byte is the firmware's own register: it says the board took the
 * command, not that a contact moved or a door followed. The board has no
 * input: it cannot see the door.
 */
#ifndef EGATE_HIDRELAY_PROTO_H
#define EGATE_HIDRELAY_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define HIDRELAY_VID			0x16c0
#define HIDRELAY_PID			0x05df
#define HIDRELAY_PRODUCT_PREFIX		"USBRelay"
#define HIDRELAY_MAX_CHANNELS		8u
#define HIDRELAY_REPORT_LEN		8u
#define HIDRELAY_CMD_ON			0xFFu
#define HIDRELAY_CMD_OFF		0xFDu
#define HIDRELAY_ID_LEN			5u
#define HIDRELAY_STATE_OFFSET		7u

/* USB and HID class constants the backend uses */
#define HIDRELAY_USB_CLASS_HID		0x03u
#define HIDRELAY_RT_CLASS_IFACE_OUT	0x21u	/* host to device, class, interface */
#define HIDRELAY_RT_CLASS_IFACE_IN	0xA1u	/* device to host, class, interface */
#define HIDRELAY_RT_STD_DEVICE_IN	0x80u	/* device to host, standard, device */
#define HIDRELAY_REQ_GET_REPORT		0x01u
#define HIDRELAY_REQ_SET_REPORT		0x09u
#define HIDRELAY_REQ_GET_DESCRIPTOR	0x06u
#define HIDRELAY_REPORT_FEATURE_ID0	0x0300u	/* wValue: feature report, ID 0 */
#define HIDRELAY_DT_DEVICE		0x01u
#define HIDRELAY_DT_STRING		0x03u
#define HIDRELAY_LANGID_EN_US		0x0409u
#define HIDRELAY_DEVICE_DESC_LEN	18u
#define HIDRELAY_DEVICE_IPRODUCT	15u	/* offset of iProduct */

/*
 * hidrelay_parse_state — a GET_REPORT answer of len bytes: the relays'
 * state byte into *state and the board's ID into id[0..5] (NUL-terminated;
 * a byte that is not printable ASCII becomes '?'). EG_OK, EG_ERR_TRUNCATED
 * (shorter than HIDRELAY_REPORT_LEN), EG_ERR_INVAL.
 */
int hidrelay_parse_state(const uint8_t *buf, size_t len, uint8_t *state,
    char id[HIDRELAY_ID_LEN + 1]);

/*
 * hidrelay_parse_iproduct — the index of the product string from a device
 * descriptor of len bytes. EG_OK, EG_ERR_TRUNCATED, EG_ERR_FORMAT (not a
 * device descriptor), EG_ERR_NOT_FOUND (no product string: index 0).
 */
int hidrelay_parse_iproduct(const uint8_t *buf, size_t len, uint8_t *index);

/*
 * hidrelay_parse_product — a string descriptor of len bytes (UTF-16LE) as
 * ASCII into out[0..cap) (other characters become '?'), and the channel
 * count its "USBRelayN" says (*channels: 1..8). EG_OK; EG_ERR_FORMAT (not a
 * string descriptor, an odd or impossible length); EG_ERR_UNSUPPORTED (a
 * product that is not "USBRelayN": another device at the same ids; out
 * holds its name); EG_ERR_TRUNCATED; EG_ERR_INVAL.
 */
int hidrelay_parse_product(const uint8_t *buf, size_t len, char *out, size_t cap,
    unsigned *channels);

#endif
