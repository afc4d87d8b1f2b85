/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pace.h — PACE (ICAO Doc 9303 Part 11 §4.4, BSI TR-03110-2 §3.2) over ECDH
 * with Generic Mapping (GM), Integrated Mapping (IM) and Chip
 * Authentication Mapping (CAM), terminal side and chip side, on mbedTLS
 * ECP. DH (MODP) PACE is not implemented.
 *
 *   Kπ      = KDF(K, 3): K = SHA-1(MRZ information) or the CAN digits
 *   step 1  chip: z = E(Kπ, s) (CBC, zero IV)      terminal: s = D(Kπ, z)
 *   step 2  GM, CAM: mapping key pair on G; H = SK_map · PK_map(peer);
 *           G' = s·G + H
 *           IM: the terminal sends a nonce t (key length k of the
 *           cipher), the chip answers an empty '82'; both compute
 *           G' = f_G(R_p(s, t)): R_p the pseudo-random function of
 *           §4.4.3.3.2 (E = the PACE cipher in CBC, IV 0, constants c0,
 *           c1 of the bit length l of s), f_G the point encoding of Part 11
 *           Appendix B (curves with p = 3 mod 4: not NIST P-224)
 *   step 3  both: ephemeral key pair on G'; PK(peer) ≠ PK(own), on the
 *           curve; K = x(SK · PK(peer)); KSenc = KDF(K, 1), KSmac = KDF(K, 2)
 *   step 4  T = MAC(KSmac, 7F49 { 06 OID, 86 PK(peer) }): AES: CMAC-8 of
 *           the bytes as they are; 3DES: retail MAC with padding method 2.
 *           Each side checks the other's token in constant time.
 *   CAM     the chip adds to its token A_IC = E(KSenc, CA_IC) (DO'8A'):
 *           CA_IC = SK_IC^-1 · SK_map,IC mod n, FE2OS to the length of
 *           n, padding method 2, AES-CBC with IV = E(KSenc, -1) (the
 *           all-ones block). The terminal decrypts it and, once it holds
 *           the chip's static key PK_IC (EF.CardSecurity, verified),
 *           checks PK_map,IC = CA_IC · PK_IC: the chip holds SK_IC
 *           (icao_pace_cam_verify).
 *   then    SM with KSenc/KSmac, SSC = 0.
 *
 * One context type, struct icao_pace, runs either role: the step functions
 * are the same for both except for step 1 (icao_pace_nonce_decrypt on the
 * terminal, icao_pace_nonce_make on the chip). icao_pace_run() drives the
 * terminal side over a channel (MSE:Set AT + four GENERAL AUTHENTICATE);
 * struct icao_pace_chip answers those APDUs for a simulated chip.
 *
 * Private keys: each key pair takes exactly ceil(bits(n)/8) bytes from the
 * RNG callback, read big endian, with the bits above bits(n) cleared; a
 * value of 0 or >= n is rejected and another block drawn (at most 16
 * times). So an RNG that returns a known private key (as the G.1 example's)
 * reproduces that key exactly. The RNG is called for nothing else (the
 * nonce on the chip side; point-multiplication blinding uses mbedTLS's
 * internal DRBG), in this order: chip: nonce, mapping key (GM, CAM),
 * ephemeral key; terminal: mapping key (GM, CAM) or the nonce t (IM, key
 * length bytes), ephemeral key. The chip's IM nonce s is 16 bytes (3DES,
 * AES-128) or 32 (AES-192/256); GM's is one cipher block.
 *
 * Every secret (Kπ, s, private keys, H, K, KSenc, KSmac) lives in the
 * context and is wiped by icao_pace_free().
 */
#ifndef ICAO_PACE_H
#define ICAO_PACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "icao/bac.h"	/* icao_rng_fn */
#include "icao/chan.h"
#include "icao/crypto.h"
#include "icao/sm.h"

/* Password references of MSE:Set AT DO'83' (TR-03110-3 / Doc 9303 §4.4.4). */
enum icao_pace_pw {
	ICAO_PACE_PW_MRZ = 1,
	ICAO_PACE_PW_CAN = 2,
};

