/* SPDX-License-Identifier: Apache-2.0 */
/* test_frame — framing and envelope codec of the kiosk <-> host protocol. */
#include <stdlib.h>
#include <string.h>

#include "eg_check.h"
#include "egate/error.h"
#include "explain.h"
#include "frame.h"
#include "samples.h"

/* Encode sample c as one frame into w. */
static void
encode_sample(Egate__Envelope__BodyCase c, struct eg_wbuf *w)
{
	struct sample s;

	sample_fill(&s, c);
	ck_assert_eg(proto_msg_encode(&s.env, 0, w), EG_OK);
}

START_TEST(roundtrip_every_message)
{
	for (size_t i = 0; i < sample_ncases; i++) {
		struct eg_wbuf w, again;
		struct frame_dec *d = NULL;
		struct proto_msg *m = NULL;
		const uint8_t *f;
		size_t used, flen, plen;
		uint8_t *packed;

		eg_wbuf_init(&w, FRAME_MAX_HARD + 4, false);
		encode_sample(sample_cases[i], &w);
		ck_assert_eg(frame_dec_new(0, &d), EG_OK);
		ck_assert_eg(frame_dec_feed(d, w.data, w.len, &used, &f, &flen), EG_OK);
		ck_assert_uint_eq(used, w.len);
		ck_assert_uint_eq(flen, w.len - FRAME_HDR_LEN);
		ck_assert_eg(proto_msg_decode(f, flen, &m), EG_OK);
		ck_assert_int_eq(proto_msg_env(m)->body_case, sample_cases[i]);
		/* re-encoding the decoded message gives the same bytes */
		plen = egate__envelope__get_packed_size(proto_msg_env(m));
		ck_assert_uint_eq(plen, flen);
		packed = malloc(plen);
		ck_assert_ptr_nonnull(packed);
		egate__envelope__pack(proto_msg_env(m), packed);
		ck_assert_mem_eq(packed, f, plen);
		eg_wbuf_init(&again, FRAME_MAX_HARD + 4, false);
		ck_assert_eg(proto_msg_encode(proto_msg_env(m), 0, &again), EG_OK);
		ck_assert_uint_eq(again.len, w.len);
		ck_assert_mem_eq(again.data, w.data, w.len);
		ck_assert_eg(frame_dec_finish(d), EG_OK);
		free(packed);
		eg_wbuf_free(&again);
		proto_msg_free(&m);
		ck_assert_ptr_null(m);
		frame_dec_free(&d);
		ck_assert_ptr_null(d);
		eg_wbuf_free(&w);
	}
}
END_TEST

START_TEST(passage_fields_survive)
{
	struct eg_wbuf w;
	struct proto_msg *m = NULL;
	const Egate__PassageEvent *p;

	eg_wbuf_init(&w, 4096, false);
	encode_sample(EGATE__ENVELOPE__BODY_PASSAGE, &w);
	ck_assert_eg(proto_msg_decode(w.data + 4, w.len - 4, &m), EG_OK);
	p = proto_msg_env(m)->passage;
	ck_assert_uint_eq(p->seq, 42);
	ck_assert_int_eq(p->decision, EGATE__DECISION__DECISION_OPEN);
	ck_assert_str_eq(p->reason, "all_checks_pass");
	ck_assert_uint_eq(p->n_checks, 3);
	ck_assert_str_eq(p->checks[1]->name, "csca_chain");
	ck_assert_uint_eq(p->n_scores, 2);
	ck_assert_double_eq(p->scores[0]->value, 0.812);
	ck_assert_double_eq(p->scores[0]->threshold, 0.55);
	ck_assert_str_eq(p->identifiers->document_number, "L898902C3");
	ck_assert_uint_eq(p->config_version, 7);
	proto_msg_free(&m);
	eg_wbuf_free(&w);
}
END_TEST

