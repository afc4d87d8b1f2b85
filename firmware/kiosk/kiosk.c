/* SPDX-License-Identifier: Apache-2.0 */
/* kiosk.c — the passage core of egate-kiosk: the effect executor over the
 * kiosk's devices (see kiosk.h and docs/kiosk.md). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>

#include "docauth/csca.h"
#include "egate/error.h"
#include "egate/match.h"
#include "egate/mrz.h"
#include "egate/secure.h"
#include "egate_build.h"
#include "explain.h"
#include "frame.h"
#include "inbox.h"
#include "kiosk.h"
#include "seal.h"
#include "spool.h"
#include "uplink.h"

#define K_CAPTURE_FRAMES 8	/* frames without a face before "traveller left" */
#define K_MAX_EVENTS 64		/* events per passage before the loop gives up */
#define K_GATE_SLICE_MS 100	/* gate waits, between looks at the inbox */
#define K_MRZ_SETTLE_MS 20	/* more MRZ lines already on their way? */

/* Non-personal facts kept after PX_WIPE for the record. */
struct k_facts {
	char issuing_state[4];
	char document_type[3];
	/* the document number and name sealed to the host's key (seal.h):
	 * ciphertext only the host can open, so it may outlive the wipe */
	uint8_t sealed[SEAL_BLOB_MAX];
	size_t sealed_len;
	size_t n_pa;
	struct { char name[32]; enum pa_status st; } pa[PA_CHECK_COUNT + 2];
};

/* The work area: personal data of the current passage, wiped by PX_WIPE. */
struct k_work {
	char mrz[160];
	struct mrz_result mrz_parsed;
	struct doc_result *doc;
	/* the frames of the presentation, oldest first; the last is the one
	 * the face was taken from */
	struct fcv_image frames[KIOSK_PAD_FRAMES];
	uint64_t frame_ns[KIOSK_PAD_FRAMES];
	size_t nframes;
	size_t key;			/* the frame the face was taken from */
	struct face_result live_res;
	float chip_emb[FACE_EMB_MAX];
	size_t chip_emb_len;
};

struct k_health {
	enum kiosk_health h;
	char detail[64];
};

