/* SPDX-License-Identifier: Apache-2.0 */
/* The pushed policy (proto/policy.h): names and values, encoding into
 * ConfigPush parts, the validating decoder, the host's bundle file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "egate/error.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "frame.h"
#include "policy.h"

/* A complete policy; blobs of the given sizes (0: none). */
static void
make(struct policy *p, uint64_t version, size_t ml, size_t crl, size_t gallery)
{
	policy_init(p);
	p->version = version;
	ck_assert_eg(policy_threshold_set(p, "match_threshold", 0.55, NULL, 0), EG_OK);
	ck_assert_eg(policy_threshold_set(p, "liveness_threshold", 0.5, NULL, 0), EG_OK);
	ck_assert_eg(policy_threshold_set(p, "watchlist_threshold", 0.6, NULL, 0), EG_OK);
	ck_assert_eg(policy_threshold_set(p, "max_capture_attempts", 3, NULL, 0), EG_OK);
	ck_assert_eg(policy_threshold_set(p, "min_age", 18, NULL, 0), EG_OK);
	ck_assert_eg(policy_setting_set(p, "mandatory_checks", "mrz_valid, passive_auth,chip_auth",
	    NULL, 0), EG_OK);
	ck_assert_eg(policy_setting_set(p, "accepted_issuers", "UTO, D:P", NULL, 0), EG_OK);
	ck_assert_eg(policy_setting_set(p, "no_chip_auth", "accept", NULL, 0), EG_OK);
	ck_assert_eg(policy_setting_set(p, "watchlist_action", "refer_silent", NULL, 0), EG_OK);
	for (size_t i = 0; i < 2 && ml > 0; i++) {
		p->master_lists[i].data = malloc(ml);
		memset(p->master_lists[i].data, 0x30 + (int)i, ml);
		p->master_lists[i].len = ml;
		p->n_master_lists++;
	}
	if (crl > 0) {
		p->crls[0].data = malloc(crl);
		memset(p->crls[0].data, 0x55, crl);
		p->crls[0].len = crl;
		p->n_crls = 1;
	}
	if (gallery > 0) {
		p->gallery.data = malloc(gallery);
		for (size_t i = 0; i < gallery; i++)
			p->gallery.data[i] = (uint8_t)(i * 7 + 3);
		p->gallery.len = gallery;
	}
}

/* Unpack the packed parts of pp (caller frees with free_parts). */
static Egate__ConfigPush **
unpack(const struct policy_push *pp)
{
	Egate__ConfigPush **parts = calloc(pp->n, sizeof(*parts));

	for (size_t i = 0; i < pp->n; i++) {
		parts[i] = egate__config_push__unpack(NULL, pp->len[i], pp->part[i]);
		ck_assert_ptr_nonnull(parts[i]);
	}
	return parts;
}

static void
free_parts(Egate__ConfigPush **parts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		egate__config_push__free_unpacked(parts[i], NULL);
	free(parts);
}

static void
assert_same(const struct policy *a, const struct policy *b)
{
	ck_assert_uint_eq(a->version, b->version);
	for (size_t i = 0; i < POLICY_T_COUNT; i++)
		ck_assert(a->threshold[i] == b->threshold[i]);
	for (size_t i = 0; i < POLICY_S_COUNT; i++)
		ck_assert_str_eq(a->setting[i], b->setting[i]);
	ck_assert_uint_eq(a->mandatory, b->mandatory);
	ck_assert_int_eq(a->no_chip_auth, b->no_chip_auth);
	ck_assert_int_eq(a->watchlist_action, b->watchlist_action);
	ck_assert_uint_eq(a->n_master_lists, b->n_master_lists);
	for (size_t i = 0; i < a->n_master_lists; i++) {
		ck_assert_uint_eq(a->master_lists[i].len, b->master_lists[i].len);
		ck_assert_mem_eq(a->master_lists[i].data, b->master_lists[i].data, a->master_lists[i].len);
	}
	ck_assert_uint_eq(a->n_crls, b->n_crls);
	ck_assert_uint_eq(a->gallery.len, b->gallery.len);
	if (a->gallery.len > 0)
		ck_assert_mem_eq(a->gallery.data, b->gallery.data, a->gallery.len);
}

