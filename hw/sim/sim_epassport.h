/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_epassport.h — a simulated ePassport chip (ICAO Doc 9303 Parts 10/11),
 * chip side. TEST AND SIMULATION ONLY.
 *
 * File system: the MF holds EF.CardAccess (011C, SFI 1C) when given,
 * EF.CardSecurity (011D, SFI 1D) for PACE-CAM and EF.ATR/INFO (2F01) when
 * the chip announces its extended-length limits; the
 * eMRTD application (AID A0 00 00 02 47 10 01) holds EF.COM (011E, SFI 1E),
 * EF.SOD (011D, SFI 1D) and DGn (0100+n, SFI n). Commands:
 *
 *   SELECT       00 A4 04 0C AID | 00 A4 02 0C FID (also 00 A4 00 0C 3F00)
 *   READ BINARY  B0 with the offset in P1P2 or P1 = 80|SFI; odd INS B1 with
 *                DO'54' offset, data in DO'53'
 *   GET CHALLENGE 00 84 00 00 08   (BAC: RND.IC)
 *   MUTUAL AUTHENTICATE 00 82 00 00 28 E.IFD||M.IFD 28  (BAC chip side:
 *                M.IFD verified, RND.IC checked, answer E.IC||M.IC, 3DES
 *                session keys and SSC installed)
 *   MSE:Set AT / GENERAL AUTHENTICATE  in the clear: PACE (icao_pace_chip;
 *                after the last GA the PACE session keys, SSC 0); under SM:
 *                Chip Authentication (icao_ca_chip; the key-agreement
 *                answer goes out under the old keys, then the CA keys with
 *                SSC 0 take over)
 *   INTERNAL AUTHENTICATE 00 88 00 00 challenge: Active Authentication
 *                (icao_aa_sign with the configured key)
 *
 * Secure messaging is 3DES after BAC, or the cipher of PACE / CA (AES:
 * 16-byte SSC, IV = E(KSenc, SSC), CMAC). After access control every command must be protected (CLA 0C, DO'87'/'85', DO'97',
 * DO'8E' over SSC||header||DOs); every answer is protected (DO'87'/'85',
 * DO'99', DO'8E'). A command with a bad MAC or malformed SM objects, or a
 * plain command during the session, gets 6988/6987 in the clear and ends
 * the session (as real chips do). With BAC enabled, plain reads of files
 * in the eMRTD application answer 6982; missing files 6A82.
 *
 * Misbehaviours are flags (SIM_EP_F_*), each documented below and in
 * docs/reading.md. The chip is driven through struct sim_card_ops (inside a
 * simulated CCID reader, sim_ccid.h) or, for unit tests, directly through
 * struct icao_card_ops (sim_epassport_icao_ops).
 *
 * Nothing here is thread-safe; one chip object per simulated document.
 */
#ifndef EGATE_SIM_EPASSPORT_H
#define EGATE_SIM_EPASSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "icao/apdu.h"
#include "icao/ca.h"
#include "icao/ca_chip.h"
#include "icao/pace.h"
#include "icao/pace_chip.h"
#include "sim_card.h"

/* Misbehaviour flags (struct sim_epassport_cfg.flags). */
#define SIM_EP_F_WRONG_MAC	0x01u	/* from protected response number
					 * cfg.wrong_mac_after + 1 on, the
					 * response MAC has a flipped bit */
#define SIM_EP_F_TRUNCATE	0x02u	/* protected READ BINARY responses lose
					 * their last 3 data-object bytes (the
					 * SW1SW2 stays) */
#define SIM_EP_F_MUTE		0x04u	/* power-on fails: the reader reports
					 * the card mute (ICC_MUTE) */
#define SIM_EP_F_NO_APP		0x08u	/* SELECT of the eMRTD AID -> 6A82 */
#define SIM_EP_F_NO_BAC		0x10u	/* no access control: GET CHALLENGE and
					 * MUTUAL AUTHENTICATE -> 6A88, files
					 * readable in the clear */
#define SIM_EP_F_SHORT_READS	0x20u	/* READ BINARY with Le > cfg.max_read:
					 * max_read bytes then 6282 */
#define SIM_EP_F_REFUSE_BAC	0x40u	/* a PACE-only chip: GET CHALLENGE and
					 * MUTUAL AUTHENTICATE -> 6985 */
#define SIM_EP_F_IGNORE_CMD_MAC	0x80u	/* a crude clone: protected commands
					 * are taken whatever their MAC (and
					 * answered under the chip's keys) */
#define SIM_EP_F_NO_SFI		0x100u	/* no short EF identifiers: READ
					 * BINARY with P1 = 80|SFI -> 6A82;
					 * files are read after SELECT */
#define SIM_EP_F_NO_DO99	0x200u	/* protected responses with status
					 * 9000 carry no DO'99' (the MAC is
					 * over SSC || DO'87' alone) */
#define SIM_EP_F_DROP_SM	0x400u	/* under SM an error status (not 9000,
					 * not 6282) is answered in the clear
					 * and ends the session */

