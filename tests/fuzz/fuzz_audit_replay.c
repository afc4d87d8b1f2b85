/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_audit_replay — what `egate audit replay` reads from a log, on any
 * bytes: the input as a passage payload and as decision parameters. A
 * payload that parses is replayed under a fixed policy (and under the
 * input's own parameters when they parse too): the replay must give a
 * verdict, never crash.
 */
#include <stdlib.h>
#include <string.h>

#include "audit_replay.h"
#include "egate/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct audit_replay_record rec;
	struct audit_replay_result res;
	struct passage_policy pol, own;
	char err[200];
	uint64_t v;
	bool have_own;

	have_own = audit_replay_policy_parse((const char *)data, size, &own, &v, err,
	    sizeof(err)) == EG_OK;
	if (audit_replay_payload_parse((const char *)data, size, &rec, err, sizeof(err)) != EG_OK)
		return 0;
	if (rec.x.n > PASSAGE_MAX_EXPLAIN || strlen(rec.decision) >= sizeof(rec.decision))
		abort();
	passage_policy_default(&pol);
	if (audit_replay_compare(&rec, rec.decision, rec.reason, &pol, &res) != EG_OK ||
	    (res.verdict != AUDIT_REPLAY_AGREE && res.verdict != AUDIT_REPLAY_DISAGREE))
		abort();
	if (have_own && audit_replay_compare(&rec, "OPEN", NULL, &own, &res) != EG_OK)
		abort();
	return 0;
}