START_TEST(names_and_values)
{
	struct policy p;
	char err[200];

	policy_init(&p);
	ck_assert_str_eq(policy_threshold_name(POLICY_T_MATCH), "match_threshold");
	ck_assert_str_eq(policy_setting_name(POLICY_S_NO_CHIP_AUTH), "no_chip_auth");
	ck_assert_eg(policy_threshold_set(&p, "face_similarity_min", 0.5, err, sizeof(err)),
	    EG_ERR_NOT_FOUND);
	ck_assert_str_eq(err, "unknown threshold 'face_similarity_min'");
	ck_assert_eg(policy_threshold_set(&p, "match_threshold", 1.5, err, sizeof(err)), EG_ERR_CONFIG);
	ck_assert_str_eq(err, "match_threshold: value 1.5 is out of range (0 to 1)");
	ck_assert_eg(policy_threshold_set(&p, "match_threshold", NAN, err, sizeof(err)), EG_ERR_CONFIG);
	ck_assert_eg(policy_threshold_set(&p, "match_threshold", -0.1, err, sizeof(err)), EG_ERR_CONFIG);
	ck_assert_eg(policy_threshold_set(&p, "max_capture_attempts", 2.5, err, sizeof(err)),
	    EG_ERR_CONFIG);
	ck_assert_str_eq(err, "max_capture_attempts: value 2.5 is not a whole number");
	ck_assert_eg(policy_threshold_set(&p, "max_capture_attempts", 0, err, sizeof(err)), EG_ERR_CONFIG);
	ck_assert_eg(policy_threshold_set(&p, "min_age", 121, err, sizeof(err)), EG_ERR_CONFIG);
	ck_assert(isnan(p.threshold[POLICY_T_MATCH]));	/* refused values leave nothing */
	ck_assert_eg(policy_setting_set(&p, "colour", "red", err, sizeof(err)), EG_ERR_NOT_FOUND);
	ck_assert_eg(policy_setting_set(&p, "no_chip_auth", "maybe", err, sizeof(err)), EG_ERR_CONFIG);
	ck_assert_str_eq(err, "no_chip_auth: 'maybe' is neither refer nor accept");
	ck_assert_eg(policy_setting_set(&p, "watchlist_action", "open", err, sizeof(err)), EG_ERR_CONFIG);
	ck_assert_eg(policy_setting_set(&p, "mandatory_checks", "mrz_valid,face", err, sizeof(err)),
	    EG_ERR_CONFIG);
	ck_assert_str_eq(err, "mandatory_checks: unknown check 'face'");
	ck_assert_eg(policy_setting_set(&p, "mandatory_checks", "mrz_valid,,chip_auth", err,
	    sizeof(err)), EG_ERR_CONFIG);
	ck_assert_eg(policy_setting_set(&p, "accepted_issuers", "uto", err, sizeof(err)), EG_ERR_CONFIG);
	ck_assert_eg(policy_setting_set(&p, "accepted_issuers", "UTOX", err, sizeof(err)), EG_ERR_CONFIG);
	ck_assert_eg(policy_setting_set(&p, "accepted_issuers", "UTO:PPP", err, sizeof(err)),
	    EG_ERR_CONFIG);
	ck_assert_eg(policy_setting_set(&p, "accepted_issuers", "UTO:P, D, KOR", err, sizeof(err)), EG_OK);
	ck_assert_eg(policy_setting_set(&p, "mandatory_checks", "", err, sizeof(err)), EG_OK);
	ck_assert_uint_eq(p.mandatory, 0);
	ck_assert_eg(policy_setting_set(&p, "mandatory_checks", "min_age , chip_auth", err,
	    sizeof(err)), EG_OK);
	ck_assert_uint_eq(p.mandatory, (1u << POLICY_C_MIN_AGE) | (1u << POLICY_C_CHIP_AUTH));
	ck_assert(!policy_complete(&p, err, sizeof(err)));
	policy_clear(&p);
}
END_TEST

