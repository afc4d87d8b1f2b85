/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/pk.h>

#include "egate/error.h"
#include "egate/hex.h"
#include "egate/tlv.h"
#include "docauth/cert.h"
#include "world.h"

#define MUST(x) do { int r_ = (x); if (r_ != 0) { \
	fprintf(stderr, "%s:%d: %s -> %s\n", __FILE__, __LINE__, #x, eg_err_name(r_)); \
	abort(); } } while (0)

#define NB "20250101000000"
#define NA "20350101000000"

void
world_make(struct world *w)
{
	const uint8_t *rev[1];
	size_t rev_len[1];
	struct tm tm = { .tm_year = 126, .tm_mon = 5, .tm_mday = 1, .tm_hour = 12 };

	memset(w, 0, sizeof(*w));
	w->now = timegm(&tm);
	MUST(tpki_new(&w->t, "egate docauth tests"));
	struct tpki_cred *all[] = { &w->csca_ec, &w->csca_rsa, &w->rogue_csca, &w->ds_ec,
		&w->ds_bp, &w->ds_rsa, &w->ds_expired, &w->ds_revoked, &w->ds_rogue, &w->ds_de,
		&w->csca_de, &w->ds_foreign };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		tpki_cred_init(all[i]);
	MUST(tpki_cred_make(w->t, TPKI_KEY_EC_P256, "C=UT,O=Utopia,CN=CSCA Utopia EC", NULL, true,
	    "20200101000000", "20400101000000", 1, &w->csca_ec));
	MUST(tpki_cred_make(w->t, TPKI_KEY_RSA2048, "C=UT,O=Utopia,CN=CSCA Utopia RSA", NULL, true,
	    "20200101000000", "20400101000000", 1, &w->csca_rsa));
	MUST(tpki_cred_make(w->t, TPKI_KEY_EC_P256, "C=UT,O=Utopia,CN=CSCA Utopia EC", NULL, true,
	    "20200101000000", "20400101000000", 1, &w->rogue_csca));	/* same name, other key */
	MUST(tpki_cred_make(w->t, TPKI_KEY_EC_P256, "C=DE,O=bund,OU=bsi,CN=csca-germany", NULL,
	    true, "20200101000000", "20400101000000", 1, &w->csca_de));
	MUST(tpki_cred_make(w->t, TPKI_KEY_EC_P256, "C=UT,O=Utopia,OU=Document Signer,CN=DS EC",
	    &w->csca_ec, false, NB, NA, 2, &w->ds_ec));
	MUST(tpki_cred_make(w->t, TPKI_KEY_EC_BP256, "C=UT,O=Utopia,OU=Document Signer,CN=DS BP",
	    &w->csca_ec, false, NB, NA, 3, &w->ds_bp));
	MUST(tpki_cred_make(w->t, TPKI_KEY_RSA2048, "C=UT,O=Utopia,OU=Document Signer,CN=DS RSA",
	    &w->csca_rsa, false, NB, NA, 2, &w->ds_rsa));
	MUST(tpki_cred_make(w->t, TPKI_KEY_EC_P256, "C=UT,O=Utopia,OU=Document Signer,CN=DS old",
	    &w->csca_ec, false, "20150101000000", "20200101000000", 4, &w->ds_expired));
	MUST(tpki_cred_make(w->t, TPKI_KEY_EC_P256, "C=UT,O=Utopia,OU=Document Signer,CN=DS lost",
	    &w->csca_ec, false, NB, NA, 5, &w->ds_revoked));
	MUST(tpki_cred_make(w->t, TPKI_KEY_EC_P256, "C=UT,O=Utopia,OU=Document Signer,CN=DS EC",
	    &w->rogue_csca, false, NB, NA, 2, &w->ds_rogue));
	MUST(tpki_cred_make(w->t, TPKI_KEY_EC_P256, "C=DE,O=Utopia,OU=Document Signer,CN=DS DE",
	    &w->csca_de, false, NB, NA, 6, &w->ds_de));
	MUST(tpki_cred_make(w->t, TPKI_KEY_EC_P256, "C=DE,O=Utopia,OU=Document Signer,CN=DS DE",
	    &w->csca_ec, false, NB, NA, 7, &w->ds_foreign));
	eg_wbuf_init(&w->crl_ec, 1 << 20, false);
	eg_wbuf_init(&w->crl_rsa, 1 << 20, false);
	rev[0] = w->ds_revoked.cert.data;
	rev_len[0] = w->ds_revoked.cert.len;
	MUST(tpki_crl_build(w->t, &w->csca_ec, rev, rev_len, 1, "20260101000000",
	    "20270101000000", &w->crl_ec));
	MUST(tpki_crl_build(w->t, &w->csca_rsa, NULL, NULL, 0, "20260101000000",
	    "20270101000000", &w->crl_rsa));
}

