/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_traveller.h — simulated travellers as data (hw/sim/travellers/NAME.ini)
 * and the deterministic test PKI that signs their documents. TEST AND
 * SIMULATION ONLY.
 *
 * A profile describes one traveller and the chip in their passport:
 *
 *   [traveller]
 *   name = genuine-td3                 ; profile name (file name without .ini)
 *   description = UTO specimen, everything genuine
 *   mrz1 = P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<
 *   mrz2 = L898902C36UTO7408122F1204159ZE184226B<<<<<10
 *   mrz3 =                             ; TD1 only
 *   face = sample1.jpg                 ; relative to the test-data folder
 *   [document]
 *   dg2 = jpeg                         ; jpeg | jp2: the portrait an issuer
 *                                      ; makes from `face` (sim_portrait.h:
 *                                      ; token frame 240 x 320 within
 *                                      ; dg2_budget bytes); photo: the
 *                                      ; whole image file (a large DG2)
 *   dg2_budget = 20480                 ; bytes, 4096..262144
 *   dg11 = yes                         ; additional personal details
 *   dg12 = yes                         ; additional document details
 *   card_access = no                   ; EF.CardAccess offering PACE (G.1)
 *   dg15 = no                          ; DG15 with an Active Authentication
 *                                      ; public key (the chip cannot answer
 *                                      ; INTERNAL AUTHENTICATE: 6D00)
 *   signer = valid                     ; valid | expired | revoked
 *   bad_sod_signature = no             ; EF.SOD signature corrupted
 *   alter_dg1 = no                     ; DG1 changed after signing
 *   sod = present                      ; present | missing | empty: the
 *                                      ; chip has no EF.SOD, or an empty one
 *   missing_dg = 0                     ; 1..16: EF.COM and EF.SOD list DGn,
 *                                      ; the chip does not hold it (6A82)
 *   [chip]
 *   wrong_mac = no                     ; SIM_EP_F_WRONG_MAC
 *   wrong_mac_after = 2
 *   truncate_responses = no            ; SIM_EP_F_TRUNCATE
 *   mute = no                          ; SIM_EP_F_MUTE
 *   no_emrtd_app = no                  ; SIM_EP_F_NO_APP
 *   no_bac = no                        ; SIM_EP_F_NO_BAC
 *   max_read = 0                       ; > 0: SIM_EP_F_SHORT_READS
 *   pace = no                          ; no | bp256-aes128 | p256-aes256:
 *                                      ; EF.CardAccess with that PACEInfo
 *                                      ; and a chip that answers PACE-GM;
 *                                      ; the same with -im (Integrated
 *                                      ; Mapping) or -cam (Chip
 *                                      ; Authentication Mapping: a signed
 *                                      ; EF.CardSecurity with the chip's
 *                                      ; CA key on the PACE curve)
 *   cam_cloned = no                    ; -cam: EF.CardSecurity holds another
 *                                      ; key than the one the chip maps with
 *   can = 123456                       ; the CAN PACE accepts (empty: none)
 *   refuse_bac = no                    ; SIM_EP_F_REFUSE_BAC (PACE only)
 *   ignore_command_mac = no            ; SIM_EP_F_IGNORE_CMD_MAC (a crude
 *                                      ; clone that answers anything)
 *   chip_auth = no                     ; no | genuine | cloned: DG14 with
 *                                      ; the chip's CA key (EC P-256,
 *                                      ; AES-128), or with another key
 *   active_auth = no                   ; no | ecdsa | rsa | cloned: DG15 with
 *                                      ; the chip's AA key (P-256 / RSA-1024)
 *                                      ; or, cloned, another P-256 key
 *   extended_length = atr_info         ; no | atr | atr_info: extended Lc/Le
 *                                      ; announced in the ATR (and the limit
 *                                      ; in EF.ATR/INFO); see
 *                                      ; sim_epassport_cfg.ext_max_rapdu
 *   max_response = 2048                ; the chip's response APDU limit,
 *                                      ; 64..65544 bytes (an assumption:
 *                                      ; real chips differ)
 *   no_sfi = no                        ; SIM_EP_F_NO_SFI: reads by short
 *                                      ; EF identifier -> 6A82
 *   no_do99 = no                       ; SIM_EP_F_NO_DO99: protected
 *                                      ; answers with 9000 lack DO'99'
 *   drop_sm_on_error = no              ; SIM_EP_F_DROP_SM: errors under SM
 *                                      ; answered in the clear, session
 *                                      ; ended
 *
 * Keys for CA and AA come from a DRBG seeded with the profile name: the
 * same profile gives the same chip in every run.
 * The loader is the schema-checked INI reader of common (config.h): unknown
 * keys, bad values, overlong lines and oversize files are errors with file
 * and line; the MRZ must parse with valid check digits.
 */
#ifndef EGATE_SIM_TRAVELLER_H
#define EGATE_SIM_TRAVELLER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "egate/config.h"
#include "sim_epassport.h"
#include "sim_portrait.h"

enum sim_signer { SIM_SIGNER_VALID = 0, SIM_SIGNER_EXPIRED, SIM_SIGNER_REVOKED };
enum sim_pace { SIM_PACE_NO = 0, SIM_PACE_BP256_AES128, SIM_PACE_P256_AES256,
	SIM_PACE_BP256_AES128_IM, SIM_PACE_P256_AES256_IM,
	SIM_PACE_BP256_AES128_CAM, SIM_PACE_P256_AES256_CAM };