/* Dynamic authentication data tags (GENERAL AUTHENTICATE, §4.4.4.2). */
#define ICAO_PACE_DO_NONCE	0x80	/* chip → terminal: encrypted nonce */
#define ICAO_PACE_DO_MAP_T	0x81	/* terminal mapping data */
#define ICAO_PACE_DO_MAP_C	0x82	/* chip mapping data */
#define ICAO_PACE_DO_EPK_T	0x83	/* terminal ephemeral public key */
#define ICAO_PACE_DO_EPK_C	0x84	/* chip ephemeral public key */
#define ICAO_PACE_DO_TOK_T	0x85	/* terminal token */
#define ICAO_PACE_DO_TOK_C	0x86	/* chip token */
#define ICAO_PACE_DO_CAM	0x8A	/* chip: encrypted chip authentication
					 * data A_IC (CAM) */
#define ICAO_PACE_DO_PUBKEY	0x7F49	/* public key data object (tokens) */
#define ICAO_PACE_DO_OID	0x06
#define ICAO_PACE_DO_EC_POINT	0x86

#define ICAO_PACE_OID_MAX	16
#define ICAO_PACE_POINT_MAX	133	/* 04 || x || y for P-521 */
#define ICAO_PACE_TOKEN_LEN	8
#define ICAO_PACE_NONCE_MAX	32

/* The mapping a PACEInfo OID names (0.4.0.127.0.7.2.2.4.{2,4,6}.x). */
enum icao_pace_mapping {
	ICAO_PACE_MAP_GM = 0,	/* id-PACE-ECDH-GM-* */
	ICAO_PACE_MAP_IM,	/* id-PACE-ECDH-IM-* */
	ICAO_PACE_MAP_CAM,	/* id-PACE-ECDH-CAM-* (AES only) */
};

/* icao_pace_mapping_name — "GM", "IM", "CAM"; static. */
const char *icao_pace_mapping_name(enum icao_pace_mapping m);

/*
 * struct icao_pace_params — what PACEInfo says: the protocol OID (content
 * bytes, e.g. 04 00 7F 00 07 02 02 04 02 02), the mapping and cipher it
 * names and the standardized domain parameters (parameterId → mbedTLS
 * group id).
 */
struct icao_pace_params {
	uint8_t oid[ICAO_PACE_OID_MAX];
	size_t oid_len;
	enum icao_pace_mapping mapping;
	enum icao_cipher cipher;
	int param_id;		/* 8, 10, 12, 13, 15, 16, 17, 18 */
	int group_id;		/* mbedtls_ecp_group_id */
};

/*
 * icao_pace_params_init — fill p from a PACEInfo protocol OID in dotted
 * form (as struct lds_secinfo .oid gives it, "0.4.0.127.0.7.2.2.4.2.2") and
 * its parameterId. Supported: id-PACE-ECDH-GM-3DES / -AES-CBC-CMAC-128/192/
 * 256, id-PACE-ECDH-IM-3DES / -AES-CBC-CMAC-128/192/256 and
 * id-PACE-ECDH-CAM-AES-CBC-CMAC-128/192/256 with parameterId 8 (NIST
 * P-192), 10 (P-224; not with IM), 12 (P-256), 13 (brainpoolP256r1), 15
 * (P-384), 16 (brainpoolP384r1), 17 (brainpoolP512r1), 18 (P-521).
 * Errors: EG_ERR_INVAL (NULL), EG_ERR_UNSUPPORTED (DH, CAM with 3DES, IM on
 * P-224, an unknown OID, or a parameterId mbedTLS lacks: 9 and 11
 * (brainpool 192/224), 14 (brainpoolP320r1), 0-2 MODP).
 */
int icao_pace_params_init(struct icao_pace_params *p, const char *oid_dotted,
    long param_id);

/* icao_pace_params_check — true when p is a set a PACE context accepts: a
 * known OID/curve pair, consistent with its cipher and group (the check
 * icao_pace_new and the chip side make). NULL is false. */
bool icao_pace_params_check(const struct icao_pace_params *p);

/*
 * icao_pace_params_secinfo — append the PACEInfo SecurityInfo of p
 * (SEQUENCE { protocol OID, version 2, parameterId }) to w, for a
 * simulated chip's EF.CardAccess / DG14 SET ('31' L PACEInfo... : the
 * G.1 EF.CardAccess is '31 14' + this for its parameters).
 * Errors: EG_ERR_INVAL, buffer errors (w unchanged then).
 */
