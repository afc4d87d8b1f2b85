/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_host_path — the host's path for passage events, with the real codec
 * and store: frames from a kiosk (split across reads, one resent after a
 * "reconnect") are decoded, turned into audit records the way PROTOCOL.md
 * says, appended in a batch; acks follow only what is durable; the log
 * verifies and holds no clear identifier. The daemon will own this glue; the
 * test pins the contract between proto/ and host/audit/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>

#include "audit.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "egate/error.h"
#include "explain.h"
#include "frame.h"

#define NEV 6

static void
gen_key(char *priv, size_t privsz, char *pub, size_t pubsz)
{
	mbedtls_pk_context pk;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;

	mbedtls_pk_init(&pk);
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	ck_assert_int_eq(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0), 0);
	ck_assert_int_eq(mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
	ck_assert_int_eq(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk),
	    mbedtls_ctr_drbg_random, &drbg), 0);
	ck_assert_int_eq(mbedtls_pk_write_key_pem(&pk, (uint8_t *)priv, privsz), 0);
	ck_assert_int_eq(mbedtls_pk_write_pubkey_pem(&pk, (uint8_t *)pub, pubsz), 0);
	mbedtls_pk_free(&pk);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
}

/* The kiosk side: event seq i as one frame. */
static void
kiosk_send(struct eg_wbuf *stream, uint64_t seq)
{
	Egate__Envelope env;
	Egate__PassageEvent p;
	Egate__Check c, *cp = &c;
	Egate__Score sc, *sp = &sc;
	Egate__Identifiers id;
	char doc[16];

	/* the *_INIT macros cast away const (-Wcast-qual): use the functions */
	egate__envelope__init(&env);
	egate__passage_event__init(&p);
	egate__check__init(&c);
	egate__score__init(&sc);
	egate__identifiers__init(&id);

	snprintf(doc, sizeof(doc), "ZX%07u", (unsigned)seq);
	c.name = (char *)(uintptr_t)"sod_signature";
	c.result = EGATE__CHECK_RESULT__CHECK_PASS;
	sc.name = (char *)(uintptr_t)"face_similarity";
	sc.value = seq % 3 == 0 ? 0.31 : 0.82;
	sc.threshold = 0.55;
	sc.passed = seq % 3 != 0;
	id.document_number = doc;
	id.holder_name = (char *)(uintptr_t)"MUSTERMANN<<ERIKA";
	id.issuing_state = (char *)(uintptr_t)"D<<";
	id.document_type = (char *)(uintptr_t)"P";
	p.seq = seq;
	p.ts_ms = 1795000000000LL + (int64_t)seq * 9000;
	p.decision = seq % 3 == 0 ? EGATE__DECISION__DECISION_REFER : EGATE__DECISION__DECISION_OPEN;
	p.reason = (char *)(uintptr_t)(seq % 3 == 0 ? "face_below_threshold" : "all_checks_pass");
	p.n_checks = 1;
	p.checks = &cp;
	p.n_scores = 1;
	p.scores = &sp;
	p.model_version = (char *)(uintptr_t)"arcface:1a2b";
	p.config_version = 7;
	p.identifiers = &id;
	env.body_case = EGATE__ENVELOPE__BODY_PASSAGE;
	env.passage = &p;
	ck_assert_eg(proto_msg_encode(&env, 0, stream), EG_OK);
}

struct host {
	struct audit_db *db;
	struct proto_msg *msgs[2 * NEV];
	char *payloads[2 * NEV];
	struct audit_record recs[2 * NEV];
	size_t n;
};

/* The host side: one decoded event -> one audit record (PROTOCOL.md). */
static void
host_take(struct host *h, struct proto_msg *m, const char *cert_kiosk_id)
{
	const Egate__PassageEvent *p;
	struct audit_record *r = &h->recs[h->n];
	size_t len;

	ck_assert_int_eq(proto_msg_env(m)->body_case, EGATE__ENVELOPE__BODY_PASSAGE);
	p = proto_msg_env(m)->passage;
	ck_assert_eg(proto_passage_payload(p, &h->payloads[h->n], &len), EG_OK);
	memset(r, 0, sizeof(*r));
	r->kiosk_id = cert_kiosk_id;	/* from the certificate, never the message */
	r->seq = p->seq;
	r->ts_ms = p->ts_ms;
	r->type = "passage";
	r->decision = proto_decision_name(p->decision);
	r->reason = p->reason;
	r->officer = p->officer_id != NULL && p->officer_id[0] != '\0' ? p->officer_id : NULL;
	r->document_number = p->identifiers != NULL ? p->identifiers->document_number : NULL;
	r->holder_name = p->identifiers != NULL ? p->identifiers->holder_name : NULL;
	r->payload = h->payloads[h->n];
	h->msgs[h->n] = m;
	h->n++;
}

static void
host_release(struct host *h)
{
	for (size_t i = 0; i < h->n; i++) {
		proto_msg_free(&h->msgs[i]);
		free(h->payloads[i]);
	}
	h->n = 0;
}

