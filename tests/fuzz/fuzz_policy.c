/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_policy — the kiosk's decoding of a pushed policy (proto/policy.h
 * policy_decode, firmware/uplink/config_rx.h).
 *
 * Input starting with "EGCONF01": a persisted configuration file through
 * config_rx_parse. Otherwise: u8 n ‖ n × (u16be len ‖ packed ConfigPush);
 * the parts are unpacked and, when part 0 carries a 32-byte sha256, the
 * digest is recomputed into it so that the checks behind the digest (names,
 * ranges, duplicates, split) are reached too. A policy that decodes must
 * encode again and decode to the same values.
 */
#include <stdlib.h>
#include <string.h>

#include "config_rx.h"
#include "egate/error.h"
#include "frame.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
round_trip(const struct policy *p)
{
	struct policy_push pp;
	struct policy q;
	Egate__ConfigPush *parts[POLICY_PARTS_MAX];
	size_t n;

	if (policy_encode(p, FRAME_MAX_HARD - 4096, &pp) != EG_OK)
		abort();	/* a decoded policy is complete and small */
	n = pp.n;
	for (size_t i = 0; i < n; i++)
		if ((parts[i] = egate__config_push__unpack(NULL, pp.len[i], pp.part[i])) == NULL)
			abort();
	policy_init(&q);
	if (policy_decode((const Egate__ConfigPush *const *)parts, n, &q, NULL, NULL, 0) != EG_OK)
		abort();
	if (q.version != p->version || q.mandatory != p->mandatory ||
	    q.gallery.len != p->gallery.len || q.n_master_lists != p->n_master_lists ||
	    q.n_crls != p->n_crls)
		abort();
	for (size_t i = 0; i < POLICY_T_COUNT; i++)
		if (q.threshold[i] != p->threshold[i])
			abort();
	for (size_t i = 0; i < POLICY_S_COUNT; i++)
		if (strcmp(q.setting[i], p->setting[i]) != 0)
			abort();
	policy_clear(&q);
	for (size_t i = 0; i < n; i++)
		egate__config_push__free_unpacked(parts[i], NULL);
	policy_push_clear(&pp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Egate__ConfigPush *parts[32] = { NULL };
	struct config_rx_item *it = NULL;
	struct eg_rbuf r;
	struct policy p;
	uint8_t n = 0;
	size_t got = 0;
	char err[256];

	if (size >= 8 && memcmp(data, CONFIG_RX_MAGIC, 8) == 0) {
		if (config_rx_parse(data, size, &it, err, sizeof(err)) == EG_OK)
			round_trip(&it->policy);
		config_rx_item_free(&it);
		return 0;
	}
	r = eg_rbuf_init(data, size);
	if (eg_rbuf_u8(&r, &n) != EG_OK || n == 0 || n > 32)
		return 0;
	for (got = 0; got < n; got++) {
		uint16_t len = 0;
		const uint8_t *pb = NULL;

		if (eg_rbuf_be16(&r, &len) != EG_OK || eg_rbuf_ptr(&r, len, &pb) != EG_OK)
			goto out;
		if ((parts[got] = egate__config_push__unpack(NULL, len, pb)) == NULL)
			goto out;
	}
	if (parts[0]->sha256.len == 32)
		(void)proto_config_digest((const Egate__ConfigPush *const *)parts, got,
		    parts[0]->sha256.data);
	policy_init(&p);
	if (policy_decode((const Egate__ConfigPush *const *)parts, got, &p, NULL, err,
	    sizeof(err)) == EG_OK)
		round_trip(&p);
	policy_clear(&p);
out:
	for (size_t i = 0; i < got; i++)
		egate__config_push__free_unpacked(parts[i], NULL);
	return 0;
}