struct kiosk {
	struct kiosk_opts o;
	struct face_ctx *face;
	struct csca_store *store;
	struct spool *spool;
	struct match_gallery *watch;
	struct seal_key *seal;		/* [host] seal_cert's key; NULL: none */
	struct seal_epoch *epoch;	/* the v2 epoch key (E, K): RAM only */
	char seal_id[SEAL_KIOSK_ID_MAX + 1];	/* our certificate's CN */
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	enum prompt_lang lang;
	struct passage p;
	struct k_health health[KD_COUNT];
	bool host_down;			/* out of service for the host */
	/* the current passage */
	struct k_work w;
	struct k_facts facts;
	struct kiosk_report *rep;
	uint64_t t0_ns, deadline_ns;
	struct passage_event q[K_MAX_EVENTS];
	size_t qn, qhead;
	char detail[64];	/* storage for the detail of queued events */
	char detail2[64];
	struct kiosk_pad_result pad;	/* the cues of the last PAD (event storage) */
	/* officer commands (inbox.h) */
	struct kiosk_command cmd;	/* the one being carried out; storage for
					 * the officer and reason of its event */
	uint64_t referral_seq;		/* record of the open referral, 0 = none */
	char referral_rule[48];		/* the rule that referred */
	char model_version[48];		/* face model name-version:sha-prefix */
	uint64_t command_id;		/* the command that decided it */
	/* last decision, for the heartbeat */
	char last_decision[16], last_rule[48];
	int64_t last_ts_ms;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double
ms_since(uint64_t t)
{
	return (double)(now_ns() - t) / 1e6;
}

const char *
kiosk_stage_str(enum kiosk_stage s)
{
	static const char *const n[] = { "mrz", "chip", "capture", "liveness", "match",
		"watchlist", "gate" };

	return (unsigned)s < KS_COUNT ? n[s] : "?";
}

const char *
kiosk_device_str(enum kiosk_device d)
{
	static const char *const n[] = { "reader", "mrz", "camera", "gate", "display" };

	return (unsigned)d < KD_COUNT ? n[d] : "?";
}

const char *
kiosk_health_str(enum kiosk_health h)
{
	static const char *const n[] = { "ok", "degraded", "failed", "absent" };

	return (unsigned)h < sizeof(n) / sizeof(n[0]) ? n[h] : "?";
}

static int
k_rng(void *ctx, unsigned char *out, size_t len)
{
	return mbedtls_ctr_drbg_random(ctx, out, len);
}

void
kiosk_policy_from_conf(const struct eg_kiosk_conf *c, struct passage_policy *p)
{
	passage_policy_default(p);
	snprintf(p->version, sizeof(p->version), "local");
	p->no_chip_auth = c->no_chip_auth == 1 ? PASSAGE_ABSENT_ACCEPT : PASSAGE_ABSENT_REFER;
	if (c->match_threshold > 0)
		p->match_threshold = c->match_threshold;
	if (c->liveness_threshold > 0)
		p->liveness_threshold = c->liveness_threshold;
	if (c->watchlist_threshold > 0)
		p->watchlist_threshold = c->watchlist_threshold;
	snprintf(p->accepted_issuers, sizeof(p->accepted_issuers), "%s", c->accepted_issuers);
	p->min_age = (int)c->min_age;
}

/* ---- the kiosk's date ---------------------------------------------------------------- */

static time_t
k_now(const struct kiosk *k)
{
	return k->o.today != 0 ? k->o.today : time(NULL);
}

static void
k_today(const struct kiosk *k, struct mrz_date *d)
{
	time_t t = k_now(k);
	struct tm tm;

	gmtime_r(&t, &tm);
	d->year = tm.tm_year + 1900;
	d->month = tm.tm_mon + 1;
	d->day = tm.tm_mday;
}

static int
date_cmp(const struct mrz_date *a, const struct mrz_date *b)
{
	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	return a->day < b->day ? -1 : a->day > b->day ? 1 : 0;
}

/* Whole years from birth to today; -1 when the birth date is unknown. */
static int
age_years(const struct mrz_date *b, const struct mrz_date *t)
{
	if (b->year == 0 || b->month == 0 || b->day == 0)
		return -1;
	return t->year - b->year - ((t->month < b->month ||
	    (t->month == b->month && t->day < b->day)) ? 1 : 0);
}

/* ---- set-up ------------------------------------------------------------------------------ */

static const char *
face_profile_path(const struct kiosk_opts *o)
{
	if (o->face_profile != NULL)
		return o->face_profile;
	return access(FACE_PROFILE_INSTALLED, R_OK) == 0 ? FACE_PROFILE_INSTALLED :
	    FACE_PROFILE_SRC;
}

/* Trust comes from the configuration only: [trust] csca (a folder of
 * certificates and master lists, or one file) and crl_dir. No anchor: the
 * kiosk cannot check a single passport, so it does not start. */
static int
load_trust(struct kiosk *k, char *err, size_t errlen)
{
	const struct eg_kiosk_conf *c = k->o.conf;
	size_t n = 0, nf = 0;
	char reason[256] = "";
	int ret;

	if ((ret = csca_store_new(&k->store)) != EG_OK)
		return ret;
	if (c->csca[0] == '\0') {
		eg_errbuf(err, errlen, "%s", "no trust anchor: set [trust] csca to a folder of CSCA "
		    "certificates or an ICAO master list (egate-kiosk.conf(5))");
		return EG_ERR_CONFIG;
	}
	ret = csca_store_load_path(k->store, c->csca, k_now(k), &n, &nf, reason, sizeof(reason));
	if (ret != EG_OK || n == 0) {
		eg_errbuf(err, errlen, "no trust anchor from [trust] csca %s: %s%s%s", c->csca,
		    ret != EG_OK ? eg_strerror(ret) : "no CSCA certificate in it",
		    reason[0] ? ": " : "", reason);
		return ret != EG_OK && ret != EG_ERR_NOT_FOUND ? ret : EG_ERR_CONFIG;
	}
	if (c->crl_dir[0] != '\0' &&
	    (ret = csca_store_load_crl_dir(k->store, c->crl_dir, &n, &nf)) != EG_OK) {
		eg_errbuf(err, errlen, "CRLs from %s: %s", c->crl_dir, eg_strerror(ret));
		return ret;
	}
	EG_LOG(k->o.log, EG_LOG_INFO, "kiosk.trust", EG_STR("csca", c->csca),
	    EG_STR("crl_dir", c->crl_dir));
	return EG_OK;
}

/*
 * [host] seal_cert: the host's certificate, accepted only if it chains to
 * [host] ca and carries CN = [host] server_name; and [kiosk] id must be
 * our certificate's CN (the host opens with the CN it sees). Without
 * seal_cert the records carry no document number and no name (a warning).
 */
static int
load_seal(struct kiosk *k, char *err, size_t errlen)
{
	const struct eg_kiosk_conf *c = k->o.conf;
	const char *host_cn = c->host_server_name[0] != '\0' ? c->host_server_name : "egate-host";
	char why[300] = "";
	int ret;

	if (c->seal_cert[0] == '\0') {
		EG_LOG(k->o.log, EG_LOG_WARN, "kiosk.no_seal_cert",
		    EG_STR("effect", "records carry no document number and no name"),
		    EG_STR("hint", "set [host] seal_cert to the host's certificate"));
		return EG_OK;
	}
	if ((ret = seal_key_from_cert(c->seal_cert, c->ca, host_cn, &k->seal, why,
	    sizeof(why))) != EG_OK) {
		eg_errbuf(err, errlen, "[host] seal_cert: %s", why);
		return ret == EG_ERR_NOMEM ? ret : EG_ERR_CONFIG;
	}
	if ((ret = seal_cert_cn(c->cert, k->seal_id, sizeof(k->seal_id))) != EG_OK) {
		eg_errbuf(err, errlen, "[host] cert %s: no usable CN (%s); sealing needs it",
		    c->cert, eg_strerror(ret));
		return EG_ERR_CONFIG;
	}
	if (strcmp(k->seal_id, c->id) != 0) {
		eg_errbuf(err, errlen, "[kiosk] id '%s' is not the CN '%s' of [host] cert: the host "
		    "could not open the sealed identifiers", c->id, k->seal_id);
		return EG_ERR_CONFIG;
	}
	/* version 2: a new ephemeral key every SEAL_EPOCH_MAX_SEALS seals or
	 * SEAL_EPOCH_MAX_SECONDS, never written anywhere (seal.h) */
	if ((ret = seal_epoch_new(0, 0, &k->epoch)) != EG_OK) {
		eg_errbuf(err, errlen, "sealing: %s", eg_strerror(ret));
		return ret;
	}
	EG_LOG(k->o.log, EG_LOG_INFO, "kiosk.seal_ready", EG_STR("host_cn", host_cn),
	    EG_STR("kiosk", k->seal_id));
	return EG_OK;
}

int
kiosk_new(const struct kiosk_opts *o, struct kiosk **out, char *err, size_t errlen)
{
	struct kiosk *k = NULL;
	const char *md;
	char fe[256];
	int ret = EG_ERR_INVAL;

	if (o == NULL || o->conf == NULL || o->policy == NULL || o->dev == NULL || out == NULL)
		goto out;
	ret = EG_ERR_NOMEM;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		goto out;
	k->o = *o;
	mbedtls_entropy_init(&k->entropy);
	mbedtls_ctr_drbg_init(&k->drbg);
	ret = EG_ERR_CRYPTO;
	if (mbedtls_ctr_drbg_seed(&k->drbg, mbedtls_entropy_func, &k->entropy,
	    (const unsigned char *)"egate-kiosk", 11) != 0)
		goto out;
	if ((ret = load_trust(k, err, errlen)) != EG_OK)
		goto out;
	if ((ret = load_seal(k, err, errlen)) != EG_OK)
		goto out;
	md = o->model_dir != NULL ? o->model_dir : o->conf->model_dir[0] != '\0' ?
	    o->conf->model_dir : getenv("EGATE_MODEL_DIR");
	if (md == NULL || *md == '\0')
		md = EGATE_MODEL_DIR;
	if ((ret = face_ctx_new(face_profile_path(o), md, &k->face, fe, sizeof(fe))) != EG_OK) {
		eg_errbuf(err, errlen, "face models: %s", fe);
		goto out;
	}
	if (o->uplink == NULL && (ret = spool_open(o->conf->spool, &k->spool)) != EG_OK) {
		eg_errbuf(err, errlen, "spool %s: %s", o->conf->spool, eg_strerror(ret));
		goto out;
	}
	k->lang = o->conf->language == EG_LANG_KO ? LANG_KO : LANG_EN;
	{
		/* model name, version and the embedding network's hash prefix:
		 * which weights made every score */
		const struct face_profile *fp = face_ctx_profile(k->face);

		snprintf(k->model_version, sizeof(k->model_version), "%.20s-%.12s:%.8s", fp->name,
		    fp->version, fp->net[FACE_NET_FEATURE].sha256);
	}
	passage_init(&k->p, o->policy, k->model_version, o->log);
	/* one threshold decides: the policy's (pushed or [policy]); the face
	 * profile's calibration value serves `egate face verify` only */
	EG_LOG(o->log, EG_LOG_INFO, "kiosk.match_threshold",
	    EG_DBL("policy", o->policy->match_threshold),
	    EG_DBL("face_profile", face_ctx_profile(k->face)->match_threshold),
	    EG_STR("decides", "policy"));
	*out = k;
	k = NULL;
	ret = EG_OK;
out:
	kiosk_free(&k);
	return ret;
}

static void work_wipe(struct kiosk *k);
static void seal_holder(struct kiosk *k, const struct mrz_result *m, const char *from);
static void status_update(struct kiosk *k);

void
kiosk_free(struct kiosk **kp)
{
	struct kiosk *k;

	if (kp == NULL || (k = *kp) == NULL)
		return;
	work_wipe(k);
	face_ctx_free(&k->face);
	csca_store_free(&k->store);
	spool_close(&k->spool);
	match_gallery_free(&k->watch);
	seal_epoch_free(&k->epoch);	/* wipes the epoch key */
	seal_key_free(&k->seal);
	mbedtls_ctr_drbg_free(&k->drbg);
	mbedtls_entropy_free(&k->entropy);
	eg_memzero(k, sizeof(*k));
	free(k);
	*kp = NULL;
}

const struct passage *
kiosk_passage(const struct kiosk *k)
{
	return &k->p;
}

bool
kiosk_in_service(const struct kiosk *k)
{
	return k->p.state == PS_IDLE;
}

/* ---- hooks for a pushed policy (policy_apply.c) and the runner ---------------------- */

struct face_ctx *
kiosk_face(struct kiosk *k)
{
	return k->face;
}

uint32_t
kiosk_embedding_dim(const struct kiosk *k)
{
	return (uint32_t)face_ctx_profile(k->face)->embedding_size;
}

void
kiosk_swap_watchlist(struct kiosk *k, struct match_gallery **g)
{
	match_gallery_free(&k->watch);
	k->watch = *g;
	*g = NULL;
}

struct csca_store *
kiosk_trust_store(struct kiosk *k)
{
	return k->store;
}

/* ---- device health -------------------------------------------------------------------- */

void
kiosk_set_health(struct kiosk *k, enum kiosk_device d, enum kiosk_health h, const char *detail)
{
	struct k_health *s;

	if (k == NULL || (unsigned)d >= KD_COUNT)
		return;
	s = &k->health[d];
	if (s->h != h || (detail != NULL && strcmp(s->detail, detail) != 0))
		EG_LOG(k->o.log, h == KH_OK ? EG_LOG_NOTICE : EG_LOG_WARN, "kiosk.device",
		    EG_STR("device", kiosk_device_str(d)), EG_STR("from", kiosk_health_str(s->h)),
		    EG_STR("to", kiosk_health_str(h)), EG_STR("detail", detail != NULL ? detail : ""));
	s->h = h;
	snprintf(s->detail, sizeof(s->detail), "%s", detail != NULL ? detail : "");
	status_update(k);
}

enum kiosk_health
kiosk_health(const struct kiosk *k, enum kiosk_device d, const char **detail)
{
	if ((unsigned)d >= KD_COUNT)
		return KH_ABSENT;
	if (detail != NULL)
		*detail = k->health[d].detail;
	return k->health[d].h;
}

/* a device that keeps the kiosk out of service */
static bool
any_device_down(const struct kiosk *k, enum kiosk_device *which)
{
	for (int d = 0; d < KD_COUNT; d++)
		if (k->health[d].h == KH_FAILED || k->health[d].h == KH_ABSENT) {
			if (which != NULL)
				*which = (enum kiosk_device)d;
			return true;
		}
	return false;
}

/* ---- the work area ------------------------------------------------------------------- */

static void
frames_free(struct kiosk *k)
{
	for (size_t i = 0; i < KIOSK_PAD_FRAMES; i++)
		fcv_image_free(&k->w.frames[i]);
	memset(k->w.frame_ns, 0, sizeof(k->w.frame_ns));
	k->w.nframes = 0;
	k->w.key = 0;
}

static void
work_wipe(struct kiosk *k)
{
	eg_memzero(k->w.mrz, sizeof(k->w.mrz));
	mrz_result_clear(&k->w.mrz_parsed);
	doc_result_free(&k->w.doc);
	frames_free(k);
	face_result_wipe(&k->w.live_res);
	eg_memzero(k->w.chip_emb, sizeof(k->w.chip_emb));
	k->w.chip_emb_len = 0;
}

static bool
all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

bool
kiosk_work_wiped(const struct kiosk *k)
{
	for (size_t i = 0; i < KIOSK_PAD_FRAMES; i++)
		if (k->w.frames[i].data != NULL)
			return false;
	return all_zero(k->w.mrz, sizeof(k->w.mrz)) &&
	    all_zero(&k->w.mrz_parsed, sizeof(k->w.mrz_parsed)) && k->w.doc == NULL &&
	    k->w.nframes == 0 && all_zero(&k->w.live_res, sizeof(k->w.live_res)) &&
	    all_zero(k->w.chip_emb, sizeof(k->w.chip_emb)) && k->w.chip_emb_len == 0;
}

/* ---- events -------------------------------------------------------------------------- */

static struct passage_event *
push(struct kiosk *k, enum passage_event_type t)
{
	struct passage_event *ev;

	if (k->qn == K_MAX_EVENTS)
		return NULL;
	ev = &k->q[k->qn++];
	memset(ev, 0, sizeof(*ev));
	ev->type = t;
	return ev;
}

/* A device result arrives: if the state's timer ran out first, the machine
 * sees TIMEOUT instead. */
static struct passage_event *
result(struct kiosk *k, enum passage_event_type t)
{
	struct passage_event *ev;

	if (k->deadline_ns != 0 && now_ns() > k->deadline_ns) {
		ev = push(k, PE_TIMEOUT);
		if (ev != NULL) {
			snprintf(k->detail2, sizeof(k->detail2), "%s took longer than %d ms",
			    passage_state_str(k->p.state), k->o.policy->timeout_ms[k->p.state]);
			ev->detail = k->detail2;
		}
		return NULL;	/* the result is dropped */
	}
	return push(k, t);
}

static int
remaining_ms(const struct kiosk *k)
{
	uint64_t n = now_ns();

	if (k->deadline_ns == 0)
		return 10000;
	if (n >= k->deadline_ns)
		return 0;
	return (int)((k->deadline_ns - n) / 1000000u);
}

/* A device failed during a passage: its health, and the machine's event. */
static void
lost(struct kiosk *k, enum kiosk_device d, enum kiosk_health h, const char *detail)
{
	struct passage_event *ev;

	kiosk_set_health(k, d, h, detail);
	if ((ev = push(k, PE_DEVICE_LOST)) != NULL) {
		snprintf(k->detail, sizeof(k->detail), "%s", detail);
		ev->detail = k->detail;
	}
}

/* ---- effects ------------------------------------------------------------------------- */

static void
x_read_mrz(struct kiosk *k)
{
	struct mrzdev_doc d;
	struct mrz_date today;
	struct passage_event *ev;
	uint64_t t = now_ns();
	size_t off = 0;
	int ret;

	memset(&d, 0, sizeof(d));
	ret = mrz_source_read_doc(k->o.dev->mrz, &d, (unsigned)remaining_ms(k));
	/* the newest document wins: lines an earlier scan left behind (or a
	 * second scan of the page) must not stand for this traveller's MRZ */
	while (ret == EG_OK || ret == EG_ERR_FORMAT || ret == EG_ERR_OVERFLOW) {
		struct mrzdev_doc nd;
		int r;

		memset(&nd, 0, sizeof(nd));
		r = mrz_source_read_doc(k->o.dev->mrz, &nd, K_MRZ_SETTLE_MS);
		if (r == EG_ERR_TIMEOUT)
			break;
		if (r == EG_OK)
			d = nd;
		eg_memzero(&nd, sizeof(nd));
		ret = r;
		if (r != EG_OK && r != EG_ERR_FORMAT && r != EG_ERR_OVERFLOW)
			break;	/* gone: said below */
	}
	if (ret == EG_OK) {
		for (unsigned i = 0; i < d.nlines && i < 3; i++)
			off += (size_t)snprintf(k->w.mrz + off, sizeof(k->w.mrz) - off, "%s%s",
			    i ? "\n" : "", d.line[i]);
		k_today(k, &today);
		ret = mrz_parse_text(k->w.mrz, strlen(k->w.mrz), &today, &k->w.mrz_parsed);
		if (ret == EG_OK)
			seal_holder(k, &k->w.mrz_parsed, "mrz");
	}
	eg_memzero(&d, sizeof(d));
	k->rep->ms[KS_MRZ] += ms_since(t);
	if (ret == EG_ERR_NO_DEVICE) {
		lost(k, KD_MRZ, KH_ABSENT, "mrz reader gone");
		return;
	}
	if (ret == EG_ERR_OVERFLOW || (ret == EG_ERR_FORMAT && k->w.mrz[0] == '\0'))
		/* lines that make no MRZ at all: the reader misbehaves (a bad
		 * check digit is the document's business, not the reader's) */
		kiosk_set_health(k, KD_MRZ, KH_DEGRADED, ret == EG_ERR_OVERFLOW ?
		    "overlong line from the MRZ reader" : "malformed lines from the MRZ reader");
	if ((ev = result(k, PE_MRZ_READ)) == NULL)
		return;
	ev->ok = ret == EG_OK;
	if (!ev->ok) {
		snprintf(k->detail, sizeof(k->detail), "%s", eg_err_name(ret));
		ev->detail = k->detail;
	}
}

static enum passage_check_result
pa_to(const struct doc_result *r, enum pa_check c)
{
	switch (r->pa.r[c].status) {
	case PA_PASS: return PCR_PASS;
	case PA_FAIL: return PCR_FAIL;
	default: return PCR_NOT_CHECKED;
	}
}

/* Several PA checks make one passage check: FAIL if any failed, PASS if
 * all passed, else NOT_CHECKED. */
static enum passage_check_result
pa_all(const struct doc_result *r, const enum pa_check *cs, size_t n)
{
	bool all = true;

	for (size_t i = 0; i < n; i++) {
		enum passage_check_result v = pa_to(r, cs[i]);
		if (v == PCR_FAIL)
			return PCR_FAIL;
		all = all && v == PCR_PASS;
	}
	return all ? PCR_PASS : PCR_NOT_CHECKED;
}

/* Map doc_read's result onto the passage's document checks, and the
 * holder facts the policy's issuer and age guards look at (the machine
 * computes ISSUER_ACCEPTED and MIN_AGE from them: passage.h). */
static void
map_checks(struct kiosk *k, const struct doc_result *r, struct passage_event *ev)
{
	static const enum pa_check pa_auth[] = { PA_SOD_SIGNATURE, PA_DS_CHAIN, PA_DS_VALIDITY,
		PA_DS_REVOCATION, PA_SOD_MESSAGE_DIGEST };
	enum passage_check_result *c = ev->checks;
	bool dg14 = r->file[14].status == DOC_FILE_READ, dg15 = r->file[15].status == DOC_FILE_READ;
	enum pa_status ca = r->check[DOC_CHECK_CHIP_AUTHENTICATION].status;
	enum pa_status aa = r->check[DOC_CHECK_ACTIVE_AUTHENTICATION].status;
	struct mrz_date today;

	c[PDC_MRZ_VALID] = PCR_PASS;	/* we are past MRZ_READ ok */
	c[PDC_CHIP_ACCESS] = PCR_PASS;
	c[PDC_PASSIVE_AUTH] = pa_all(r, pa_auth, sizeof(pa_auth) / sizeof(pa_auth[0]));
	c[PDC_DG_HASHES] = pa_to(r, PA_DG_HASHES);
	c[PDC_DG1_MATCHES_MRZ] = pa_to(r, PA_DG1_MRZ_MATCH);
	if (!dg14 && !dg15)
		c[PDC_CHIP_AUTH] = PCR_ABSENT;
	else if (ca == PA_FAIL || aa == PA_FAIL)
		c[PDC_CHIP_AUTH] = PCR_FAIL;
	else if (ca == PA_PASS || aa == PA_PASS)
		c[PDC_CHIP_AUTH] = PCR_PASS;
	else
		c[PDC_CHIP_AUTH] = PCR_NOT_CHECKED;	/* offered, not wired yet */
	memset(&ev->holder, 0, sizeof(ev->holder));
	ev->holder.age = -1;
	if (!r->holder_valid) {
		c[PDC_NOT_EXPIRED] = PCR_NOT_CHECKED;
		return;
	}
	k_today(k, &today);
	c[PDC_NOT_EXPIRED] = date_cmp(&r->holder.expiry_date, &today) >= 0 ? PCR_PASS : PCR_FAIL;
	ev->holder.known = true;
	snprintf(ev->holder.issuing_state, sizeof(ev->holder.issuing_state), "%s",
	    r->holder.issuing_state);
	snprintf(ev->holder.document_type, sizeof(ev->holder.document_type), "%s",
	    r->holder.document_code);
	ev->holder.age = age_years(&r->holder.birth_date, &today);
}

/* Keep what the record needs (not personal) before the work area is wiped. */
static void
keep_facts(struct kiosk *k, const struct doc_result *r)
{
	struct k_facts *f = &k->facts;

	if (r->holder_valid) {
		snprintf(f->issuing_state, sizeof(f->issuing_state), "%s", r->holder.issuing_state);
		snprintf(f->document_type, sizeof(f->document_type), "%s", r->holder.document_code);
	}
	f->n_pa = 0;
	if (!r->pa_ran)
		return;
	for (int c = 0; c < PA_CHECK_COUNT; c++) {
		snprintf(f->pa[f->n_pa].name, sizeof(f->pa[0].name), "%s",
		    pa_result_str((enum pa_check)c));
		f->pa[f->n_pa++].st = r->pa.r[c].status;
	}
}

/*
 * Seal the holder's document number and name (primary<<secondary as in the
 * MRZ) to the host's key as soon as they are read — the printed MRZ first,
 * DG1 when the chip gives it — so that only the sealed blob outlives
 * PX_WIPE. The clear name is built on the stack and wiped here.
 */
static void
seal_holder(struct kiosk *k, const struct mrz_result *m, const char *from)
{
	char name[2 * sizeof(m->primary_id) + 2];
	uint8_t blob[SEAL_BLOB_MAX];
	size_t n = 0;
	int ret;

	if (k->seal == NULL || k->epoch == NULL)
		return;
	snprintf(name, sizeof(name), "%s<<%s", m->primary_id, m->secondary_id);
	for (char *c = name; *c != '\0'; c++)
		if (*c == ' ')
			*c = '<';
	ret = seal_epoch_seal(k->epoch, k->seal, k_rng, &k->drbg, now_ns() / 1000000000u,
	    k->seal_id, m->document_number, name, blob, sizeof(blob), &n);
	eg_memzero(name, sizeof(name));
	if (ret == EG_OK) {	/* on failure an earlier seal (the MRZ's) stays */
		memcpy(k->facts.sealed, blob, n);
		k->facts.sealed_len = n;
	}
	EG_LOG(k->o.log, ret == EG_OK ? EG_LOG_DEBUG : EG_LOG_ERROR, "kiosk.sealed",
	    EG_STR("from", from), EG_INT("bytes", (long long)n), EG_ERRF(ret));
}

/* Counting shim between the reading flow and the card transport: the
 * report keeps how many APDUs and bytes crossed the reader, so a
 * benchmark can model a real contactless link. Content is not looked at. */
struct count_card {
	struct doc_card card;
	struct kiosk_report *rep;
};

static int
count_power_on(void *ctx, uint8_t *atr, size_t cap, size_t *atr_len)
{
	struct count_card *c = ctx;

	return c->card.power_on(c->card.ctx, atr, cap, atr_len);
}

static int
count_transmit(void *ctx, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
    size_t rcap, size_t *rlen)
{
	struct count_card *c = ctx;
	int r = c->card.ops->transmit(c->card.ctx, capdu, clen, rapdu, rcap, rlen);

	c->rep->chip_apdus++;
	c->rep->chip_bytes_out += clen;
	if (r == EG_OK)
		c->rep->chip_bytes_in += *rlen;
	return r;
}

static const struct icao_card_ops count_ops = { .transmit = count_transmit };

/* PX_OPEN_CHIP: doc_read does access control, reading and passive
 * authentication in one go; CHIP_OPENED says whether the chip could be
 * accessed, and the result waits in the work area for PX_RUN_CHECKS. After
 * a failed read the reader says whether the document is still there: a
 * slot that is empty now means the traveller took the passport away. */
static void
x_open_chip(struct kiosk *k)
{
	struct doc_card card;
	struct count_card cc;
	struct doc_read_opts o;
	struct passage_event *ev;
	uint64_t t = now_ns();
	bool present = true;
	int ret, pr;

	memset(&cc, 0, sizeof(cc));
	doc_reader_card(k->o.dev->reader, &cc.card);
	cc.rep = k->rep;
	card = cc.card;
	card.ops = &count_ops;
	card.ctx = &cc;
	card.power_on = cc.card.power_on != NULL ? count_power_on : NULL;
	memset(&o, 0, sizeof(o));
	o.mrz = k->w.mrz;
	o.store = k->store;
	o.rng = k_rng;
	o.rng_ctx = &k->drbg;
	o.log = k->o.log;
	o.check_time = k->o.today;	/* 0: now */
	ret = doc_read(&card, &o, &k->w.doc);
	k->rep->ms[KS_CHIP] += ms_since(t);
	if (ret == EG_OK)
		keep_facts(k, k->w.doc);
	if (ret == EG_OK && k->w.doc->holder_valid)
		seal_holder(k, &k->w.doc->holder, "dg1");
	if (ret == EG_ERR_NO_DEVICE || (ret == EG_OK && k->w.doc->err == EG_ERR_NO_DEVICE)) {
		lost(k, KD_READER, KH_ABSENT, "chip reader gone");
		return;
	}
	if (ret != EG_OK || k->w.doc->outcome == DOC_OUTCOME_UNREADABLE) {
		pr = doc_reader_card_present(k->o.dev->reader, &present);
		if (pr == EG_ERR_NO_DEVICE) {
			lost(k, KD_READER, KH_ABSENT, "chip reader gone");
			return;
		}
		if (pr == EG_OK && !present) {
			/* not an unreadable chip: the traveller took the passport */
			if ((ev = result(k, PE_DOC_REMOVED)) != NULL)
				ev->detail = "passport taken off the reader";
			return;
		}
	}
	if ((ev = result(k, PE_CHIP_OPENED)) == NULL)
		return;
	ev->ok = ret == EG_OK && k->w.doc->outcome != DOC_OUTCOME_UNREADABLE;
	if (ev->ok) {
		snprintf(k->detail, sizeof(k->detail), "%s", k->w.doc->access);
	} else {
		snprintf(k->detail, sizeof(k->detail), "%s",
		    eg_err_name(ret != EG_OK ? ret : k->w.doc->err));
	}
	ev->detail = k->detail;
}

static void
x_run_checks(struct kiosk *k)
{
	struct passage_event *ev;

	if (k->w.doc == NULL)
		return;
	if ((ev = result(k, PE_CHECKS_DONE)) != NULL)
		map_checks(k, k->w.doc, ev);
}

static int
embed_image(struct kiosk *k, const struct fcv_image *img, struct face_result *r)
{
	struct face_opts fo = { 0 };

	return face_analyse(k->face, img, &fo, r);
}

/* Keep a decoded frame of the presentation: the oldest goes when full. */
static struct fcv_image *
frame_slot(struct kiosk *k, uint64_t t_ns)
{
	if (k->w.nframes == KIOSK_PAD_FRAMES) {
		fcv_image_free(&k->w.frames[0]);
		memmove(&k->w.frames[0], &k->w.frames[1],
		    (KIOSK_PAD_FRAMES - 1) * sizeof(k->w.frames[0]));
		memmove(&k->w.frame_ns[0], &k->w.frame_ns[1],
		    (KIOSK_PAD_FRAMES - 1) * sizeof(k->w.frame_ns[0]));
		memset(&k->w.frames[KIOSK_PAD_FRAMES - 1], 0, sizeof(k->w.frames[0]));
		k->w.nframes--;
		if (k->w.key > 0)
			k->w.key--;	/* the frames moved down by one */
	}
	k->w.frame_ns[k->w.nframes] = t_ns;
	return &k->w.frames[k->w.nframes];
}

/* How good a face capture is: the number of quality measures passed, then
 * the sharpness (docs/face.md, quality gate). */
static bool
better(const struct face_result *a, const struct face_result *b)
{
	int pa = 0, pb = 0;

	if (!b->has_quality)
		return a->has_quality;
	if (!a->has_quality)
		return false;
	for (int i = 0; i < FACE_Q_COUNT; i++) {
		pa += a->quality.m[i].pass;
		pb += b->quality.m[i].pass;
	}
	if (pa != pb)
		return pa > pb;
	return a->quality.m[FACE_Q_SHARPNESS].value > b->quality.m[FACE_Q_SHARPNESS].value;
}

/*
 * PX_CAPTURE_FACE: one capture attempt over the camera's stream. Frames
 * are decoded and analysed until one passes the quality gate, or
 * KIOSK_CAPTURE_WINDOW frames have shown a face (the best of them by
 * quality is kept), or K_CAPTURE_FRAMES frames showed nobody (the traveller
 * left). Two faces in the zone end the attempt at once (tailgating). Every
 * decoded frame of the attempt is kept for PAD, oldest first; w.key is the
 * chosen one. A frame that does not decode is counted, the camera marked
 * degraded, and the next one taken.
 */
static void
x_capture(struct kiosk *k)
{
	struct camera_frame f;
	struct face_opts fo = { .quality = true };
	struct face_result cand;
	struct passage_event *ev;
	struct fcv_image *img;
	uint64_t t = now_ns();
	int ret = EG_ERR_NO_FACE, broken = 0, with_face = 0;
	bool have = false;

	frames_free(k);
	face_result_wipe(&k->w.live_res);
	memset(&cand, 0, sizeof(cand));
	for (int i = 0; i < K_CAPTURE_FRAMES; i++) {
		int to = remaining_ms(k), r;

		ret = camera_next_frame(k->o.dev->camera, to > 0 ? (to < 2000 ? to : 2000) : 1, &f);
		if (ret != EG_OK)
			break;
		k->rep->capture_frames++;
		img = frame_slot(k, f.timestamp_ns);
		r = f.format == CAMERA_FMT_MJPEG ?
		    face_img_decode(f.data, f.len, FACE_MAX_DIM, img) : EG_ERR_UNSUPPORTED;
		camera_release_frame(k->o.dev->camera, &f);
		if (r != EG_OK) {
			/* a broken frame: not a face, not the traveller leaving */
			fcv_image_free(img);
			k->rep->broken_frames++;
			broken++;
			continue;
		}
		k->w.nframes++;
		r = face_analyse(k->face, img, &fo, &cand);
		if (r == EG_ERR_NO_FACE) {
			face_result_wipe(&cand);
			continue;
		}
		if (r != EG_OK) {	/* an analysis failure: a failed attempt */
			face_result_wipe(&cand);
			ret = r;
			break;
		}
		with_face++;
		if (!have || cand.faces_in_zone >= 2 || better(&cand, &k->w.live_res)) {
			face_result_wipe(&k->w.live_res);
			k->w.live_res = cand;
			k->w.key = k->w.nframes - 1;
			have = true;
		}
		face_result_wipe(&cand);
		if (k->w.live_res.faces_in_zone >= 2 ||
		    (k->w.live_res.has_quality && !k->w.live_res.quality.retake) ||
		    with_face >= KIOSK_CAPTURE_WINDOW)
			break;
	}
	if (have)
		ret = EG_OK;
	else if (ret == EG_OK)
		ret = EG_ERR_NO_FACE;
	k->rep->ms[KS_CAPTURE] += ms_since(t);
	if (broken > 0)
		kiosk_set_health(k, KD_CAMERA, KH_DEGRADED, "frames that do not decode");
	if (ret == EG_ERR_NO_DEVICE) {
		lost(k, KD_CAMERA, KH_ABSENT, "camera gone");
		return;
	}
	if (broken == K_CAPTURE_FRAMES) {
		/* nothing but broken frames: the camera is not usable */
		lost(k, KD_CAMERA, KH_FAILED, "camera sends only broken frames");
		return;
	}
	if (ret == EG_ERR_NO_FACE || ret == EG_ERR_TIMEOUT) {
		if ((ev = result(k, PE_TRAVELLER_LEFT)) != NULL)
			ev->detail = "no face in front of the camera";
		return;
	}
	if ((ev = result(k, PE_FACE_CAPTURED)) == NULL)
		return;
	if (ret != EG_OK) {
		ev->faces = 0;	/* an analysis failure counts as a failed attempt */
		return;
	}
	ev->faces = k->w.live_res.faces_in_zone;
	ev->quality_ok = k->w.live_res.has_quality && !k->w.live_res.quality.retake;
}

/* ---- PAD: the single-frame detector as the first kiosk_pad_ops --------------------- */

static int
pad_single(void *ctx, struct face_ctx *face, const struct kiosk_pad_frame *frames, size_t n,
    size_t key, const struct face_result *fr, const struct passage_policy *p,
    struct kiosk_pad_result *out)
{
	struct face_pad_result pr;
	struct passage_explain_item *it;
	int ret;

