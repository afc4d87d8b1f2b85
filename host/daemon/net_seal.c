/* SPDX-License-Identifier: Apache-2.0 */
/* net_seal.c — sealed identifiers in the network child (net_seal.h). */
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "explain.h"
#include "net_seal.h"

void
net_ids_wipe(struct net_ids *ids)
{
	eg_memzero(ids, sizeof(*ids));
}

void
net_seal_open(struct seal_key *key, const struct eg_log *lg, const char *kiosk,
    const Egate__PassageEvent *e, struct net_ids *ids)
{
	const Egate__Identifiers *id = e->identifiers;
	int rc;

	memset(ids, 0, sizeof(*ids));
	if (e->sealed_identifiers.len == 0) {
		/* clear identifiers inside mTLS (older firmware, tests) */
		if (id != NULL && id->document_number != NULL && id->document_number[0] != '\0')
			ids->doc = id->document_number;
		if (id != NULL && id->holder_name != NULL && id->holder_name[0] != '\0')
			ids->name = id->holder_name;
		return;
	}
	rc = key == NULL ? EG_ERR_INVAL : seal_open(key, kiosk, e->sealed_identifiers.data,
	    e->sealed_identifiers.len, ids->doc_buf, sizeof(ids->doc_buf), ids->name_buf,
	    sizeof(ids->name_buf));
	if (rc == EG_OK) {
		ids->doc = ids->doc_buf[0] != '\0' ? ids->doc_buf : NULL;
		ids->name = ids->name_buf[0] != '\0' ? ids->name_buf : NULL;
		return;
	}
	net_ids_wipe(ids);
	ids->unsealable = true;
	EG_LOG(lg, EG_LOG_WARN, "net.unsealable", EG_STR("kiosk", kiosk), EG_UINT("seq", e->seq),
	    EG_UINT("bytes", e->sealed_identifiers.len), EG_ERRF(rc),
	    EG_STR("effect", "stored without document number and name"));
}

int
net_seal_payload(const Egate__PassageEvent *e, const struct net_ids *ids, char **json,
    size_t *len)
{
	static char name[] = "sealed_identifiers", detail[] = "unsealable";
	Egate__PassageEvent copy;
	Egate__Check extra, **checks;
	int rc;

	if (e == NULL || ids == NULL)
		return EG_ERR_INVAL;
	if (!ids->unsealable)
		return proto_passage_payload(e, json, len);
	if ((checks = calloc(e->n_checks + 1, sizeof(*checks))) == NULL)
		return EG_ERR_NOMEM;
	if (e->n_checks > 0)
		memcpy(checks, e->checks, e->n_checks * sizeof(*checks));
	egate__check__init(&extra);
	extra.name = name;
	extra.result = EGATE__CHECK_RESULT__CHECK_ERROR;
	extra.detail = detail;
	checks[e->n_checks] = &extra;
	copy = *e;
	copy.checks = checks;
	copy.n_checks = e->n_checks + 1;
	rc = proto_passage_payload(&copy, json, len);
	free(checks);
	return rc;
}
