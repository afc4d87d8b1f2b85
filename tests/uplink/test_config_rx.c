/* SPDX-License-Identifier: Apache-2.0 */
/* The kiosk's ConfigPush receiver (config_rx.h): reassembly, digest,
 * persistence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_rx.h"
#include "egate/error.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "frame.h"
#include "policy.h"

static char dir[160], path[192];

static void
setup(void)
{
	eg_scratch_mkdir(dir, sizeof(dir), "egate-config-rx");
	snprintf(path, sizeof(path), "%s/spool.db.config", dir);
}

static void
teardown(void)
{
	char cmd[192];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A policy with a gallery of glen bytes, encoded in parts of part_max. */
static void
encode(uint64_t version, double match, size_t glen, size_t part_max, struct policy_push *pp)
{
	struct policy p;

	policy_init(&p);
	p.version = version;
	ck_assert_eg(policy_threshold_set(&p, "match_threshold", match, NULL, 0), EG_OK);
	ck_assert_eg(policy_threshold_set(&p, "liveness_threshold", 0.5, NULL, 0), EG_OK);
	ck_assert_eg(policy_threshold_set(&p, "watchlist_threshold", 0.5, NULL, 0), EG_OK);
	ck_assert_eg(policy_threshold_set(&p, "max_capture_attempts", 3, NULL, 0), EG_OK);
	ck_assert_eg(policy_threshold_set(&p, "min_age", 0, NULL, 0), EG_OK);
	ck_assert_eg(policy_setting_set(&p, "mandatory_checks", "mrz_valid", NULL, 0), EG_OK);
	ck_assert_eg(policy_setting_set(&p, "accepted_issuers", "", NULL, 0), EG_OK);
	ck_assert_eg(policy_setting_set(&p, "no_chip_auth", "refer", NULL, 0), EG_OK);
	ck_assert_eg(policy_setting_set(&p, "watchlist_action", "refer", NULL, 0), EG_OK);
	if (glen > 0) {
		p.gallery.data = malloc(glen);
		for (size_t i = 0; i < glen; i++)
			p.gallery.data[i] = (uint8_t)(i ^ (i >> 8));
		p.gallery.len = glen;
	}
	ck_assert_eg(policy_encode(&p, part_max, pp), EG_OK);
	policy_clear(&p);
}

static int
feed_part(struct config_rx *rx, const struct policy_push *pp, size_t i, char *detail, size_t cap)
{
	Egate__ConfigPush *cp = egate__config_push__unpack(NULL, pp->len[i], pp->part[i]);
	uint64_t v = 0;
	int rc;

	ck_assert_ptr_nonnull(cp);
	rc = config_rx_feed(rx, cp, &v, detail, cap);
	ck_assert_uint_eq(v, pp->version);
	egate__config_push__free_unpacked(cp, NULL);
	return rc;
}

START_TEST(reassembly_persist_load)
{
	struct config_rx *rx = NULL;
	struct config_rx_item *it = NULL, *back = NULL;
	struct policy_push pp;
	char detail[200] = "", tmp[200];
	struct stat st;
	size_t i;

	encode(5, 0.7, 30000, 8192, &pp);
	ck_assert_uint_ge(pp.n, 4);
	ck_assert_eg(config_rx_new(&rx), EG_OK);
	for (i = 0; i + 1 < pp.n; i++) {
		ck_assert_eg(feed_part(rx, &pp, i, detail, sizeof(detail)), EG_ERR_TRUNCATED);
		ck_assert_ptr_null(config_rx_take(rx));	/* nothing before the last part */
	}
	ck_assert_eg(feed_part(rx, &pp, i, detail, sizeof(detail)), EG_OK);
	ck_assert_ptr_nonnull(it = config_rx_take(rx));
	ck_assert_ptr_null(config_rx_take(rx));		/* taken once */
	ck_assert_uint_eq(it->policy.version, 5);
	ck_assert(it->policy.threshold[POLICY_T_MATCH] == 0.7);
	ck_assert_uint_eq(it->policy.gallery.len, 30000);
	ck_assert_mem_eq(it->digest, pp.digest, 32);
	/* persisted atomically: the file, no temp file left */
	ck_assert_eg(config_rx_persist(it, path), EG_OK);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_ne(stat(tmp, &st), 0);
	ck_assert_eg(config_rx_load(path, &back, detail, sizeof(detail)), EG_OK);
	ck_assert_uint_eq(back->policy.version, 5);
	ck_assert_mem_eq(back->digest, pp.digest, 32);
	ck_assert_mem_eq(back->policy.gallery.data, it->policy.gallery.data, 30000);
	config_rx_item_free(&back);
	config_rx_item_free(&it);
	policy_push_clear(&pp);
	/* a newer one replaces the file */
	encode(6, 0.8, 0, 65536, &pp);
	ck_assert_eg(feed_part(rx, &pp, 0, detail, sizeof(detail)), EG_OK);
	ck_assert_ptr_nonnull(it = config_rx_take(rx));
	ck_assert_eg(config_rx_persist(it, path), EG_OK);
	ck_assert_eg(config_rx_load(path, &back, detail, sizeof(detail)), EG_OK);
	ck_assert_uint_eq(back->policy.version, 6);
	config_rx_item_free(&back);
	config_rx_item_free(&it);
	policy_push_clear(&pp);
	config_rx_free(&rx);
	ck_assert_ptr_null(rx);
}
END_TEST

