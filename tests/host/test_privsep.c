/* SPDX-License-Identifier: Apache-2.0 */
/* The monitor's request decoder (host/daemon/privsep.h): round trip and refusals. */
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "eg_check.h"
#include "confpush.h"
#include "privsep.h"

static struct ps_batch b;

static void
encode(struct eg_wbuf *w, const struct audit_record *r, size_t n)
{
	eg_wbuf_init(w, PS_MSG_MAX, false);
	ck_assert_eg(ps_batch_begin(w), EG_OK);
	for (size_t i = 0; i < n; i++)
		ck_assert_eg(ps_record_put(w, &r[i]), EG_OK);
	ps_batch_set_count(w, (uint16_t)n);
}

START_TEST(test_round_trip)
{
	struct audit_record r[2] = {
		{ .kiosk_id = "K01", .seq = 1, .ts_ms = 1795000000000LL, .type = "passage",
		  .decision = "OPEN", .reason = "all_checks_pass", .document_number = "L898902C3",
		  .holder_name = "ERIKSSON<<ANNA", .payload = "{\"seq\":1}" },
		{ .kiosk_id = "K02", .seq = UINT64_C(0x7fffffffffffffff), .ts_ms = -5, .type = "officer",
		  .officer = "officer.kim" },
	};
	struct eg_wbuf w;

	encode(&w, r, 2);
	ck_assert_eg(ps_batch_decode(w.data + 1, w.len - 1, &b), EG_OK);
	ck_assert_uint_eq(b.n, 2);
	ck_assert_str_eq(b.recs[0].kiosk_id, "K01");
	ck_assert_str_eq(b.recs[0].document_number, "L898902C3");
	ck_assert_str_eq(b.recs[0].payload, "{\"seq\":1}");
	ck_assert_uint_eq(b.recs[1].seq, UINT64_C(0x7fffffffffffffff));
	ck_assert_int_eq(b.recs[1].ts_ms, -5);
	ck_assert_ptr_null(b.recs[1].decision);
	ck_assert_str_eq(b.recs[1].officer, "officer.kim");
	/* the child cannot choose the record type: always passage */
	ck_assert_str_eq(b.recs[1].type, "passage");
	ps_batch_clear(&b);
	ck_assert_ptr_null(b.arena);
	/* every truncation is refused */
	for (size_t cut = 1; cut < w.len - 1; cut++)
		ck_assert_int_ne(ps_batch_decode(w.data + 1, cut, &b), EG_OK);
	eg_wbuf_free(&w);
}
END_TEST

START_TEST(test_officer_record)
{
	struct eg_wbuf w;
	struct audit_record r;
	char arena[512];

	eg_wbuf_init(&w, PS_MSG_MAX, false);
	ck_assert_eg(ps_officer_put(&w, PS_OFFICER_ACTION, 1795000000000LL, "officer.kim",
	    "OVERRIDE_OPEN", "visa checked by hand", "{\"kiosk\":\"K01\"}"), EG_OK);
	ck_assert_int_eq(w.data[0], PS_OFFICER);
	ck_assert_eg(ps_officer_decode(w.data + 1, w.len - 1, arena, sizeof(arena), &r), EG_OK);
	/* always a host record: the child cannot name a kiosk or a seq */
	ck_assert_str_eq(r.kiosk_id, AUDIT_HOST_ID);
	ck_assert_uint_eq(r.seq, 0);
	ck_assert_str_eq(r.type, "officer");
	ck_assert_str_eq(r.officer, "officer.kim");
	ck_assert_str_eq(r.decision, "OVERRIDE_OPEN");
	ck_assert_str_eq(r.reason, "visa checked by hand");
	ck_assert_int_eq(r.ts_ms, 1795000000000LL);
	for (size_t cut = 1; cut < w.len - 1; cut++)
		ck_assert_int_ne(ps_officer_decode(w.data + 1, cut, arena, sizeof(arena), &r), EG_OK);
	/* an unknown kind, an empty reason */
	w.data[1] = 7;
	ck_assert_eg(ps_officer_decode(w.data + 1, w.len - 1, arena, sizeof(arena), &r), EG_ERR_FORMAT);
	eg_wbuf_reset(&w);
	ck_assert_eg(ps_officer_put(&w, PS_OFFICER_RESULT, 1, "officer.kim", "OPEN", "", NULL), EG_OK);
	ck_assert_eg(ps_officer_decode(w.data + 1, w.len - 1, arena, sizeof(arena), &r), EG_ERR_FORMAT);
	eg_wbuf_reset(&w);
	ck_assert_eg(ps_officer_put(&w, PS_OFFICER_RESULT, 1, "officer.kim", "OPEN", "ok", NULL), EG_OK);
	ck_assert_eg(ps_officer_decode(w.data + 1, w.len - 1, arena, sizeof(arena), &r), EG_OK);
	ck_assert_str_eq(r.type, "officer_result");
	ck_assert_ptr_null(r.payload);
	eg_wbuf_free(&w);
}
END_TEST