	(void)ctx;
	memset(out, 0, sizeof(*out));
	if (frames == NULL || fr == NULL || key >= n || frames[key].img == NULL)
		return EG_ERR_INVAL;
	memset(&pr, 0, sizeof(pr));
	if ((ret = face_pad_minifas.check(face, frames[key].img, &fr->box, &pr)) != EG_OK)
		return ret;
	out->score = pr.live_score;
	it = &out->items[out->n++];
	it->id = PI_PAD_CUE;
	snprintf(it->sub, sizeof(it->sub), "minifas");
	it->has_value = true;
	it->value = pr.live_score;
	it->threshold = p->liveness_threshold;
	it->result = pr.live_score >= p->liveness_threshold ? PCR_PASS : PCR_FAIL;
	snprintf(it->detail, sizeof(it->detail), "1 of %zu frames", n);
	return EG_OK;
}

const struct kiosk_pad_ops kiosk_pad_single = {
	.name = "single",
	.check = pad_single,
};

static void
x_liveness(struct kiosk *k)
{
	const struct kiosk_pad_ops *pad = k->o.dev->pad != NULL ? k->o.dev->pad : &kiosk_pad_single;
	struct kiosk_pad_frame fr[KIOSK_PAD_FRAMES];
	struct passage_event *ev;
	uint64_t t = now_ns();
	int ret = EG_ERR_INVAL;

	memset(&k->pad, 0, sizeof(k->pad));
	for (size_t i = 0; i < k->w.nframes; i++) {
		fr[i].img = &k->w.frames[i];
		fr[i].t_ns = k->w.frame_ns[i];
	}
	if (k->w.nframes > 0)
		ret = pad->check(k->o.dev->pad_ctx, k->face, fr, k->w.nframes, k->w.key,
		    &k->w.live_res, k->o.policy, &k->pad);
	k->rep->ms[KS_LIVENESS] += ms_since(t);
	EG_LOG(k->o.log, ret == EG_OK ? EG_LOG_DEBUG : EG_LOG_WARN, "kiosk.pad",
	    EG_STR("pad", pad->name), EG_UINT("frames", k->w.nframes), EG_ERRF(ret));
	if ((ev = result(k, PE_LIVENESS_DONE)) == NULL)
		return;
	/* a PAD failure is no evidence of liveness: score 0 (PAD alarm) */
	ev->score = ret == EG_OK ? k->pad.score : 0.0;
	ev->pad_items = ret == EG_OK ? k->pad.items : NULL;
	ev->n_pad_items = ret == EG_OK ? k->pad.n : 0;
}

static void
x_match(struct kiosk *k)
{
	struct face_dg2 dg2;
	struct fcv_image chip = { 0 };
	struct face_result cr;
	struct passage_event *ev;
	const struct doc_file *f = k->w.doc != NULL ? &k->w.doc->file[2] : NULL;
	uint64_t t = now_ns();
	double score = 0.0;
	int ret = EG_ERR_NOT_FOUND;

	memset(&cr, 0, sizeof(cr));
	if (f != NULL && f->status == DOC_FILE_READ &&
	    (ret = face_dg2_parse(f->data.data, f->data.len, &dg2)) == EG_OK &&
	    (ret = face_img_decode(dg2.image, dg2.image_len, FACE_MAX_DIM, &chip)) == EG_OK &&
	    (ret = embed_image(k, &chip, &cr)) == EG_OK) {
		memcpy(k->w.chip_emb, cr.emb, cr.emb_len * sizeof(float));
		k->w.chip_emb_len = cr.emb_len;
		if (cr.emb_len == k->w.live_res.emb_len)
			score = face_cosine(k->w.chip_emb, k->w.live_res.emb, cr.emb_len);
	}
	fcv_image_free(&chip);
	face_result_wipe(&cr);
	eg_memzero(&dg2, sizeof(dg2));
	k->rep->ms[KS_MATCH] += ms_since(t);
	if ((ev = result(k, PE_MATCH_DONE)) != NULL)
		ev->score = score;	/* no chip face: 0, a mismatch */
}

static void
x_watchlist(struct kiosk *k)
{
	struct match_hit hit;
	struct passage_event *ev;
	uint64_t t = now_ns();
	double score = 0.0;

	if (k->watch != NULL && match_gallery_size(k->watch) > 0 &&
	    match_gallery_search(k->watch, k->w.live_res.emb, 1, 1, &hit) == EG_OK &&
	    hit.id != MATCH_ID_NONE)
		score = hit.score;
	eg_memzero(&hit, sizeof(hit));
	k->rep->ms[KS_WATCHLIST] += ms_since(t);
	if ((ev = result(k, PE_WATCHLIST_DONE)) != NULL)
		ev->score = score;
}

/* ---- the record ---------------------------------------------------------------------- */

static Egate__CheckResult
item_result(enum passage_check_result r)
{
	switch (r) {
	case PCR_PASS: return EGATE__CHECK_RESULT__CHECK_PASS;
	case PCR_FAIL: return EGATE__CHECK_RESULT__CHECK_FAIL;
	default: return EGATE__CHECK_RESULT__CHECK_SKIPPED;	/* absent, not checked */
	}
}

static Egate__Decision
decision(enum passage_outcome o)
{
	switch (o) {
	case PO_OPEN: return EGATE__DECISION__DECISION_OPEN;
	case PO_REFER: return EGATE__DECISION__DECISION_REFER;
	case PO_ABANDONED: return EGATE__DECISION__DECISION_ABORTED;
	case PO_REJECT: return EGATE__DECISION__DECISION_REJECT;
	default: return EGATE__DECISION__DECISION_FAULT;
	}
}

/* A policy version as the protocol carries it: the pushed number, or 0 for
 * a named, unnumbered local policy (the kiosk's own file). */
static uint64_t
config_version_num(const char *v)
{
	char *end;
	uint64_t n = strtoull(v, &end, 10);

	return *end == '\0' && end != v ? n : 0;
}

/*
 * PX_REPORT: the passage as a protocol PassageEvent (PROTOCOL.md),
 * validated with proto_msg_validate, then submitted to the uplink (which
 * spools and sends it) or, offline, spooled in the uplink's record format.
 * The record carries the explanation, the issuing state and the document
 * type in clear, the document number and the name only sealed to the
 * host's key (sealed_identifiers, when [host] seal_cert is set: the spool
 * is on the kiosk's disk, docs/kiosk.md), and never biometric data.
 */
static int
x_report(struct kiosk *k)
{
	struct passage_explanation *x = &k->p.x;
	Egate__Envelope env;
	Egate__PassageEvent pe;
	Egate__Identifiers ids;
	char empty[1] = "", sc_names[PASSAGE_MAX_EXPLAIN][48], ck_names[PASSAGE_MAX_EXPLAIN][48];
	Egate__Check chk[PASSAGE_MAX_EXPLAIN + PA_CHECK_COUNT + 2], *pchk[PASSAGE_MAX_EXPLAIN + PA_CHECK_COUNT + 2];
	Egate__Score sc[PASSAGE_MAX_EXPLAIN], *psc[PASSAGE_MAX_EXPLAIN];
	char pa_names[PA_CHECK_COUNT + 2][40];
	uint8_t *buf = NULL;
	size_t len, nc = 0, ns = 0;
	struct timespec ts;
	int ret;

	if (k->rep == NULL)
		return EG_ERR_STATE;	/* no passage: nothing to report */

	egate__envelope__init(&env);
	egate__passage_event__init(&pe);
	egate__identifiers__init(&ids);
	for (size_t i = 0; i < x->n; i++) {
		struct passage_explain_item *it = &x->items[i];

		egate__check__init(&chk[nc]);
		chk[nc].name = (char *)(uintptr_t)passage_item_name(it, ck_names[i], sizeof(ck_names[i]));
		chk[nc].result = item_result(it->result);
		chk[nc].detail = it->detail;
		pchk[nc] = &chk[nc];
		nc++;
		if (it->has_value) {
			egate__score__init(&sc[ns]);
			if (it->id == PI_PAD_CUE)
				snprintf(sc_names[ns], sizeof(sc_names[ns]), "%.47s", ck_names[i]);
			else
				snprintf(sc_names[ns], sizeof(sc_names[ns]), "%s",
				    passage_item_score_str(it->id));
			sc[ns].name = sc_names[ns];
			sc[ns].value = it->value;
			sc[ns].threshold = it->threshold;
			sc[ns].passed = it->result == PCR_PASS;
			psc[ns] = &sc[ns];
			ns++;
		}
	}
	for (size_t i = 0; i < k->facts.n_pa; i++) {
		snprintf(pa_names[i], sizeof(pa_names[i]), "pa.%s", k->facts.pa[i].name);
		egate__check__init(&chk[nc]);
		chk[nc].name = pa_names[i];
		chk[nc].result = k->facts.pa[i].st == PA_PASS ? EGATE__CHECK_RESULT__CHECK_PASS :
		    k->facts.pa[i].st == PA_FAIL ? EGATE__CHECK_RESULT__CHECK_FAIL :
		    EGATE__CHECK_RESULT__CHECK_SKIPPED;
		chk[nc].detail = empty;
		pchk[nc] = &chk[nc];
		nc++;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	pe.seq = 1;		/* validation wants seq >= 1; the spool assigns it */
	pe.ts_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	pe.decision = decision(x->outcome);
	pe.reason = x->rule;
	pe.n_checks = nc;
	pe.checks = pchk;
	pe.n_scores = ns;
	pe.scores = psc;
	pe.model_version = x->model_version;
	pe.config_version = config_version_num(x->config_version);
	if (k->facts.issuing_state[0] != '\0') {
		ids.document_number = empty;
		ids.holder_name = empty;
		ids.issuing_state = k->facts.issuing_state;
		ids.document_type = k->facts.document_type;
		pe.identifiers = &ids;
	}
	if (k->facts.sealed_len > 0) {
		pe.sealed_identifiers.data = k->facts.sealed;
		pe.sealed_identifiers.len = k->facts.sealed_len;
	}
	pe.duration_ms = (uint32_t)(ms_since(k->t0_ns));
	pe.officer_id = x->officer;
	if (x->officer[0] != '\0' && k->referral_seq != 0 && x->outcome != PO_REFER) {
		/* an officer's decision on the open referral */
		pe.overrides_seq = k->referral_seq;
		pe.command_id = k->command_id;
	}
	env.body_case = EGATE__ENVELOPE__BODY_PASSAGE;
	env.passage = &pe;
	if ((ret = proto_msg_validate(&env)) != EG_OK)
		return ret;
	if (k->o.uplink != NULL) {
		/* connected: the uplink spools it and sends it (uplink.h) */
		ret = uplink_submit(k->o.uplink, &pe, &k->rep->seq);
		len = egate__passage_event__get_packed_size(&pe);
	} else {
		/* offline: the same record format as uplink_submit (a packed
		 * PassageEvent whose seq the uplink sets when sending), so an
		 * uplink started later delivers what was spooled now */
		pe.seq = 0;
		len = egate__passage_event__get_packed_size(&pe);
		if ((buf = malloc(len ? len : 1)) == NULL)
			return EG_ERR_NOMEM;
		egate__passage_event__pack(&pe, buf);
		ret = spool_append(k->spool, buf, len, &k->rep->seq);
		free(buf);
	}
	if (ret == EG_OK) {
		k->rep->reported = true;
		if (x->outcome == PO_REFER && k->referral_seq == 0) {
			k->referral_seq = k->rep->referral_seq = k->rep->seq;
			snprintf(k->referral_rule, sizeof(k->referral_rule), "%s", x->rule);
		}
		snprintf(k->last_decision, sizeof(k->last_decision), "%s",
		    proto_decision_name(pe.decision));
		snprintf(k->last_rule, sizeof(k->last_rule), "%s", x->rule);
		k->last_ts_ms = pe.ts_ms;
	}
	EG_LOG(k->o.log, ret == EG_OK ? EG_LOG_INFO : EG_LOG_ERROR, "kiosk.report",
	    EG_STR("rule", x->rule), EG_INT("seq", (long long)k->rep->seq),
	    EG_INT("bytes", (long long)len), EG_STR("err", eg_err_name(ret)));
	return ret;
}

/* ---- outputs --------------------------------------------------------------------------- */

/* How far along the passage is, for the display. */
static int
progress_of(enum passage_state s)
{
	switch (s) {
	case PS_READING_MRZ: return 10;
	case PS_CHIP_ACCESS: return 25;
	case PS_DOC_CHECKS: return 40;
	case PS_FACE_CAPTURE: return 55;
	case PS_LIVENESS: return 70;
	case PS_MATCH: return 80;
	case PS_WATCHLIST: return 90;
	case PS_GATE_OPENING: case PS_GATE_OPEN: case PS_GATE_CLOSING: return 100;
	default: return -1;
	}
}

static void
show(struct kiosk *k, enum prompt_id id)
{
	const struct kiosk_devices *d = k->o.dev;
	struct display_msg m;
	int to = k->o.policy->timeout_ms[k->p.state], ret;

	if (d->display == NULL)
		return;
	memset(&m, 0, sizeof(m));
	m.prompt = id;
	m.lang = k->lang;
	m.progress = progress_of(k->p.state);
	m.countdown_s = to > 0 ? (to + 999) / 1000 : -1;
	m.outcome = k->p.x.outcome;
	m.rule = k->p.x.rule;
	if ((ret = d->display->show(d->display_ctx, &m)) != EG_OK)
		kiosk_set_health(k, KD_DISPLAY, ret == EG_ERR_NO_DEVICE ? KH_ABSENT : KH_DEGRADED,
		    eg_err_name(ret));
}

static void
x_gate(struct kiosk *k, bool open)
{
	const struct kiosk_devices *d = k->o.dev;
	int ret;

	if (d->gate == NULL) {	/* never opened (the kiosk is out of service) */
		if (k->health[KD_GATE].h != KH_ABSENT && k->health[KD_GATE].h != KH_FAILED)
			lost(k, KD_GATE, KH_ABSENT, "no gate");
		return;
	}
	ret = open ? d->gate->open(d->gate_ctx) : d->gate->close(d->gate_ctx);

	EG_LOG(k->o.log, ret == EG_OK ? EG_LOG_INFO : EG_LOG_ERROR, "kiosk.gate",
	    EG_STR("command", open ? "open" : "close"), EG_ERRF(ret));
	if (ret == EG_OK) {
		if (open && k->rep != NULL)
			k->rep->gate_openings++;
		return;
	}
	/* a gate that cannot be commanded is a lost device: out of service */
	lost(k, KD_GATE, ret == EG_ERR_NO_DEVICE ? KH_ABSENT : KH_FAILED,
	    open ? "gate refused to open" : "gate refused to close");
}

static void
x_notify(struct kiosk *k)
{
	if (k->o.out != NULL)
		fprintf(k->o.out, "[officer] referral: %s, record seq %llu (%s)\n", k->p.x.rule,
		    (unsigned long long)k->referral_seq, k->o.officer_wait_ms > 0 && k->o.inbox != NULL ?
		    "waiting for an officer's decision" : "closed by the kiosk without a decision");
	EG_LOG(k->o.log, EG_LOG_NOTICE, "kiosk.referral", EG_STR("rule", k->p.x.rule));
}

static void
execute(struct kiosk *k, enum passage_effect e)
{
	switch (e) {
	case PX_PROMPT_PLACE_DOC: show(k, PROMPT_PLACE_DOC); break;
	case PX_PROMPT_LOOK: show(k, PROMPT_NOTICE); show(k, PROMPT_LOOK); break;
	case PX_PROMPT_RETAKE: show(k, PROMPT_RETAKE); break;
	case PX_PROMPT_PROCEED: show(k, PROMPT_PROCEED); break;
	case PX_PROMPT_SEE_OFFICER: show(k, PROMPT_SEE_OFFICER); break;
	case PX_PROMPT_ONE_PERSON: show(k, PROMPT_ONE_PERSON); break;
	case PX_PROMPT_CLOSED: show(k, PROMPT_OUT_OF_SERVICE); break;
	case PX_READ_MRZ: x_read_mrz(k); break;
	case PX_OPEN_CHIP: x_open_chip(k); break;
	case PX_RUN_CHECKS: x_run_checks(k); break;
	case PX_CAPTURE_FACE: x_capture(k); break;
	case PX_RUN_LIVENESS: x_liveness(k); break;
	case PX_RUN_MATCH: x_match(k); break;
	case PX_RUN_WATCHLIST: x_watchlist(k); break;
	case PX_GATE_OPEN: x_gate(k, true); break;
	case PX_GATE_CLOSE: x_gate(k, false); break;
	case PX_NOTIFY_OFFICER: x_notify(k); break;
	case PX_REPORT: (void)x_report(k); break;
	case PX_WIPE: work_wipe(k); break;
	case PX_START_TIMER: break;	/* armed before the effects (see step) */
	case PX_NONE: break;
	}
}

/* One event into the machine: the state's timer first (the effects run
 * against it), then the effects in order, then the status for the host. */
static void
alive(struct kiosk *k)
{
	if (k->o.alive != NULL)
		k->o.alive(k->o.alive_ctx);
}

static void
step(struct kiosk *k, const struct passage_event *ev)
{
	struct passage_effects fx;

	if (passage_handle(&k->p, ev, &fx) != EG_OK)
		return;
	k->deadline_ns = 0;
	for (size_t i = 0; i < fx.n; i++)
		if (fx.e[i] == PX_START_TIMER)
			k->deadline_ns = now_ns() +
			    (uint64_t)k->o.policy->timeout_ms[k->p.state] * 1000000u;
	for (size_t i = 0; i < fx.n; i++) {
		alive(k);
		execute(k, fx.e[i]);
	}
	status_update(k);
}

/* ---- summary ---------------------------------------------------------------------------- */

void
kiosk_report_print(FILE *o, const char *title, const struct kiosk_report *r)
{
	char name[48];
	bool any = false;

	if (o == NULL)
		return;
	fprintf(o, "== passage %s: %s, rule %s%s\n", title, r->outcome == PO_NONE ? "NONE" :
	    passage_outcome_str(r->outcome), r->rule,
	    r->end_state == PS_OUT_OF_SERVICE ? " (kiosk out of service)" : "");
	fprintf(o, "   failed or not checked:");
	for (size_t i = 0; i < r->x.n; i++) {
		const struct passage_explain_item *it = &r->x.items[i];

		if (it->id == PI_PAD_CUE)
			continue;	/* the cues are evidence behind the liveness score */
		if (it->result == PCR_FAIL || it->result == PCR_NOT_CHECKED) {
			fprintf(o, " %s=%s%s%s", passage_item_name(it, name, sizeof(name)),
			    passage_item_result_str(it), it->detail[0] ? " " : "", it->detail);
			any = true;
		}
	}
	fprintf(o, "%s\n   scores:", any ? "" : " none");
	any = false;
	for (size_t i = 0; i < r->x.n; i++) {
		const struct passage_explain_item *it = &r->x.items[i];

		if (it->has_value) {
			fprintf(o, " %s %.3f (threshold %.2f, %s)",
			    passage_item_name(it, name, sizeof(name)), it->value, it->threshold,
			    passage_item_result_str(it));
			any = true;
		}
	}
	fprintf(o, "%s\n   time:", any ? "" : " none");
	for (int s = 0; s < KS_COUNT; s++)
		if (r->ms[s] > 0)
			fprintf(o, " %s %.0f ms,", kiosk_stage_str((enum kiosk_stage)s), r->ms[s]);
	fprintf(o, " total %.0f ms; record %s", r->total_ms, r->reported ? "spooled" : "NOT spooled");
	if (r->reported)
		fprintf(o, " (seq %llu)", (unsigned long long)r->seq);
	fprintf(o, "\n");
	if (r->officer_outcome != PO_NONE)
		fprintf(o, "   officer %s decided the referral (seq %llu): %s\n", r->officer,
		    (unsigned long long)r->referral_seq,
		    r->officer_outcome == PO_OPEN ? "OPEN (override)" : "REJECT");
	fflush(o);
}

/* ---- the host: status and officer commands ---------------------------------------- */

/* What the next heartbeat tells the host (uplink.h): the machine's state
 * and every device's health. */
static void
status_update(struct kiosk *k)
{
	static const Egate__DeviceHealth hh[] = {
		[KH_OK] = EGATE__DEVICE_HEALTH__DEVICE_OK,
		[KH_DEGRADED] = EGATE__DEVICE_HEALTH__DEVICE_DEGRADED,
		[KH_FAILED] = EGATE__DEVICE_HEALTH__DEVICE_FAILED,
		[KH_ABSENT] = EGATE__DEVICE_HEALTH__DEVICE_ABSENT,
	};
	struct uplink_status st;

	if (k->o.uplink == NULL)
		return;
	memset(&st, 0, sizeof(st));
	snprintf(st.state, sizeof(st.state), "%s", passage_state_str(k->p.state));
	st.referral_seq = k->p.state == PS_REFERRED ? k->referral_seq : 0;
	st.held = k->p.state == PS_HOLD;
	st.config_version = config_version_num(k->o.policy->version);
	snprintf(st.last_decision, sizeof(st.last_decision), "%s", k->last_decision);
	snprintf(st.last_reason, sizeof(st.last_reason), "%s", k->last_rule);
	st.last_ts_ms = k->last_ts_ms;
	for (int d = 0; d < KD_COUNT && st.ndev < UPLINK_DEVICES_MAX; d++) {
		struct uplink_device *u = &st.devices[st.ndev++];

		snprintf(u->name, sizeof(u->name), "%s", kiosk_device_str((enum kiosk_device)d));
		u->health = hh[k->health[d].h];
		snprintf(u->detail, sizeof(u->detail), "%s", k->health[d].detail);
	}
	uplink_set_status(k->o.uplink, &st);
}

/* Tell the host how a command ended (a live message: not spooled). */
static void
command_result(struct kiosk *k, const struct kiosk_command *c, bool ok, const char *detail)
{
	Egate__Envelope env;
	Egate__CommandResult r;

	EG_LOG(k->o.log, ok ? EG_LOG_NOTICE : EG_LOG_WARN, "kiosk.officer_command",
	    EG_UINT("command_id", c->id), EG_STR("action", proto_officer_action_name(c->action)),
	    EG_STR("officer", c->officer), EG_UINT("passage_seq", c->passage_seq),
	    EG_BOOL("ok", ok), EG_STR("detail", detail));
	if (k->o.out != NULL)
		fprintf(k->o.out, "[officer] %s: %s by %s%s%s\n", proto_officer_action_name(c->action),
		    ok ? "carried out" : "refused", c->officer, detail[0] ? ": " : "", detail);
	if (k->o.uplink == NULL)
		return;
	egate__envelope__init(&env);
	egate__command_result__init(&r);
	r.command_id = c->id;
	r.ok = ok;
	r.error = ok ? EGATE__ERROR_CODE__ERROR_UNSPECIFIED : EGATE__ERROR_CODE__ERROR_COMMAND_REJECTED;
	r.detail = (char *)(uintptr_t)detail;
	env.body_case = EGATE__ENVELOPE__BODY_COMMAND_RESULT;
	env.command_result = &r;
	(void)uplink_send(k->o.uplink, &env);
}

/*
 * The passage event an officer command stands for in the current state, or
 * PE_COUNT (refused, *why says why). The kiosk rules of PROTOCOL.md:
 * overrides only for the open referral, OPEN only with a traveller at the
 * gate (referred or held), RELEASE only when held, HOLD not twice.
 */
static enum passage_event_type
command_event(const struct kiosk *k, const struct kiosk_command *c, bool in_passage,
    const char **why)
{
	enum passage_state st = k->p.state;

	switch (c->action) {
	case EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_OPEN:
	case EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_REJECT:
		if (st != PS_REFERRED || c->passage_seq != k->referral_seq) {
			*why = "no_such_referral";
			return PE_COUNT;
		}
		return c->action == EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_OPEN ?
		    PE_OFFICER_OPEN : PE_OFFICER_RELEASE;
	case EGATE__OFFICER_ACTION__OFFICER_OPEN:
		if (!in_passage || (st != PS_REFERRED && st != PS_HOLD)) {
			*why = "no_traveller_at_the_gate";
			return PE_COUNT;
		}
		return PE_OFFICER_OPEN;
	case EGATE__OFFICER_ACTION__OFFICER_HOLD:
		if (st == PS_HOLD) {
			*why = "already_held";
			return PE_COUNT;
		}
		return PE_OFFICER_HOLD;
	case EGATE__OFFICER_ACTION__OFFICER_RELEASE:
		if (st != PS_HOLD) {
			*why = "not_held";
			return PE_COUNT;
		}
		return PE_OFFICER_RELEASE;
	default:
		*why = "unknown_action";
		return PE_COUNT;
	}
}

/* Take one command from the inbox (waiting up to wait_ms) and queue its
 * event; refused commands are answered at once. Returns true when an event
 * was queued. */
static bool
take_command(struct kiosk *k, int wait_ms, bool in_passage)
{
	struct passage_event *ev;
	enum passage_event_type t;
	const char *why = "";

	if (k->o.inbox == NULL || !kiosk_inbox_take(k->o.inbox, wait_ms, &k->cmd))
		return false;
	if ((t = command_event(k, &k->cmd, in_passage, &why)) == PE_COUNT) {
		command_result(k, &k->cmd, false, why);
		return false;
	}
	if ((ev = push(k, t)) == NULL) {
		command_result(k, &k->cmd, false, "busy");
		return false;
	}
	ev->officer = k->cmd.officer;
	ev->reason = k->cmd.reason;
	if (t == PE_OFFICER_OPEN || (t == PE_OFFICER_RELEASE && k->p.state == PS_REFERRED))
		k->command_id = k->cmd.id;
	command_result(k, &k->cmd, true, "");
	return true;
}

/* A referral or a hold with nothing else to do: wait for an officer (up to
 * officer_wait_ms in total); then the kiosk closes it itself, without a
 * decision (logged). */
static void
await_officer(struct kiosk *k)
{
	uint64_t end = now_ns() + (uint64_t)k->o.officer_wait_ms * 1000000u;

	while (k->o.officer_wait_ms > 0 && k->o.inbox != NULL && now_ns() < end) {
		int left = (int)((end - now_ns()) / 1000000u) + 1;

		alive(k);
		if (k->o.interrupted != NULL && k->o.interrupted(k->o.interrupted_ctx)) {
			EG_LOG(k->o.log, EG_LOG_NOTICE, "kiosk.officer_wait_cut",
			    EG_STR("why", "stopping"));
			break;
		}

		if (k->o.out != NULL && k->p.state == PS_REFERRED)
			fflush(k->o.out);
		if (take_command(k, left < 1000 ? left : 1000, true))
			return;
	}
	if (k->o.officer_wait_ms > 0)
		EG_LOG(k->o.log, EG_LOG_NOTICE, "kiosk.officer_timeout",
		    EG_STR("state", passage_state_str(k->p.state)),
		    EG_INT("waited_ms", k->o.officer_wait_ms));
	push(k, PE_OFFICER_RELEASE);
}

/* Feed one event to the machine and carry out its effects (no traveller). */
static void
idle_event(struct kiosk *k, enum passage_event_type t, const char *detail)
{
	struct passage_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = t;
	ev.detail = detail;
	step(k, &ev);
}

/*
 * Out of service and back, between passages: the host unreachable for
 * longer than [host] offline_limit (without the host no officer can decide
 * a referral, so the kiosk must not keep producing them; records made
 * before stay in the spool), or a device lost or faulty. Back in service
 * when the host is reachable and every device is usable again.
 */
static void
check_service(struct kiosk *k)
{
	struct uplink_stats st;
	int64_t now_ms = (int64_t)(now_ns() / 1000000u), limit_ms;
	enum kiosk_device which = KD_COUNT;
	bool dev_down = any_device_down(k, &which);

	if (k->o.uplink != NULL && k->o.conf->host_offline_limit > 0) {
		limit_ms = (int64_t)k->o.conf->host_offline_limit * 1000;
		uplink_get_stats(k->o.uplink, &st);
		if (!k->host_down && !st.connected && st.down_since_ms != 0 &&
		    now_ms - st.down_since_ms >= limit_ms) {
			k->host_down = true;
			EG_LOG(k->o.log, EG_LOG_WARN, "kiosk.out_of_service",
			    EG_STR("reason", "host"), EG_INT("host_down_ms", now_ms - st.down_since_ms),
			    EG_STR("why", st.last_error));
			if (k->o.out != NULL)
				fprintf(k->o.out, "[kiosk] host unreachable for %lld s: out of service "
				    "until it is back\n", (long long)((now_ms - st.down_since_ms) / 1000));
		} else if (k->host_down && st.connected) {
			k->host_down = false;
			EG_LOG(k->o.log, EG_LOG_NOTICE, "kiosk.host_back");
			if (k->o.out != NULL)
				fprintf(k->o.out, "[kiosk] host reachable again\n");
		}
	}
	if (k->p.state == PS_IDLE && (k->host_down || dev_down)) {
		if (dev_down && k->o.out != NULL)
			fprintf(k->o.out, "[kiosk] %s %s (%s): out of service until it is back\n",
			    kiosk_device_str(which), kiosk_health_str(k->health[which].h),
			    k->health[which].detail);
		if (dev_down)
			EG_LOG(k->o.log, EG_LOG_WARN, "kiosk.out_of_service", EG_STR("reason", "device"),
			    EG_STR("device", kiosk_device_str(which)),
			    EG_STR("detail", k->health[which].detail));
		idle_event(k, k->host_down ? PE_HOST_DOWN : PE_DEVICE_LOST,
		    dev_down ? kiosk_device_str(which) : "host");
	} else if (k->p.state == PS_OUT_OF_SERVICE && !k->host_down && !dev_down) {
		EG_LOG(k->o.log, EG_LOG_NOTICE, "kiosk.back_in_service");
		if (k->o.out != NULL)
			fprintf(k->o.out, "[kiosk] back in service\n");
		idle_event(k, PE_DEVICE_BACK, NULL);
	}
}

int
kiosk_idle(struct kiosk *k, int wait_ms)
{
	uint64_t end, hold_end = 0;

	if (k == NULL || (k->p.state != PS_IDLE && k->p.state != PS_HOLD &&
	    k->p.state != PS_OUT_OF_SERVICE))
		return EG_ERR_STATE;
	k->rep = NULL;
	check_service(k);
	end = now_ns() + (uint64_t)(wait_ms > 0 ? wait_ms : 0) * 1000000u;
	if (k->p.state == PS_HOLD)
		hold_end = now_ns() + (uint64_t)k->o.officer_wait_ms * 1000000u;
	k->qn = k->qhead = 0;
	for (;;) {
		uint64_t now = now_ns(), until = k->p.state == PS_HOLD ? hold_end : end;
		int left = until > now ? (int)((until - now) / 1000000u) : 0;

		alive(k);
		if (k->qhead >= k->qn && !take_command(k, left < 1000 ? left : 1000, false)) {
			if (now_ns() < until)
				continue;
			if (k->p.state != PS_HOLD)
				break;
			/* nobody released the hold in time: the kiosk does */
			EG_LOG(k->o.log, EG_LOG_NOTICE, "kiosk.officer_timeout",
			    EG_STR("state", "HOLD"), EG_INT("waited_ms", k->o.officer_wait_ms));
			push(k, PE_OFFICER_RELEASE);
		}
		while (k->qhead < k->qn) {
			struct passage_event ev = k->q[k->qhead++];

			step(k, &ev);
			if (k->p.state == PS_HOLD && ev.type == PE_OFFICER_HOLD)
				hold_end = now_ns() + (uint64_t)k->o.officer_wait_ms * 1000000u;
		}
		k->qn = k->qhead = 0;
		if (k->p.state != PS_HOLD && now_ns() >= end)
			break;
	}
	check_service(k);
	status_update(k);
	return EG_OK;
}

/* ---- the gate --------------------------------------------------------------------------- */

/* At the gate, nothing happens by itself: wait for the door and the
 * passage sensor (and an officer's hold) until the state's deadline, in
 * slices, and turn what comes into the next event. */
static void
await_gate(struct kiosk *k)
{
	const struct kiosk_devices *d = k->o.dev;
	struct gate_event ge;
	struct passage_event *ev;
	uint64_t t = now_ns();
	int ret;

	for (;;) {
		int left = remaining_ms(k);

		if (k->deadline_ns != 0 && left <= 0) {
			/* a door that does not confirm: the gate is faulty (it stays
			 * out of service until it works again) */
			if (k->p.state == PS_GATE_OPENING || k->p.state == PS_GATE_CLOSING)
				kiosk_set_health(k, KD_GATE, KH_FAILED,
				    k->p.state == PS_GATE_OPENING ? "the door did not confirm it opened" :
				    "the door did not confirm it closed");
			if ((ev = push(k, PE_TIMEOUT)) != NULL) {
				snprintf(k->detail2, sizeof(k->detail2), "%s took longer than %d ms",
				    passage_state_str(k->p.state), k->o.policy->timeout_ms[k->p.state]);
				ev->detail = k->detail2;
			}
			break;
		}
		alive(k);
		memset(&ge, 0, sizeof(ge));
		ret = d->gate->wait_event(d->gate_ctx, (unsigned)(left < K_GATE_SLICE_MS ? left :
		    K_GATE_SLICE_MS), &ge);
		if (ret == EG_OK && ge.type != GATE_EV_NONE) {
			EG_LOG(k->o.log, EG_LOG_INFO, "kiosk.gate_event",
			    EG_STR("event", gate_event_str(ge.type)), EG_STR("detail", ge.detail));
			if (ge.type == GATE_EV_FAULT) {
				lost(k, KD_GATE, KH_FAILED, ge.detail[0] ? ge.detail : "gate fault");
				break;
			}
			push(k, ge.type == GATE_EV_DOOR_OPENED ? PE_DOOR_OPENED :
			    ge.type == GATE_EV_PASSED ? PE_PASSED : PE_DOOR_CLOSED);
			break;
		}
		if (ret == EG_ERR_NO_DEVICE) {
			lost(k, KD_GATE, KH_ABSENT, "gate gone");
			break;
		}
		if (ret != EG_OK && ret != EG_ERR_TIMEOUT) {
			lost(k, KD_GATE, KH_FAILED, eg_err_name(ret));
			break;
		}
		if (take_command(k, 0, true))
			break;	/* an officer's hold at the gate */
	}
	if (k->rep != NULL)
		k->rep->ms[KS_GATE] += ms_since(t);
}

/* ---- one passage ------------------------------------------------------------------------ */

int
kiosk_run_passage(struct kiosk *k, struct kiosk_report *rep, char *err, size_t errlen)
{
	int ret = EG_ERR_INVAL;

	if (k == NULL || rep == NULL)
		return ret;
	if (k->p.state != PS_IDLE) {
		eg_errbuf(err, errlen, "the kiosk is %s, not taking a traveller",
		    passage_state_str(k->p.state));
		return EG_ERR_STATE;
	}
	memset(rep, 0, sizeof(*rep));
	memset(&k->facts, 0, sizeof(k->facts));
	k->rep = rep;
	k->qn = k->qhead = 0;
	k->deadline_ns = 0;
	k->referral_seq = k->command_id = 0;
	k->t0_ns = now_ns();
	push(k, PE_DOC_PLACED);
	while (k->qhead < k->qn) {
		struct passage_event ev = k->q[k->qhead++];
		enum passage_state before = k->p.state;

		step(k, &ev);
		if ((k->p.state == PS_IDLE || k->p.state == PS_OUT_OF_SERVICE) &&
		    before != k->p.state)
			break;	/* the passage is over */
		/* an officer may act at any step (a hold mid-passage) */
		(void)take_command(k, 0, true);
		if (k->qhead < k->qn)
			continue;
		switch (k->p.state) {
		case PS_GATE_OPENING: case PS_GATE_OPEN: case PS_GATE_CLOSING:
			await_gate(k);
			break;
		case PS_REFERRED: case PS_HOLD:
			await_officer(k);
			break;
		default:
			break;	/* nothing comes: stuck (below) */
		}
	}
	rep->total_ms = ms_since(k->t0_ns);
	rep->outcome = k->p.x.outcome;
	rep->end_state = k->p.state;
	snprintf(rep->rule, sizeof(rep->rule), "%s", k->p.x.rule);
	if (rep->referral_seq != 0 && k->p.x.officer[0] != '\0' && k->p.x.outcome != PO_REFER) {
		/* the automated decision was the referral; the officer decided */
		rep->officer_outcome = k->p.x.outcome;
		snprintf(rep->officer, sizeof(rep->officer), "%s", k->p.x.officer);
		rep->outcome = PO_REFER;
		snprintf(rep->rule, sizeof(rep->rule), "%s", k->referral_rule);
	}
	rep->x = k->p.x;
	ret = EG_OK;
	if (k->p.state != PS_IDLE && k->p.state != PS_OUT_OF_SERVICE) {
		/* the queue ran dry or overflowed: a bug; never leave data behind */
		eg_errbuf(err, errlen, "passage stuck in %s", passage_state_str(k->p.state));
		work_wipe(k);
		ret = EG_ERR_STATE;
	}
	k->rep = NULL;
	return ret;
}
