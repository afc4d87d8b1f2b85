/* SPDX-License-Identifier: Apache-2.0 */
/* net_seal.c — sealed identifiers in the network child (net_seal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "explain.h"
#include "net_seal.h"

#define AUDIT_OFFICER_CLAIM_MAX 320

void
net_ids_wipe(struct net_ids *ids)
{
	eg_memzero(ids, sizeof(*ids));
}

void
net_seal_open(struct seal_key *key, bool strict, const struct eg_log *lg, const char *kiosk,
    const Egate__PassageEvent *e, struct net_ids *ids)
{
	const Egate__Identifiers *id = e->identifiers;
	uint8_t ver = 0;
	int rc;

	memset(ids, 0, sizeof(*ids));
	if (e->sealed_identifiers.len == 0) {
		bool clear = id != NULL && ((id->document_number != NULL && id->document_number[0] != '\0') ||
		    (id->holder_name != NULL && id->holder_name[0] != '\0'));
		if (clear && strict) {
			/* sealing is configured: clear identifiers are a downgrade */
			ids->clear_refused = true;
			EG_LOG(lg, EG_LOG_WARN, "net.clear_identifiers_refused", EG_STR("kiosk", kiosk),
			    EG_UINT("seq", e->seq), EG_STR("effect", "stored without document number and name"));
			return;
		}
		/* clear identifiers inside mTLS (older firmware, tests) */
		if (id != NULL && id->document_number != NULL && id->document_number[0] != '\0')
			ids->doc = id->document_number;
		if (id != NULL && id->holder_name != NULL && id->holder_name[0] != '\0')
			ids->name = id->holder_name;
		return;
	}
	rc = key == NULL ? EG_ERR_INVAL : seal_open_bound(key, kiosk, e->seq, SEAL_KIND_PASSAGE,
	    e->sealed_identifiers.data, e->sealed_identifiers.len, ids->doc_buf, sizeof(ids->doc_buf),
	    ids->name_buf, sizeof(ids->name_buf), &ver);
	if (rc == EG_OK && strict && ver != SEAL_VERSION_3) {
		net_ids_wipe(ids);
		ids->unbound_version = ver;
		EG_LOG(lg, EG_LOG_WARN, "net.unbound_seal_refused", EG_STR("kiosk", kiosk),
		    EG_UINT("seq", e->seq), EG_INT("version", ver),
		    EG_STR("effect", "stored without document number and name"));
		return;
	}
	if (rc == EG_OK) {
		ids->doc = ids->doc_buf[0] != '\0' ? ids->doc_buf : NULL;
		ids->name = ids->name_buf[0] != '\0' ? ids->name_buf : NULL;
		return;
	}
	net_ids_wipe(ids);
	ids->unsealable = true;
	EG_LOG(lg, EG_LOG_WARN, "net.unsealable", EG_STR("kiosk", kiosk), EG_UINT("seq", e->seq),
	    EG_UINT("bytes", e->sealed_identifiers.len), EG_INT("version", ver), EG_ERRF(rc),
	    EG_STR("effect", "stored without document number and name"));
}

int
net_seal_payload(const Egate__PassageEvent *e, const struct net_ids *ids, char **json,
    size_t *len)
{
	static char n_seal[] = "sealed_identifiers", d_unseal[] = "unsealable",
	    d_clear[] = "clear identifiers refused: this host requires sealed ones",
	    n_officer[] = "officer_attribution", n_reason[] = "reason_column",
	    d_reason[] = "cut to 256 bytes in the record; the whole reason is in this payload",
	    empty[] = "";
	char d_officer[AUDIT_OFFICER_CLAIM_MAX];
	Egate__PassageEvent copy;
	Egate__Check extra[3], **checks;
	size_t nx = 0;
	int rc;

	if (e == NULL || ids == NULL)
		return EG_ERR_INVAL;
	char d_unbound[96];

	if (!ids->unsealable && !ids->clear_refused && !ids->unbound_version &&
	    !ids->officer_unverified && !ids->reason_cut)
		return proto_passage_payload(e, json, len);
	if ((checks = calloc(e->n_checks + 3, sizeof(*checks))) == NULL)
		return EG_ERR_NOMEM;
	if (e->n_checks > 0)
		memcpy(checks, e->checks, e->n_checks * sizeof(*checks));
	copy = *e;
	if (ids->unsealable || ids->clear_refused || ids->unbound_version) {
		snprintf(d_unbound, sizeof(d_unbound), "seal version %u refused: not bound to its "
		    "event (this host requires version 3)", ids->unbound_version);
		egate__check__init(&extra[nx]);
		extra[nx].name = n_seal;
		extra[nx].result = EGATE__CHECK_RESULT__CHECK_ERROR;
		extra[nx].detail = ids->unsealable ? d_unseal : ids->clear_refused ? d_clear : d_unbound;
		nx++;
	}
	if (ids->officer_unverified) {
		snprintf(d_officer, sizeof(d_officer), "unverified claim: officer %.200s, command %llu "
		    "(no such officer command logged for this kiosk)", e->officer_id,
		    (unsigned long long)e->command_id);
		egate__check__init(&extra[nx]);
		extra[nx].name = n_officer;
		extra[nx].result = EGATE__CHECK_RESULT__CHECK_ERROR;
		extra[nx].detail = d_officer;
		nx++;
		copy.officer_id = empty;
		copy.command_id = 0;
	}
	if (ids->reason_cut) {
		egate__check__init(&extra[nx]);
		extra[nx].name = n_reason;
		extra[nx].result = EGATE__CHECK_RESULT__CHECK_SKIPPED;
		extra[nx].detail = d_reason;
		nx++;
	}
	for (size_t i = 0; i < nx; i++)
		checks[e->n_checks + i] = &extra[i];
	copy.checks = checks;
	copy.n_checks = e->n_checks + nx;
	rc = proto_passage_payload(&copy, json, len);
	free(checks);
	return rc;
}