START_TEST(round_trip_single)
{
	struct policy p, q;
	struct policy_push pp;
	Egate__ConfigPush **parts;
	uint8_t d[32];
	char err[200] = "";

	make(&p, 7, 0, 0, 0);
	ck_assert_eg(policy_encode(&p, FRAME_MAX_HARD - 4096, &pp), EG_OK);
	ck_assert_uint_eq(pp.n, 1);
	parts = unpack(&pp);
	ck_assert_uint_eq(parts[0]->version, 7);
	ck_assert_uint_eq(parts[0]->n_thresholds, POLICY_T_COUNT);
	ck_assert_uint_eq(parts[0]->sha256.len, 32);
	policy_init(&q);
	ck_assert_eg(policy_decode((const Egate__ConfigPush *const *)parts, 1, &q, d, err,
	    sizeof(err)), EG_OK);
	ck_assert_mem_eq(d, pp.digest, 32);
	assert_same(&p, &q);
	free_parts(parts, 1);
	policy_push_clear(&pp);
	policy_clear(&p);
	policy_clear(&q);
}
END_TEST

/* A configuration larger than a part is split; the parts decode to the same
 * policy and each stays under the limit. */
START_TEST(round_trip_split)
{
	struct policy p, q;
	struct policy_push pp;
	Egate__ConfigPush **parts;
	char err[200] = "";

	make(&p, 9, 5000, 3000, 40000);
	ck_assert_eg(policy_encode(&p, 8192, &pp), EG_OK);
	ck_assert_uint_ge(pp.n, 6);
	for (size_t i = 0; i < pp.n; i++)
		ck_assert_uint_le(pp.len[i], 8192);
	parts = unpack(&pp);
	for (size_t i = 0; i < pp.n; i++) {
		ck_assert_uint_eq(parts[i]->part, i);
		ck_assert_uint_eq(parts[i]->parts, pp.n);
	}
	policy_init(&q);
	ck_assert_eg(policy_decode((const Egate__ConfigPush *const *)parts, pp.n, &q, NULL, err,
	    sizeof(err)), EG_OK);
	assert_same(&p, &q);
	/* out of order: refused */
	{
		Egate__ConfigPush *t = parts[1];
		parts[1] = parts[2];
		parts[2] = t;
		ck_assert_eg(policy_decode((const Egate__ConfigPush *const *)parts, pp.n, &q, NULL,
		    err, sizeof(err)), EG_ERR_FORMAT);
		parts[2] = parts[1];
		parts[1] = t;
	}
	/* a part missing: refused */
	ck_assert_eg(policy_decode((const Egate__ConfigPush *const *)parts, pp.n - 1, &q, NULL, err,
	    sizeof(err)), EG_ERR_FORMAT);
	free_parts(parts, pp.n);
	/* a blob larger than one part: refused by the encoder */
	policy_push_clear(&pp);
	ck_assert_eg(policy_encode(&p, POLICY_PART_MIN, &pp), EG_ERR_OVERFLOW);
	ck_assert_uint_eq(pp.n, 0);
	policy_clear(&p);
	policy_clear(&q);
}
END_TEST

/* Change one value after encoding: the digest no longer matches. Then fix
 * the digest: the validation refuses the value itself. */