START_TEST(bad_pushes)
{
	struct config_rx *rx = NULL;
	struct policy_push pp;
	Egate__ConfigPush *cp;
	char detail[200] = "";
	uint64_t v = 0;

	ck_assert_eg(config_rx_new(&rx), EG_OK);
	encode(7, 0.6, 20000, 8192, &pp);
	/* a part out of order */
	ck_assert_eg(feed_part(rx, &pp, 0, detail, sizeof(detail)), EG_ERR_TRUNCATED);
	ck_assert_eg(feed_part(rx, &pp, 2, detail, sizeof(detail)), EG_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(detail, "out of order"));
	/* a part without its part 0 */
	ck_assert_eg(feed_part(rx, &pp, 1, detail, sizeof(detail)), EG_ERR_FORMAT);
	/* part 0 again starts over, and the whole is fine */
	for (size_t i = 0; i + 1 < pp.n; i++)
		ck_assert_eg(feed_part(rx, &pp, i, detail, sizeof(detail)), EG_ERR_TRUNCATED);
	ck_assert_eg(feed_part(rx, &pp, 0, detail, sizeof(detail)), EG_ERR_TRUNCATED);
	for (size_t i = 1; i + 1 < pp.n; i++)
		ck_assert_eg(feed_part(rx, &pp, i, detail, sizeof(detail)), EG_ERR_TRUNCATED);
	/* the last part changed in transit: digest mismatch, nothing pending */
	cp = egate__config_push__unpack(NULL, pp.len[pp.n - 1], pp.part[pp.n - 1]);
	ck_assert_ptr_nonnull(cp);
	ck_assert_uint_gt(cp->gallery.len, 0);
	cp->gallery.data[0] ^= 1;
	ck_assert_eg(config_rx_feed(rx, cp, &v, detail, sizeof(detail)), EG_ERR_MAC);
	ck_assert_ptr_nonnull(strstr(detail, "digest mismatch"));
	ck_assert_uint_eq(v, 7);
	ck_assert_ptr_null(config_rx_take(rx));
	egate__config_push__free_unpacked(cp, NULL);
	policy_push_clear(&pp);
	/* an invalid value with a correct digest */
	encode(8, 0.6, 0, 65536, &pp);
	cp = egate__config_push__unpack(NULL, pp.len[0], pp.part[0]);
	cp->thresholds[POLICY_T_LIVENESS]->value = -1;
	ck_assert_eg(proto_config_digest((const Egate__ConfigPush *const *)&cp, 1, cp->sha256.data),
	    EG_OK);
	ck_assert_eg(config_rx_feed(rx, cp, &v, detail, sizeof(detail)), EG_ERR_CONFIG);
	ck_assert_str_eq(detail, "liveness_threshold: value -1 is out of range (0 to 1)");
	ck_assert_ptr_null(config_rx_take(rx));
	egate__config_push__free_unpacked(cp, NULL);
	policy_push_clear(&pp);
	config_rx_free(&rx);
}
END_TEST

START_TEST(corrupt_files)
{
	struct config_rx *rx = NULL;
	struct config_rx_item *it = NULL, *back = NULL;
	struct policy_push pp;
	char err[200] = "";
	uint8_t *buf;
	long len;
	FILE *f;

	ck_assert_eg(config_rx_load(path, &back, err, sizeof(err)), EG_ERR_NOT_FOUND);
	ck_assert_eg(config_rx_new(&rx), EG_OK);
	encode(4, 0.6, 500, 65536, &pp);
	ck_assert_eg(feed_part(rx, &pp, 0, err, sizeof(err)), EG_OK);
	ck_assert_ptr_nonnull(it = config_rx_take(rx));
	ck_assert_eg(config_rx_persist(it, path), EG_OK);
	ck_assert_ptr_nonnull(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	ck_assert_eg(config_rx_parse(buf, (size_t)len, &back, err, sizeof(err)), EG_OK);
	config_rx_item_free(&back);
	/* every truncation is refused */
	for (long n = 0; n < len; n++)
		ck_assert_int_ne(config_rx_parse(buf, (size_t)n, &back, err, sizeof(err)), EG_OK);
	/* a byte flipped in the gallery: the digest says so */
	buf[len - 10] ^= 0x40;
	ck_assert_eg(config_rx_parse(buf, (size_t)len, &back, err, sizeof(err)), EG_ERR_MAC);
	buf[len - 10] ^= 0x40;
	/* wrong magic */
	buf[0] = 'X';
	ck_assert_eg(config_rx_parse(buf, (size_t)len, &back, err, sizeof(err)), EG_ERR_FORMAT);
	ck_assert_ptr_null(back);
	free(buf);
	config_rx_item_free(&it);
	policy_push_clear(&pp);
	config_rx_free(&rx);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("config_rx");
	TCase *tc = tcase_create("config_rx");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
	tcase_add_test(tc, reassembly_persist_load);
	tcase_add_test(tc, bad_pushes);
	tcase_add_test(tc, corrupt_files);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
