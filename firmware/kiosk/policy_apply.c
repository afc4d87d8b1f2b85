/* SPDX-License-Identifier: Apache-2.0 */
/* policy_apply.c — a pushed policy put in force between passages (see
 * policy_apply.h, docs/kiosk.md). */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config_rx.h"
#include "decide.h"
#include "docauth/csca.h"
#include "egate/error.h"
#include "egate/match.h"
#include "kiosk.h"
#include "policy.h"
#include "policy_apply.h"
#include "uplink.h"

struct policy_apply {
	struct policy_apply_opts o;
	char *path;
	struct config_rx *rx;
	struct uplink *up;
	uint64_t version;		/* pushed version in force; 0: file policy */
	_Atomic uint64_t refused;	/* last version refused in the uplink thread */
	_Atomic uint64_t applied_or_refused;	/* last version dealt with (sync) */
};

int
policy_apply_new(const struct policy_apply_opts *o, struct policy_apply **out)
{
	struct policy_apply *pa;

	if (o == NULL || out == NULL || o->policy == NULL || o->conf == NULL || o->path == NULL)
		return EG_ERR_INVAL;
	if ((pa = calloc(1, sizeof(*pa))) == NULL)
		return EG_ERR_NOMEM;
	pa->o = *o;
	if ((pa->path = strdup(o->path)) == NULL || config_rx_new(&pa->rx) != EG_OK) {
		free(pa->path);
		free(pa);
		return EG_ERR_NOMEM;
	}
	*out = pa;
	return EG_OK;
}

void
policy_apply_free(struct policy_apply **pap)
{
	struct policy_apply *pa;

	if (pap == NULL || (pa = *pap) == NULL)
		return;
	config_rx_free(&pa->rx);
	free(pa->path);
	free(pa);
	*pap = NULL;
}

void
policy_apply_set_uplink(struct policy_apply *pa, struct uplink *u)
{
	pa->up = u;
}

uint64_t
policy_apply_version(const struct policy_apply *pa)
{
	return pa->version;
}

/* ConfigApplied to the host (dropped when offline: the next Hello reports
 * the version in force anyway). */
static void
answer(struct policy_apply *pa, uint64_t version, bool ok, const char *detail)
{
	Egate__Envelope env;
	Egate__ConfigApplied ca;
	char d[256];
	int rc;

	if (pa->up == NULL || version == 0)
		return;
	snprintf(d, sizeof(d), "%s", detail != NULL ? detail : "");
	egate__envelope__init(&env);
	egate__config_applied__init(&ca);
	ca.version = version;
	ca.ok = ok;
	ca.error = ok ? EGATE__ERROR_CODE__ERROR_UNSPECIFIED :
	    EGATE__ERROR_CODE__ERROR_CONFIG_REJECTED;
	ca.detail = d;
	env.body_case = EGATE__ENVELOPE__BODY_CONFIG_APPLIED;
	env.config_applied = &ca;
	if ((rc = uplink_send(pa->up, &env)) != EG_OK)
		EG_LOG(pa->o.log, EG_LOG_WARN, "config.answer_failed", EG_UINT("version", version),
		    EG_ERRF(rc));
}

void
policy_apply_on_push(struct policy_apply *pa, const Egate__ConfigPush *cp)
{
	char detail[256] = "";
	uint64_t version = 0;
	int rc = config_rx_feed(pa->rx, cp, &version, detail, sizeof(detail));

	if (rc == EG_ERR_TRUNCATED || rc == EG_OK) {
		EG_LOG(pa->o.log, EG_LOG_INFO, "config.received", EG_UINT("version", version),
		    EG_UINT("part", cp->part), EG_UINT("parts", cp->parts),
		    EG_BOOL("complete", rc == EG_OK));
		return;
	}
	EG_LOG(pa->o.log, EG_LOG_ERROR, "config.refused", EG_UINT("version", version),
	    EG_STR("reason", detail), EG_UINT("in_force", atomic_load(&pa->applied_or_refused)),
	    EG_ERRF(rc));
	answer(pa, version, false, detail);
	atomic_store(&pa->refused, version);
	atomic_store(&pa->applied_or_refused, version);
}

