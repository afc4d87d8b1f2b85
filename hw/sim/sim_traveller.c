/* SPDX-License-Identifier: Apache-2.0 */
/* sim_traveller.c — traveller profiles and the simulated test PKI (see
 * sim_traveller.h). TEST AND SIMULATION ONLY. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mbedtls/ecp.h>
#include <mbedtls/hmac_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include "docauth/lds.h"
#include "docauth/testpki.h"
#include "egate/buf.h"
#include "egate/error.h"
#include "egate/mrz.h"
#include "egate/secure.h"
#include "egate/tlv.h"
#include "face.h"
#include "icao/ca.h"
#include "icao/ca_chip.h"
#include "icao/iso7816.h"
#include "icao/pace.h"
#include "sim_traveller.h"

#define TR_FACE_MAX	(1u << 20)	/* largest face image we wrap */

/* ---- profiles -------------------------------------------------------------- */

static const char *const tr_signers[] = { "valid", "expired", "revoked", NULL };
static const char *const tr_paces[] = { "no", "bp256-aes128", "p256-aes256",
	"bp256-aes128-im", "p256-aes256-im", "bp256-aes128-cam", "p256-aes256-cam",
	NULL };
static const char *const tr_cas[] = { "no", "genuine", "cloned", NULL };
static const char *const tr_aas[] = { "no", "ecdsa", "rsa", "cloned", NULL };
static const char *const tr_dg2s[] = { "jpeg", "jp2", "photo", NULL };
static const char *const tr_exts[] = { "no", "atr", "atr_info", NULL };
static const char *const tr_sods[] = { "present", "missing", "empty", NULL };

#define S(sec, key, field, req, help) { sec, key, EG_CFG_STR, \
	offsetof(struct sim_traveller, field), \
	sizeof(((struct sim_traveller *)0)->field), 0, 0, NULL, req, help }
#define B(sec, key, field, help) { sec, key, EG_CFG_BOOL, \
	offsetof(struct sim_traveller, field), 0, 0, 0, NULL, false, help }
#define I(sec, key, field, lo, hi, help) { sec, key, EG_CFG_INT, \
	offsetof(struct sim_traveller, field), 0, lo, hi, NULL, false, help }

static const struct eg_cfg_key tr_schema[] = {
	S("traveller", "name", name, true, "profile name"),
	S("traveller", "description", description, false, "one line"),
	S("traveller", "mrz1", mrz1, true, "MRZ line 1"),
	S("traveller", "mrz2", mrz2, true, "MRZ line 2"),
	S("traveller", "mrz3", mrz3, false, "MRZ line 3 (TD1)"),
	S("traveller", "face", face, true, "face image, relative to the test-data folder"),
	{ "document", "dg2", EG_CFG_ENUM, offsetof(struct sim_traveller, dg2), 0,
	  0, 0, tr_dg2s, false, "DG2 portrait: jpeg, jp2 or photo (the whole image)" },
	I("document", "dg2_budget", dg2_budget, SIM_PORTRAIT_MIN_BUDGET, 262144,
	  "largest DG2 portrait image in bytes"),
	B("document", "dg11", dg11, "DG11 additional personal details"),
	B("document", "dg12", dg12, "DG12 additional document details"),
	B("document", "card_access", card_access, "EF.CardAccess offering PACE"),
	B("document", "dg15", dg15, "DG15 Active Authentication public key"),
	{ "document", "signer", EG_CFG_ENUM, offsetof(struct sim_traveller, signer), 0,
	  0, 0, tr_signers, false, "Document Signer: valid, expired or revoked" },
	B("document", "bad_sod_signature", bad_sod_signature, "corrupt the EF.SOD signature"),
	B("document", "alter_dg1", alter_dg1, "change DG1 after signing"),
	{ "document", "sod", EG_CFG_ENUM, offsetof(struct sim_traveller, sod), 0,
	  0, 0, tr_sods, false, "EF.SOD: present, missing or empty" },
	I("document", "missing_dg", missing_dg, 0, 16,
	  "a DG that EF.COM and EF.SOD list and the chip lacks (0: none)"),
	B("chip", "wrong_mac", wrong_mac, "wrong MAC in protected responses"),
	I("chip", "wrong_mac_after", wrong_mac_after, 0, 100000,
	  "protected responses with a good MAC before the bad ones"),
	B("chip", "truncate_responses", truncate_responses, "truncated protected reads"),
	B("chip", "mute", mute, "the chip does not answer power-on"),
	B("chip", "no_emrtd_app", no_emrtd_app, "SELECT eMRTD application -> 6A82"),
	B("chip", "no_bac", no_bac, "no access control (6A88)"),
	I("chip", "max_read", max_read, 0, 65536, "> 0: 6282 on reads above this size"),
	{ "chip", "pace", EG_CFG_ENUM, offsetof(struct sim_traveller, pace), 0,
	  0, 0, tr_paces, false, "PACE: no, bp256-aes128 or p256-aes256 (GM), "
	  "with -im (Integrated Mapping) or -cam (Chip Authentication Mapping)" },
	B("chip", "cam_cloned", cam_cloned,
	  "PACE-CAM: EF.CardSecurity holds another key than the chip's"),
	S("chip", "can", can, false, "card access number PACE accepts"),
	B("chip", "refuse_bac", refuse_bac, "PACE only: BAC -> 6985"),
	B("chip", "ignore_command_mac", ignore_command_mac,
	  "take protected commands whatever their MAC"),
	{ "chip", "chip_auth", EG_CFG_ENUM, offsetof(struct sim_traveller, chip_auth),
	  0, 0, 0, tr_cas, false, "Chip Authentication: no, genuine or cloned" },
	{ "chip", "active_auth", EG_CFG_ENUM, offsetof(struct sim_traveller,
	  active_auth), 0, 0, 0, tr_aas, false,
	  "Active Authentication: no, ecdsa, rsa or cloned" },
	{ "chip", "extended_length", EG_CFG_ENUM, offsetof(struct sim_traveller,
	  extended_length), 0, 0, 0, tr_exts, false,
	  "extended Lc/Le: no, atr (announced in the ATR) or atr_info (and "
	  "the limit in EF.ATR/INFO)" },
	I("chip", "max_response", max_response, 64, 65544,
	  "largest response APDU the chip sends with extended length (bytes)"),
	B("chip", "no_sfi", no_sfi, "no short EF identifiers (READ BINARY by SFI -> 6A82)"),
	B("chip", "no_do99", no_do99, "protected answers with 9000 lack DO'99'"),
	B("chip", "drop_sm_on_error", drop_sm_on_error,
	  "errors under SM answered in the clear, ending the session"),
};

