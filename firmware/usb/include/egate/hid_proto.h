/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hid_proto.h — the USB HID constants the HID MRZ reader backend uses (USB
 * Device Class Definition for HID 1.11, §4 and §7.2, Appendix B.1 "Protocol
 * 1 (Keyboard)"; HID Usage Tables 1.3, §10 "Keyboard/Keypad Page"). The
 * one place for them in firmware/usb (the gate's relay board has its own,
 * hidrelay_proto.h).
 */
#ifndef EGATE_HID_PROTO_H
#define EGATE_HID_PROTO_H

/* interface class, boot subclass and boot protocol */
#define HID_CLASS		0x03
#define HID_SUBCLASS_BOOT	0x01
#define HID_PROTOCOL_KEYBOARD	0x01

/* class requests (bmRequestType host-to-device, class, interface) */
#define HID_RT_CLASS_IFACE_OUT	0x21
#define HID_REQ_SET_IDLE	0x0A
#define HID_REQ_SET_PROTOCOL	0x0B
#define HID_PROTOCOL_VALUE_BOOT	0x0000	/* wValue of SET_PROTOCOL: 0 boot, 1 report */

/* The boot keyboard input report: modifiers, reserved, six key slots. */
#define HID_BOOT_KBD_REPORT_LEN	8
#define HID_BOOT_KBD_KEYS	6
#define HID_BOOT_KBD_KEY0	2	/* offset of the first key slot */

/* modifier bits (byte 0) */
#define HID_MOD_LCTRL	0x01
#define HID_MOD_LSHIFT	0x02
#define HID_MOD_LALT	0x04
#define HID_MOD_LGUI	0x08
#define HID_MOD_RCTRL	0x10
#define HID_MOD_RSHIFT	0x20
#define HID_MOD_RALT	0x40
#define HID_MOD_RGUI	0x80
#define HID_MOD_SHIFT	(HID_MOD_LSHIFT | HID_MOD_RSHIFT)

/* Keyboard/Keypad page usages (US layout where it matters) */
#define HID_KEY_NONE		0x00
#define HID_KEY_ERR_ROLLOVER	0x01	/* "phantom": too many keys, state unknown */
#define HID_KEY_POST_FAIL	0x02
#define HID_KEY_ERR_UNDEFINED	0x03
#define HID_KEY_A		0x04	/* .. 0x1D Z */
#define HID_KEY_Z		0x1D
#define HID_KEY_1		0x1E	/* .. 0x26 9 */
#define HID_KEY_9		0x26
#define HID_KEY_0		0x27
#define HID_KEY_ENTER		0x28
#define HID_KEY_COMMA		0x36	/* ',' and, with Shift, '<' */
#define HID_KEY_KP_ENTER	0x58
#define HID_KEY_KP_1		0x59	/* .. 0x61 keypad 9 */
#define HID_KEY_KP_9		0x61
#define HID_KEY_KP_0		0x62

#endif
