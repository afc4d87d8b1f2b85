/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccid_proto.h — constants of the USB CCID class (Device Class: Smart Card,
 * CCID Specification for Integrated Circuit(s) Cards Interface Devices,
 * revision 1.1). All CCID numbers used by egate live here and only here.
 */
#ifndef EGATE_CCID_PROTO_H
#define EGATE_CCID_PROTO_H

/* Class-specific descriptor (section 5.1): bDescriptorType 0x21, 54 bytes. */
#define CCID_DESC_TYPE            0x21
#define CCID_DESC_LEN             54

/* Bulk message header: bMessageType, dwLength (LE32), bSlot, bSeq, 3 bytes. */
#define CCID_HDR_LEN              10
#define CCID_MAX_MSG_LEN          65544u	/* 10 + 65534: spec upper bound */
#define CCID_MIN_MSG_LEN          271u		/* 10 + 261: spec lower bound */

/* PC_to_RDR messages (section 6.1). */
#define CCID_PC_ICC_POWER_ON      0x62
#define CCID_PC_ICC_POWER_OFF     0x63
#define CCID_PC_GET_SLOT_STATUS   0x65
#define CCID_PC_XFR_BLOCK         0x6F
#define CCID_PC_GET_PARAMETERS    0x6C
#define CCID_PC_ESCAPE            0x6B
#define CCID_PC_ABORT             0x72

/* RDR_to_PC messages (section 6.2). */
#define CCID_RDR_DATA_BLOCK       0x80
#define CCID_RDR_SLOT_STATUS      0x81
#define CCID_RDR_PARAMETERS       0x82
#define CCID_RDR_ESCAPE           0x83

/* Interrupt-in messages (section 6.3). */
#define CCID_RDR_NOTIFY_SLOT_CHANGE 0x50
#define CCID_RDR_HARDWARE_ERROR   0x51

/* bStatus (section 6.2.6): bits 1..0 bmICCStatus, bits 7..6 bmCommandStatus. */
#define CCID_ICC_MASK             0x03
#define CCID_ICC_ACTIVE           0x00
#define CCID_ICC_INACTIVE         0x01
#define CCID_ICC_ABSENT           0x02
#define CCID_CMD_MASK             0xC0
#define CCID_CMD_OK               0x00
#define CCID_CMD_FAILED           0x40
#define CCID_CMD_TIME_EXT         0x80

/* bError when bmCommandStatus = failed (section 6.2.6, table 6.2-2). */
#define CCID_ERR_CMD_ABORTED      0xFF
#define CCID_ERR_ICC_MUTE         0xFE
#define CCID_ERR_XFR_PARITY       0xFD
#define CCID_ERR_XFR_OVERRUN      0xFC
#define CCID_ERR_HW_ERROR         0xFB
#define CCID_ERR_BAD_ATR_TS       0xF8
#define CCID_ERR_BAD_ATR_TCK      0xF7
#define CCID_ERR_PROTO_NOT_SUPP   0xF6
#define CCID_ERR_CLASS_NOT_SUPP   0xF5
#define CCID_ERR_PROC_BYTE_CONFL  0xF4
#define CCID_ERR_DEACTIVATED      0xF3
#define CCID_ERR_BUSY_AUTO_SEQ    0xF2
#define CCID_ERR_PIN_TIMEOUT      0xF0
#define CCID_ERR_PIN_CANCELLED    0xEF
#define CCID_ERR_CMD_SLOT_BUSY    0xE0
#define CCID_ERR_CMD_NOT_SUPP     0x00
/* 0x01..0x7F: index of the offending field of the command (5 = bSlot). */
#define CCID_ERR_BAD_SLOT         0x05

/* dwFeatures (section 5.1): exchange level, bits 16..18. */
#define CCID_FEAT_LEVEL_MASK      0x00070000u
#define CCID_FEAT_LEVEL_TPDU      0x00010000u
#define CCID_FEAT_LEVEL_SHORT     0x00020000u
#define CCID_FEAT_LEVEL_EXTENDED  0x00040000u
#define CCID_FEAT_AUTO_VOLTAGE    0x00000008u

/* bPowerSelect of IccPowerOn. */
#define CCID_VOLTAGE_AUTO         0x00
#define CCID_VOLTAGE_5V           0x01
#define CCID_VOLTAGE_3V           0x02
#define CCID_VOLTAGE_1V8          0x03

/* wLevelParameter of XfrBlock at extended APDU level (section 6.1.4). */
#define CCID_LEVEL_ONE            0x0000	/* APDU begins and ends here */
#define CCID_LEVEL_BEGIN          0x0001	/* begins, continues */
#define CCID_LEVEL_END            0x0002	/* continues, ends here */
#define CCID_LEVEL_MIDDLE         0x0003	/* continues, more follows */
#define CCID_LEVEL_EMPTY          0x0010	/* empty: asks for the next part */

/* bChainParameter of DataBlock (section 6.2.1), same code points. */
#define CCID_CHAIN_ONE            0x00
#define CCID_CHAIN_BEGIN          0x01
#define CCID_CHAIN_END            0x02
#define CCID_CHAIN_MIDDLE         0x03
#define CCID_CHAIN_EMPTY          0x10	/* empty abData: send next part */

/* NotifySlotChange bmSlotICCState: 2 bits per slot, bit 0 present, bit 1
 * changed; slot n at bits 2n, 2n+1. */
#define CCID_NOTIFY_PRESENT       0x01
#define CCID_NOTIFY_CHANGED       0x02

/* Class requests on EP0 (section 5.3): bmRequestType class, interface,
 * host to device; ABORT's wValue is bSeq << 8 | bSlot, wIndex the interface. */
#define CCID_REQTYPE_OUT          0x21
#define CCID_REQ_ABORT            0x01

#endif