static int
tr_check(struct sim_traveller *t, struct eg_cfg_error *err)
{
	struct mrz_result r;
	char text[160];
	bool can_ok = true;
	int ret;

	for (const char *p = t->can; *p; p++)
		if (*p < '0' || *p > '9')
			can_ok = false;
	if (!can_ok) {
		if (err != NULL) {
			memset(err, 0, sizeof(*err));
			snprintf(err->file, sizeof(err->file), "%s", t->name);
			snprintf(err->section, sizeof(err->section), "chip");
			snprintf(err->key, sizeof(err->key), "can");
			snprintf(err->msg, sizeof(err->msg), "the CAN is digits only");
		}
		return EG_ERR_CONFIG;
	}
	if (sim_traveller_mrz(t, text, sizeof(text)) != EG_OK ||
	    mrz_parse_text(text, strlen(text), NULL, &r) != EG_OK) {
		if (err != NULL) {
			memset(err, 0, sizeof(*err));
			snprintf(err->file, sizeof(err->file), "%s", t->name);
			snprintf(err->section, sizeof(err->section), "traveller");
			snprintf(err->key, sizeof(err->key), "mrz1");
			snprintf(err->msg, sizeof(err->msg),
			    "the MRZ does not parse with valid check digits");
		}
		ret = EG_ERR_CONFIG;
	} else {
		ret = EG_OK;
	}
	mrz_result_clear(&r);
	eg_memzero(text, sizeof(text));
	return ret;
}

static void
tr_defaults(struct sim_traveller *t)
{
	memset(t, 0, sizeof(*t));
	t->wrong_mac_after = 2;
	t->dg2_budget = SIM_PORTRAIT_BUDGET;
	t->extended_length = SIM_EXT_ATR_INFO;
	t->max_response = 2048;
}

int
sim_traveller_load_file(const char *path, struct sim_traveller *out,
    struct eg_cfg_error *err)
{
	int ret;

	if (path == NULL || out == NULL)
		return EG_ERR_INVAL;
	tr_defaults(out);
	ret = eg_cfg_load_file(path, tr_schema, sizeof(tr_schema) / sizeof(tr_schema[0]),
	    out, err);
	return ret == EG_OK ? tr_check(out, err) : ret;
}

int
sim_traveller_load_string(const char *name, const char *text, size_t len,
    struct sim_traveller *out, struct eg_cfg_error *err)
{
	int ret;

	if (name == NULL || text == NULL || out == NULL)
		return EG_ERR_INVAL;
	tr_defaults(out);
	ret = eg_cfg_load_string(name, text, len, tr_schema,
	    sizeof(tr_schema) / sizeof(tr_schema[0]), out, err);
	return ret == EG_OK ? tr_check(out, err) : ret;
}