START_TEST(test_payload_request)
{
	struct eg_wbuf w;
	char k[AUDIT_KIOSK_ID_MAX + 1];
	uint64_t seq = 0;

	eg_wbuf_init(&w, 256, false);
	ck_assert_eg(ps_put_str(&w, "K01"), EG_OK);
	ck_assert_eg(ps_put_u64(&w, 42), EG_OK);
	ck_assert_eg(ps_payload_decode(w.data, w.len, k, &seq), EG_OK);
	ck_assert_str_eq(k, "K01");
	ck_assert_uint_eq(seq, 42);
	for (size_t cut = 0; cut < w.len; cut++)
		ck_assert_int_ne(ps_payload_decode(w.data, cut, k, &seq), EG_OK);
	/* seq 0, the host's own id, trailing bytes */
	eg_wbuf_reset(&w);
	ps_put_str(&w, "K01");
	ps_put_u64(&w, 0);
	ck_assert_eg(ps_payload_decode(w.data, w.len, k, &seq), EG_ERR_FORMAT);
	eg_wbuf_reset(&w);
	ps_put_str(&w, AUDIT_HOST_ID);
	ps_put_u64(&w, 1);
	ck_assert_eg(ps_payload_decode(w.data, w.len, k, &seq), EG_ERR_FORMAT);
	eg_wbuf_reset(&w);
	ps_put_str(&w, "K01");
	ps_put_u64(&w, 1);
	eg_wbuf_u8(&w, 0);
	ck_assert_eg(ps_payload_decode(w.data, w.len, k, &seq), EG_ERR_FORMAT);
	eg_wbuf_free(&w);
}
END_TEST