struct eg_wbuf;
int icao_pace_params_secinfo(const struct icao_pace_params *p,
    struct eg_wbuf *w);

/* icao_pace_curve_name — "brainpoolP256r1", ...; "unknown" otherwise. */
const char *icao_pace_curve_name(int param_id);

/*
 * icao_pace_kpi — Kπ = KDF(K, 3) for the cipher: MRZ: K = SHA-1(mrz_info)
 * (the same 24..64 character string BAC uses, "T22000129364081251010318");
 * CAN: K = the CAN's ASCII digits (1..16 of them). kpi receives
 * icao_cipher_key_len(cipher) bytes (caller storage, caller wipes).
 * Errors: EG_ERR_INVAL (bad password string or type), EG_ERR_CRYPTO.
 */
int icao_pace_kpi(enum icao_pace_pw type, const char *password,
    enum icao_cipher cipher, uint8_t kpi[ICAO_KEY_MAX]);

/* ---- one PACE run, either role (no I/O) -------------------------------- */

struct icao_pace;

enum icao_pace_role { ICAO_PACE_TERMINAL = 0, ICAO_PACE_CHIP = 1 };

/*
 * icao_pace_new — a context for one run. params and kpi (key length of
 * params->cipher) are copied; rng/rng_ctx are borrowed (see above for what
 * is drawn). Errors: EG_ERR_INVAL, EG_ERR_UNSUPPORTED, EG_ERR_NOMEM,
 * EG_ERR_CRYPTO.
 */
int icao_pace_new(enum icao_pace_role role,
    const struct icao_pace_params *params, const uint8_t *kpi,
    icao_rng_fn rng, void *rng_ctx, struct icao_pace **out);

/* icao_pace_free — wipe every secret, free, set *pc = NULL. NULL-safe. */
void icao_pace_free(struct icao_pace **pc);

/*
 * Step 1. Chip: icao_pace_nonce_make draws s (one cipher block) and writes
 * E(Kπ, s) to enc (cap >= ICAO_PACE_NONCE_MAX). Terminal:
 * icao_pace_nonce_decrypt takes the chip's encrypted nonce (untrusted: a
 * non-zero multiple of the block length, at most ICAO_PACE_NONCE_MAX) and
 * decrypts it. Errors: EG_ERR_STATE (wrong role or order), EG_ERR_PROTOCOL
 * (length), EG_ERR_CRYPTO, EG_ERR_OVERFLOW (cap).
 */
int icao_pace_nonce_make(struct icao_pace *pc, uint8_t *enc, size_t cap,
    size_t *len);
int icao_pace_nonce_decrypt(struct icao_pace *pc, const uint8_t *enc,
    size_t len);

/*
 * Step 2. icao_pace_map_pub — generate the mapping key pair on G and write
 * its public point (04 || x || y) to out (cap >= ICAO_PACE_POINT_MAX).
 * icao_pace_map — take the peer's mapping point (untrusted), check it lies
 * on the curve, compute H and G' = s·G + H (H and G' must not be the point
 * at infinity). map_pub must come first (the terminal sends its point,
 * the chip answers with its own); both need step 1 done.
 * Errors: EG_ERR_STATE, EG_ERR_FORMAT (not an uncompressed point of the
 * field size), EG_ERR_PROTOCOL (not on the curve, or H/G' at infinity),
 * EG_ERR_CRYPTO (also an RNG failure), EG_ERR_OVERFLOW.
 */
int icao_pace_map_pub(struct icao_pace *pc, uint8_t *out, size_t cap,
    size_t *len);
int icao_pace_map(struct icao_pace *pc, const uint8_t *peer, size_t len);

/*
 * Step 3. icao_pace_eph_pub — generate the ephemeral key pair on G' and
 * write its public point. icao_pace_agree — take the peer's ephemeral point
 * (untrusted; must be on the curve and differ from ours), compute K and
 * the session keys, and both tokens. Errors as step 2.
 */
int icao_pace_eph_pub(struct icao_pace *pc, uint8_t *out, size_t cap,
    size_t *len);
