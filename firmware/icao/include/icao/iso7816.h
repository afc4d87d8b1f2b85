/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iso7816.h — the protocol constants of ISO/IEC 7816-4 and ICAO Doc 9303
 * Part 10/11 that the icao module uses, in one place.
 *
 * Nothing here has behaviour; every number used on the wire by apdu.c,
 * chan.c, sm.c and bac.c is named here.
 */
#ifndef ICAO_ISO7816_H
#define ICAO_ISO7816_H

/* Class byte */
#define ICAO_CLA_PLAIN		0x00
#define ICAO_CLA_CHAIN		0x10	/* command chaining (GENERAL AUTHENTICATE) */
#define ICAO_CLA_SM		0x0C	/* SM, header authenticated (ISO 7816-4 §5.4.1) */

/* Instruction bytes */
#define ICAO_INS_SELECT			0xA4
#define ICAO_INS_READ_BINARY		0xB0
#define ICAO_INS_READ_BINARY_ODD	0xB1	/* offset in DO'54', data in DO'53' */
#define ICAO_INS_GET_CHALLENGE		0x84
#define ICAO_INS_EXTERNAL_AUTH		0x82	/* also MUTUAL AUTHENTICATE (BAC) */
#define ICAO_INS_INTERNAL_AUTH		0x88
#define ICAO_INS_GET_RESPONSE		0xC0
#define ICAO_INS_MSE			0x22
#define ICAO_INS_GENERAL_AUTH		0x86

/* SELECT P1/P2 */
#define ICAO_SELECT_P1_EF		0x02	/* EF under the current DF, by FID */
#define ICAO_SELECT_P1_DF_NAME		0x04	/* by DF name (AID) */
#define ICAO_SELECT_P2_NO_FCI		0x0C	/* no response data */

/* READ BINARY with a short EF identifier: P1 = 0x80 | SFI, P2 = offset */
#define ICAO_READ_P1_SFI		0x80
#define ICAO_SFI_MAX			0x1F
#define ICAO_READ_OFFSET_MAX_B0		0x7FFF	/* 15-bit offset in P1P2 */
#define ICAO_READ_OFFSET_MAX_SFI	0xFF

/* MSE P1P2 */
#define ICAO_MSE_SET_AT_PACE		0xC1A4	/* Set AT for mutual authentication (PACE) */
#define ICAO_MSE_SET_AT_CA		0x41A4	/* Set AT for internal authentication (CA) */

/* Length limits (ISO 7816-4 §5.1) */
#define ICAO_SHORT_LC_MAX	255u
#define ICAO_SHORT_LE_MAX	256u
#define ICAO_EXT_LC_MAX		65535u
#define ICAO_EXT_LE_MAX		65536u
/* Largest response APDU: 65536 data bytes + SW1SW2. */
#define ICAO_RAPDU_MAX		(65536u + 2u)
/* Largest command APDU: header, 3-byte Lc, 65535 data, 2-byte Le. */
#define ICAO_CAPDU_MAX		(4u + 3u + 65535u + 2u)

/* Status words */
#define ICAO_SW_OK			0x9000
#define ICAO_SW_EOF_BEFORE_LE		0x6282
#define ICAO_SW_WRONG_LENGTH		0x6700
#define ICAO_SW_SM_MISSING		0x6987
#define ICAO_SW_SM_INCORRECT		0x6988
#define ICAO_SW_SECURITY_STATUS		0x6982
#define ICAO_SW_AUTH_BLOCKED		0x6983
#define ICAO_SW_COND_NOT_SATISFIED	0x6985
#define ICAO_SW_FILE_NOT_FOUND		0x6A82
#define ICAO_SW_WRONG_P1P2		0x6B00
#define ICAO_SW1_MORE_DATA		0x61	/* 61xx: xx more bytes via GET RESPONSE */
#define ICAO_SW1_WRONG_LE		0x6C	/* 6Cxx: retry with Le = xx */