START_TEST(test_refusals)
{
	struct audit_record r = { .kiosk_id = "host", .seq = 1, .type = "passage" };
	struct eg_wbuf w;
	char k[AUDIT_KIOSK_ID_MAX + 1], longid[AUDIT_KIOSK_ID_MAX + 2];

	/* the host's own id, an empty id, no id, an overlong id */
	encode(&w, &r, 1);
	ck_assert_eg(ps_batch_decode(w.data + 1, w.len - 1, &b), EG_ERR_FORMAT);
	eg_wbuf_free(&w);
	r.kiosk_id = "";
	encode(&w, &r, 1);
	ck_assert_eg(ps_batch_decode(w.data + 1, w.len - 1, &b), EG_ERR_FORMAT);
	eg_wbuf_free(&w);
	r.kiosk_id = NULL;
	encode(&w, &r, 1);
	ck_assert_eg(ps_batch_decode(w.data + 1, w.len - 1, &b), EG_ERR_FORMAT);
	eg_wbuf_free(&w);
	memset(longid, 'K', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	r.kiosk_id = longid;
	encode(&w, &r, 1);
	ck_assert_eg(ps_batch_decode(w.data + 1, w.len - 1, &b), EG_ERR_FORMAT);
	eg_wbuf_free(&w);
	/* count says 2, one record; trailing byte; zero records */
	r.kiosk_id = "K01";
	encode(&w, &r, 1);
	ps_batch_set_count(&w, 2);
	ck_assert_int_ne(ps_batch_decode(w.data + 1, w.len - 1, &b), EG_OK);
	ps_batch_set_count(&w, 1);
	ck_assert_eg(eg_wbuf_u8(&w, 0), EG_OK);
	ck_assert_eg(ps_batch_decode(w.data + 1, w.len - 1, &b), EG_ERR_FORMAT);
	ps_batch_set_count(&w, 0);
	ck_assert_eg(ps_batch_decode(w.data + 1, w.len - 1, &b), EG_ERR_FORMAT);
	eg_wbuf_free(&w);
	/* a NUL inside a string */
	{
		static const uint8_t nul[] = { 0, 1, 0, 0, 0, 3, 'K', 0, '1' };
		ck_assert_eg(ps_batch_decode(nul, sizeof(nul), &b), EG_ERR_FORMAT);
	}
	/* LAST_SEQ */
	eg_wbuf_init(&w, 128, false);
	ck_assert_eg(ps_put_str(&w, "K07"), EG_OK);
	ck_assert_eg(ps_kiosk_decode(w.data, w.len, k), EG_OK);
	ck_assert_str_eq(k, "K07");
	ck_assert_eg(ps_kiosk_decode(w.data, w.len - 1, k), EG_ERR_TRUNCATED);
	eg_wbuf_reset(&w);
	ck_assert_eg(ps_put_str(&w, "host"), EG_OK);
	ck_assert_eg(ps_kiosk_decode(w.data, w.len, k), EG_ERR_FORMAT);
	eg_wbuf_free(&w);
}
END_TEST

/* CONFIG_GET: the served blob in chunks, bounded requests. */
START_TEST(test_config_get)
{
	struct confpush_mon cm = { 0 };
	uint8_t req[16] = { 0 }, *blob = malloc(PS_CONFIG_CHUNK + 100), *back = calloc(1, PS_CONFIG_CHUNK + 100);
	struct eg_wbuf rq, w;
	struct eg_rbuf r;
	uint64_t v = 0, total = 0, off = 0;

	for (size_t i = 0; i < PS_CONFIG_CHUNK + 100; i++)
		blob[i] = (uint8_t)(i * 13);
	cm.version = 4;
	cm.blob = blob;
	cm.blob_len = PS_CONFIG_CHUNK + 100;
	while (off < cm.blob_len) {
		eg_wbuf_init_fixed(&rq, req, sizeof(req), false);
		ck_assert_eg(ps_put_u64(&rq, off), EG_OK);
		eg_wbuf_init(&w, PS_CONFIG_CHUNK + 64, false);
		ck_assert_eg(confpush_mon_answer(&cm, rq.data, rq.len, &w), EG_OK);
		r = eg_rbuf_init(w.data, w.len);
		ck_assert_eg(ps_get_u64(&r, &v), EG_OK);
		ck_assert_eg(ps_get_u64(&r, &total), EG_OK);
		ck_assert_uint_eq(v, 4);
		ck_assert_uint_eq(total, cm.blob_len);
		ck_assert_uint_gt(eg_rbuf_left(&r), 0);
		ck_assert_uint_le(eg_rbuf_left(&r), PS_CONFIG_CHUNK);
		memcpy(back + off, r.p, eg_rbuf_left(&r));
		off += eg_rbuf_left(&r);
		eg_wbuf_free(&w);
	}
	ck_assert_mem_eq(back, blob, cm.blob_len);
	/* past the end: an empty chunk; short or long requests: refused */
	eg_wbuf_init_fixed(&rq, req, sizeof(req), false);
	ps_put_u64(&rq, 1u << 30);
	eg_wbuf_init(&w, PS_CONFIG_CHUNK + 64, false);
	ck_assert_eg(confpush_mon_answer(&cm, rq.data, rq.len, &w), EG_OK);
	ck_assert_uint_eq(w.len, 16);
	ck_assert_eg(confpush_mon_answer(&cm, rq.data, 7, &w), EG_ERR_TRUNCATED);
	ck_assert_eg(confpush_mon_answer(&cm, req, 9, &w), EG_ERR_FORMAT);
	eg_wbuf_free(&w);
	confpush_mon_clear(&cm);
	free(back);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("privsep");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_officer_record);
	tcase_add_test(tc, test_payload_request);
	tcase_add_test(tc, test_config_get);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