START_TEST(tampered)
{
	struct policy p, q;
	struct policy_push pp;
	Egate__ConfigPush **parts;
	char err[200] = "", *saved;

	make(&p, 3, 0, 0, 100);
	ck_assert_eg(policy_encode(&p, 65536, &pp), EG_OK);
	parts = unpack(&pp);
	policy_init(&q);
	parts[0]->thresholds[0]->value = 0.10;
	ck_assert_eg(policy_decode((const Egate__ConfigPush *const *)parts, 1, &q, NULL, err,
	    sizeof(err)), EG_ERR_MAC);
	ck_assert_ptr_nonnull(strstr(err, "digest mismatch"));
	/* an out-of-range value with a correct digest */
	parts[0]->thresholds[0]->value = 2.0;
	ck_assert_eg(proto_config_digest((const Egate__ConfigPush *const *)parts, 1,
	    parts[0]->sha256.data), EG_OK);
	ck_assert_eg(policy_decode((const Egate__ConfigPush *const *)parts, 1, &q, NULL, err,
	    sizeof(err)), EG_ERR_CONFIG);
	ck_assert_str_eq(err, "match_threshold: value 2 is out of range (0 to 1)");
	/* a missing threshold */
	parts[0]->thresholds[0]->value = 0.5;
	parts[0]->n_thresholds--;
	ck_assert_eg(proto_config_digest((const Egate__ConfigPush *const *)parts, 1,
	    parts[0]->sha256.data), EG_OK);
	ck_assert_eg(policy_decode((const Egate__ConfigPush *const *)parts, 1, &q, NULL, err,
	    sizeof(err)), EG_ERR_FORMAT);
	ck_assert_str_eq(err, "threshold min_age missing");
	parts[0]->n_thresholds++;
	/* no digest at all */
	parts[0]->sha256.len = 0;
	ck_assert_eg(policy_decode((const Egate__ConfigPush *const *)parts, 1, &q, NULL, err,
	    sizeof(err)), EG_ERR_MAC);
	parts[0]->sha256.len = 32;
	/* an unknown setting, with its digest */
	parts[0]->settings[1]->name[0] = 'X';
	ck_assert_eg(proto_config_digest((const Egate__ConfigPush *const *)parts, 1,
	    parts[0]->sha256.data), EG_OK);
	ck_assert_eg(policy_decode((const Egate__ConfigPush *const *)parts, 1, &q, NULL, err,
	    sizeof(err)), EG_ERR_NOT_FOUND);
	ck_assert_str_eq(err, "unknown setting 'Xccepted_issuers'");
	/* the same name twice */
	parts[0]->settings[1]->name[0] = 'a';
	saved = parts[0]->thresholds[1]->name;
	parts[0]->thresholds[1]->name = parts[0]->thresholds[0]->name;
	ck_assert_eg(proto_config_digest((const Egate__ConfigPush *const *)parts, 1,
	    parts[0]->sha256.data), EG_OK);
	ck_assert_eg(policy_decode((const Egate__ConfigPush *const *)parts, 1, &q, NULL, err,
	    sizeof(err)), EG_ERR_FORMAT);
	ck_assert_str_eq(err, "threshold match_threshold given twice");
	ck_assert_uint_eq(q.version, 0);	/* cleared on error */
	parts[0]->thresholds[1]->name = saved;
	free_parts(parts, 1);
	policy_push_clear(&pp);
	policy_clear(&p);
}
END_TEST

static char dir[128];

static void
write_file(const char *name, const char *text)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static const char bundle_ok[] =
	"[policy]\nversion = 2\n"
	"[thresholds]\nmatch_threshold = 0.99\nliveness_threshold = 0.01\n"
	"watchlist_threshold = 0.5\nmax_capture_attempts = 3\nmin_age = 0\n"
	"[settings]\nmandatory_checks = mrz_valid, passive_auth\naccepted_issuers = UTO\n"
	"no_chip_auth = accept\nwatchlist_action = refer\n"
	"[files]\nmaster_lists = ml.der\ncrls = a.crl, b.crl\nwatchlist_gallery = watch.gallery\n";