/* The stream of every message, fed in pieces of every size from 1 to 13. */
START_TEST(split_across_feeds)
{
	struct eg_wbuf w;

	eg_wbuf_init(&w, 1 << 20, false);
	for (size_t i = 0; i < sample_ncases; i++)
		encode_sample(sample_cases[i], &w);
	for (size_t step = 1; step <= 13; step++) {
		struct frame_dec *d = NULL;
		size_t pos = 0, got = 0;

		ck_assert_eg(frame_dec_new(0, &d), EG_OK);
		while (pos < w.len) {
			size_t chunk = step < w.len - pos ? step : w.len - pos;
			const uint8_t *p = w.data + pos;

			pos += chunk;
			while (chunk > 0) {
				const uint8_t *f;
				size_t used, flen;
				int rc = frame_dec_feed(d, p, chunk, &used, &f, &flen);

				ck_assert_uint_le(used, chunk);
				p += used;
				chunk -= used;
				if (rc == EG_ERR_TRUNCATED) {
					ck_assert_uint_eq(chunk, 0);
					break;
				}
				ck_assert_eg(rc, EG_OK);
				struct proto_msg *m = NULL;
				ck_assert_eg(proto_msg_decode(f, flen, &m), EG_OK);
				ck_assert_int_eq(proto_msg_env(m)->body_case, sample_cases[got]);
				proto_msg_free(&m);
				got++;
			}
		}
		ck_assert_uint_eq(got, sample_ncases);
		ck_assert_eg(frame_dec_finish(d), EG_OK);
		ck_assert_uint_eq(frame_dec_pending(d), 0);
		frame_dec_free(&d);
	}
	eg_wbuf_free(&w);
}
END_TEST