int
sim_traveller_mrz(const struct sim_traveller *t, char *out, size_t cap)
{
	int n;

	if (t->mrz3[0] != '\0')
		n = snprintf(out, cap, "%s\n%s\n%s", t->mrz1, t->mrz2, t->mrz3);
	else
		n = snprintf(out, cap, "%s\n%s", t->mrz1, t->mrz2);
	return n < 0 || (size_t)n >= cap ? EG_ERR_OVERFLOW : EG_OK;
}

const char *
sim_traveller_dir(void)
{
	const char *e = getenv("EGATE_TRAVELLERS");
	struct stat st;

	if (e != NULL && *e != '\0')
		return e;
	if (stat(SIM_TRAVELLERS_INSTALLED, &st) == 0 && S_ISDIR(st.st_mode))
		return SIM_TRAVELLERS_INSTALLED;
	return SIM_TRAVELLERS_DIR;
}

const char *
sim_testdata_dir(char *buf, size_t cap)
{
	const char *e = getenv("EGATE_TESTDATA"), *home = getenv("HOME");

	if (e != NULL && *e != '\0')
		snprintf(buf, cap, "%s", e);
	else
		snprintf(buf, cap, "%s/.cache/egate/testdata", home != NULL ? home : "");
	return buf;
}

/* ---- the test PKI ------------------------------------------------------------ */

struct sim_pki {
	struct tpki *t;
	struct tpki_cred csca, ds, ds_expired, ds_revoked, aa;
	struct eg_wbuf crl;
	struct sim_portraits *portraits;	/* DG2 portraits made so far */
};

#define PKI_SEED "egate simulated passports (hw/sim/sim_traveller.c)"

void
sim_pki_free(struct sim_pki **pp)
{
	struct sim_pki *p;

	if (pp == NULL || (p = *pp) == NULL)
		return;
	tpki_cred_free(&p->csca);
	tpki_cred_free(&p->ds);
	tpki_cred_free(&p->ds_expired);
	tpki_cred_free(&p->ds_revoked);
	tpki_cred_free(&p->aa);
	eg_wbuf_free(&p->crl);
	tpki_free(&p->t);
	sim_portraits_free(&p->portraits);
	free(p);
	*pp = NULL;
}

int
sim_pki_new(struct sim_pki **out)
{
	struct sim_pki *p;
	const uint8_t *rev[1];
	size_t rev_len[1];
	int ret;

	if (out == NULL)
		return EG_ERR_INVAL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return EG_ERR_NOMEM;
	tpki_cred_init(&p->csca);
	tpki_cred_init(&p->ds);
	tpki_cred_init(&p->ds_expired);
	tpki_cred_init(&p->ds_revoked);
	tpki_cred_init(&p->aa);
	eg_wbuf_init(&p->crl, 1 << 16, false);
	if ((ret = sim_portraits_new(&p->portraits)) != EG_OK)
		goto out;
	/* always the same order from the same seed: the same certificates */
	if ((ret = tpki_new(&p->t, PKI_SEED)) != EG_OK ||
	    (ret = tpki_cred_make(p->t, TPKI_KEY_EC_P256,
	    "C=UT,O=Utopia,CN=CSCA Utopia (egate simulation)", NULL, true,
	    "20200101000000", "20491231235959", 1, &p->csca)) != EG_OK ||
	    (ret = tpki_cred_make(p->t, TPKI_KEY_EC_P256,
	    "C=UT,O=Utopia,OU=Document Signer,CN=DS Utopia 1", &p->csca, false,
	    "20200101000000", "20451231235959", 2, &p->ds)) != EG_OK ||
	    (ret = tpki_cred_make(p->t, TPKI_KEY_EC_P256,
	    "C=UT,O=Utopia,OU=Document Signer,CN=DS Utopia old", &p->csca, false,
	    "20100101000000", "20150101000000", 3, &p->ds_expired)) != EG_OK ||
	    (ret = tpki_cred_make(p->t, TPKI_KEY_EC_P256,
	    "C=UT,O=Utopia,OU=Document Signer,CN=DS Utopia lost", &p->csca, false,
	    "20200101000000", "20451231235959", 4, &p->ds_revoked)) != EG_OK)
		goto out;
	rev[0] = p->ds_revoked.cert.data;
	rev_len[0] = p->ds_revoked.cert.len;
	if ((ret = tpki_crl_build(p->t, &p->csca, rev, rev_len, 1, "20240101000000",
	    "20491231235959", &p->crl)) != EG_OK)
		goto out;
	/* last, so adding it changed none of the certificates above; only its
	 * key is used (DG15), the certificate is a by-product of testpki */
	ret = tpki_cred_make(p->t, TPKI_KEY_EC_P256,
	    "C=UT,O=Utopia,CN=AA key (egate simulation)", &p->csca, false,
	    "20200101000000", "20451231235959", 5, &p->aa);
out:
	if (ret != EG_OK)
		sim_pki_free(&p);
	*out = p;
	return ret;
}

