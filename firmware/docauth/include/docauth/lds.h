/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lds.h — ICAO Doc 9303 Logical Data Structure (Part 10): EF.COM, DG1,
 * DG11, DG12, DG14, DG15 and EF.CardAccess, parsed from the bytes exactly as
 * read from the chip.
 *
 * All parsers walk the input through eg_rbuf/eg_tlv with every length
 * checked. Results either copy short values into the output struct or
 * borrow spans of the input (marked "borrowed": valid while the input is).
 * Errors: EG_ERR_INVAL (NULL argument), EG_ERR_TRUNCATED (input ends inside
 * a TLV), EG_ERR_FORMAT (wrong tag, bad length or content),
 * EG_ERR_OVERFLOW (more elements than the fixed limits below),
 * EG_ERR_UNSUPPORTED (a DG15 key that is not RSA or a valid EC key).
 * DG2 (face) is not parsed here: the face pipeline does that; PA only hashes it.
 */
#ifndef EGATE_DOCAUTH_LDS_H
#define EGATE_DOCAUTH_LDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>

#include "docauth/spki.h"

/* LDS file tags (Part 10, 4.6) */
#define LDS_TAG_COM		0x60
#define LDS_TAG_DG1		0x61
#define LDS_TAG_DG2		0x75
#define LDS_TAG_DG11		0x6B
#define LDS_TAG_DG12		0x6C
#define LDS_TAG_DG14		0x6E
#define LDS_TAG_DG15		0x6F
#define LDS_TAG_SOD		0x77
#define LDS_TAG_MRZ		0x5F1F

#define LDS_MAX_DG		16

/* lds_dg_tag — the LDS tag of data group dg (1..16), or 0. */
uint8_t lds_dg_tag(int dg);
/* lds_dg_from_tag — the data group number of an LDS tag, or 0. */
int lds_dg_from_tag(uint8_t tag);

/* What a file read from an eMRTD is, by its outer tag. */
enum lds_file {
	LDS_FILE_UNKNOWN = 0,
	LDS_FILE_COM,		/* 60 */
	LDS_FILE_DG,		/* 61, 75, 63, 76, 65..70: DG1..DG16 */
	LDS_FILE_SOD,		/* 77 */
	LDS_FILE_CARD_ACCESS,	/* 31: SecurityInfos */
	LDS_FILE_CARD_SECURITY,	/* 30: a CMS ContentInfo (SignedData) */
};

/*
 * lds_file_identify — which file data is: its outer TLV (BER lengths
 * accepted) must span exactly len bytes. *dg (may be NULL) gets 1..16 for a
 * data group, 0 otherwise. Errors: EG_ERR_INVAL, EG_ERR_TRUNCATED /
 * EG_ERR_FORMAT (not one TLV of exactly len bytes), EG_ERR_NOT_FOUND (a tag
 * that is none of these files).
 */
int lds_file_identify(const uint8_t *data, size_t len, enum lds_file *kind, int *dg);
/* lds_file_name — "EF.COM", "DG1".."DG16", "EF.SOD", "EF.CardAccess",
 * "EF.CardSecurity", "unknown"; static. */
const char *lds_file_name(enum lds_file kind, int dg);

/* EF.COM (tag 60) */
struct lds_com {
	char lds_version[5];	/* "0107" from 5F01, NUL-terminated */
	char unicode_version[7];	/* "040000" from 5F36 */
	uint32_t dg_mask;	/* bit n set: DGn listed in tag 5C */
	size_t n_tags;
	uint8_t tags[LDS_MAX_DG];	/* the 5C list as read */
};
int lds_com_parse(const uint8_t *data, size_t len, struct lds_com *out);

/* DG1 (tag 61, 5F1F MRZ) */
enum lds_mrz_format { LDS_MRZ_TD1 = 1, LDS_MRZ_TD2 = 2, LDS_MRZ_TD3 = 3 };
struct lds_dg1 {
	enum lds_mrz_format format;
	size_t len;		/* 90, 72 or 88 */
	char mrz[91];		/* the MRZ text, lines concatenated, NUL-terminated */
	int n_lines;		/* 3 (TD1) or 2 */
	size_t line_len;	/* 30, 36 or 44 */
	char lines[3][45];	/* each line NUL-terminated */
	char issuing_state[4];	/* MRZ characters 3-5, fillers kept ("D<<") */
};
/* lds_dg1_parse — personal data: callers wipe the struct (eg_memzero) after use. */
int lds_dg1_parse(const uint8_t *data, size_t len, struct lds_dg1 *out);

/* lds_dg2_locate — DG2 (tag 75) is parsed by the face pipeline; this only
 * checks the outer tag and hands out the Biometric Information Group
 * Template (7F61) inside it as a borrowed span (*bit points into data).
 * Errors as above (EG_ERR_FORMAT if the 7F61 template is missing). */