START_TEST(oversize_is_sticky)
{
	struct frame_dec *d = NULL;
	const uint8_t hdr[4] = { 0x00, 0x00, 0x01, 0x01 };	/* 257 */
	const uint8_t ok[6] = { 0, 0, 0, 2, 0x22, 0x00 };
	const uint8_t *f;
	size_t used, flen;

	ck_assert_eg(frame_dec_new(256, &d), EG_OK);
	ck_assert_eg(frame_dec_feed(d, hdr, 4, &used, &f, &flen), EG_ERR_OVERFLOW);
	ck_assert_ptr_null(f);
	ck_assert_eg(frame_dec_feed(d, ok, sizeof(ok), &used, &f, &flen), EG_ERR_OVERFLOW);
	ck_assert_uint_eq(used, 0);
	ck_assert_eg(frame_dec_finish(d), EG_ERR_OVERFLOW);
	frame_dec_free(&d);

	/* the hard maximum: 1 MiB + 1 announced, with no payload following */
	const uint8_t big[4] = { 0x00, 0x10, 0x00, 0x01 };
	ck_assert_eg(frame_dec_new(0, &d), EG_OK);
	ck_assert_eg(frame_dec_feed(d, big, 4, &used, &f, &flen), EG_ERR_OVERFLOW);
	frame_dec_free(&d);
	const uint8_t huge[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
	ck_assert_eg(frame_dec_new(0, &d), EG_OK);
	ck_assert_eg(frame_dec_feed(d, huge, 4, &used, &f, &flen), EG_ERR_OVERFLOW);
	frame_dec_free(&d);

	ck_assert_eg(frame_dec_new(FRAME_MAX_HARD + 1, &d), EG_ERR_INVAL);
	ck_assert_ptr_null(d);
}
END_TEST

START_TEST(zero_length_is_format_error)
{
	struct frame_dec *d = NULL;
	const uint8_t zero[4] = { 0, 0, 0, 0 };
	const uint8_t *f;
	size_t used, flen;

	ck_assert_eg(frame_dec_new(0, &d), EG_OK);
	ck_assert_eg(frame_dec_feed(d, zero, 4, &used, &f, &flen), EG_ERR_FORMAT);
	frame_dec_free(&d);
}
END_TEST

START_TEST(truncated_waits_for_more)
{
	struct eg_wbuf w;
	struct frame_dec *d = NULL;
	const uint8_t *f;
	size_t used, flen;

	eg_wbuf_init(&w, 4096, false);
	encode_sample(EGATE__ENVELOPE__BODY_HEARTBEAT, &w);
	ck_assert_eg(frame_dec_new(0, &d), EG_OK);
	ck_assert_eg(frame_dec_feed(d, w.data, 2, &used, &f, &flen), EG_ERR_TRUNCATED);
	ck_assert_uint_eq(used, 2);
	ck_assert_eg(frame_dec_finish(d), EG_ERR_TRUNCATED);
	ck_assert_eg(frame_dec_feed(d, w.data + 2, w.len - 3, &used, &f, &flen), EG_ERR_TRUNCATED);
	ck_assert_uint_eq(frame_dec_pending(d), w.len - 1);
	ck_assert_eg(frame_dec_feed(d, NULL, 0, &used, &f, &flen), EG_ERR_TRUNCATED);
	/* the last byte completes it */
	ck_assert_eg(frame_dec_feed(d, w.data + w.len - 1, 1, &used, &f, &flen), EG_OK);
	ck_assert_uint_eq(flen, w.len - 4);
	ck_assert_mem_eq(f, w.data + 4, flen);
	ck_assert_eg(frame_dec_finish(d), EG_OK);
	frame_dec_free(&d);

	/* a truncated payload handed to the message decoder */
	struct proto_msg *m = NULL;
	for (size_t n = 1; n < w.len - 4; n++) {
		int rc = proto_msg_decode(w.data + 4, n, &m);

		ck_assert_msg(rc != EG_OK || m != NULL, "n=%zu", n);
		proto_msg_free(&m);
	}
	ck_assert_eg(proto_msg_decode(w.data + 4, w.len - 5, &m), EG_ERR_FORMAT);
	eg_wbuf_free(&w);
}
END_TEST

START_TEST(garbage_never_crashes)
{
	uint8_t buf[512];
	unsigned seed = 12345;
	int ok = 0, bad = 0;

	for (int iter = 0; iter < 20000; iter++) {
		size_t n = 1 + (size_t)(rand_r(&seed) % sizeof(buf));
		struct proto_msg *m = NULL;
		int rc;

		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)rand_r(&seed);
		rc = proto_msg_decode(buf, n, &m);
		if (rc == EG_OK) {
			ck_assert_eg(proto_msg_validate(proto_msg_env(m)), EG_OK);
			ok++;
		} else {
			ck_assert_ptr_null(m);
			bad++;
		}
		proto_msg_free(&m);
	}
	ck_assert_int_gt(bad, 0);
	(void)ok;
	/* specific garbage */
	const uint8_t ff[8] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	struct proto_msg *m = NULL;
	ck_assert_eg(proto_msg_decode(ff, sizeof(ff), &m), EG_ERR_FORMAT);
	ck_assert_eg(proto_msg_decode(NULL, 4, &m), EG_ERR_INVAL);
}
END_TEST