/* Configuration; copied by sim_epassport_new (strings too). */
struct sim_epassport_cfg {
	const char *mrz_info;	/* BAC MRZ information ("L898902C<369...");
				 * required unless SIM_EP_F_NO_BAC */
	unsigned flags;
	unsigned wrong_mac_after;	/* SIM_EP_F_WRONG_MAC */
	size_t max_read;		/* SIM_EP_F_SHORT_READS, >= 1 */
	const char *seed;	/* chip randomness (RND.IC, K.IC) is a DRBG
				 * seeded from this string; NULL: "egate sim chip" */
	const uint8_t *fixed_rnd_ic;	/* 8 bytes, or NULL: from the DRBG */
	const uint8_t *fixed_k_ic;	/* 16 bytes, or NULL: from the DRBG */
	/* PACE (icao_pace_chip): the PACEInfo the chip answers to, NULL: no
	 * PACE (MSE:Set AT -> 6D00); passwords mrz_info and can (NULL: none) */
	const struct icao_pace_params *pace;
	const char *can;
	/* PACE-CAM (pace->mapping CAM): the static Chip Authentication
	 * private key (big endian, on the PACE curve) whose public key the
	 * chip's EF.CardSecurity carries (a clone's differs) */
	const uint8_t *cam_priv;
	size_t cam_priv_len;
	/* Chip Authentication (icao_ca_chip): NULL: none; else the static
	 * private key (big endian) on mbedTLS group ca_group */
	const struct icao_ca_params *ca;
	int ca_group;
	const uint8_t *ca_priv;
	size_t ca_priv_len;
	/* Active Authentication: the private key as DER (RSA or EC, parsed
	 * with mbedtls_pk_parse_key), NULL: INTERNAL AUTHENTICATE -> 6D00.
	 * ECDSA signs SHA-256 (DG14 without ActiveAuthenticationInfo). */
	const uint8_t *aa_key_der;
	size_t aa_key_len;
	/* Extended length (ISO 7816-4 §5.1, §8.1.1): ext_max_rapdu 0: the
	 * chip takes short APDUs only (its ATR says nothing; an extended
	 * command APDU gets 6700 in the clear, which ends an SM session).
	 * Else its ATR's card capabilities announce extended Lc/Le, and a
	 * READ BINARY whose Le could make the response APDU (protected, if
	 * under SM) longer than ext_max_rapdu gets 6700 (protected). With
	 * ext_info the ATR also points to EF.ATR/INFO (2F01 in the MF), which
	 * the chip then holds: DO'7F66' { 02 ext_max_rapdu, 02 ext_max_rapdu }. */
	size_t ext_max_rapdu;	/* 0, or 64..65544 */
	bool ext_info;
};

/* Counters for tests. */
struct sim_epassport_stats {
	unsigned apdus;		/* command APDUs taken */
	unsigned reads;		/* READ BINARY commands (B0/B1) */
	unsigned short_reads;	/* answered 6282 because of max_read */
	unsigned ext_refused;	/* 6700: extended APDU to a short-only chip,
				 * or Le over ext_max_rapdu */
	unsigned ext_commands;	/* command APDUs in the extended form */
	unsigned sm_errors;	/* commands refused with 6987/6988 */
	unsigned bac_ok;	/* successful MUTUAL AUTHENTICATEs */
	unsigned sm_dropped;	/* errors answered in the clear (DROP_SM) */
	size_t max_le_seen;
};

struct sim_epassport;

/* A trace callback sees every APDU pair exactly as on the wire (command,
 * then response); the buffers are borrowed for the call. */
typedef void (*sim_epassport_trace_fn)(void *ctx, const uint8_t *capdu,
    size_t clen, const uint8_t *rapdu, size_t rlen);

/*
 * sim_epassport_new — a chip with no files (but EF.ATR/INFO with
 * ext_info). *out is owned by the caller (sim_epassport_free).
 * Errors: EG_ERR_INVAL (mrz_info missing or not accepted by
 * icao_bac_kseed, max_read 0 with SIM_EP_F_SHORT_READS, ext_max_rapdu
 * outside 64..65544, ext_info without ext_max_rapdu),
 * EG_ERR_NOMEM, EG_ERR_CRYPTO.
 */
int sim_epassport_new(const struct sim_epassport_cfg *cfg,
    struct sim_epassport **out);
/* sim_epassport_free — wipe keys and file contents, free, *c = NULL. */
void sim_epassport_free(struct sim_epassport **c);

/*
 * sim_epassport_add_file — add an EF (contents copied; len 0 makes an
 * empty file, data may then be NULL). fid 011C and 2F01 go in the MF, every
 * other one in the eMRTD application; sfi 1..31 or 0 (none).
 * Errors: EG_ERR_INVAL (duplicate fid, NULL data with len > 0),
 * EG_ERR_OVERFLOW (more than 20 files or a file over 1 MiB), EG_ERR_NOMEM.
 */
int sim_epassport_add_file(struct sim_epassport *c, uint16_t fid, uint8_t sfi,
    const uint8_t *data, size_t len);

/* sim_epassport_add_mf_file — as sim_epassport_add_file, in the MF whatever
 * the fid (EF.CardSecurity: 011D, SFI 1D, like EF.SOD in the application). */
int sim_epassport_add_mf_file(struct sim_epassport *c, uint16_t fid,
    uint8_t sfi, const uint8_t *data, size_t len);

/* sim_epassport_file — the contents of a file (borrowed), NULL if absent. */
const uint8_t *sim_epassport_file(const struct sim_epassport *c, uint16_t fid,
    size_t *len);

void sim_epassport_set_trace(struct sim_epassport *c, sim_epassport_trace_fn fn,
    void *ctx);
void sim_epassport_stats(const struct sim_epassport *c,
    struct sim_epassport_stats *st);

/* The two faces of the chip: behind a simulated CCID reader, or directly
 * under the icao channel (transmit = one APDU; no power-on). */
extern const struct sim_card_ops sim_epassport_card_ops;
extern const struct icao_card_ops sim_epassport_icao_ops;

#endif