const unsigned char *
sim_pki_csca(const struct sim_pki *p, size_t *len)
{
	*len = p->csca.cert.len;
	return p->csca.cert.data;
}

const unsigned char *
sim_pki_crl(const struct sim_pki *p, size_t *len)
{
	*len = p->crl.len;
	return p->crl.data;
}

static int
tr_write(const char *path, const void *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ret = EG_OK;

	if (f == NULL)
		return EG_ERR_IO;
	if (fwrite(d, 1, n, f) != n)
		ret = EG_ERR_IO;
	if (fclose(f) != 0)
		ret = EG_ERR_IO;
	return ret;
}

int
sim_pki_write(const struct sim_pki *p, const char *dir)
{
	char path[4096];
	int ret;

	if (p == NULL || dir == NULL)
		return EG_ERR_INVAL;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return EG_ERR_IO;
	if ((size_t)snprintf(path, sizeof(path), "%s/csca.der", dir) >= sizeof(path))
		return EG_ERR_OVERFLOW;
	if ((ret = tr_write(path, p->csca.cert.data, p->csca.cert.len)) != EG_OK)
		return ret;
	snprintf(path, sizeof(path), "%s/crl", dir);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return EG_ERR_IO;
	snprintf(path, sizeof(path), "%s/crl/csca.crl", dir);
	return tr_write(path, p->crl.data, p->crl.len);
}

/* ---- building the document -------------------------------------------------- */

/* The EF.CardAccess of Doc 9303 Part 11 App. G.1 (PACE ECDH-GM AES-128,
 * brainpoolP256r1). */
static const uint8_t tr_card_access[] = {
	0x31, 0x14, 0x30, 0x12, 0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02,
	0x02, 0x04, 0x02, 0x02, 0x02, 0x01, 0x02, 0x02, 0x01, 0x0D,
};

int
sim_read_file(const char *path, struct eg_wbuf *out)
{
	FILE *f = fopen(path, "rb");
	uint8_t buf[8192];
	size_t n;
	int ret = EG_OK;

	if (f == NULL)
		return EG_ERR_IO;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if ((ret = eg_wbuf_put(out, buf, n)) != EG_OK)
			break;
	if (ret == EG_OK && ferror(f))
		ret = EG_ERR_IO;
	fclose(f);
	return ret;
}

/* DG11: full name (from the MRZ name field) and place of birth. */
static int
tr_dg11(const struct mrz_result *m, struct eg_wbuf *out)
{
	uint8_t tmp[256];
	struct eg_wbuf in;
	char name[96];
	int ret;

	eg_wbuf_init_fixed(&in, tmp, sizeof(tmp), true);
	snprintf(name, sizeof(name), "%s<<%s", m->primary_id, m->secondary_id);
	for (char *p = name; *p; p++)
		if (*p == ' ')
			*p = '<';
	if ((ret = eg_tlv_put(&in, 0x5C, "\x5F\x0E\x5F\x11", 4)) != EG_OK ||
	    (ret = eg_tlv_put(&in, 0x5F0E, name, strlen(name))) != EG_OK ||
	    (ret = eg_tlv_put(&in, 0x5F11, "ZENITH", 6)) != EG_OK)
		goto out;
	ret = eg_tlv_put(out, LDS_TAG_DG11, in.data, in.len);
out:
	eg_wbuf_free(&in);
	eg_memzero(name, sizeof(name));
	return ret;
}

/* DG15: the Active Authentication public key (SubjectPublicKeyInfo). */
static int
tr_dg15(struct sim_pki *pki, struct eg_wbuf *out)
{
	uint8_t spki[256];
	int n = mbedtls_pk_write_pubkey_der(&pki->aa.key, spki, sizeof(spki));

	if (n <= 0)
		return EG_ERR_CRYPTO;
	return eg_tlv_put(out, LDS_TAG_DG15, spki + sizeof(spki) - n, (size_t)n);
}

/* ---- PACE, Chip Authentication, Active Authentication ----------------------- */

/* Key material of one chip, from a DRBG seeded with the profile name. */
struct tr_keys {
	mbedtls_hmac_drbg_context drbg;
	struct icao_pace_params pace;
	struct icao_ca_params ca;
	uint8_t ca_priv[32];		/* P-256 scalar */
	struct eg_wbuf card_access;	/* EF.CardAccess contents */
	struct eg_wbuf card_security;	/* EF.CardSecurity (PACE-CAM) */
	uint8_t cam_priv[66];		/* the chip's CAM key (big endian) */
	size_t cam_priv_len;
	uint8_t aa_der[2048];		/* private key DER, at the end */
	size_t aa_der_len;
};

static int
tr_rng(void *ctx, unsigned char *out, size_t len)
{
	return mbedtls_hmac_drbg_random(ctx, out, len);
}