int icao_pace_agree(struct icao_pace *pc, const uint8_t *peer, size_t len);

/*
 * Step 4. icao_pace_token — our token (over the peer's ephemeral key), 8
 * bytes. icao_pace_verify — check the peer's token (untrusted) in constant
 * time; on success the run is ESTABLISHED.
 * Errors: EG_ERR_STATE (before agree), EG_ERR_AUTH (wrong length or value:
 * the peer does not know the password).
 */
int icao_pace_token(const struct icao_pace *pc,
    uint8_t tok[ICAO_PACE_TOKEN_LEN]);
int icao_pace_verify(struct icao_pace *pc, const uint8_t *tok, size_t len);

/* icao_pace_established — true after a successful icao_pace_verify. */
bool icao_pace_established(const struct icao_pace *pc);

/*
 * CAM, chip: icao_pace_cam_encrypt — after agree (the chip's mapping key is
 * kept for it): A_IC for the static private key sk_ic (big endian, 1 <=
 * sk < n) into out (cap >= 64 + 16). The chip sends it as DO'8A' with its
 * token. Terminal: icao_pace_cam_decrypt — after agree: decrypt the chip's
 * A_IC (untrusted) and keep CA_IC (1 <= CA_IC < n) for icao_pace_cam_get.
 * Errors: EG_ERR_STATE (not CAM, wrong role or step), EG_ERR_INVAL,
 * EG_ERR_FORMAT (A_IC not whole blocks, bad padding, CA_IC too long, 0 or
 * >= n), EG_ERR_OVERFLOW, EG_ERR_CRYPTO.
 */
int icao_pace_cam_encrypt(struct icao_pace *pc, const uint8_t *sk_ic,
    size_t sk_len, uint8_t *out, size_t cap, size_t *len);
int icao_pace_cam_decrypt(struct icao_pace *pc, const uint8_t *a_ic,
    size_t len);

/*
 * What a PACE-CAM run leaves to check against the chip's static key:
 * CA_IC and the chip's mapping public key, on the PACE curve. CA_IC is
 * sensitive: icao_pace_cam_clear() wipes it.
 */
#define ICAO_PACE_FIELD_MAX	66
struct icao_pace_cam {
	bool present;			/* a CAM run left its data here */
	int group_id;			/* mbedtls_ecp_group_id of PACE */
	uint8_t ca_ic[ICAO_PACE_FIELD_MAX];
	size_t ca_ic_len;
	uint8_t pk_map_ic[ICAO_PACE_POINT_MAX];	/* 04 || x || y */
	size_t pk_map_ic_len;
};

/* icao_pace_cam_get — terminal, after icao_pace_cam_decrypt: fill out.
 * Errors: EG_ERR_STATE, EG_ERR_INVAL. */
int icao_pace_cam_get(const struct icao_pace *pc, struct icao_pace_cam *out);
void icao_pace_cam_clear(struct icao_pace_cam *c);

/*
 * icao_pace_cam_verify — the chip authentication of PACE-CAM: spki is the
 * chip's static Chip Authentication key (ChipAuthenticationPublicKeyInfo
 * of EF.CardSecurity, which the caller has verified with passive
 * authentication), an EC SubjectPublicKeyInfo with named or explicit
 * domain parameters. The key must be on PACE's curve; then CA_IC · PK_IC
 * must equal the chip's mapping public key.
 * Returns EG_OK (the chip holds SK_IC), EG_ERR_AUTH (it does not: a clone),
 * EG_ERR_UNSUPPORTED (another curve, not EC), EG_ERR_FORMAT /
 * EG_ERR_PROTOCOL (the key does not parse or is not on the curve),
 * EG_ERR_STATE (c holds no CAM data), EG_ERR_CRYPTO.
 */
int icao_pace_cam_verify(const struct icao_pace_cam *c, const uint8_t *spki,
    size_t spki_len);

/*
 * icao_pace_session_keys — after ESTABLISHED: the cipher and KSenc/KSmac
 * (key length bytes each, caller storage of ICAO_KEY_MAX, caller wipes).
 * icao_pace_install — after ESTABLISHED: icao_sm_set_keys(sm, cipher,
 * KSenc, KSmac, SSC = 0). Errors: EG_ERR_STATE (not established), those of
 * icao_sm_set_keys.
 */