START_TEST(semantic_rules)
{
	struct sample s;
	struct eg_wbuf w;
	struct proto_msg *m = NULL;
	/* a valid protobuf Envelope with no body: field 15 (unknown) only */
	const uint8_t nobody[2] = { 0x78, 0x01 };

	ck_assert_eg(proto_msg_decode(nobody, sizeof(nobody), &m), EG_ERR_PROTOCOL);
	ck_assert_ptr_null(m);

	eg_wbuf_init(&w, 4096, false);
	sample_fill(&s, EGATE__ENVELOPE__BODY_PASSAGE);
	s.passage.seq = 0;
	ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_ERR_PROTOCOL);
	ck_assert_uint_eq(w.len, 0);
	sample_fill(&s, EGATE__ENVELOPE__BODY_PASSAGE);
	s.passage.decision = (Egate__Decision)99;
	ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_ERR_PROTOCOL);
	sample_fill(&s, EGATE__ENVELOPE__BODY_OFFICER_COMMAND);
	s.officer_command.reason = (char *)(uintptr_t)"";
	ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_ERR_PROTOCOL);
	sample_fill(&s, EGATE__ENVELOPE__BODY_HELLO);
	s.hello.version_min = 3;
	s.hello.version_max = 2;
	ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_ERR_PROTOCOL);
	/* sealed identifiers replace the clear ones, never both; size cap */
	uint8_t sealed[PROTO_SEALED_MAX + 1] = { 0 };
	sample_fill(&s, EGATE__ENVELOPE__BODY_PASSAGE);
	s.passage.sealed_identifiers.data = sealed;
	s.passage.sealed_identifiers.len = 100;
	ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_ERR_PROTOCOL);
	s.ids.document_number = NULL;
	s.ids.holder_name = (char *)(uintptr_t)"";
	ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_OK);
	w.len = 0;
	s.passage.sealed_identifiers.len = sizeof(sealed);
	ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_ERR_PROTOCOL);
	/* an officer request is a query or an action, not both, not neither */
	sample_fill(&s, EGATE__ENVELOPE__BODY_OFFICER_REQUEST);
	s.officer_request.query = EGATE__OFFICER_QUERY__OFFICER_QUERY_STATUS;
	ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_ERR_PROTOCOL);
	s.officer_request.action = EGATE__OFFICER_ACTION__OFFICER_ACTION_UNSPECIFIED;
	ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_OK);
	w.len = 0;
	s.officer_request.query = EGATE__OFFICER_QUERY__OFFICER_QUERY_UNSPECIFIED;
	ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_ERR_PROTOCOL);
	/* an action needs a kiosk and a reason; an override a passage */
	sample_fill(&s, EGATE__ENVELOPE__BODY_OFFICER_REQUEST);
	s.officer_request.reason = (char *)(uintptr_t)"";
	ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_ERR_PROTOCOL);
	sample_fill(&s, EGATE__ENVELOPE__BODY_OFFICER_REQUEST);
	s.officer_request.kiosk_id = NULL;
	ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_ERR_PROTOCOL);
	sample_fill(&s, EGATE__ENVELOPE__BODY_OFFICER_REQUEST);
	s.officer_request.passage_seq = 0;
	ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_ERR_PROTOCOL);
	s.officer_request.action = EGATE__OFFICER_ACTION__OFFICER_HOLD;
	ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_OK);
	w.len = 0;
	/* a reply's referrals name their kiosk and seq */
	sample_fill(&s, EGATE__ENVELOPE__BODY_OFFICER_REPLY);
	s.ref[0].seq = 0;
	ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_ERR_PROTOCOL);
	sample_fill(&s, EGATE__ENVELOPE__BODY_CONFIG_PUSH);
	s.set[0].name = (char *)(uintptr_t)"";
	ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_ERR_PROTOCOL);

	/* an unknown enum value on the wire is refused by the receiver too:
	 * Ack{seq=1} is fine, Error{code=77} is not */
	const uint8_t bad_code[4] = { 0x52, 0x02, 0x08, 77 };
	ck_assert_eg(proto_msg_decode(bad_code, sizeof(bad_code), &m), EG_ERR_PROTOCOL);
	/* unknown fields are skipped (forward compatibility) */
	const uint8_t ack_plus[6] = { 0x22, 0x04, 0x08, 0x01, 0x78, 0x05 };
	ck_assert_eg(proto_msg_decode(ack_plus, sizeof(ack_plus), &m), EG_OK);
	ck_assert_uint_eq(proto_msg_env(m)->ack->seq, 1);
	proto_msg_free(&m);
	/* ... but not field number 0 in an overlong tag (80 00), which
	 * protobuf-c accepts and could not re-encode (fuzzer finding) */
	const uint8_t tag0_inner[7] = { 0x22, 0x05, 0x08, 0x01, 0x80, 0x00, 0x05 };
	const uint8_t tag0_outer[7] = { 0x80, 0x00, 0x05, 0x22, 0x02, 0x08, 0x01 };
	ck_assert_eg(proto_msg_decode(tag0_inner, sizeof(tag0_inner), &m), EG_ERR_PROTOCOL);
	ck_assert_eg(proto_msg_decode(tag0_outer, sizeof(tag0_outer), &m), EG_ERR_PROTOCOL);
	eg_wbuf_free(&w);
}
END_TEST