START_TEST(bundle_file)
{
	struct policy p;
	char path[160], err[512] = "";
	char *bad;

	eg_scratch_mkdir(dir, sizeof(dir), "egate-policy");
	snprintf(path, sizeof(path), "%s/policy.ini", dir);
	write_file("ml.der", "master-list-bytes");
	write_file("a.crl", "crl-a");
	write_file("b.crl", "crl-bb");
	write_file("watch.gallery", "gallery!");
	write_file("policy.ini", bundle_ok);
	ck_assert_eg(policy_bundle_load(path, &p, err, sizeof(err)), EG_OK);
	ck_assert_uint_eq(p.version, 2);
	ck_assert(p.threshold[POLICY_T_MATCH] == 0.99);
	ck_assert_uint_eq(p.n_master_lists, 1);
	ck_assert_uint_eq(p.master_lists[0].len, 17);
	ck_assert_uint_eq(p.n_crls, 2);
	ck_assert_uint_eq(p.crls[1].len, 6);
	ck_assert_uint_eq(p.gallery.len, 8);
	ck_assert_int_eq(p.no_chip_auth, POLICY_NCA_ACCEPT);
	ck_assert(policy_complete(&p, NULL, 0));
	policy_clear(&p);
	/* each problem named */
	bad = strdup(bundle_ok);
	memcpy(strstr(bad, "0.99"), "1.99", 4);
	write_file("policy.ini", bad);
	ck_assert_eg(policy_bundle_load(path, &p, err, sizeof(err)), EG_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "[thresholds] match_threshold"));
	ck_assert_ptr_nonnull(strstr(err, "out of range"));
	free(bad);
	bad = strdup(bundle_ok);
	memcpy(strstr(bad, "accept\n"), "always", 6);
	write_file("policy.ini", bad);
	ck_assert_eg(policy_bundle_load(path, &p, err, sizeof(err)), EG_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "no_chip_auth: 'always'"));
	free(bad);
	write_file("policy.ini", "[policy]\nversion = 2\n[thresholds]\nmatch_threshold = 0.5\n");
	ck_assert_eg(policy_bundle_load(path, &p, err, sizeof(err)), EG_ERR_CONFIG);
	write_file("policy.ini", "[policy]\nversion = 0\n");
	ck_assert_eg(policy_bundle_load(path, &p, err, sizeof(err)), EG_ERR_CONFIG);
	bad = strdup(bundle_ok);
	memcpy(strstr(bad, "b.crl"), "c.crl", 5);
	write_file("policy.ini", bad);
	ck_assert_eg(policy_bundle_load(path, &p, err, sizeof(err)), EG_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err, "c.crl"));
	free(bad);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

/* The decision parameters the host's audit log keeps (policy_params_json):
 * canonical bytes, trust material by digest, never the watchlist gallery. */
START_TEST(params_json)
{
	static const char want[] = "{\"version\":7,\"thresholds\":{\"match_threshold\":"
	    "0.55000000000000004,\"liveness_threshold\":0.5,\"watchlist_threshold\":"
	    "0.59999999999999998,\"max_capture_attempts\":3,\"min_age\":18},\"settings\":{"
	    "\"mandatory_checks\":\"mrz_valid, passive_auth,chip_auth\",\"accepted_issuers\":"
	    "\"UTO, D:P\",\"no_chip_auth\":\"accept\",\"watchlist_action\":\"refer_silent\","
	    "\"pad_cues\":\"all\",\"pad_live_sign\":\"optional\"},\"master_lists_sha256\":["
	    "\"134e6543ddc35b40abb4f2f8aaaa2d0513a27e267beaf9081e29d84eba94017d\","
	    "\"380b4863f69ebaacc794bfa1742a8a6ddc575e8cf0ded4341ab9da158881ea2d\"],"
	    "\"crls_sha256\":[\"4633554845e64e7ab0defb2a36f69dd58f5b94c030b9eb5bf5f6360e65c348b5\"]}";
	struct policy p, q;
	struct policy_push pp;
	Egate__ConfigPush **parts;
	char *j1 = NULL, *j2 = NULL;
	size_t l1 = 0, l2 = 0;

	/* digests computed independently: sha256sum of 100 x '0', 100 x '1', 50 x 'U' */
	make(&p, 7, 100, 50, 4096);
	ck_assert_eg(policy_params_json(&p, &j1, &l1), EG_OK);
	ck_assert_str_eq(j1, want);
	ck_assert_uint_eq(l1, strlen(want));
	ck_assert_ptr_null(strstr(j1, "gallery"));

	/* another gallery: the same parameters, byte for byte */
	for (size_t i = 0; i < p.gallery.len; i++)
		p.gallery.data[i] ^= 0xa5;
	ck_assert_eg(policy_params_json(&p, &j2, &l2), EG_OK);
	ck_assert_str_eq(j2, j1);
	free(j2);

	/* what the kiosk decodes gives the same bytes as what the host read */
	memset(&pp, 0, sizeof(pp));
	ck_assert_eg(policy_encode(&p, FRAME_MAX_HARD - 4096, &pp), EG_OK);
	parts = unpack(&pp);
	policy_init(&q);
	ck_assert_eg(policy_decode((const Egate__ConfigPush *const *)parts, pp.n, &q, NULL, NULL,
	    0), EG_OK);
	ck_assert_eg(policy_params_json(&q, &j2, &l2), EG_OK);
	ck_assert_str_eq(j2, j1);
	free(j2);

	/* a threshold changed: other bytes */
	ck_assert_eg(policy_threshold_set(&q, "match_threshold", 0.56, NULL, 0), EG_OK);
	ck_assert_eg(policy_params_json(&q, &j2, &l2), EG_OK);
	ck_assert_str_ne(j2, j1);
	free(j2);

	/* incomplete: refused, *json NULL */
	policy_clear(&q);
	q.version = 7;
	j2 = (char *)1;
	ck_assert_eg(policy_params_json(&q, &j2, &l2), EG_ERR_INVAL);
	ck_assert_ptr_null(j2);
	ck_assert_eg(policy_params_json(NULL, &j2, &l2), EG_ERR_INVAL);

	free(j1);
	free_parts(parts, pp.n);
	policy_push_clear(&pp);
	policy_clear(&q);
	policy_clear(&p);
}
END_TEST