/* ---- putting a configuration in force --------------------------------------- */

/* Everything that can fail, before anything changes. */
static int
prepare(struct policy_apply *pa, struct kiosk *k, const struct policy *p,
    struct passage_policy *np, struct match_gallery **g, char *detail, size_t cap)
{
	struct match_params mp;
	int rc;

	/* one mapping, shared with `egate audit replay` (decide.h) */
	if ((rc = passage_policy_from_proto(p, pa->o.policy, np, detail, cap)) != EG_OK)
		return rc;
	if (p->n_crls > 0 && p->n_master_lists == 0) {
		snprintf(detail, cap, "%s", "CRLs without the master lists they belong to");
		return EG_ERR_CONFIG;
	}
	if (p->gallery.len > 0) {
		memset(&mp, 0, sizeof(mp));
		mp.dim = kiosk_embedding_dim(k);
		mp.format = MATCH_F32;
		if ((rc = match_gallery_load(p->gallery.data, p->gallery.len, &mp, g)) != EG_OK) {
			snprintf(detail, cap, "watchlist gallery: %s (this kiosk's embeddings have "
			    "%u dimensions)", eg_strerror(rc), mp.dim);
			return rc;
		}
	}
	return EG_OK;
}

/* Master lists and CRLs into the trust store in force (a master list is
 * verified against the anchors already there). */
static int
add_trust(struct kiosk *k, const struct policy *p, char *detail, size_t cap)
{
	struct csca_store *s = kiosk_trust_store(k);
	char reason[192] = "";
	size_t added = 0, n = 0;
	int rc;

	for (size_t i = 0; i < p->n_master_lists; i++) {
		if ((rc = csca_store_add_masterlist(s, p->master_lists[i].data,
		    p->master_lists[i].len, time(NULL), &n, reason, sizeof(reason))) != EG_OK) {
			snprintf(detail, cap, "master list %zu: %s (%s)", i, eg_strerror(rc), reason);
			return rc;
		}
		added += n;
	}
	for (size_t i = 0; i < p->n_crls; i++) {
		if ((rc = csca_store_add_crl(s, p->crls[i].data, p->crls[i].len)) != EG_OK) {
			snprintf(detail, cap, "CRL %zu: %s", i, eg_strerror(rc));
			return rc;
		}
	}
	return EG_OK;
}

static int
apply_item(struct policy_apply *pa, struct kiosk *k, const struct config_rx_item *it,
    char *detail, size_t cap)
{
	struct passage_policy np;
	struct match_gallery *g = NULL;
	const struct policy *p = &it->policy;
	int rc;

	if ((rc = prepare(pa, k, p, &np, &g, detail, cap)) != EG_OK)
		goto out;
	/* trust additions are checked one by one (a master list that does not
	 * verify adds nothing); they come before the swap so a refusal leaves
	 * the policy as it was */
	if ((rc = add_trust(k, p, detail, cap)) != EG_OK)
		goto out;
	*pa->o.policy = np;	/* accepted issuers and minimum age included */
	if (g != NULL)
		kiosk_swap_watchlist(k, &g);
	pa->version = p->version;
	rc = EG_OK;
out:
	match_gallery_free(&g);
	return rc;
}