/* An EC P-256 key pair into pk. */
static int
tr_ec_key(struct tr_keys *k, mbedtls_pk_context *pk)
{
	if (mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
	    mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*pk),
	    tr_rng, &k->drbg) != 0)
		return EG_ERR_CRYPTO;
	return EG_OK;
}

/* EF.CardAccess: SET { PACEInfo }. */
static int
tr_pace(const struct sim_traveller *t, struct tr_keys *k)
{
	static const char *const oid[] = { NULL, "0.4.0.127.0.7.2.2.4.2.2",
		"0.4.0.127.0.7.2.2.4.2.4", "0.4.0.127.0.7.2.2.4.4.2",
		"0.4.0.127.0.7.2.2.4.4.4", "0.4.0.127.0.7.2.2.4.6.2",
		"0.4.0.127.0.7.2.2.4.6.4" };
	static const long param[] = { 0, 13, 12, 13, 12, 13, 12 };
	uint8_t tmp[64];
	struct eg_wbuf in;
	int ret;

	eg_wbuf_init_fixed(&in, tmp, sizeof(tmp), false);
	if ((ret = icao_pace_params_init(&k->pace, oid[t->pace],
	    param[t->pace])) != EG_OK ||
	    (ret = icao_pace_params_secinfo(&k->pace, &in)) != EG_OK)
		return ret;
	return eg_tlv_put(&k->card_access, 0x31, in.data, in.len);
}

/* PACE-CAM: a CA key pair on the PACE curve for the chip, and
 * EF.CardSecurity = SignedData { SET { PACEInfo, ChipAuthenticationInfo,
 * ChipAuthenticationPublicKeyInfo } } signed by the profile's Document
 * Signer; a clone (cam_cloned) maps with another key than the one signed. */
static int
tr_card_security(const struct sim_traveller *t, struct tr_keys *k,
    struct sim_pki *pki, struct tpki_cred *ds, struct eg_wbuf *out)
{
	mbedtls_ecp_keypair mine, other;
	struct icao_ca_params cap;
	struct icao_ca_chip *ca = NULL;
	uint8_t tmp[768], settmp[800], signed_sk[66];
	struct eg_wbuf in, set;
	size_t plen;
	int ret = EG_ERR_CRYPTO;

	mbedtls_ecp_keypair_init(&mine);
	mbedtls_ecp_keypair_init(&other);
	eg_wbuf_init_fixed(&in, tmp, sizeof(tmp), false);
	eg_wbuf_init_fixed(&set, settmp, sizeof(settmp), false);
	if (mbedtls_ecp_gen_key((mbedtls_ecp_group_id)k->pace.group_id, &mine,
	    tr_rng, &k->drbg) != 0 ||
	    mbedtls_ecp_gen_key((mbedtls_ecp_group_id)k->pace.group_id, &other,
	    tr_rng, &k->drbg) != 0)
		goto out;
	plen = mbedtls_mpi_size(&mine.grp.N);
	if (plen > sizeof(k->cam_priv) ||
	    mbedtls_mpi_write_binary(&mine.d, k->cam_priv, plen) != 0 ||
	    mbedtls_mpi_write_binary(t->cam_cloned ? &other.d : &mine.d,
	    signed_sk, plen) != 0)
		goto out;
	k->cam_priv_len = plen;
	/* the SecurityInfos: PACEInfo, and the CA infos of the signed key
	 * (icao_ca_chip derives its public key from signed_sk) */
	if ((ret = icao_pace_params_secinfo(&k->pace, &in)) != EG_OK ||
	    (ret = icao_ca_params_init(&cap, "0.4.0.127.0.7.2.2.3.2.2", 1)) != EG_OK ||
	    (ret = icao_ca_chip_new(&cap, k->pace.group_id, signed_sk, plen,
	    &ca)) != EG_OK || (ret = icao_ca_chip_secinfos(ca, &in)) != EG_OK ||
	    (ret = eg_tlv_put(&set, 0x31, in.data, in.len)) != EG_OK)
		goto out;
	ret = tpki_cardsecurity_build(pki->t, ds, set.data, set.len, 0, out);
out:
	icao_ca_chip_free(&ca);
	eg_memzero(signed_sk, sizeof(signed_sk));
	mbedtls_ecp_keypair_free(&mine);
	mbedtls_ecp_keypair_free(&other);
	return ret;
}

/* DG14 with the CA infos of a P-256 key: the chip's (genuine) or another
 * one (cloned: the copy's chip does not hold DG14's private key). */