enum sim_ca { SIM_CA_NO = 0, SIM_CA_GENUINE, SIM_CA_CLONED };
enum sim_aa { SIM_AA_NO = 0, SIM_AA_ECDSA, SIM_AA_RSA, SIM_AA_CLONED };
enum sim_ext { SIM_EXT_NO = 0, SIM_EXT_ATR, SIM_EXT_ATR_INFO };
enum sim_sod { SIM_SOD_PRESENT = 0, SIM_SOD_MISSING, SIM_SOD_EMPTY };

struct sim_traveller {
	char name[64];
	char description[160];
	char mrz1[48], mrz2[48], mrz3[48];
	char face[128];
	int dg2;			/* enum sim_dg2 */
	long long dg2_budget;
	bool dg11, dg12, card_access, dg15;
	int signer;			/* enum sim_signer */
	bool bad_sod_signature, alter_dg1;
	bool wrong_mac;
	long long wrong_mac_after;
	bool truncate_responses, mute, no_emrtd_app, no_bac;
	long long max_read;
	int pace;			/* enum sim_pace */
	char can[17];
	bool refuse_bac, ignore_command_mac;
	int chip_auth;			/* enum sim_genuine */
	int active_auth;		/* enum sim_aa */
	int extended_length;		/* enum sim_ext */
	long long max_response;
	int sod;			/* enum sim_sod */
	long long missing_dg;		/* 0: none */
	bool no_sfi, no_do99, drop_sm_on_error;
	bool cam_cloned;
};

/* sim_traveller_load_file / _string — parse a profile into *out (defaults
 * first). Errors: EG_ERR_IO (file), EG_ERR_CONFIG (content; *err says where;
 * err may be NULL), EG_ERR_INVAL. */
int sim_traveller_load_file(const char *path, struct sim_traveller *out,
    struct eg_cfg_error *err);
int sim_traveller_load_string(const char *name, const char *text, size_t len,
    struct sim_traveller *out, struct eg_cfg_error *err);

/* sim_traveller_mrz — the MRZ lines joined with '\n' into out (cap bytes,
 * 140 always suffices). Errors: EG_ERR_OVERFLOW. */
int sim_traveller_mrz(const struct sim_traveller *t, char *out, size_t cap);

/*
 * The simulated test PKI: one Utopia CSCA (EC P-256) with a valid Document
 * Signer, an expired one (2010-2015) and a revoked one, the CSCA's CRL
 * revoking it, and an EC P-256 key for DG15. Generated from a fixed seed, so every run (and every
 * process) gets the same certificates: `egate read --sim-pki DIR` writes
 * them for --csca/--crl. It also keeps the simulation's cache of DG2
 * portraits (sim_portrait.h), so one sim_pki shared by many passages makes
 * each portrait once.
 */
struct sim_pki;
int sim_pki_new(struct sim_pki **out);
void sim_pki_free(struct sim_pki **p);
/* sim_pki_write — DIR/csca.der (the anchor) and DIR/crl/csca.crl (DER),
 * creating DIR and DIR/crl if needed. Errors: EG_ERR_IO. */
int sim_pki_write(const struct sim_pki *p, const char *dir);
/* sim_pki_csca / sim_pki_crl — DER (borrowed from p). */
const unsigned char *sim_pki_csca(const struct sim_pki *p, size_t *len);
const unsigned char *sim_pki_crl(const struct sim_pki *p, size_t *len);

/*
 * sim_traveller_build — the chip of t's passport: DG1 from the MRZ, DG2 from
 * the face image (testdata_dir/face: the portrait made from it per t->dg2,
 * kept in pki's portrait cache, or the whole file; wrapped with
 * face_dg2_build), DG11/12 if
 * asked, DG14 (Chip Authentication) and DG15 (Active Authentication) with
 * the profile's keys, EF.COM, EF.SOD signed by the profile's Document
 * Signer, optional EF.CardAccess (G.1's, or the PACEInfo of `pace`), the
 * PACE/CA/AA responders, and the chip misbehaviour flags. *out is owned by the
 * caller (sim_epassport_free). Errors: EG_ERR_IO / EG_ERR_IMAGE (face
 * image), EG_ERR_FORMAT (MRZ), those of sim_portraits_get (face models,
 * no face found), testpki and sim_epassport_new.
 */
int sim_traveller_build(const struct sim_traveller *t, struct sim_pki *pki,
    const char *testdata_dir, struct sim_epassport **out);

/* sim_traveller_dir — the folder of shipped profiles: $EGATE_TRAVELLERS,
 * else the installed folder (share/egate/travellers) if it exists, else the
 * source tree's hw/sim/travellers. Static or environment string; never
 * NULL. */
const char *sim_traveller_dir(void);
/* sim_testdata_dir — $EGATE_TESTDATA, else $HOME/.cache/egate/testdata
 * (into buf, cap bytes). */
const char *sim_testdata_dir(char *buf, size_t cap);
/* sim_read_file — append the whole file at path to out (test photos,
 * portraits). Errors: EG_ERR_IO, those of eg_wbuf_put (out is then partly
 * written). */
int sim_read_file(const char *path, struct eg_wbuf *out);

#endif
