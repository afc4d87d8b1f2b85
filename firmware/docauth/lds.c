/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lds.c — EF.COM, DG1, DG11, DG12, DG14, DG15 and EF.CardAccess parsers
 * (ICAO Doc 9303 Part 10 and Part 11 section 9). See lds.h.
 */
#include <string.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "egate/tlv.h"
#include "docauth/lds.h"
#include "docauth/spki.h"
#include "der.h"

static const uint8_t dg_tags[LDS_MAX_DG + 1] = {
	0, 0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68,
	0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70,
};

uint8_t
lds_dg_tag(int dg)
{
	return dg >= 1 && dg <= LDS_MAX_DG ? dg_tags[dg] : 0;
}

int
lds_dg_from_tag(uint8_t tag)
{
	for (int i = 1; i <= LDS_MAX_DG; i++)
		if (dg_tags[i] == tag)
			return i;
	return 0;
}

/* Read the one outer TLV of a file with tag and require nothing after it
 * (chips pad files with nothing; trailing bytes mean a bad read). */
static int
outer(const uint8_t *data, size_t len, uint32_t tag, struct eg_rbuf *value)
{
	struct eg_rbuf b;
	struct eg_tlv t;
	int ret;

	if (data == NULL || value == NULL)
		return EG_ERR_INVAL;
	b = eg_rbuf_init(data, len);
	if ((ret = eg_tlv_expect(&b, tag, &t)) != EG_OK)
		return ret;
	if (eg_rbuf_left(&b) != 0)
		return EG_ERR_FORMAT;
	*value = t.value;
	return EG_OK;
}