/* Feed the stream to the decoder in 5-byte reads; collect events. */
static void
host_read(struct host *h, struct frame_dec *d, const struct eg_wbuf *stream)
{
	for (size_t pos = 0; pos < stream->len;) {
		size_t chunk = stream->len - pos < 5 ? stream->len - pos : 5;
		const uint8_t *p = stream->data + pos;

		pos += chunk;
		while (chunk > 0) {
			const uint8_t *f;
			size_t used, flen;
			struct proto_msg *m = NULL;
			int rc = frame_dec_feed(d, p, chunk, &used, &f, &flen);

			p += used;
			chunk -= used;
			if (rc == EG_ERR_TRUNCATED)
				break;
			ck_assert_eg(rc, EG_OK);
			ck_assert_eg(proto_msg_decode(f, flen, &m), EG_OK);
			host_take(h, m, "K07");
		}
	}
	ck_assert_eg(frame_dec_finish(d), EG_OK);
}

static bool
file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	static char buf[1 << 20];
	size_t n;

	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return memmem(buf, n, needle, strlen(needle)) != NULL;
}

START_TEST(passages_to_durable_log)
{
	char dir[160], path[192], wal[200], priv[1024], pub[512];
	uint8_t hmac[32];
	struct audit_keys keys;
	struct host h;
	struct frame_dec *d = NULL;
	struct eg_wbuf stream;
	enum audit_result res[2 * NEV];
	struct audit_report rep;
	uint64_t last = 0;

	eg_scratch_mkdir(dir, sizeof(dir), "egate-host-path");
	snprintf(path, sizeof(path), "%s/audit.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	gen_key(priv, sizeof(priv), pub, sizeof(pub));
	memset(hmac, 0x33, sizeof(hmac));
	keys.sign_key_pem = priv;
	keys.hmac_key = hmac;
	keys.hmac_key_len = sizeof(hmac);
	memset(&h, 0, sizeof(h));
	ck_assert_eg(audit_open(path, &keys, &h.db), EG_OK);
	ck_assert_eg(frame_dec_new(0, &d), EG_OK);

	/* first connection: events 1..4 */
	eg_wbuf_init(&stream, 1 << 16, false);
	for (uint64_t s = 1; s <= 4; s++)
		kiosk_send(&stream, s);
	host_read(&h, d, &stream);
	ck_assert_uint_eq(h.n, 4);
	ck_assert_eg(audit_append_batch(h.db, h.recs, h.n, res), EG_OK);
	for (size_t i = 0; i < h.n; i++)
		ck_assert_int_eq(res[i], AUDIT_STORED);	/* -> Ack{seq, durable} */
	host_release(&h);

	/* reconnect: HelloAck.last_durable_seq = 4; the kiosk had not seen the
	 * ack of 4 and resends it with 5 and 6 */
	ck_assert_eg(audit_last_seq(h.db, "K07", &last), EG_OK);
	ck_assert_uint_eq(last, 4);
	eg_wbuf_reset(&stream);
	for (uint64_t s = 4; s <= NEV; s++)
		kiosk_send(&stream, s);
	host_read(&h, d, &stream);
	ck_assert_eg(audit_append_batch(h.db, h.recs, h.n, res), EG_OK);
	ck_assert_int_eq(res[0], AUDIT_DUPLICATE);	/* Ack{4, durable, duplicate} */
	ck_assert_int_eq(res[1], AUDIT_STORED);
	ck_assert_int_eq(res[2], AUDIT_STORED);
	host_release(&h);
	ck_assert_eg(audit_checkpoint(h.db, NULL), EG_OK);

	ck_assert_eg(audit_verify(h.db, pub, NULL, &rep), EG_OK);
	ck_assert_msg(rep.ok, "%s", rep.detail);
	ck_assert_uint_eq(rep.records, NEV);
	ck_assert_uint_eq(rep.unsealed, 0);
	/* the explanation is there, the identifiers are not */
	ck_assert(file_has(path, "face_below_threshold") || file_has(wal, "face_below_threshold"));
	ck_assert(file_has(path, "\"threshold\":0.55") || file_has(wal, "\"threshold\":0.55"));
	for (unsigned s = 1; s <= NEV; s++) {
		char doc[16];

		snprintf(doc, sizeof(doc), "ZX%07u", s);
		ck_assert_msg(!file_has(path, doc) && !file_has(wal, doc), "%s stored in clear", doc);
	}
	ck_assert(!file_has(path, "MUSTERMANN") && !file_has(wal, "MUSTERMANN"));

	frame_dec_free(&d);
	eg_wbuf_free(&stream);
	audit_close(&h.db);
	unlink(path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", path);
	unlink(wal);
	rmdir(dir);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("host-path");
	TCase *tc = tcase_create("passage");

	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
	tcase_add_test(tc, passages_to_durable_log);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