void
world_free(struct world *w)
{
	struct tpki_cred *all[] = { &w->csca_ec, &w->csca_rsa, &w->rogue_csca, &w->ds_ec,
		&w->ds_bp, &w->ds_rsa, &w->ds_expired, &w->ds_revoked, &w->ds_rogue, &w->ds_de,
		&w->csca_de, &w->ds_foreign };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		tpki_cred_free(all[i]);
	eg_wbuf_free(&w->crl_ec);
	eg_wbuf_free(&w->crl_rsa);
	tpki_free(&w->t);
}

struct csca_store *
world_store(struct world *w)
{
	struct csca_store *s;

	MUST(csca_store_new(&s));
	MUST(csca_store_add_cert(s, w->csca_ec.cert.data, w->csca_ec.cert.len));
	MUST(csca_store_add_cert(s, w->csca_rsa.cert.data, w->csca_rsa.cert.len));
	MUST(csca_store_add_cert(s, w->csca_de.cert.data, w->csca_de.cert.len));
	MUST(csca_store_add_crl(s, w->crl_ec.data, w->crl_ec.len));
	MUST(csca_store_add_crl(s, w->crl_rsa.data, w->crl_rsa.len));
	return s;
}

void
passport_make(struct world *w, const struct pp_opts *o, struct passport *p)
{
	struct tpki_sod_params sp;

	eg_wbuf_init(&p->sod, 1 << 20, false);
	eg_wbuf_init(&p->com, 1 << 10, false);
	eg_wbuf_init(&p->dg1, 1 << 10, false);
	eg_wbuf_init(&p->dg2, 1 << 16, false);
	eg_wbuf_init(&p->dg15, 1 << 10, false);
	MUST(tpki_dg1_build(o->mrz != NULL ? o->mrz : W_MRZ_TD3, &p->dg1));
	/* DG2: a stand-in biometric container (PA only hashes it) */
	MUST(eg_wbuf_put(&p->dg2, "\x75\x82\x01\x00", 4));
	for (int i = 0; i < 256; i++)
		MUST(eg_wbuf_u8(&p->dg2, (uint8_t)(i * 7 + 3)));
	/* DG15: the DS key's public half stands in for an AA key (its SPKI
	 * as in the certificate: explicit and custom curves too) */
	{
		struct cert *c = NULL;
		uint8_t spki[512];
		int n;

		if (cert_parse(o->ds->cert.data, o->ds->cert.len, &c) == EG_OK) {
			MUST(eg_tlv_put(&p->dg15, 0x6F, c->spki.p, c->spki.len));
		} else {	/* a certificate made unusable on purpose */
			n = mbedtls_pk_write_pubkey_der(&o->ds->key, spki, sizeof(spki));
			if (n <= 0)
				abort();
			MUST(eg_tlv_put(&p->dg15, 0x6F, spki + sizeof(spki) - n, (size_t)n));
		}
		cert_free(&c);
	}
	MUST(tpki_com_build((1u << 1) | (1u << 2) | (1u << 15), &p->com));
	memset(&sp, 0, sizeof(sp));
	sp.ds = o->ds;
	sp.sig = o->sig;
	sp.flags = o->flags;
	sp.dg_hash = o->dg_hash;
	sp.lds_version = o->lds_version;
	if (!(o->sod_omit & (1u << 1))) { sp.dg[1] = p->dg1.data; sp.dg_len[1] = p->dg1.len; }
	if (!(o->sod_omit & (1u << 2))) { sp.dg[2] = p->dg2.data; sp.dg_len[2] = p->dg2.len; }
	if (!(o->sod_omit & (1u << 15))) { sp.dg[15] = p->dg15.data; sp.dg_len[15] = p->dg15.len; }
	MUST(tpki_sod_build(w->t, &sp, &p->sod));
}

void
passport_free(struct passport *p)
{
	eg_wbuf_free(&p->sod);
	eg_wbuf_free(&p->com);
	eg_wbuf_free(&p->dg1);
	eg_wbuf_free(&p->dg2);
	eg_wbuf_free(&p->dg15);
}

struct pa_input
passport_input(const struct passport *p, time_t now)
{
	struct pa_input in;

	memset(&in, 0, sizeof(in));
	in.sod = p->sod.data;
	in.sod_len = p->sod.len;
	in.com = p->com.data;
	in.com_len = p->com.len;
	in.dg[1] = p->dg1.data;
	in.dg_len[1] = p->dg1.len;
	in.dg[2] = p->dg2.data;
	in.dg_len[2] = p->dg2.len;
	in.dg[15] = p->dg15.data;
	in.dg_len[15] = p->dg15.len;
	in.printed_mrz = W_MRZ_TD3;
	in.check_time = now;
	return in;
}

void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		abort();
}

size_t
read_hex_vector(const char *name, uint8_t *out, size_t cap)
{
	char path[1024], text[8192], clean[8192];
	size_t n, k = 0, got;
	FILE *f;

	snprintf(path, sizeof(path), "%s/docauth/%s", VECTORS_DIR, name);
	if ((f = fopen(path, "r")) == NULL)
		abort();
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (text[i] != ' ' && text[i] != '\n' && text[i] != '\r')
			clean[k++] = text[i];
	clean[k] = '\0';
	MUST(eg_hex_decode(clean, out, cap, &got));
	return got;
}