START_TEST(encode_respects_max)
{
	struct eg_wbuf w;
	uint8_t one = 1;

	eg_wbuf_init(&w, 4096, false);
	encode_sample(EGATE__ENVELOPE__BODY_PASSAGE, &w);
	ck_assert_uint_gt(w.len, 64);
	eg_wbuf_reset(&w);
	struct sample s;
	sample_fill(&s, EGATE__ENVELOPE__BODY_PASSAGE);
	ck_assert_eg(proto_msg_encode(&s.env, 64, &w), EG_ERR_OVERFLOW);
	ck_assert_uint_eq(w.len, 0);
	ck_assert_eg(frame_encode(&one, 0, 0, &w), EG_ERR_INVAL);
	ck_assert_eg(frame_encode(&one, 1, 0, &w), EG_OK);
	ck_assert_uint_eq(w.len, 5);
	ck_assert_uint_eq(w.data[3], 1);
	eg_wbuf_free(&w);
}
END_TEST

/* Thousands of empty repeated submessages: tiny on the wire, large in
 * memory. The allocation cap must stop it. */
START_TEST(memory_amplification_capped)
{
	size_t n = 60000, len = 4 + 2 * n;
	uint8_t *p = malloc(len + 8);
	struct proto_msg *m = NULL;
	size_t inner = 2 * n;

	ck_assert_ptr_nonnull(p);
	/* Envelope.passage (field 3, LEN) with a 3-byte varint length */
	p[0] = 0x1A;
	p[1] = (uint8_t)(0x80 | (inner & 0x7F));
	p[2] = (uint8_t)(0x80 | ((inner >> 7) & 0x7F));
	p[3] = (uint8_t)(inner >> 14);
	for (size_t i = 0; i < n; i++) {
		p[4 + 2 * i] = 0x2A;	/* PassageEvent.checks, LEN */
		p[5 + 2 * i] = 0x00;	/* empty Check */
	}
	ck_assert_eg(proto_msg_decode(p, len, &m), EG_ERR_OVERFLOW);
	ck_assert_ptr_null(m);
	free(p);
}
END_TEST

/* The digest does not depend on how the configuration is split in parts,
 * and changes with any field. */