/* Secure messaging data objects (ISO 7816-4 §10, Doc 9303 Part 11 §9.8) */
#define ICAO_DO_CRYPTO_ODD	0x85	/* cryptogram, odd INS (no padding indicator) */
#define ICAO_DO_CRYPTO_EVEN	0x87	/* padding indicator + cryptogram */
#define ICAO_DO_MAC		0x8E
#define ICAO_DO_LE		0x97
#define ICAO_DO_SW		0x99
#define ICAO_PAD_INDICATOR	0x01	/* first byte of DO'87': padding method 2 */
#define ICAO_SM_MAC_LEN		8

/* Odd-INS READ BINARY data objects */
#define ICAO_DO_OFFSET		0x54
#define ICAO_DO_DISCRETIONARY	0x53

/* Dynamic authentication data (GENERAL AUTHENTICATE) */
#define ICAO_DO_DYN_AUTH	0x7C
/* MSE:Set AT data objects */
#define ICAO_DO_MSE_OID		0x80	/* cryptographic mechanism reference */
#define ICAO_DO_MSE_KEY_REF	0x83	/* password reference (PACE) / public key ref */
#define ICAO_DO_MSE_PRIV_KEY	0x84	/* private key reference / domain params */

/* eMRTD application (Doc 9303 Part 10) and well-known files */
#define ICAO_AID_EMRTD		"\xA0\x00\x00\x02\x47\x10\x01"
#define ICAO_AID_EMRTD_LEN	7
#define ICAO_FID_EF_COM		0x011E
#define ICAO_FID_EF_SOD		0x011D
#define ICAO_FID_EF_DG1		0x0101
#define ICAO_FID_EF_CARDACCESS	0x011C
#define ICAO_FID_EF_CARDSECURITY 0x011D	/* in the MF (PACE-CAM, TA, CA) */
#define ICAO_FID_EF_ATR_INFO	0x2F01	/* in the MF (ISO 7816-4 §8.2.1.1) */

/* Extended length (ISO 7816-4 §5.1, §8.1.1, §8.2.1.1; Doc 9303 Part 10):
 * the historical bytes of the ATR (or, contactless, the ATS the reader puts
 * in the ATR) in COMPACT-TLV after category indicator 00 or 80; their card
 * capabilities (tag 7) third byte says whether the chip takes extended Lc/Le
 * and whether EF.ATR/INFO holds DO'7F66' with its limits. */
#define ICAO_ATR_CAT_COMPACT		0x80	/* COMPACT-TLV, no status at the end */
#define ICAO_ATR_CAT_COMPACT_STATUS	0x00	/* COMPACT-TLV, last 3 bytes status */
#define ICAO_ATR_TAG_CAPS		0x7	/* card capabilities, 1..3 bytes */
#define ICAO_ATR_TAG_SERVICE		0x3	/* card service data, 1 byte */
#define ICAO_ATR_CAPS3_EXT_LEN		0x40	/* 3rd byte b7: extended Lc and Le */
#define ICAO_ATR_CAPS3_EXT_INFO		0x20	/* 3rd byte b6: ext. length info in EF.ATR/INFO */
#define ICAO_ATR_SERVICE_ATR_INFO	0x10	/* b5: DOs available in EF.ATR/INFO */
#define ICAO_DO_EXT_LEN_INFO		0x7F66	/* { 02 max command, 02 max response } */
#define ICAO_DO_INTEGER			0x02

/* BAC sizes (Doc 9303 Part 11 §9.7.4 / App. D) */
#define ICAO_BAC_RND_LEN	8
#define ICAO_BAC_K_LEN		16
#define ICAO_BAC_CMD_LEN	40	/* E.IFD (32) || M.IFD (8) */

/* KDF counters (Doc 9303 Part 11 §9.7.1) */
#define ICAO_KDF_ENC		1
#define ICAO_KDF_MAC		2
#define ICAO_KDF_PACE		3

#endif