int icao_pace_session_keys(const struct icao_pace *pc, enum icao_cipher *c,
    uint8_t *ksenc, uint8_t *ksmac);
int icao_pace_install(const struct icao_pace *pc, struct icao_sm *sm);

/*
 * icao_pace_get — copy an intermediate value out, for known-answer tests
 * and diagnostics. SECRET values (nonce s, H, K, KSenc, KSmac) must never be
 * logged. Errors: EG_ERR_STATE (not computed yet), EG_ERR_OVERFLOW (cap).
 */
enum icao_pace_value {
	ICAO_PACE_V_NONCE,	/* s (secret) */
	ICAO_PACE_V_MAP_PUB,	/* our mapping public point */
	ICAO_PACE_V_MAP_H,	/* H (secret), 04 || x || y */
	ICAO_PACE_V_MAP_G,	/* G', 04 || x || y */
	ICAO_PACE_V_EPH_PUB,	/* our ephemeral public point */
	ICAO_PACE_V_PEER_EPH,	/* the peer's ephemeral public point */
	ICAO_PACE_V_SHARED_K,	/* K (secret), field length */
	ICAO_PACE_V_KSENC,	/* secret */
	ICAO_PACE_V_KSMAC,	/* secret */
	ICAO_PACE_V_IM_T,	/* IM: the terminal's nonce t */
	ICAO_PACE_V_IM_R,	/* IM: R(s, t) before the reduction mod p
				 * (secret) */
	ICAO_PACE_V_CAM_CA,	/* CAM: CA_IC (terminal, after decrypt) */
};
int icao_pace_get(const struct icao_pace *pc, enum icao_pace_value v,
    uint8_t *out, size_t cap, size_t *len);

/* ---- terminal over a channel -------------------------------------------- */

/*
 * icao_pace_run — the whole terminal side over ch: detach and close any SM
 * session on ch; MSE:Set AT (00 22 C1 A4, DO'80' OID, DO'83' password ref);
 * GENERAL AUTHENTICATE ×4 (chained CLA 10 for the first three): 7C00 → 80
 * encrypted nonce; 81 PK_map(T) → 82 PK_map(IC); 83 PK(T) → 84 PK(IC);
 * 85 T(T) → 86 T(IC) (further objects, e.g. 87/88 CARs, are ignored).
 * On success the AES/3DES session keys are installed in sm with SSC = 0 and
 * sm is attached to ch. On any failure nothing is installed and sm is left
 * closed (IDLE).
 * Errors: EG_ERR_AUTH (the chip's token does not verify, or the chip
 * refuses ours with 6300 / 63Cx / 6982: wrong password; *sw tells which),
 * EG_ERR_CARD_STATUS (another status in *sw, e.g. 6A80 for an unsupported
 * OID), EG_ERR_FORMAT / EG_ERR_TRUNCATED / EG_ERR_NOT_FOUND (malformed
 * response), EG_ERR_PROTOCOL (bad point, PK(IC) = PK(T), bad nonce
 * length), those of icao_pace_kpi and icao_pace_new, transport errors.
 */
int icao_pace_run(struct icao_chan *ch, const struct icao_pace_params *params,
    enum icao_pace_pw pw_type, const char *password, icao_rng_fn rng,
    void *rng_ctx, struct icao_sm *sm, uint16_t *sw);

/*
 * icao_pace_run_cam — icao_pace_run, and for a CAM run the data to verify
 * the chip with (cam, caller-owned; cleared first; filled only on EG_OK
 * with CAM parameters). With IM the second GA answer must be '7C 00' or
 * '7C 02 82 00'; with CAM the last one must carry DO'8A' (else
 * EG_ERR_NOT_FOUND) that decrypts (EG_ERR_FORMAT). cam may be NULL.
 */
int icao_pace_run_cam(struct icao_chan *ch, const struct icao_pace_params *params,
    enum icao_pace_pw pw_type, const char *password, icao_rng_fn rng,
    void *rng_ctx, struct icao_sm *sm, struct icao_pace_cam *cam,
    uint16_t *sw);

#endif