START_TEST(config_digest)
{
	struct sample s, p0, p1;
	const Egate__ConfigPush *one[1], *two[2];
	uint8_t a[32], b[32], c[32];
	Egate__Threshold *t0[1], *t1[1];

	sample_fill(&s, EGATE__ENVELOPE__BODY_CONFIG_PUSH);
	one[0] = &s.config_push;
	ck_assert_eg(proto_config_digest(one, 1, a), EG_OK);
	/* the same configuration as two parts */
	sample_fill(&p0, EGATE__ENVELOPE__BODY_CONFIG_PUSH);
	sample_fill(&p1, EGATE__ENVELOPE__BODY_CONFIG_PUSH);
	t0[0] = p0.thrp[0];
	t1[0] = p1.thrp[1];
	p0.config_push.thresholds = t0;
	p0.config_push.n_thresholds = 1;
	p0.config_push.n_crls = 0;
	p0.config_push.gallery.len = 10;
	p1.config_push.thresholds = t1;
	p1.config_push.n_thresholds = 1;
	p1.config_push.n_csca_master_lists = 0;
	p1.config_push.n_settings = 0;
	p1.config_push.gallery.data = p1.blob + 10;
	p1.config_push.gallery.len = 6;
	two[0] = &p0.config_push;
	two[1] = &p1.config_push;
	ck_assert_eg(proto_config_digest(two, 2, b), EG_OK);
	ck_assert_mem_eq(a, b, 32);
	/* any change changes it */
	s.thr[1].value = 0.51;
	ck_assert_eg(proto_config_digest(one, 1, c), EG_OK);
	ck_assert_mem_ne(a, c, 32);
	s.thr[1].value = 0.5;
	s.blob[40] ^= 1;	/* inside the CRL */
	ck_assert_eg(proto_config_digest(one, 1, c), EG_OK);
	ck_assert_mem_ne(a, c, 32);
	s.blob[40] ^= 1;
	s.set[0].value = (char *)(uintptr_t)"UTO,D";
	ck_assert_eg(proto_config_digest(one, 1, c), EG_OK);
	ck_assert_mem_ne(a, c, 32);
	s.set[0].value = (char *)(uintptr_t)"UTO,D,KOR";
	s.config_push.version = 9;
	ck_assert_eg(proto_config_digest(one, 1, c), EG_OK);
	ck_assert_mem_ne(a, c, 32);
	/* a master list moved into the CRLs is a different configuration */
	s.config_push.version = 8;
	s.config_push.n_csca_master_lists = 0;
	s.config_push.n_crls = 2;
	s.config_push.crls = s.blobs;
	ck_assert_eg(proto_config_digest(one, 1, c), EG_OK);
	ck_assert_mem_ne(a, c, 32);
	p1.config_push.version = 9;
	ck_assert_eg(proto_config_digest(two, 2, c), EG_ERR_INVAL);
	ck_assert_eg(proto_config_digest(two, 0, c), EG_ERR_INVAL);
}
END_TEST

START_TEST(passage_payload)
{
	struct sample s;
	char *json = NULL;
	size_t len = 0;
	static const char want[] =
	    "{\"seq\":42,\"ts_ms\":1795000000123,\"decision\":\"OPEN\",\"reason\":\"all_checks_pass\","
	    "\"checks\":[{\"name\":\"sod_signature\",\"result\":\"pass\",\"detail\":\"\"},"
	    "{\"name\":\"csca_chain\",\"result\":\"pass\",\"detail\":\"\"},"
	    "{\"name\":\"dg1_mrz_match\",\"result\":\"pass\",\"detail\":\"chip_equals_printed\"}],"
	    "\"scores\":[{\"name\":\"face_similarity\",\"value\":0.81200000000000006,"
	    "\"threshold\":0.55000000000000004,\"passed\":true},"
	    "{\"name\":\"pad_liveness\",\"value\":0.96999999999999997,\"threshold\":0.5,"
	    "\"passed\":true}],\"model_version\":\"arcface-r100:1a2b3c4d\",\"config_version\":7,"
	    "\"issuing_state\":\"UTO\",\"document_type\":\"P\",\"duration_ms\":7400,"
	    "\"officer_id\":\"\",\"command_id\":0,\"overrides_seq\":0}";

	sample_fill(&s, EGATE__ENVELOPE__BODY_PASSAGE);
	ck_assert_eg(proto_passage_payload(&s.passage, &json, &len), EG_OK);
	ck_assert_str_eq(json, want);
	ck_assert_uint_eq(len, strlen(want));
	/* never the holder's identifiers */
	ck_assert_ptr_null(strstr(json, "L898902C3"));
	ck_assert_ptr_null(strstr(json, "ERIKSSON"));
	free(json);
	/* without identifiers, and with a hostile reason string */
	s.passage.identifiers = NULL;
	s.passage.reason = (char *)(uintptr_t)"x\"}\n";
	ck_assert_eg(proto_passage_payload(&s.passage, &json, &len), EG_OK);
	ck_assert_ptr_nonnull(strstr(json, "\"reason\":\"x\\\"}\\n\""));
	ck_assert_ptr_nonnull(strstr(json, "\"issuing_state\":\"\""));
	free(json);
	ck_assert_eg(proto_passage_payload(NULL, &json, &len), EG_ERR_INVAL);
	ck_assert_str_eq(proto_decision_name(EGATE__DECISION__DECISION_REFER), "REFER");
	ck_assert_str_eq(proto_decision_name((Egate__Decision)77), "UNSPECIFIED");
	ck_assert_str_eq(proto_officer_action_name(EGATE__OFFICER_ACTION__OFFICER_HOLD), "HOLD");
	ck_assert_str_eq(proto_check_result_name(EGATE__CHECK_RESULT__CHECK_SKIPPED), "skipped");
}
END_TEST