int lds_dg2_locate(const uint8_t *data, size_t len, const uint8_t **bit, size_t *bit_len);

/* DG11 (6B) / DG12 (6C): the data elements listed in 5C, as borrowed spans.
 * Elements inside a constructed template (A0: other names, other persons)
 * are listed too, in order. */
#define LDS_MAX_FIELDS 24
struct lds_field {
	uint32_t tag;		/* 0x5F0E name of holder, 0x5F10 personal number, ... */
	const uint8_t *p;	/* borrowed */
	size_t len;
};
struct lds_fields {
	size_t n;
	struct lds_field f[LDS_MAX_FIELDS];
};
int lds_dg11_parse(const uint8_t *data, size_t len, struct lds_fields *out);
int lds_dg12_parse(const uint8_t *data, size_t len, struct lds_fields *out);
/* lds_fields_find — the first field with tag, or NULL. */
const struct lds_field *lds_fields_find(const struct lds_fields *f, uint32_t tag);
/* lds_field_name — a short English name for a DG11/DG12 tag ("full_name"), or "unknown". */
const char *lds_field_name(uint32_t tag);

/* SecurityInfos (DG14, EF.CardAccess; Part 11, 9.2) */
enum lds_si_kind {
	LDS_SI_UNKNOWN = 0,
	LDS_SI_PACE_INFO,		/* id-PACE-* */
	LDS_SI_PACE_DOMAIN_PARAMS,	/* id-PACE-DH / id-PACE-ECDH (domain parameter info) */
	LDS_SI_CA_INFO,			/* id-CA-* ChipAuthenticationInfo */
	LDS_SI_CA_PUBKEY,		/* id-PK-DH / id-PK-ECDH ChipAuthenticationPublicKeyInfo */
	LDS_SI_TA_INFO,			/* id-TA TerminalAuthenticationInfo */
	LDS_SI_AA_INFO,			/* id-icao-mrtd-security-aaProtocolObject */
};
enum lds_mapping { LDS_MAP_NONE = 0, LDS_MAP_GM, LDS_MAP_IM, LDS_MAP_CAM };
enum lds_ka { LDS_KA_NONE = 0, LDS_KA_DH, LDS_KA_ECDH };
enum lds_cipher { LDS_CIPHER_NONE = 0, LDS_CIPHER_3DES, LDS_CIPHER_AES128,
	LDS_CIPHER_AES192, LDS_CIPHER_AES256 };

struct lds_secinfo {
	enum lds_si_kind kind;
	char oid[64];		/* dotted, e.g. "0.4.0.127.0.7.2.2.4.2.2" */
	enum lds_mapping mapping;	/* PACE only */
	enum lds_ka ka;		/* PACE, CA, PK */
	enum lds_cipher cipher;	/* PACE, CA */
	long version;		/* -1 if absent */
	long param_id;		/* PACE parameterId, -1 if absent */
	long key_id;		/* CA keyId, -1 if absent */
	const uint8_t *spki;	/* CA_PUBKEY: SubjectPublicKeyInfo DER (borrowed) */
	size_t spki_len;
};
#define LDS_MAX_SECINFOS 16
struct lds_secinfos {
	size_t n;
	struct lds_secinfo si[LDS_MAX_SECINFOS];
};
/* lds_secinfos_parse — a bare SecurityInfos SET (tag 31), as in EF.CardAccess. */
int lds_secinfos_parse(const uint8_t *data, size_t len, struct lds_secinfos *out);
/* lds_cardaccess_parse — EF.CardAccess (same as lds_secinfos_parse). */
int lds_cardaccess_parse(const uint8_t *data, size_t len, struct lds_secinfos *out);
/* lds_dg14_parse — DG14: tag 6E around a SecurityInfos SET. */
int lds_dg14_parse(const uint8_t *data, size_t len, struct lds_secinfos *out);

const char *lds_si_kind_str(enum lds_si_kind k);
const char *lds_mapping_str(enum lds_mapping m);
const char *lds_ka_str(enum lds_ka k);
const char *lds_cipher_str(enum lds_cipher c);
/* lds_pace_param_str — the standardized domain parameter name (Part 11,
 * 9.5.1: 0-2 MODP, 8-18 EC curves), or "unknown". */
const char *lds_pace_param_str(long id);

/* DG15 (6F): the Active Authentication public key. */
struct lds_dg15 {
	mbedtls_pk_context pk;	/* RSA or EC (named, explicit or custom curve:
				 * spki.h); owned, free with lds_dg15_free */
	struct spki_info key;	/* what the key is */
	const uint8_t *spki;	/* borrowed */
	size_t spki_len;
};
/* lds_dg15_parse — out must not hold a key (lds_dg15_free first); on error
 * out holds nothing. */
int lds_dg15_parse(const uint8_t *data, size_t len, struct lds_dg15 *out);
void lds_dg15_free(struct lds_dg15 *d);

#endif