static void
in_force(struct policy_apply *pa, const struct config_rx_item *it, const char *how)
{
	char hex[17];

	for (size_t i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", it->digest[i]);
	EG_LOG(pa->o.log, EG_LOG_NOTICE, "config.applied", EG_UINT("version", it->policy.version),
	    EG_STR("how", how), EG_STR("sha256_prefix", hex),
	    EG_DBL("match_threshold", it->policy.threshold[POLICY_T_MATCH]));
	if (pa->o.out != NULL)
		fprintf(pa->o.out, "config version %" PRIu64 " applied (%s; match threshold %g, "
		    "liveness %g, watchlist %g)\n", it->policy.version, how,
		    it->policy.threshold[POLICY_T_MATCH], it->policy.threshold[POLICY_T_LIVENESS],
		    it->policy.threshold[POLICY_T_WATCHLIST]);
	if (pa->up != NULL)
		uplink_set_config_version(pa->up, it->policy.version);
}

int
policy_apply_load(struct policy_apply *pa, struct kiosk *k)
{
	struct config_rx_item *it = NULL;
	char err[256] = "";
	int rc;

	if (pa == NULL || k == NULL)
		return EG_ERR_INVAL;
	rc = config_rx_load(pa->path, &it, err, sizeof(err));
	if (rc == EG_ERR_NOT_FOUND)
		return EG_OK;
	if (rc == EG_OK && (rc = apply_item(pa, k, it, err, sizeof(err))) == EG_OK) {
		in_force(pa, it, "persisted");
		atomic_store(&pa->applied_or_refused, it->policy.version);
	} else {
		EG_LOG(pa->o.log, EG_LOG_ERROR, "config.persisted_refused", EG_STR("path", pa->path),
		    EG_STR("reason", err), EG_STR("running", pa->o.policy->version), EG_ERRF(rc));
	}
	config_rx_item_free(&it);
	return rc;
}

bool
policy_apply_pending(struct policy_apply *pa, struct kiosk *k)
{
	struct config_rx_item *it;
	char detail[256] = "";
	int rc;

	/* only between passages: in any other state (a passage, a referral
	 * waiting, a hold) the configuration stays pending */
	if (pa == NULL || k == NULL || kiosk_passage(k)->state != PS_IDLE ||
	    (it = config_rx_take(pa->rx)) == NULL)
		return false;
	if (it->policy.version < pa->version) {
		/* versions only increase (PROTOCOL.md): a host that goes back
		 * is misconfigured or not ours to trust on this */
		snprintf(detail, sizeof(detail), "version %" PRIu64 " is older than version %"
		    PRIu64 " in force", it->policy.version, pa->version);
		rc = EG_ERR_STATE;
	} else {
		rc = apply_item(pa, k, it, detail, sizeof(detail));
	}
	if (rc != EG_OK) {
		EG_LOG(pa->o.log, EG_LOG_ERROR, "config.refused", EG_UINT("version", it->policy.version),
		    EG_STR("reason", detail), EG_STR("running", pa->o.policy->version), EG_ERRF(rc));
		answer(pa, it->policy.version, false, detail);
		atomic_store(&pa->refused, it->policy.version);
	} else {
		if ((rc = config_rx_persist(it, pa->path)) != EG_OK)
			EG_LOG(pa->o.log, EG_LOG_ERROR, "config.persist_failed", EG_STR("path", pa->path),
			    EG_ERRF(rc));
		in_force(pa, it, "pushed");
		answer(pa, it->policy.version, true, "");
	}
	atomic_store(&pa->applied_or_refused, it->policy.version);
	config_rx_item_free(&it);
	return true;
}

bool
policy_apply_sync(struct policy_apply *pa, struct kiosk *k, int seconds)
{
	struct timespec t = { 0, 50 * 1000 * 1000 };
	struct uplink_stats st;

	if (pa == NULL || pa->up == NULL)
		return true;
	for (int i = 0; i <= seconds * 20; i++) {
		(void)policy_apply_pending(pa, k);
		uplink_get_stats(pa->up, &st);
		if (st.sessions > 0 && (st.host_config_version == pa->version ||
		    st.host_config_version == atomic_load(&pa->applied_or_refused)))
			return st.host_config_version == pa->version;
		if (i < seconds * 20)
			nanosleep(&t, NULL);
	}
	EG_LOG(pa->o.log, EG_LOG_WARN, "config.sync_timeout", EG_INT("seconds", seconds),
	    EG_STR("running", pa->o.policy->version));
	return false;
}