START_TEST(version_choice)
{
	ck_assert_uint_eq(proto_version_choose(1, 1), 1);
	ck_assert_uint_eq(proto_version_choose(1, 9), EGATE_PROTO_VERSION_MAX);
	ck_assert_uint_eq(EGATE_PROTO_VERSION_MAX, 2);
	ck_assert_uint_eq(proto_version_choose(1, 1), 1);	/* a version 1 kiosk still talks */
	ck_assert_uint_eq(proto_version_choose(2, 9), 2);
	ck_assert_uint_eq(proto_version_choose(3, 9), 0);
	ck_assert_uint_eq(proto_version_choose(0, 1), 0);
	ck_assert_uint_eq(proto_version_choose(1, 0), 0);
	ck_assert_str_eq(proto_body_name(EGATE__ENVELOPE__BODY_PASSAGE), "passage");
	ck_assert_str_eq(proto_body_name((Egate__Envelope__BodyCase)99), "unknown");
}
END_TEST

/* Version 2: Hello.role, SUBSCRIBE, OfficerEvent, ReferralImages. */
START_TEST(live_message_rules)
{
	struct sample s;
	uint8_t *big;

	/* every update case of an OfficerEvent round-trips */
	for (size_t i = 0; i < sample_event_ncases; i++) {
		struct eg_wbuf w;
		struct proto_msg *m = NULL;

		sample_fill_event(&s, sample_event_cases[i]);
		eg_wbuf_init(&w, FRAME_MAX_HARD + 4, false);
		ck_assert_eg(proto_msg_encode(&s.env, 0, &w), EG_OK);
		ck_assert_eg(proto_msg_decode(w.data + 4, w.len - 4, &m), EG_OK);
		ck_assert_int_eq(proto_msg_env(m)->officer_event->update_case, sample_event_cases[i]);
		proto_msg_free(&m);
		eg_wbuf_free(&w);
	}
	sample_fill_event(&s, EGATE__OFFICER_EVENT__UPDATE_KIOSK);
	s.officer_event.subscription_id = 0;
	ck_assert_eg(proto_msg_validate(&s.env), EG_ERR_PROTOCOL);
	sample_fill_event(&s, EGATE__OFFICER_EVENT__UPDATE_KIOSK);
	s.officer_event.update_case = EGATE__OFFICER_EVENT__UPDATE__NOT_SET;
	ck_assert_eg(proto_msg_validate(&s.env), EG_ERR_PROTOCOL);
	sample_fill_event(&s, EGATE__OFFICER_EVENT__UPDATE_KIOSK);
	s.psum[0].decision = EGATE__DECISION__DECISION_UNSPECIFIED;
	ck_assert_eg(proto_msg_validate(&s.env), EG_ERR_PROTOCOL);
	sample_fill_event(&s, EGATE__OFFICER_EVENT__UPDATE_CLOSED);
	s.closed.seq = 0;
	ck_assert_eg(proto_msg_validate(&s.env), EG_ERR_PROTOCOL);
	sample_fill_event(&s, EGATE__OFFICER_EVENT__UPDATE_CLOSED);
	s.closed.action = (Egate__OfficerAction)9;
	ck_assert_eg(proto_msg_validate(&s.env), EG_ERR_PROTOCOL);
	/* the host names the kiosk of relayed pictures */
	sample_fill_event(&s, EGATE__OFFICER_EVENT__UPDATE_IMAGES);
	s.images.kiosk_id = (char *)(uintptr_t)"";
	ck_assert_eg(proto_msg_validate(&s.env), EG_ERR_PROTOCOL);

	/* pictures: a referral, at least one JPEG, none above the limit */
	sample_fill(&s, EGATE__ENVELOPE__BODY_REFERRAL_IMAGES);
	ck_assert_eg(proto_msg_validate(&s.env), EG_OK);
	s.images.referral_seq = 0;
	ck_assert_eg(proto_msg_validate(&s.env), EG_ERR_PROTOCOL);
	sample_fill(&s, EGATE__ENVELOPE__BODY_REFERRAL_IMAGES);
	s.images.live_face.len = 0;
	ck_assert_eg(proto_msg_validate(&s.env), EG_OK);	/* one picture is enough */
	s.images.chip_portrait.len = 0;
	ck_assert_eg(proto_msg_validate(&s.env), EG_ERR_PROTOCOL);
	sample_fill(&s, EGATE__ENVELOPE__BODY_REFERRAL_IMAGES);
	s.jpeg[1][0] = 0x89;		/* PNG, not JPEG */
	ck_assert_eg(proto_msg_validate(&s.env), EG_ERR_PROTOCOL);
	big = calloc(1, PROTO_IMAGE_MAX + 1);
	ck_assert_ptr_nonnull(big);
	big[0] = 0xFF;
	big[1] = 0xD8;
	big[2] = 0xFF;
	sample_fill(&s, EGATE__ENVELOPE__BODY_REFERRAL_IMAGES);
	s.images.live_face.data = big;
	s.images.live_face.len = PROTO_IMAGE_MAX;
	ck_assert_eg(proto_msg_validate(&s.env), EG_OK);
	s.images.live_face.len = PROTO_IMAGE_MAX + 1;
	ck_assert_eg(proto_msg_validate(&s.env), EG_ERR_PROTOCOL);
	free(big);

	/* Hello.role and the SUBSCRIBE query */
	sample_fill(&s, EGATE__ENVELOPE__BODY_HELLO);
	s.hello.role = EGATE__ROLE__ROLE_OFFICER;
	ck_assert_eg(proto_msg_validate(&s.env), EG_OK);
	s.hello.role = (Egate__Role)3;
	ck_assert_eg(proto_msg_validate(&s.env), EG_ERR_PROTOCOL);
	sample_fill(&s, EGATE__ENVELOPE__BODY_OFFICER_REQUEST);
	s.officer_request.action = EGATE__OFFICER_ACTION__OFFICER_ACTION_UNSPECIFIED;
	s.officer_request.query = EGATE__OFFICER_QUERY__OFFICER_QUERY_SUBSCRIBE;
	ck_assert_eg(proto_msg_validate(&s.env), EG_OK);
	s.officer_request.query = (Egate__OfficerQuery)4;
	ck_assert_eg(proto_msg_validate(&s.env), EG_ERR_PROTOCOL);
	ck_assert_str_eq(proto_body_name(EGATE__ENVELOPE__BODY_REFERRAL_IMAGES), "referral_images");
	ck_assert_str_eq(proto_body_name(EGATE__ENVELOPE__BODY_OFFICER_EVENT), "officer_event");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("frame");

	tcase_add_test(tc, roundtrip_every_message);
	tcase_add_test(tc, passage_fields_survive);
	tcase_add_test(tc, split_across_feeds);
	tcase_add_test(tc, oversize_is_sticky);
	tcase_add_test(tc, zero_length_is_format_error);
	tcase_add_test(tc, truncated_waits_for_more);
	tcase_add_test(tc, garbage_never_crashes);
	tcase_add_test(tc, semantic_rules);
	tcase_add_test(tc, encode_respects_max);
	tcase_add_test(tc, memory_amplification_capped);
	tcase_add_test(tc, config_digest);
	tcase_add_test(tc, passage_payload);
	tcase_add_test(tc, version_choice);
	tcase_add_test(tc, live_message_rules);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