static int
tr_dg14(const struct sim_traveller *t, struct tr_keys *k, struct eg_wbuf *out)
{
	mbedtls_pk_context pk, other;
	struct icao_ca_chip *chip = NULL;
	uint8_t tmp[512], settmp[600], priv2[32];
	struct eg_wbuf in, set;
	int ret;

	mbedtls_pk_init(&pk);
	mbedtls_pk_init(&other);
	eg_wbuf_init_fixed(&in, tmp, sizeof(tmp), false);
	if ((ret = icao_ca_params_init(&k->ca, "0.4.0.127.0.7.2.2.3.2.2", 1)) != EG_OK ||
	    (ret = tr_ec_key(k, &pk)) != EG_OK ||
	    (ret = tr_ec_key(k, &other)) != EG_OK)
		goto out;
	ret = EG_ERR_CRYPTO;
	if (mbedtls_mpi_write_binary(&mbedtls_pk_ec(pk)->d, k->ca_priv,
	    sizeof(k->ca_priv)) != 0 ||
	    mbedtls_mpi_write_binary(&mbedtls_pk_ec(other)->d, priv2,
	    sizeof(priv2)) != 0)
		goto out;
	if ((ret = icao_ca_chip_new(&k->ca, MBEDTLS_ECP_DP_SECP256R1,
	    t->chip_auth == SIM_CA_CLONED ? priv2 : k->ca_priv, sizeof(priv2),
	    &chip)) != EG_OK || (ret = icao_ca_chip_secinfos(chip, &in)) != EG_OK)
		goto out;
	/* DG14 = 6E { 31 { SecurityInfo... } } */
	eg_wbuf_init_fixed(&set, settmp, sizeof(settmp), false);
	if ((ret = eg_tlv_put(&set, 0x31, in.data, in.len)) == EG_OK)
		ret = eg_tlv_put(out, LDS_TAG_DG14, set.data, set.len);
out:
	icao_ca_chip_free(&chip);
	eg_memzero(priv2, sizeof(priv2));
	mbedtls_pk_free(&pk);
	mbedtls_pk_free(&other);
	return ret;
}

/* DG15 with the AA public key and the chip's private key (DER in k). */
static int
tr_dg15_aa(const struct sim_traveller *t, struct tr_keys *k, struct eg_wbuf *out)
{
	mbedtls_pk_context key, other;
	uint8_t spki[512];
	int n, ret;

	mbedtls_pk_init(&key);
	mbedtls_pk_init(&other);
	if (t->active_auth == SIM_AA_RSA) {
		ret = EG_ERR_CRYPTO;
		if (mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)) != 0 ||
		    mbedtls_rsa_gen_key(mbedtls_pk_rsa(key), tr_rng, &k->drbg, 1024,
		    65537) != 0)
			goto out;
	} else if ((ret = tr_ec_key(k, &key)) != EG_OK) {
		goto out;
	}
	if (t->active_auth == SIM_AA_CLONED && (ret = tr_ec_key(k, &other)) != EG_OK)
		goto out;
	ret = EG_ERR_CRYPTO;
	n = mbedtls_pk_write_pubkey_der(t->active_auth == SIM_AA_CLONED ? &other :
	    &key, spki, sizeof(spki));
	if (n <= 0)
		goto out;
	if ((ret = eg_tlv_put(out, LDS_TAG_DG15, spki + sizeof(spki) - n,
	    (size_t)n)) != EG_OK)
		goto out;
	ret = EG_ERR_CRYPTO;
	n = mbedtls_pk_write_key_der(&key, k->aa_der, sizeof(k->aa_der));
	if (n <= 0)
		goto out;
	memmove(k->aa_der, k->aa_der + sizeof(k->aa_der) - n, (size_t)n);
	k->aa_der_len = (size_t)n;
	ret = EG_OK;
out:
	mbedtls_pk_free(&key);
	mbedtls_pk_free(&other);
	return ret;
}

/* DG12: issuing authority and date of issue. */
static int
tr_dg12(struct eg_wbuf *out)
{
	uint8_t tmp[128];
	struct eg_wbuf in;
	int ret;

	eg_wbuf_init_fixed(&in, tmp, sizeof(tmp), false);
	if ((ret = eg_tlv_put(&in, 0x5C, "\x5F\x19\x5F\x26", 4)) != EG_OK ||
	    (ret = eg_tlv_put(&in, 0x5F19, "UTOPIA PASSPORT OFFICE", 22)) != EG_OK ||
	    (ret = eg_tlv_put(&in, 0x5F26, "20120416", 8)) != EG_OK)
		return ret;
	return eg_tlv_put(out, LDS_TAG_DG12, in.data, in.len);
}