static bool
all_digits(const struct eg_rbuf *v)
{
	for (const uint8_t *p = v->p; p < v->end; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

int
lds_com_parse(const uint8_t *data, size_t len, struct lds_com *out)
{
	struct eg_rbuf v;
	struct eg_tlv t;
	int ret;

	if (out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if ((ret = outer(data, len, LDS_TAG_COM, &v)) != EG_OK)
		return ret;
	if ((ret = eg_tlv_expect(&v, 0x5F01, &t)) != EG_OK)
		return ret;
	if (eg_rbuf_left(&t.value) != 4 || !all_digits(&t.value))
		return EG_ERR_FORMAT;
	memcpy(out->lds_version, t.value.p, 4);
	if ((ret = eg_tlv_expect(&v, 0x5F36, &t)) != EG_OK)
		return ret;
	if (eg_rbuf_left(&t.value) != 6 || !all_digits(&t.value))
		return EG_ERR_FORMAT;
	memcpy(out->unicode_version, t.value.p, 6);
	if ((ret = eg_tlv_expect(&v, 0x5C, &t)) != EG_OK)
		return ret;
	if (eg_rbuf_left(&v) != 0)
		return EG_ERR_FORMAT;
	if (eg_rbuf_left(&t.value) > LDS_MAX_DG)
		return EG_ERR_OVERFLOW;
	for (const uint8_t *p = t.value.p; p < t.value.end; p++) {
		int dg = lds_dg_from_tag(*p);

		if (dg == 0 || (out->dg_mask & (1u << dg)))
			return EG_ERR_FORMAT;	/* unknown or repeated tag */
		out->dg_mask |= 1u << dg;
		out->tags[out->n_tags++] = *p;
	}
	return EG_OK;
}

static bool
mrz_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '<';
}

int
lds_dg1_parse(const uint8_t *data, size_t len, struct lds_dg1 *out)
{
	struct eg_rbuf v;
	struct eg_tlv t;
	size_t n;
	int ret;

	if (out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if ((ret = outer(data, len, LDS_TAG_DG1, &v)) != EG_OK)
		return ret;
	if ((ret = eg_tlv_expect(&v, LDS_TAG_MRZ, &t)) != EG_OK)
		return ret;
	if (eg_rbuf_left(&v) != 0)
		return EG_ERR_FORMAT;
	n = eg_rbuf_left(&t.value);
	switch (n) {
	case 90: out->format = LDS_MRZ_TD1; out->n_lines = 3; out->line_len = 30; break;
	case 72: out->format = LDS_MRZ_TD2; out->n_lines = 2; out->line_len = 36; break;
	case 88: out->format = LDS_MRZ_TD3; out->n_lines = 2; out->line_len = 44; break;
	default: return EG_ERR_FORMAT;
	}
	for (size_t i = 0; i < n; i++)
		if (!mrz_char(t.value.p[i])) {
			eg_memzero(out, sizeof(*out));
			return EG_ERR_FORMAT;
		}
	memcpy(out->mrz, t.value.p, n);
	out->len = n;
	for (int l = 0; l < out->n_lines; l++)
		memcpy(out->lines[l], out->mrz + (size_t)l * out->line_len, out->line_len);
	memcpy(out->issuing_state, out->mrz + 2, 3);
	return EG_OK;
}

int
lds_dg2_locate(const uint8_t *data, size_t len, const uint8_t **bit, size_t *bit_len)
{
	struct eg_rbuf v;
	struct eg_tlv t;
	int ret;

	if (bit == NULL || bit_len == NULL)
		return EG_ERR_INVAL;
	*bit = NULL;
	*bit_len = 0;
	if ((ret = outer(data, len, LDS_TAG_DG2, &v)) != EG_OK)
		return ret;
	if ((ret = eg_tlv_expect(&v, 0x7F61, &t)) != EG_OK)
		return ret;
	if (eg_rbuf_left(&v) != 0)
		return EG_ERR_FORMAT;
	*bit = t.raw;
	*bit_len = t.raw_len;
	return EG_OK;
}

/* Collect primitive data elements of a DG11/DG12 body, one level into
 * constructed templates (A0 "other names"/"other persons"). */
static int
collect_fields(struct eg_rbuf v, struct lds_fields *out, int depth)
{
	struct eg_tlv t;
	int ret;

	while (eg_rbuf_left(&v) > 0) {
		if ((ret = eg_tlv_read(&v, &t)) != EG_OK)
			return ret;
		if (t.tag == 0x5C || (depth > 0 && t.tag == 0x02))
			continue;	/* tag list, number of entries */
		if (t.constructed) {
			if (depth > 0)
				return EG_ERR_FORMAT;
			if ((ret = collect_fields(t.value, out, depth + 1)) != EG_OK)
				return ret;
			continue;
		}
		if (out->n == LDS_MAX_FIELDS)
			return EG_ERR_OVERFLOW;
		out->f[out->n].tag = t.tag;
		out->f[out->n].p = t.value.p;
		out->f[out->n].len = eg_rbuf_left(&t.value);
		out->n++;
	}
	return EG_OK;
}

static int
fields_parse(const uint8_t *data, size_t len, uint32_t tag, struct lds_fields *out)
{
	struct eg_rbuf v;
	struct eg_tlv list;
	int ret;

	if (out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if ((ret = outer(data, len, tag, &v)) != EG_OK)
		return ret;
	/* the tag list comes first (Part 10, 4.7.11/4.7.12) */
	if ((ret = eg_tlv_expect(&v, 0x5C, &list)) != EG_OK)
		return ret;
	if ((ret = collect_fields(v, out, 0)) != EG_OK)
		memset(out, 0, sizeof(*out));
	return ret;
}

int
lds_dg11_parse(const uint8_t *data, size_t len, struct lds_fields *out)
{
	return fields_parse(data, len, LDS_TAG_DG11, out);
}

int
lds_dg12_parse(const uint8_t *data, size_t len, struct lds_fields *out)
{
	return fields_parse(data, len, LDS_TAG_DG12, out);
}

const struct lds_field *
lds_fields_find(const struct lds_fields *f, uint32_t tag)
{
	for (size_t i = 0; f != NULL && i < f->n; i++)
		if (f->f[i].tag == tag)
			return &f->f[i];
	return NULL;
}

static const struct {
	uint32_t tag;
	const char *name;
} field_names[] = {
	{ 0x5F0E, "full_name" },		/* DG11 */
	{ 0x5F0F, "other_name" },
	{ 0x5F10, "personal_number" },
	{ 0x5F2B, "full_date_of_birth" },
	{ 0x5F11, "place_of_birth" },
	{ 0x5F42, "permanent_address" },
	{ 0x5F12, "telephone" },
	{ 0x5F13, "profession" },
	{ 0x5F14, "title" },
	{ 0x5F15, "personal_summary" },
	{ 0x5F16, "proof_of_citizenship" },
	{ 0x5F17, "other_travel_documents" },
	{ 0x5F18, "custody_information" },
	{ 0x5F19, "issuing_authority" },	/* DG12 */
	{ 0x5F1A, "other_person" },
	{ 0x5F1B, "endorsements" },
	{ 0x5F1C, "tax_exit_requirements" },
	{ 0x5F1D, "image_front" },
	{ 0x5F1E, "image_rear" },
	{ 0x5F26, "date_of_issue" },
	{ 0x5F55, "personalization_time" },
	{ 0x5F56, "personalization_device_serial" },
};

const char *
lds_field_name(uint32_t tag)
{
	for (size_t i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++)
		if (field_names[i].tag == tag)
			return field_names[i].name;
	return "unknown";
}

/* ---- SecurityInfos -------------------------------------------------------- */

/* bsi-de protocols 0.4.0.127.0.7.2.2 */
static const uint8_t oid_bsi_protocols[] = { 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02 };
#define OID_AA_INFO "\x67\x81\x08\x01\x01\x05"	/* 2.23.136.1.1.5 */

static enum lds_cipher
cipher_of(uint8_t v)
{
	switch (v) {
	case 1: return LDS_CIPHER_3DES;
	case 2: return LDS_CIPHER_AES128;
	case 3: return LDS_CIPHER_AES192;
	case 4: return LDS_CIPHER_AES256;
	default: return LDS_CIPHER_NONE;
	}
}

/* Classify a protocol OID (value bytes). */
static void
classify(const uint8_t *o, size_t n, struct lds_secinfo *si)
{
	const size_t b = sizeof(oid_bsi_protocols);

	si->kind = LDS_SI_UNKNOWN;
	if (n == DER_OID_LEN(OID_AA_INFO) && memcmp(o, OID_AA_INFO, n) == 0) {
		si->kind = LDS_SI_AA_INFO;
		return;
	}
	if (n < b + 1 || memcmp(o, oid_bsi_protocols, b) != 0)
		return;
	switch (o[b]) {
	case 1:	/* id-PK */
		if (n == b + 2 && (o[b + 1] == 1 || o[b + 1] == 2)) {
			si->kind = LDS_SI_CA_PUBKEY;
			si->ka = o[b + 1] == 1 ? LDS_KA_DH : LDS_KA_ECDH;
		}
		break;
	case 2:	/* id-TA */
		if (n == b + 1)
			si->kind = LDS_SI_TA_INFO;
		break;
	case 3:	/* id-CA */
		if (n == b + 3 && (o[b + 1] == 1 || o[b + 1] == 2) &&
		    cipher_of(o[b + 2]) != LDS_CIPHER_NONE) {
			si->kind = LDS_SI_CA_INFO;
			si->ka = o[b + 1] == 1 ? LDS_KA_DH : LDS_KA_ECDH;
			si->cipher = cipher_of(o[b + 2]);
		}
		break;
	case 4:	/* id-PACE */
		if (n == b + 2 && (o[b + 1] == 1 || o[b + 1] == 2)) {
			/* id-PACE-DH-GM / id-PACE-ECDH-GM alone: PACEDomainParameterInfo */
			si->kind = LDS_SI_PACE_DOMAIN_PARAMS;
			si->mapping = LDS_MAP_GM;
			si->ka = o[b + 1] == 1 ? LDS_KA_DH : LDS_KA_ECDH;
		} else if (n == b + 3 && cipher_of(o[b + 2]) != LDS_CIPHER_NONE) {
			switch (o[b + 1]) {
			case 1: si->mapping = LDS_MAP_GM; si->ka = LDS_KA_DH; break;
			case 2: si->mapping = LDS_MAP_GM; si->ka = LDS_KA_ECDH; break;
			case 3: si->mapping = LDS_MAP_IM; si->ka = LDS_KA_DH; break;
			case 4: si->mapping = LDS_MAP_IM; si->ka = LDS_KA_ECDH; break;
			case 6: si->mapping = LDS_MAP_CAM; si->ka = LDS_KA_ECDH; break;
			default: return;
			}
			if (si->mapping == LDS_MAP_CAM && o[b + 2] == 1)
				return;	/* CAM is AES only */
			si->kind = LDS_SI_PACE_INFO;
			si->cipher = cipher_of(o[b + 2]);
		}
		break;
	default:
		break;
	}
}

static int
opt_int(struct eg_rbuf *in, long *v)
{
	struct eg_tlv t;
	struct eg_rbuf save = *in;
	int ret;

	*v = -1;
	if (eg_rbuf_left(in) == 0 || in->p[0] != 0x02)
		return EG_OK;
	if ((ret = eg_tlv_read(in, &t)) != EG_OK || (ret = der_int(&t, v)) != EG_OK) {
		*in = save;
		return ret == EG_OK ? EG_ERR_FORMAT : ret;
	}
	return EG_OK;
}

static int
secinfo_parse(const struct eg_tlv *seq, struct lds_secinfo *si)
{
	struct eg_rbuf in = seq->value;
	struct eg_tlv oid, t;
	int ret;

	memset(si, 0, sizeof(*si));
	si->version = si->param_id = si->key_id = -1;
	if (seq->tag != 0x30)
		return EG_ERR_FORMAT;
	if ((ret = eg_tlv_expect(&in, 0x06, &oid)) != EG_OK)
		return ret;
	if ((ret = der_oid_str(oid.value.p, eg_rbuf_left(&oid.value), si->oid,
	    sizeof(si->oid))) != EG_OK)
		return ret;
	classify(oid.value.p, eg_rbuf_left(&oid.value), si);
	switch (si->kind) {
	case LDS_SI_PACE_INFO:	/* version INTEGER, parameterId INTEGER OPTIONAL */
	case LDS_SI_CA_INFO:	/* version INTEGER, keyId INTEGER OPTIONAL */
		if ((ret = eg_tlv_expect(&in, 0x02, &t)) != EG_OK ||
		    (ret = der_int(&t, &si->version)) != EG_OK)
			return ret;
		if ((ret = opt_int(&in, si->kind == LDS_SI_PACE_INFO ?
		    &si->param_id : &si->key_id)) != EG_OK)
			return ret;
		if (eg_rbuf_left(&in) != 0)
			return EG_ERR_FORMAT;
		break;
	case LDS_SI_CA_PUBKEY:	/* SubjectPublicKeyInfo, keyId INTEGER OPTIONAL */
		if ((ret = eg_tlv_expect(&in, 0x30, &t)) != EG_OK)
			return ret;
		si->spki = t.raw;
		si->spki_len = t.raw_len;
		if ((ret = opt_int(&in, &si->key_id)) != EG_OK)
			return ret;
		if (eg_rbuf_left(&in) != 0)
			return EG_ERR_FORMAT;
		break;
	case LDS_SI_TA_INFO:
	case LDS_SI_AA_INFO:	/* version INTEGER, ... */
		if ((ret = eg_tlv_expect(&in, 0x02, &t)) != EG_OK ||
		    (ret = der_int(&t, &si->version)) != EG_OK)
			return ret;
		break;
	default:
		/* unknown or domain parameters: requiredData must be a TLV */
		if (eg_rbuf_left(&in) == 0)
			return EG_ERR_FORMAT;
		while (eg_rbuf_left(&in) > 0)
			if ((ret = eg_tlv_read(&in, &t)) != EG_OK)
				return ret;
		break;
	}
	return EG_OK;
}

static int
secinfos_body(struct eg_rbuf set, struct lds_secinfos *out)
{
	struct eg_tlv t;
	int ret;

	while (eg_rbuf_left(&set) > 0) {
		if ((ret = eg_tlv_read(&set, &t)) != EG_OK)
			return ret;
		if (out->n == LDS_MAX_SECINFOS)
			return EG_ERR_OVERFLOW;
		if ((ret = secinfo_parse(&t, &out->si[out->n])) != EG_OK)
			return ret;
		out->n++;
	}
	return out->n > 0 ? EG_OK : EG_ERR_FORMAT;
}

int
lds_secinfos_parse(const uint8_t *data, size_t len, struct lds_secinfos *out)
{
	struct eg_rbuf v;
	int ret;

	if (out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if ((ret = outer(data, len, 0x31, &v)) != EG_OK)
		return ret;
	if ((ret = secinfos_body(v, out)) != EG_OK)
		memset(out, 0, sizeof(*out));
	return ret;
}

int
lds_cardaccess_parse(const uint8_t *data, size_t len, struct lds_secinfos *out)
{
	return lds_secinfos_parse(data, len, out);
}

int
lds_dg14_parse(const uint8_t *data, size_t len, struct lds_secinfos *out)
{
	struct eg_rbuf v;
	struct eg_tlv set;
	int ret;

	if (out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if ((ret = outer(data, len, LDS_TAG_DG14, &v)) != EG_OK)
		return ret;
	if ((ret = eg_tlv_expect(&v, 0x31, &set)) != EG_OK)
		return ret;
	if (eg_rbuf_left(&v) != 0)
		return EG_ERR_FORMAT;
	if ((ret = secinfos_body(set.value, out)) != EG_OK)
		memset(out, 0, sizeof(*out));
	return ret;
}

const char *
lds_si_kind_str(enum lds_si_kind k)
{
	switch (k) {
	case LDS_SI_PACE_INFO: return "PACEInfo";
	case LDS_SI_PACE_DOMAIN_PARAMS: return "PACEDomainParameterInfo";
	case LDS_SI_CA_INFO: return "ChipAuthenticationInfo";
	case LDS_SI_CA_PUBKEY: return "ChipAuthenticationPublicKeyInfo";
	case LDS_SI_TA_INFO: return "TerminalAuthenticationInfo";
	case LDS_SI_AA_INFO: return "ActiveAuthenticationInfo";
	default: return "unknown";
	}
}

const char *
lds_mapping_str(enum lds_mapping m)
{
	switch (m) {
	case LDS_MAP_GM: return "GM";
	case LDS_MAP_IM: return "IM";
	case LDS_MAP_CAM: return "CAM";
	default: return "none";
	}
}

const char *
lds_ka_str(enum lds_ka k)
{
	switch (k) {
	case LDS_KA_DH: return "DH";
	case LDS_KA_ECDH: return "ECDH";
	default: return "none";
	}
}

const char *
lds_cipher_str(enum lds_cipher c)
{
	switch (c) {
	case LDS_CIPHER_3DES: return "3DES-CBC-CBC";
	case LDS_CIPHER_AES128: return "AES-CBC-CMAC-128";
	case LDS_CIPHER_AES192: return "AES-CBC-CMAC-192";
	case LDS_CIPHER_AES256: return "AES-CBC-CMAC-256";
	default: return "none";
	}
}

const char *
lds_pace_param_str(long id)
{
	static const char *const names[] = {
		"1024-bit MODP Group with 160-bit Prime Order Subgroup",
		"2048-bit MODP Group with 224-bit Prime Order Subgroup",
		"2048-bit MODP Group with 256-bit Prime Order Subgroup",
		NULL, NULL, NULL, NULL, NULL,
		"NIST P-192", "brainpoolP192r1", "NIST P-224", "brainpoolP224r1",
		"NIST P-256", "brainpoolP256r1", "brainpoolP320r1", "NIST P-384",
		"brainpoolP384r1", "brainpoolP512r1", "NIST P-521",
	};

	if (id < 0 || id >= (long)(sizeof(names) / sizeof(names[0])) || names[id] == NULL)
		return "unknown";
	return names[id];
}

/* ---- DG15 ------------------------------------------------------------------ */

int
lds_dg15_parse(const uint8_t *data, size_t len, struct lds_dg15 *out)
{
	struct eg_rbuf v;
	struct eg_tlv spki;
	mbedtls_pk_type_t type;
	int ret;

	if (out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	mbedtls_pk_init(&out->pk);
	if ((ret = outer(data, len, LDS_TAG_DG15, &v)) != EG_OK)
		return ret;
	if ((ret = eg_tlv_expect(&v, 0x30, &spki)) != EG_OK)
		return ret;
	if (eg_rbuf_left(&v) != 0)
		return EG_ERR_FORMAT;
	/* explicit and custom EC parameters too (spki.h): mbedTLS's own
	 * parser refuses them */
	if ((ret = spki_parse(spki.raw, spki.raw_len, &out->pk, &out->key)) != EG_OK)
		return ret == EG_ERR_NOMEM ? ret : EG_ERR_UNSUPPORTED;
	type = mbedtls_pk_get_type(&out->pk);
	if (type != MBEDTLS_PK_RSA && type != MBEDTLS_PK_ECKEY) {
		mbedtls_pk_free(&out->pk);
		mbedtls_pk_init(&out->pk);
		return EG_ERR_UNSUPPORTED;
	}
	out->spki = spki.raw;
	out->spki_len = spki.raw_len;
	return EG_OK;
}

void
lds_dg15_free(struct lds_dg15 *d)
{
	if (d == NULL)
		return;
	mbedtls_pk_free(&d->pk);
	mbedtls_pk_init(&d->pk);
	d->spki = NULL;
	d->spki_len = 0;
}

/* ---- file identification ------------------------------------------------------ */

int
lds_file_identify(const uint8_t *data, size_t len, enum lds_file *kind, int *dg)
{
	struct eg_rbuf b;
	struct eg_tlv t;
	int ret, n;

	if (kind == NULL || data == NULL)
		return EG_ERR_INVAL;
	*kind = LDS_FILE_UNKNOWN;
	if (dg != NULL)
		*dg = 0;
	b = eg_rbuf_init(data, len);
	if ((ret = ber_read(&b, &t)) != EG_OK)
		return ret;
	if (eg_rbuf_left(&b) != 0)
		return EG_ERR_FORMAT;	/* bytes after the file's TLV */
	switch (t.tag) {
	case LDS_TAG_COM:
		*kind = LDS_FILE_COM;
		return EG_OK;
	case LDS_TAG_SOD:
		*kind = LDS_FILE_SOD;
		return EG_OK;
	case 0x31:
		*kind = LDS_FILE_CARD_ACCESS;
		return EG_OK;
	case 0x30:
		*kind = LDS_FILE_CARD_SECURITY;
		return EG_OK;
	default:
		if (t.tag > 0xff || (n = lds_dg_from_tag((uint8_t)t.tag)) == 0)
			return EG_ERR_NOT_FOUND;
		*kind = LDS_FILE_DG;
		if (dg != NULL)
			*dg = n;
		return EG_OK;
	}
}

const char *
lds_file_name(enum lds_file kind, int dg)
{
	static const char *const dgs[LDS_MAX_DG + 1] = { "unknown", "DG1", "DG2", "DG3", "DG4",
		"DG5", "DG6", "DG7", "DG8", "DG9", "DG10", "DG11", "DG12", "DG13", "DG14", "DG15",
		"DG16" };

	switch (kind) {
	case LDS_FILE_COM: return "EF.COM";
	case LDS_FILE_DG: return dg >= 1 && dg <= LDS_MAX_DG ? dgs[dg] : "unknown";
	case LDS_FILE_SOD: return "EF.SOD";
	case LDS_FILE_CARD_ACCESS: return "EF.CardAccess";
	case LDS_FILE_CARD_SECURITY: return "EF.CardSecurity";
	default: return "unknown";
	}
}