/* pad_cues and pad_live_sign: optional, with defaults; left out of a push
 * while at their defaults (a kiosk that predates them accepts it), sent
 * and applied when set; bad values refused. */
START_TEST(pad_settings)
{
	struct policy p, q;
	struct policy_push pp;
	Egate__ConfigPush **parts;
	char err[200] = "", path[160];

	make(&p, 4, 0, 0, 0);
	ck_assert_str_eq(p.setting[POLICY_S_PAD_CUES], "all");
	ck_assert_str_eq(p.setting[POLICY_S_PAD_LIVE_SIGN], "optional");
	ck_assert_uint_eq(p.pad_cues, (1u << POLICY_PAD_COUNT) - 1u);
	ck_assert_int_eq(p.pad_live_sign, POLICY_PAD_SIGN_OPTIONAL);
	ck_assert_str_eq(policy_setting_default(POLICY_S_PAD_CUES), "all");
	ck_assert_ptr_null(policy_setting_default(POLICY_S_NO_CHIP_AUTH));
	ck_assert_str_eq(policy_pad_cue_name(POLICY_PAD_PLANAR_MOTION), "planar_motion");
	ck_assert(policy_complete(&p, NULL, 0));
	/* at their defaults: not in the push */
	ck_assert_eg(policy_encode(&p, 64 * 1024, &pp), EG_OK);
	parts = unpack(&pp);
	ck_assert_uint_eq(parts[0]->n_settings, POLICY_S_COUNT - 2);
	policy_init(&q);
	ck_assert_eg(policy_decode((const Egate__ConfigPush *const *)parts, pp.n, &q, NULL, err,
	    sizeof(err)), EG_OK);
	assert_same(&p, &q);
	ck_assert_uint_eq(q.pad_cues, p.pad_cues);
	free_parts(parts, pp.n);
	policy_push_clear(&pp);
	policy_clear(&q);
	/* set: sent and applied */
	ck_assert_eg(policy_setting_set(&p, "pad_cues", "spectrum, frame,planar_motion", err,
	    sizeof(err)), EG_OK);
	ck_assert_uint_eq(p.pad_cues, 1u << POLICY_PAD_SPECTRUM | 1u << POLICY_PAD_FRAME |
	    1u << POLICY_PAD_PLANAR_MOTION);
	ck_assert_eg(policy_setting_set(&p, "pad_live_sign", "required", err, sizeof(err)), EG_OK);
	ck_assert_int_eq(p.pad_live_sign, POLICY_PAD_SIGN_REQUIRED);
	ck_assert_eg(policy_encode(&p, 64 * 1024, &pp), EG_OK);
	parts = unpack(&pp);
	ck_assert_uint_eq(parts[0]->n_settings, POLICY_S_COUNT);
	policy_init(&q);
	ck_assert_eg(policy_decode((const Egate__ConfigPush *const *)parts, pp.n, &q, NULL, err,
	    sizeof(err)), EG_OK);
	assert_same(&p, &q);
	ck_assert_uint_eq(q.pad_cues, p.pad_cues);
	ck_assert_int_eq(q.pad_live_sign, POLICY_PAD_SIGN_REQUIRED);
	free_parts(parts, pp.n);
	policy_push_clear(&pp);
	policy_clear(&q);
	/* refused, and the old value kept */
	ck_assert_eg(policy_setting_set(&p, "pad_cues", "spectrum, nose", err, sizeof(err)),
	    EG_ERR_CONFIG);
	ck_assert_str_eq(err, "pad_cues: unknown cue 'nose'");
	ck_assert_eg(policy_setting_set(&p, "pad_cues", "", err, sizeof(err)), EG_ERR_CONFIG);
	ck_assert_uint_eq(p.pad_cues, 1u << POLICY_PAD_SPECTRUM | 1u << POLICY_PAD_FRAME |
	    1u << POLICY_PAD_PLANAR_MOTION);
	ck_assert_eg(policy_setting_set(&p, "pad_live_sign", "maybe", err, sizeof(err)),
	    EG_ERR_CONFIG);
	ck_assert_str_eq(err, "pad_live_sign: 'maybe' is neither optional nor required");
	policy_clear(&p);
	/* a bundle without them has the defaults; with them, their values */
	eg_scratch_mkdir(dir, sizeof(dir), "egate-policy");
	snprintf(path, sizeof(path), "%s/policy.ini", dir);
	write_file("policy.ini", "[policy]\nversion = 3\n[thresholds]\nmatch_threshold = 0.5\n"
	    "liveness_threshold = 0.5\nwatchlist_threshold = 0.5\nmax_capture_attempts = 3\n"
	    "min_age = 0\n[settings]\nmandatory_checks = mrz_valid\naccepted_issuers =\n"
	    "no_chip_auth = refer\nwatchlist_action = refer\n");
	ck_assert_eg(policy_bundle_load(path, &p, err, sizeof(err)), EG_OK);
	ck_assert_str_eq(p.setting[POLICY_S_PAD_CUES], "all");
	ck_assert_int_eq(p.pad_live_sign, POLICY_PAD_SIGN_OPTIONAL);
	policy_clear(&p);
	write_file("policy.ini", "[policy]\nversion = 3\n[thresholds]\nmatch_threshold = 0.5\n"
	    "liveness_threshold = 0.5\nwatchlist_threshold = 0.5\nmax_capture_attempts = 3\n"
	    "min_age = 0\n[settings]\nmandatory_checks = mrz_valid\naccepted_issuers =\n"
	    "no_chip_auth = refer\nwatchlist_action = refer\npad_cues = frame, blink\n"
	    "pad_live_sign = required\n");
	ck_assert_eg(policy_bundle_load(path, &p, err, sizeof(err)), EG_OK);
	ck_assert_uint_eq(p.pad_cues, 1u << POLICY_PAD_FRAME | 1u << POLICY_PAD_BLINK);
	ck_assert_int_eq(p.pad_live_sign, POLICY_PAD_SIGN_REQUIRED);
	policy_clear(&p);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");

	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
	tcase_add_test(tc, names_and_values);
	tcase_add_test(tc, round_trip_single);
	tcase_add_test(tc, round_trip_split);
	tcase_add_test(tc, tampered);
	tcase_add_test(tc, bundle_file);
	tcase_add_test(tc, params_json);
	tcase_add_test(tc, pad_settings);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