int
sim_traveller_build(const struct sim_traveller *t, struct sim_pki *pki,
    const char *testdata_dir, struct sim_epassport **out)
{
	struct eg_wbuf img, dg[LDS_MAX_DG + 1], com, sod;
	struct tpki_sod_params sp;
	struct sim_epassport_cfg cfg;
	struct mrz_result m;
	char text[160], flat[100], info[MRZ_BAC_INFO_MAX], path[4096];
	enum face_img_fmt fmt;
	uint32_t w, h, mask = 0;
	uint16_t w16 = 0, h16 = 0;
	size_t k = 0;
	struct tr_keys *keys = NULL;
	int ret;

	if (t == NULL || pki == NULL || testdata_dir == NULL || out == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	memset(&m, 0, sizeof(m));
	if ((keys = calloc(1, sizeof(*keys))) == NULL)
		return EG_ERR_NOMEM;
	mbedtls_hmac_drbg_init(&keys->drbg);
	eg_wbuf_init(&keys->card_access, 256, false);
	eg_wbuf_init(&keys->card_security, 1 << 14, false);
	eg_wbuf_init(&img, TR_FACE_MAX, true);
	for (int i = 0; i <= LDS_MAX_DG; i++)
		eg_wbuf_init(&dg[i], TR_FACE_MAX + 4096, true);
	eg_wbuf_init(&com, 256, false);
	eg_wbuf_init(&sod, 1 << 16, false);
	if ((ret = sim_traveller_mrz(t, text, sizeof(text))) != EG_OK)
		goto out;
	if (mrz_parse_text(text, strlen(text), NULL, &m) != EG_OK ||
	    mrz_bac_info(&m, info, sizeof(info), NULL) != EG_OK) {
		ret = EG_ERR_FORMAT;
		goto out;
	}
	for (const char *p = text; *p && k + 1 < sizeof(flat); p++)
		if (*p != '\n')
			flat[k++] = *p;
	flat[k] = '\0';
	/* DG1, DG2, DG11, DG12 */
	if ((ret = tpki_dg1_build(flat, &dg[1])) != EG_OK)
		goto out;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", testdata_dir, t->face) >=
	    sizeof(path)) {
		ret = EG_ERR_OVERFLOW;
		goto out;
	}
	if (t->dg2 == SIM_DG2_PHOTO) {
		if ((ret = sim_read_file(path, &img)) != EG_OK)
			goto out;
		if (face_img_probe(img.data, img.len, &fmt, &w, &h) != EG_OK ||
		    w > 0xFFFF || h > 0xFFFF) {
			ret = EG_ERR_IMAGE;
			goto out;
		}
		w16 = (uint16_t)w;
		h16 = (uint16_t)h;
	} else if ((ret = sim_portraits_get(pki->portraits, path, (enum sim_dg2)t->dg2,
	    (size_t)t->dg2_budget, &img, &w16, &h16)) != EG_OK) {
		goto out;
	}
	if ((ret = face_dg2_build(img.data, img.len, w16, h16, &dg[2])) != EG_OK)
		goto out;
	if (t->dg11 && (ret = tr_dg11(&m, &dg[11])) != EG_OK)
		goto out;
	if (t->dg12 && (ret = tr_dg12(&dg[12])) != EG_OK)
		goto out;
	ret = EG_ERR_CRYPTO;
	if (mbedtls_hmac_drbg_seed_buf(&keys->drbg,
	    mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	    (const unsigned char *)t->name, strlen(t->name)) != 0)
		goto out;
	if (t->pace != SIM_PACE_NO && (ret = tr_pace(t, keys)) != EG_OK)
		goto out;
	if (t->chip_auth != SIM_CA_NO && (ret = tr_dg14(t, keys, &dg[14])) != EG_OK)
		goto out;
	if (t->active_auth != SIM_AA_NO) {
		if ((ret = tr_dg15_aa(t, keys, &dg[15])) != EG_OK)
			goto out;
	} else if (t->dg15 && (ret = tr_dg15(pki, &dg[15])) != EG_OK) {
		goto out;
	}
	/* EF.COM and EF.SOD over the exact DG bytes */
	memset(&sp, 0, sizeof(sp));
	sp.ds = t->signer == SIM_SIGNER_EXPIRED ? &pki->ds_expired :
	    t->signer == SIM_SIGNER_REVOKED ? &pki->ds_revoked : &pki->ds;
	sp.sig = TPKI_SIG_ECDSA;
	sp.flags = t->bad_sod_signature ? TPKI_BAD_SIGNATURE : 0;
	for (int i = 1; i <= LDS_MAX_DG; i++)
		if (dg[i].len > 0) {
			mask |= 1u << i;
			sp.dg[i] = dg[i].data;
			sp.dg_len[i] = dg[i].len;
		}
	if ((ret = tpki_com_build(mask, &com)) != EG_OK ||
	    (ret = tpki_sod_build(pki->t, &sp, &sod)) != EG_OK)
		goto out;
	if (keys->pace.mapping == ICAO_PACE_MAP_CAM && t->pace != SIM_PACE_NO &&
	    (ret = tr_card_security(t, keys, pki, sp.ds,
	    &keys->card_security)) != EG_OK)
		goto out;
	if (t->alter_dg1) {
		/* after signing: the first letter of the name (MRZ position 6;
		 * DG1 = 61 5B 5F1F 58 MRZ) — the BAC key stays the same */
		if (dg[1].len < 11) {
			ret = EG_ERR_FORMAT;
			goto out;
		}
		dg[1].data[5 + 5] = dg[1].data[5 + 5] == 'X' ? 'Y' : 'X';
	}
	/* the chip */
	memset(&cfg, 0, sizeof(cfg));
	cfg.mrz_info = info;
	cfg.seed = t->name;
	cfg.wrong_mac_after = (unsigned)t->wrong_mac_after;
	cfg.max_read = (size_t)t->max_read;
	cfg.flags = (t->wrong_mac ? SIM_EP_F_WRONG_MAC : 0) |
	    (t->truncate_responses ? SIM_EP_F_TRUNCATE : 0) |
	    (t->mute ? SIM_EP_F_MUTE : 0) |
	    (t->no_emrtd_app ? SIM_EP_F_NO_APP : 0) |
	    (t->no_bac ? SIM_EP_F_NO_BAC : 0) |
	    (t->max_read > 0 ? SIM_EP_F_SHORT_READS : 0) |
	    (t->refuse_bac ? SIM_EP_F_REFUSE_BAC : 0) |
	    (t->ignore_command_mac ? SIM_EP_F_IGNORE_CMD_MAC : 0) |
	    (t->no_sfi ? SIM_EP_F_NO_SFI : 0) |
	    (t->no_do99 ? SIM_EP_F_NO_DO99 : 0) |
	    (t->drop_sm_on_error ? SIM_EP_F_DROP_SM : 0);
	if (t->extended_length != SIM_EXT_NO) {
		cfg.ext_max_rapdu = (size_t)t->max_response;
		cfg.ext_info = t->extended_length == SIM_EXT_ATR_INFO;
	}
	if (t->pace != SIM_PACE_NO) {
		cfg.pace = &keys->pace;
		cfg.can = t->can[0] != '\0' ? t->can : NULL;
		if (keys->cam_priv_len > 0) {
			cfg.cam_priv = keys->cam_priv;
			cfg.cam_priv_len = keys->cam_priv_len;
		}
	}
	if (t->chip_auth != SIM_CA_NO) {
		cfg.ca = &keys->ca;
		cfg.ca_group = MBEDTLS_ECP_DP_SECP256R1;
		cfg.ca_priv = keys->ca_priv;
		cfg.ca_priv_len = sizeof(keys->ca_priv);
	}
	if (keys->aa_der_len > 0) {
		cfg.aa_key_der = keys->aa_der;
		cfg.aa_key_len = keys->aa_der_len;
	}
	if ((ret = sim_epassport_new(&cfg, out)) != EG_OK)
		goto out;
	if ((ret = sim_epassport_add_file(*out, ICAO_FID_EF_COM, 0x1E, com.data,
	    com.len)) != EG_OK ||
	    (t->sod != SIM_SOD_MISSING && (ret = sim_epassport_add_file(*out,
	    ICAO_FID_EF_SOD, 0x1D, sod.data, t->sod == SIM_SOD_EMPTY ? 0 :
	    sod.len)) != EG_OK))
		goto out;
	for (int i = 1; i <= LDS_MAX_DG; i++)
		if (dg[i].len > 0 && i != t->missing_dg &&
		    (ret = sim_epassport_add_file(*out,
		    (uint16_t)(0x0100 + i), (uint8_t)i, dg[i].data,
		    dg[i].len)) != EG_OK)
			goto out;
	if (keys->card_security.len > 0 && (ret = sim_epassport_add_mf_file(*out,
	    ICAO_FID_EF_CARDSECURITY, 0x1D, keys->card_security.data,
	    keys->card_security.len)) != EG_OK)
		goto out;
	if (keys->card_access.len > 0)
		ret = sim_epassport_add_file(*out, ICAO_FID_EF_CARDACCESS, 0x1C,
		    keys->card_access.data, keys->card_access.len);
	else if (t->card_access)
		ret = sim_epassport_add_file(*out, ICAO_FID_EF_CARDACCESS, 0x1C,
		    tr_card_access, sizeof(tr_card_access));
out:
	if (keys != NULL) {
		mbedtls_hmac_drbg_free(&keys->drbg);
		eg_wbuf_free(&keys->card_access);
		eg_wbuf_free(&keys->card_security);
		eg_memzero(keys, sizeof(*keys));
		free(keys);
	}
	if (ret != EG_OK)
		sim_epassport_free(out);
	mrz_result_clear(&m);
	eg_memzero(text, sizeof(text));
	eg_memzero(flat, sizeof(flat));
	eg_memzero(info, sizeof(info));
	eg_wbuf_free(&img);
	for (int i = 0; i <= LDS_MAX_DG; i++)
		eg_wbuf_free(&dg[i]);
	eg_wbuf_free(&com);
	eg_wbuf_free(&sod);
	return ret;
}
