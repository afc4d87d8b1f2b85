/* SPDX-License-Identifier: Apache-2.0 */
/* kiosk.c — the effect executor of egate-kiosk on simulated devices (see
 * kiosk.h and docs/kiosk.md). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>

#include "camera.h"
#include "doc/card.h"
#include "doc/read.h"
#include "egate/ccid_proto.h"
#include "egate/error.h"
#include "egate/match.h"
#include "egate/mrz.h"
#include "egate/mrzdev.h"
#include "egate/secure.h"
#include "egate/usb_profile.h"
#include "egate/usb_sim.h"
#include "egate_build.h"
#include "explain.h"
#include "face.h"
#include "frame.h"
#include "inbox.h"
#include "kiosk.h"
#include "outputs.h"
#include "seal.h"
#include "sim_ccid.h"
#include "sim_mrz.h"
#include "sim_reader.h"
#include "sim_traveller.h"
#include "spool.h"
#include "uplink.h"

#define K_CAPTURE_FRAMES 8	/* frames without a face before "traveller left" */
#define K_MAX_EVENTS 64		/* events per passage before the loop gives up */

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
	struct fcv_image live;		/* the frame the face was taken from */
	struct face_result live_res;
	float chip_emb[FACE_EMB_MAX];
	size_t chip_emb_len;
};

struct kiosk {
	struct kiosk_opts o;
	const struct scenario *sc;
	struct face_ctx *face;
	struct sim_pki *pki;
	struct csca_store *store;
	struct spool *spool;
	struct usb_profile_table *pt;
	struct match_gallery *watch;
	struct seal_key *seal;		/* [host] seal_cert's key; NULL: none */
	struct seal_epoch *epoch;	/* the v2 epoch key (E, K): RAM only */
	char seal_id[SEAL_KIOSK_ID_MAX + 1];	/* our certificate's CN */
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	struct sim_gate gate;
	struct text_display disp;
	enum prompt_lang lang;
	char testdata[512];
	char tmpdir[64];
	struct passage p;
	/* the current passage */
	const struct scenario_passage *sp;
	struct sim_traveller trav;
	struct usb_sim_bus *mrz_bus;
	struct usb_transport mrz_t;	/* borrowed by mrz_dev */
	struct sim_mrz *mrz_sim;
	struct mrzdev *mrz_dev;
	struct sim_reader *reader;
	struct camera *cam;
	struct k_work w;
	struct k_facts facts;
	struct kiosk_report *rep;
	uint64_t t0_ns, deadline_ns;
	struct passage_event q[K_MAX_EVENTS];
	size_t qn, qhead;
	char detail[64];	/* storage for the detail of queued events */
	char detail2[64];
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
		"watchlist" };

	return (unsigned)s < KS_COUNT ? n[s] : "?";
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
}

/* ---- set-up ------------------------------------------------------------------ */

static bool
is_sim(const char *spec)
{
	return strcmp(spec, "sim") == 0 || strncmp(spec, "sim:", 4) == 0;
}

static const char *
face_profile_path(const struct kiosk_opts *o)
{
	if (o->face_profile != NULL)
		return o->face_profile;
	return access(FACE_PROFILE_INSTALLED, R_OK) == 0 ? FACE_PROFILE_INSTALLED :
	    FACE_PROFILE_SRC;
}

static const char *
readers_path(void)
{
	return access(EGATE_READERS_INSTALLED, R_OK) == 0 ? EGATE_READERS_INSTALLED :
	    EGATE_READERS_SRC;
}

static int
load_trust(struct kiosk *k, char *err, size_t errlen)
{
	const struct eg_kiosk_conf *c = k->o.conf;
	const unsigned char *der;
	size_t len, n = 0, nf = 0;
	char reason[256] = "";
	int ret;

	if ((ret = csca_store_new(&k->store)) != EG_OK)
		return ret;
	if (c->csca[0] == '\0' || strcmp(c->csca, "sim") == 0) {
		/* the simulated PKI that signs the simulated passports */
		der = sim_pki_csca(k->pki, &len);
		if ((ret = csca_store_add_cert(k->store, der, len)) != EG_OK)
			return ret;
		der = sim_pki_crl(k->pki, &len);
		return csca_store_add_crl(k->store, der, len);
	}
	ret = csca_store_load_path(k->store, c->csca, time(NULL), &n, &nf, reason,
	    sizeof(reason));
	if (ret != EG_OK || n == 0) {
		eg_errbuf(err, errlen, "trust anchors from %s: %s", c->csca,
		    ret != EG_OK ? eg_strerror(ret) : "no CSCA certificate");
		return ret != EG_OK ? ret : EG_ERR_CONFIG;
	}
	if (c->crl_dir[0] != '\0' &&
	    (ret = csca_store_load_crl_dir(k->store, c->crl_dir, &n, &nf)) != EG_OK) {
		eg_errbuf(err, errlen, "CRLs from %s: %s", c->crl_dir, eg_strerror(ret));
		return ret;
	}
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
	struct eg_cfg_error cerr;
	const char *md;
	char fe[256];
	int ret = EG_ERR_INVAL;

	if (o == NULL || o->conf == NULL || o->policy == NULL || out == NULL)
		goto out;
	ret = EG_ERR_UNSUPPORTED;
	if (!is_sim(o->conf->reader) || !is_sim(o->conf->camera) ||
	    !is_sim(o->conf->mrz_reader) || strcmp(o->conf->gate, "sim") != 0) {
		eg_errbuf(err, errlen, "%s%s", "this version drives simulated devices only "
		    "(reader, camera, mrz: sim; gate: sim)", "");
		goto out;
	}
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
	if ((ret = sim_pki_new(&k->pki)) != EG_OK || (ret = load_trust(k, err, errlen)) != EG_OK)
		goto out;
	if ((ret = load_seal(k, err, errlen)) != EG_OK)
		goto out;
	ret = EG_ERR_NOMEM;
	if ((k->pt = calloc(1, sizeof(*k->pt))) == NULL)
		goto out;
	if ((ret = usb_profile_load_file(readers_path(), k->pt, &cerr)) != EG_OK ||
	    k->pt->n == 0) {
		eg_errbuf(err, errlen, "reader profiles %s: %s", readers_path(), eg_strerror(ret));
		ret = ret != EG_OK ? ret : EG_ERR_CONFIG;
		goto out;
	}
	md = o->model_dir != NULL ? o->model_dir : o->conf->model_dir[0] != '\0' ?
	    o->conf->model_dir : getenv("EGATE_MODEL_DIR");
	if (md == NULL || *md == '\0')
		md = EGATE_MODEL_DIR;
	if ((ret = face_ctx_new(face_profile_path(o), md, &k->face, fe, sizeof(fe))) != EG_OK) {
		eg_errbuf(err, errlen, "face models: %s%s", fe, "");
		goto out;
	}
	if (o->uplink == NULL && (ret = spool_open(o->conf->spool, &k->spool)) != EG_OK) {
		eg_errbuf(err, errlen, "spool %s: %s", o->conf->spool, eg_strerror(ret));
		goto out;
	}
	if (o->testdata_dir != NULL)
		snprintf(k->testdata, sizeof(k->testdata), "%s", o->testdata_dir);
	else
		sim_testdata_dir(k->testdata, sizeof(k->testdata));
	snprintf(k->tmpdir, sizeof(k->tmpdir), "/tmp/egate-kiosk.XXXXXX");
	ret = EG_ERR_IO;
	if (mkdtemp(k->tmpdir) == NULL) {
		k->tmpdir[0] = '\0';
		goto out;
	}
	k->gate.log = o->log;
	k->disp.out = o->out;
	k->disp.bilingual = o->bilingual;
	k->disp.prefix = "[display] ";
	k->disp.last = PROMPT_COUNT;
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
static void devices_close(struct kiosk *k);
static void seal_holder(struct kiosk *k, const struct mrz_result *m, const char *from);

static void
rm_tmpdir(const char *dir)
{
	char path[160];
	static const char *const names[] = { "scene.txt", "live.jpg", "empty.jpg",
		"closed.jpg" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		(void)unlink(path);
	}
	(void)rmdir(dir);
}

void
kiosk_free(struct kiosk **kp)
{
	struct kiosk *k;

	if (kp == NULL || (k = *kp) == NULL)
		return;
	devices_close(k);
	work_wipe(k);
	face_ctx_free(&k->face);
	csca_store_free(&k->store);
	sim_pki_free(&k->pki);
	spool_close(&k->spool);
	match_gallery_free(&k->watch);
	seal_epoch_free(&k->epoch);	/* wipes the epoch key */
	seal_key_free(&k->seal);
	free(k->pt);
	mbedtls_ctr_drbg_free(&k->drbg);
	mbedtls_entropy_free(&k->entropy);
	if (k->tmpdir[0] != '\0')
		rm_tmpdir(k->tmpdir);
	eg_memzero(k, sizeof(*k));
	free(k);
	*kp = NULL;
}

const struct passage *
kiosk_passage(const struct kiosk *k)
{
	return &k->p;
}

/* ---- hooks for a pushed policy (policy_apply.c) ------------------------------ */

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

/* ---- images ---------------------------------------------------------------- */

static int
read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;
	int ret = EG_ERR_IO;

	*out = NULL;
	if (f == NULL)
		return EG_ERR_IO;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || n > (16L << 20) ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	ret = EG_ERR_NOMEM;
	if ((*out = malloc((size_t)n)) == NULL)
		goto out;
	ret = EG_ERR_IO;
	if (fread(*out, 1, (size_t)n, f) != (size_t)n) {
		free(*out);
		*out = NULL;
		goto out;
	}
	*len = (size_t)n;
	ret = EG_OK;
out:
	fclose(f);
	return ret;
}

static int
write_file(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ret = EG_OK;

	if (f == NULL)
		return EG_ERR_IO;
	if (fwrite(p, 1, len, f) != len)
		ret = EG_ERR_IO;
	if (fclose(f) != 0)
		ret = EG_ERR_IO;
	return ret;
}

static int
decode_file(const char *path, struct fcv_image *img)
{
	uint8_t *b = NULL;
	size_t n = 0;
	int ret;

	if ((ret = read_file(path, &b, &n)) != EG_OK)
		return ret;
	ret = face_img_decode(b, n, FACE_MAX_DIM, img);
	eg_secret_free(&b, n);
	return ret;
}

static int
encode_to(const struct fcv_image *img, const char *path)
{
	uint8_t *b = NULL;
	size_t n = 0;
	int ret;

	if ((ret = fcv_image_encode(img, ".jpg", 92, &b, &n)) != EG_OK)
		return ret;
	ret = write_file(path, b, n);
	eg_secret_free(&b, n);
	return ret;
}

static void
fill(struct fcv_image *img, int x0, int y0, int w, int h, uint8_t v)
{
	for (int y = y0; y < y0 + h && y < img->height; y++)
		memset(img->data + (size_t)y * img->stride + (size_t)x0 * 3, v,
		    (size_t)(x0 + w <= img->width ? w : img->width - x0) * 3);
}

/* A grey scene with nobody in it. */
static int
make_empty(const char *path)
{
	struct fcv_image img = { 0 };
	int ret;

	if ((ret = fcv_image_alloc(640, 480, &img)) != EG_OK)
		return ret;
	fill(&img, 0, 0, 640, 480, 128);
	ret = encode_to(&img, path);
	fcv_image_free(&img);
	return ret;
}

static int embed_image(struct kiosk *k, const struct fcv_image *img, struct face_result *r);

/* Paint every detected face but the one nearest (cx, cy) mid-grey: the
 * neighbours of a group photo leave the scene. */
static int
mask_others(struct kiosk *k, struct fcv_image *img, double cx, double cy)
{
	struct face_box b[FACE_MAX_FACES];
	size_t n = 0, best = 0;
	double bd = 1e300;
	int ret;

	if ((ret = face_detect(k->face, img, b, FACE_MAX_FACES, &n)) != EG_OK)
		return ret;
	for (size_t i = 0; i < n; i++) {
		double dx = (b[i].x1 + b[i].x2) / 2 - cx, dy = (b[i].y1 + b[i].y2) / 2 - cy;
		if (dx * dx + dy * dy < bd) {
			bd = dx * dx + dy * dy;
			best = i;
		}
	}
	for (size_t i = 0; i < n; i++) {
		double w = b[i].x2 - b[i].x1, h = b[i].y2 - b[i].y1;
		int x0 = (int)(b[i].x1 - 0.15 * w), y0 = (int)(b[i].y1 - 0.15 * h);
		int x1 = (int)(b[i].x2 + 0.15 * w), y1 = (int)(b[i].y2 + 0.15 * h);

		if (i == best)
			continue;
		x0 = x0 < 0 ? 0 : x0;
		y0 = y0 < 0 ? 0 : y0;
		x1 = x1 > img->width ? img->width : x1;
		y1 = y1 > img->height ? img->height : y1;
		if (x1 > x0 && y1 > y0)
			fill(img, x0, y0, x1 - x0, y1 - y0, 128);
	}
	return EG_OK;
}

/* Paint both eyes of the face in img shut: the eye region filled with the
 * mean colour of the cheek below it, and a dark lid line across. */
static int
close_eyes(struct kiosk *k, struct fcv_image *img)
{
	static const int corner[2][2] = { { 36, 39 }, { 42, 45 } };
	struct face_result fr;
	int ret;

	memset(&fr, 0, sizeof(fr));
	if ((ret = embed_image(k, img, &fr)) != EG_OK)
		goto out;
	for (int e = 0; e < 2; e++) {
		const float *a = fr.pts.lm68[corner[e][0]], *b = fr.pts.lm68[corner[e][1]];
		double w = b[0] - a[0], cy = (a[1] + b[1]) / 2, sum[3] = { 0, 0, 0 };
		int x0 = (int)(a[0] - 0.25 * w), x1 = (int)(b[0] + 0.25 * w);
		int y0 = (int)(cy - 0.45 * w), y1 = (int)(cy + 0.35 * w);
		int sy0 = (int)(cy + 0.8 * w), sy1 = (int)(cy + 1.1 * w), cnt = 0;

		if (w < 4 || x0 < 0 || y0 < 0 || x1 >= img->width || sy1 >= img->height) {
			ret = EG_ERR_NO_FACE;
			goto out;
		}
		for (int y = sy0; y < sy1; y++)
			for (int x = x0; x < x1; x++, cnt++)
				for (int c = 0; c < 3; c++)
					sum[c] += img->data[(size_t)y * img->stride + (size_t)x * 3 + (size_t)c];
		for (int y = y0; y < y1; y++)
			for (int x = x0; x < x1; x++)
				for (int c = 0; c < 3; c++)
					img->data[(size_t)y * img->stride + (size_t)x * 3 + (size_t)c] =
					    (uint8_t)(sum[c] / (cnt > 0 ? cnt : 1));
		for (int y = (int)cy; y < (int)cy + 2 + (int)(w / 12); y++)
			for (int x = (int)a[0]; x < (int)b[0]; x++)
				for (int c = 0; c < 3; c++)
					img->data[(size_t)y * img->stride + (size_t)x * 3 + (size_t)c] = 40;
	}
out:
	face_result_wipe(&fr);
	return ret;
}

/*
 * A one-person scene from a (group) test photo: the region around its
 * largest face (2 x 2.5 face heights, the face a little above the centre),
 * scaled to 480 x 600. With `printed`, that portrait is shown at half size on
 * white paper (a 6 % margin) in front of a grey background instead — the
 * visible paper edge is what the built-in PAD model reacts to, if at all.
 */
static int
make_portrait(struct kiosk *k, const char *src, const char *path, bool printed,
    const char *closed_path)
{
	struct fcv_image in = { 0 }, por = { 0 }, small = { 0 }, out = { 0 };
	struct face_result fr;
	struct fcv_rect r;
	double bh, cx, cy;
	int ret, W, H, w, h, m, x0, y0;

	memset(&fr, 0, sizeof(fr));
	if ((ret = decode_file(src, &in)) != EG_OK || (ret = embed_image(k, &in, &fr)) != EG_OK)
		goto out;
	bh = fr.box.y2 - fr.box.y1;
	cx = (fr.box.x1 + fr.box.x2) / 2;
	cy = (fr.box.y1 + fr.box.y2) / 2;
	r.w = 3.2 * bh;
	r.h = 4.0 * bh;
	r.x = cx - r.w / 2;
	r.y = cy - r.h * 0.45;
	W = (int)r.w;
	H = (int)r.h;
	w = W / 2;
	h = H / 2;
	if ((ret = fcv_image_crop(&in, &r, W, H, &por)) != EG_OK ||
	    (ret = mask_others(k, &por, W / 2.0, H * 0.45)) != EG_OK)
		goto out;
	if (!printed) {
		if ((ret = encode_to(&por, path)) != EG_OK || closed_path == NULL)
			goto out;
		if ((ret = close_eyes(k, &por)) == EG_OK)
			ret = encode_to(&por, closed_path);
		goto out;
	}
	r.x = 0;
	r.y = 0;
	r.w = W;
	r.h = H;
	if ((ret = fcv_image_crop(&por, &r, w, h, &small)) != EG_OK ||
	    (ret = fcv_image_alloc(W, H, &out)) != EG_OK)
		goto out;
	m = h * 6 / 100;
	fill(&out, 0, 0, W, H, 110);
	x0 = (W - w) / 2;
	y0 = (H - h) / 2;
	fill(&out, x0 - m, y0 - m, w + 2 * m, h + 2 * m, 250);
	for (int y = 0; y < h; y++)
		memcpy(out.data + (size_t)(y0 + y) * out.stride + (size_t)x0 * 3,
		    small.data + (size_t)y * small.stride, (size_t)w * 3);
	ret = encode_to(&out, path);
out:
	face_result_wipe(&fr);
	fcv_image_free(&in);
	fcv_image_free(&por);
	fcv_image_free(&small);
	fcv_image_free(&out);
	return ret;
}

/* ---- watchlist -------------------------------------------------------------- */

static int
embed_image(struct kiosk *k, const struct fcv_image *img, struct face_result *r)
{
	struct face_opts fo = { 0 };

	return face_analyse(k->face, img, &fo, r);
}

int
kiosk_set_scenario(struct kiosk *k, const struct scenario *sc, char *err, size_t errlen)
{
	struct match_params mp;
	struct face_result r;
	struct fcv_image img = { 0 };
	char path[1024];
	uint64_t id;
	int ret = EG_ERR_INVAL;

	if (k == NULL || sc == NULL)
		return ret;
	k->sc = sc;
	match_gallery_free(&k->watch);
	if (sc->nwatch == 0)
		return EG_OK;
	memset(&mp, 0, sizeof(mp));
	mp.dim = (uint32_t)face_ctx_profile(k->face)->embedding_size;
	mp.format = MATCH_F32;
	if ((ret = match_gallery_new(&mp, &k->watch)) != EG_OK) {
		eg_errbuf(err, errlen, "watchlist gallery: %s%s", eg_strerror(ret), "");
		return ret;
	}
	memset(&r, 0, sizeof(r));
	for (size_t i = 0; i < sc->nwatch; i++) {
		snprintf(path, sizeof(path), "%s/%s", k->testdata, sc->watch[i]);
		if ((ret = decode_file(path, &img)) == EG_OK &&
		    (ret = embed_image(k, &img, &r)) == EG_OK) {
			id = i + 1;
			ret = r.emb_len == mp.dim ? match_gallery_add(k->watch, r.emb, &id, 1) :
			    EG_ERR_FORMAT;
		}
		fcv_image_free(&img);
		face_result_wipe(&r);
		if (ret != EG_OK) {
			eg_errbuf(err, errlen, "watchlist face %s: %s", path, eg_strerror(ret));
			return ret;
		}
	}
	return EG_OK;
}

/* ---- devices of one simulated traveller --------------------------------------- */

static void
devices_close(struct kiosk *k)
{
	camera_free(&k->cam);
	sim_reader_free(&k->reader);
	mrzdev_free(&k->mrz_dev);
	usb_sim_bus_free(&k->mrz_bus);
	sim_mrz_free(&k->mrz_sim);
	eg_memzero(&k->trav, sizeof(k->trav));
}

/* Replace the TD3 expiry date and recompute its check digit and the
 * composite one. */
static int
set_expiry_td3(char *l2, const char *yymmdd)
{
	char comp[64];
	int d;

	if (strlen(l2) != 44)
		return EG_ERR_UNSUPPORTED;
	memcpy(l2 + 21, yymmdd, 6);
	if (mrz_check_digit(l2 + 21, 6, &d) != EG_OK)
		return EG_ERR_FORMAT;
	l2[27] = (char)('0' + d);
	memcpy(comp, l2, 10);
	memcpy(comp + 10, l2 + 13, 7);
	memcpy(comp + 17, l2 + 21, 22);
	if (mrz_check_digit(comp, 39, &d) != EG_OK)
		return EG_ERR_FORMAT;
	l2[43] = (char)('0' + d);
	return EG_OK;
}

static int
write_scene(struct kiosk *k, const struct scenario_passage *sp, char *spec, size_t cap)
{
	char img[1024], path[160], scene[2600], closed[160];
	int ret = EG_OK, n;

	snprintf(path, sizeof(path), "%s/scene.txt", k->tmpdir);
	switch (sp->camera) {
	case SC_CAM_SCENE:
		if (sp->camera_arg[0] == '/' || k->sc == NULL)
			n = snprintf(spec, cap, "sim:%s", sp->camera_arg);
		else
			n = snprintf(spec, cap, "sim:%s/%s", k->sc->dir, sp->camera_arg);
		return n < 0 || (size_t)n >= cap ? EG_ERR_OVERFLOW : EG_OK;
	case SC_CAM_FACE:
		snprintf(img, sizeof(img), "%s/%s", k->testdata, sp->camera_arg);
		break;
	case SC_CAM_PORTRAIT:
	case SC_CAM_PRINTED:
	case SC_CAM_EYES_CLOSED:
		snprintf(scene, sizeof(scene), "%s/%s", k->testdata, sp->camera_arg);
		snprintf(img, sizeof(img), "%s/live.jpg", k->tmpdir);
		snprintf(closed, sizeof(closed), "%s/closed.jpg", k->tmpdir);
		ret = make_portrait(k, scene, img, sp->camera == SC_CAM_PRINTED,
		    sp->camera == SC_CAM_EYES_CLOSED ? closed : NULL);
		break;
	case SC_CAM_EMPTY:
		snprintf(img, sizeof(img), "%s/empty.jpg", k->tmpdir);
		ret = make_empty(img);
		break;
	}
	if (ret != EG_OK)
		return ret;
	if (sp->camera_unplug) {
		/* an empty first frame, then the camera is gone mid-capture */
		char empty[160];

		snprintf(empty, sizeof(empty), "%s/empty.jpg", k->tmpdir);
		if ((ret = make_empty(empty)) != EG_OK)
			return ret;
		n = snprintf(scene, sizeof(scene), "fps 30\nat 0s show %s\nat 10ms unplug\n",
		    empty);
	} else if (sp->camera == SC_CAM_EYES_CLOSED) {
		/* frames 0 and 1 (0 and 33 ms) closed, from frame 2 open */
		n = snprintf(scene, sizeof(scene), "fps 30\nat 0s show %s\nat 50ms show %s\n",
		    closed, img);
	} else {
		n = snprintf(scene, sizeof(scene), "fps 30\nat 0s show %s\n", img);
	}
	if (n < 0 || (size_t)n >= sizeof(scene))
		return EG_ERR_OVERFLOW;
	if ((ret = write_file(path, scene, (size_t)n)) != EG_OK)
		return ret;
	n = snprintf(spec, cap, "sim:%s", path);
	return n < 0 || (size_t)n >= cap ? EG_ERR_OVERFLOW : EG_OK;
}

static int
devices_open(struct kiosk *k, const struct scenario_passage *sp, char *err, size_t errlen)
{
	struct eg_cfg_error cerr;
	struct usb_match m;
	struct camera_options co;
	char path[1024], spec[1200], line[8 + 3 * 48], ce[256];
	char *mrzline;
	int ret;

	if (strchr(sp->traveller, '/') != NULL)
		snprintf(path, sizeof(path), "%s", sp->traveller);
	else
		snprintf(path, sizeof(path), "%s/%s.ini", sim_traveller_dir(), sp->traveller);
	if ((ret = sim_traveller_load_file(path, &k->trav, &cerr)) != EG_OK) {
		eg_errbuf(err, errlen, "traveller %s: %s", path, eg_strerror(ret));
		return ret;
	}
	if (sp->chip_face[0] != '\0') {
		if (strlen(sp->chip_face) >= sizeof(k->trav.face)) {
			eg_errbuf(err, errlen, "%s: chip_face too long", sp->name);
			return EG_ERR_OVERFLOW;
		}
		memcpy(k->trav.face, sp->chip_face, strlen(sp->chip_face) + 1);
	}
	if (sp->expiry[0] != '\0' && (ret = set_expiry_td3(k->trav.mrz2, sp->expiry)) != EG_OK) {
		eg_errbuf(err, errlen, "%s: expiry: %s", sp->name, eg_strerror(ret));
		return ret;
	}
	/* the simulated MRZ reader with this traveller's document on it */
	if ((ret = sim_mrz_new(&k->mrz_sim, 64)) != EG_OK ||
	    (ret = usb_sim_bus_new(&k->mrz_bus)) != EG_OK ||
	    (ret = usb_sim_bus_add(k->mrz_bus, &sim_mrz_device_ops, k->mrz_sim)) != EG_OK)
		goto fail;
	k->mrz_t = usb_sim_bus_transport(k->mrz_bus);
	memset(&m, 0, sizeof(m));
	m.vid = SIM_MRZ_VID;
	m.pid = SIM_MRZ_PID;
	if ((ret = mrzdev_open(&k->mrz_dev, &k->mrz_t, &m)) != EG_OK)
		goto fail;
	for (int i = 0; i < 3; i++) {
		mrzline = i == 0 ? k->trav.mrz1 : i == 1 ? k->trav.mrz2 : k->trav.mrz3;
		if (*mrzline == '\0')
			continue;
		snprintf(line, sizeof(line), "%s\r\n", mrzline);
		if ((ret = sim_mrz_feed(k->mrz_sim, line, strlen(line))) != EG_OK)
			goto fail;
	}
	eg_memzero(line, sizeof(line));
	/* the simulated CCID reader hosting the traveller's chip */
	if ((ret = sim_reader_open(&k->trav, k->pki, k->testdata, k->pt, &k->pt->p[0],
	    &k->reader)) != EG_OK) {
		eg_errbuf(err, errlen, "simulated reader: %s (chip photo %s)", eg_strerror(ret),
		    k->trav.face);
		return ret;
	}
	/* the simulated camera playing the scene */
	if ((ret = write_scene(k, sp, spec, sizeof(spec))) != EG_OK) {
		eg_errbuf(err, errlen, "camera scene for %s: %s", sp->name, eg_strerror(ret));
		return ret;
	}
	memset(&co, 0, sizeof(co));
	co.fast = true;
	co.log = k->o.log;
	if ((ret = camera_open(spec, &co, &k->cam, ce, sizeof(ce))) != EG_OK ||
	    (ret = camera_set_format(k->cam, &(struct camera_format){ CAMERA_FMT_NONE, 0, 0, 0 },
	    NULL)) != EG_OK || (ret = camera_start(k->cam)) != EG_OK) {
		eg_errbuf(err, errlen, "camera: %s %s", eg_strerror(ret), ce);
		return ret;
	}
	return EG_OK;
fail:
	eg_errbuf(err, errlen, "simulated MRZ reader: %s%s", eg_strerror(ret), "");
	return ret;
}

/* ---- the work area ------------------------------------------------------------ */

static void
work_wipe(struct kiosk *k)
{
	eg_memzero(k->w.mrz, sizeof(k->w.mrz));
	mrz_result_clear(&k->w.mrz_parsed);
	doc_result_free(&k->w.doc);
	fcv_image_free(&k->w.live);
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
	return all_zero(k->w.mrz, sizeof(k->w.mrz)) &&
	    all_zero(&k->w.mrz_parsed, sizeof(k->w.mrz_parsed)) && k->w.doc == NULL &&
	    k->w.live.data == NULL && all_zero(&k->w.live_res, sizeof(k->w.live_res)) &&
	    all_zero(k->w.chip_emb, sizeof(k->w.chip_emb)) && k->w.chip_emb_len == 0;
}

/* ---- events -------------------------------------------------------------------- */

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

/* ---- effects ----------------------------------------------------------------------- */

static void
x_read_mrz(struct kiosk *k)
{
	struct mrzdev_doc d;
	struct mrz_date today, *tp = NULL;
	struct passage_event *ev;
	uint64_t t = now_ns();
	size_t off = 0;
	int ret;

	memset(&d, 0, sizeof(d));
	ret = mrzdev_read_doc(k->mrz_dev, &d, (unsigned)remaining_ms(k));
	if (ret == EG_OK) {
		for (unsigned i = 0; i < d.nlines && i < 3; i++)
			off += (size_t)snprintf(k->w.mrz + off, sizeof(k->w.mrz) - off, "%s%s",
			    i ? "\n" : "", d.line[i]);
		if (k->sc != NULL && k->sc->today_y != 0) {
			today.year = k->sc->today_y;
			today.month = k->sc->today_m;
			today.day = k->sc->today_d;
			tp = &today;
		}
		ret = mrz_parse_text(k->w.mrz, strlen(k->w.mrz), tp, &k->w.mrz_parsed);
		if (ret == EG_OK)
			seal_holder(k, &k->w.mrz_parsed, "mrz");
	}
	eg_memzero(&d, sizeof(d));
	k->rep->ms[KS_MRZ] += ms_since(t);
	if (ret == EG_ERR_NO_DEVICE) {
		if ((ev = result(k, PE_DEVICE_LOST)) != NULL)
			ev->detail = "mrz reader gone";
		return;
	}
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

static int
date_cmp(const struct mrz_date *a, int y, int m, int d)
{
	if (a->year != y)
		return a->year < y ? -1 : 1;
	if (a->month != m)
		return a->month < m ? -1 : 1;
	return a->day < d ? -1 : a->day > d ? 1 : 0;
}

static void
today(const struct kiosk *k, int *y, int *m, int *d)
{
	time_t now;
	struct tm tm;

	if (k->sc != NULL && k->sc->today_y != 0) {
		*y = k->sc->today_y;
		*m = k->sc->today_m;
		*d = k->sc->today_d;
		return;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
}

/* ISSUER_ACCEPTED: [policy] accepted_issuers is a comma-separated list of
 * issuing states ("UTO") or state:type ("UTO:P"); empty accepts every
 * issuer. */
static bool
issuer_accepted(const struct eg_kiosk_conf *c, const char *state, const char *type)
{
	const char *p = c->accepted_issuers;

	if (*p == '\0')
		return true;
	while (*p != '\0') {
		const char *e = strchr(p, ',');
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p), sl = strlen(state);
		char item[16];

		while (n > 0 && *p == ' ') {
			p++;
			n--;
		}
		if (n < sizeof(item)) {
			memcpy(item, p, n);
			item[n] = '\0';
			while (n > 0 && item[n - 1] == ' ')
				item[--n] = '\0';
			if (strcmp(item, state) == 0 ||
			    (strncmp(item, state, sl) == 0 && item[sl] == ':' &&
			    strcmp(item + sl + 1, type) == 0))
				return true;
		}
		if (e == NULL)
			break;
		p = e + 1;
	}
	return false;
}

/* MIN_AGE: the holder is at least min_age years old today (an unknown
 * birth date passes only when min_age is 0). */
static bool
age_ok(const struct mrz_date *b, int y, int m, int d, int min_age)
{
	int age;

	if (min_age <= 0)
		return true;
	if (b->year == 0 || b->month == 0 || b->day == 0)
		return false;
	age = y - b->year - ((m < b->month || (m == b->month && d < b->day)) ? 1 : 0);
	return age >= min_age;
}

/* Map doc_read's result onto the passage's document checks. */
static void
map_checks(struct kiosk *k, const struct doc_result *r, enum passage_check_result *c)
{
	static const enum pa_check pa_auth[] = { PA_SOD_SIGNATURE, PA_DS_CHAIN, PA_DS_VALIDITY,
		PA_DS_REVOCATION, PA_SOD_MESSAGE_DIGEST };
	bool dg14 = r->file[14].status == DOC_FILE_READ, dg15 = r->file[15].status == DOC_FILE_READ;
	enum pa_status ca = r->check[DOC_CHECK_CHIP_AUTHENTICATION].status;
	enum pa_status aa = r->check[DOC_CHECK_ACTIVE_AUTHENTICATION].status;
	int y, m, d;

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
	today(k, &y, &m, &d);
	if (!r->holder_valid) {
		c[PDC_NOT_EXPIRED] = PCR_NOT_CHECKED;
		c[PDC_ISSUER_ACCEPTED] = PCR_NOT_CHECKED;
		c[PDC_MIN_AGE] = PCR_NOT_CHECKED;
		return;
	}
	c[PDC_NOT_EXPIRED] = date_cmp(&r->holder.expiry_date, y, m, d) >= 0 ? PCR_PASS :
	    PCR_FAIL;
	c[PDC_ISSUER_ACCEPTED] = issuer_accepted(k->o.conf, r->holder.issuing_state,
	    r->holder.document_code) ? PCR_PASS : PCR_FAIL;
	c[PDC_MIN_AGE] = age_ok(&r->holder.birth_date, y, m, d,
	    (int)k->o.conf->min_age) ? PCR_PASS : PCR_FAIL;
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
	const struct icao_card_ops *ops;
	void *ctx;
	int (*power_on)(void *ctx, uint8_t *atr, size_t cap, size_t *atr_len);
	struct kiosk_report *rep;
};

static int
count_power_on(void *ctx, uint8_t *atr, size_t cap, size_t *atr_len)
{
	struct count_card *c = ctx;

	return c->power_on(c->ctx, atr, cap, atr_len);
}

static int
count_transmit(void *ctx, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
    size_t rcap, size_t *rlen)
{
	struct count_card *c = ctx;
	int r = c->ops->transmit(c->ctx, capdu, clen, rapdu, rcap, rlen);

	c->rep->chip_apdus++;
	c->rep->chip_bytes_out += clen;
	if (r == EG_OK)
		c->rep->chip_bytes_in += *rlen;
	return r;
}

static const struct icao_card_ops count_ops = { .transmit = count_transmit };

/* PX_OPEN_CHIP: doc_read does access control, reading and passive
 * authentication in one go; CHIP_OPENED says whether the chip could be
 * accessed, and the result waits in the work area for PX_RUN_CHECKS. */
/* After a failed read: is the reader's slot empty (the document was taken
 * away) rather than holding a mute chip? Asked through the CCID driver. */
static bool
doc_taken_away(struct kiosk *k)
{
	struct ccid_status st;

	memset(&st, 0, sizeof(st));
	return ccid_slot_status(sim_reader_ccid(k->reader), &st) == EG_OK &&
	    st.icc == CCID_ICC_ABSENT;
}

static void
x_open_chip(struct kiosk *k)
{
	struct doc_card card;
	struct count_card cc;
	struct doc_read_opts o;
	struct passage_event *ev;
	uint64_t t = now_ns();
	struct tm tm;
	int ret;

	doc_card_ccid(sim_reader_ccid(k->reader), &card);
	cc.ops = card.ops;
	cc.ctx = card.ctx;
	cc.power_on = card.power_on;
	cc.rep = k->rep;
	card.ops = &count_ops;
	card.ctx = &cc;
	card.power_on = card.power_on != NULL ? count_power_on : NULL;
	memset(&o, 0, sizeof(o));
	o.mrz = k->w.mrz;
	o.store = k->store;
	o.rng = k_rng;
	o.rng_ctx = &k->drbg;
	o.log = k->o.log;
	if (k->sc != NULL && k->sc->today_y != 0) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = k->sc->today_y - 1900;
		tm.tm_mon = k->sc->today_m - 1;
		tm.tm_mday = k->sc->today_d;
		tm.tm_hour = 12;
		o.check_time = timegm(&tm);
	}
	if (k->sp->reader_unplug)
		sim_ccid_arm(sim_reader_sim_ccid(k->reader), SIM_CCID_FAULT_UNPLUG, 0, 0);
	else if (k->sp->doc_removed)
		sim_ccid_arm(sim_reader_sim_ccid(k->reader), SIM_CCID_FAULT_REMOVE_CARD, 0, 0);
	ret = doc_read(&card, &o, &k->w.doc);
	k->rep->ms[KS_CHIP] += ms_since(t);
	if (ret == EG_OK)
		keep_facts(k, k->w.doc);
	if (ret == EG_OK && k->w.doc->holder_valid)
		seal_holder(k, &k->w.doc->holder, "dg1");
	if (ret == EG_OK && k->w.doc->err == EG_ERR_NO_DEVICE) {
		if ((ev = result(k, PE_DEVICE_LOST)) != NULL)
			ev->detail = "chip reader gone";
		return;
	}
	if ((ret != EG_OK || k->w.doc->outcome == DOC_OUTCOME_UNREADABLE) && doc_taken_away(k)) {
		/* not an unreadable chip: the traveller took the passport */
		if ((ev = result(k, PE_DOC_REMOVED)) != NULL)
			ev->detail = "passport taken off the reader";
		return;
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
		map_checks(k, k->w.doc, ev->checks);
}

/* PX_CAPTURE_FACE: frames until one shows a face (quality measured), or
 * K_CAPTURE_FRAMES without one: the traveller left. */
static void
x_capture(struct kiosk *k)
{
	struct camera_frame f;
	struct face_opts fo = { .quality = true };
	struct passage_event *ev;
	uint64_t t = now_ns();
	int ret = EG_ERR_NO_FACE;

	fcv_image_free(&k->w.live);
	face_result_wipe(&k->w.live_res);
	for (int i = 0; i < K_CAPTURE_FRAMES; i++) {
		int to = remaining_ms(k);

		ret = camera_next_frame(k->cam, to > 0 ? (to < 2000 ? to : 2000) : 1, &f);
		if (ret != EG_OK)
			break;
		k->rep->capture_frames++;
		ret = f.format == CAMERA_FMT_MJPEG ?
		    face_img_decode(f.data, f.len, FACE_MAX_DIM, &k->w.live) : EG_ERR_UNSUPPORTED;
		camera_release_frame(k->cam, &f);
		if (ret == EG_OK)
			ret = face_analyse(k->face, &k->w.live, &fo, &k->w.live_res);
		if (ret != EG_ERR_NO_FACE)
			break;
		fcv_image_free(&k->w.live);
		face_result_wipe(&k->w.live_res);
	}
	k->rep->ms[KS_CAPTURE] += ms_since(t);
	if (ret == EG_ERR_NO_DEVICE) {
		if ((ev = result(k, PE_DEVICE_LOST)) != NULL)
			ev->detail = "camera gone";
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

static void
x_liveness(struct kiosk *k)
{
	struct face_pad_result pr;
	struct passage_event *ev;
	uint64_t t = now_ns();
	int ret;

	memset(&pr, 0, sizeof(pr));
	ret = face_pad_minifas.check(k->face, &k->w.live, &k->w.live_res.box, &pr);
	k->rep->ms[KS_LIVENESS] += ms_since(t);
	if ((ev = result(k, PE_LIVENESS_DONE)) == NULL)
		return;
	/* a PAD failure is no evidence of liveness: score 0 (PAD alarm) */
	ev->score = ret == EG_OK ? pr.live_score : 0.0;
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

/* ---- the record ------------------------------------------------------------------ */

static Egate__CheckResult
item_result(const char *r)
{
	if (strcmp(r, "pass") == 0 || strcmp(r, "clear") == 0 || strcmp(r, "open") == 0)
		return EGATE__CHECK_RESULT__CHECK_PASS;
	if (strcmp(r, "fail") == 0 || strcmp(r, "hit") == 0 || strcmp(r, "reject") == 0)
		return EGATE__CHECK_RESULT__CHECK_FAIL;
	return EGATE__CHECK_RESULT__CHECK_SKIPPED;
}

static const char *
score_name(const char *item)
{
	if (strcmp(item, "liveness") == 0)
		return "pad_liveness";
	if (strcmp(item, "match_1to1") == 0)
		return "face_similarity";
	return item;
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
	char empty[1] = "", sc_names[PASSAGE_MAX_EXPLAIN][48];
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
		chk[nc].name = it->name;
		chk[nc].result = item_result(it->result);
		chk[nc].detail = it->detail;
		pchk[nc] = &chk[nc];
		nc++;
		if (it->has_value) {
			egate__score__init(&sc[ns]);
			snprintf(sc_names[ns], sizeof(sc_names[ns]), "%s", score_name(it->name));
			sc[ns].name = sc_names[ns];
			sc[ns].value = it->value;
			sc[ns].threshold = it->threshold;
			sc[ns].passed = strcmp(it->result, "pass") == 0 ||
			    strcmp(it->result, "clear") == 0;
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

/* ---- outputs --------------------------------------------------------------------- */

static void
show(struct kiosk *k, enum prompt_id id)
{
	if (k->o.out != NULL)
		(void)text_display_ops.show(&k->disp, id, k->lang);
}

static void
x_gate(struct kiosk *k, bool open)
{
	struct passage_event *ev;
	int ret = open ? sim_gate_ops.open(&k->gate) : sim_gate_ops.close(&k->gate);

	if (ret != EG_OK && (ev = push(k, PE_DEVICE_LOST)) != NULL)
		ev->detail = "gate";
}

static void
x_notify(struct kiosk *k)
{
	if (k->o.out != NULL)
		fprintf(k->o.out, "[officer] referral: %s, record seq %llu (%s)\n", k->p.x.rule,
		    (unsigned long long)k->referral_seq, k->o.officer_wait_ms > 0 && k->o.inbox != NULL ?
		    "waiting for an officer's decision" : "the simulated officer closes it");
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
	case PX_START_TIMER: break;	/* armed before the effects (see run) */
	case PX_NONE: break;
	}
}

/* ---- summary ---------------------------------------------------------------------- */

static void
summary(struct kiosk *k, const struct kiosk_report *r)
{
	FILE *o = k->o.out;
	const char *oc = r->outcome == PO_OPEN ? "OPEN" : r->outcome == PO_REFER ? "REFER" :
	    r->outcome == PO_ABANDONED ? "ABANDONED" : "NONE";
	bool any = false;

	if (o == NULL)
		return;
	fprintf(o, "== passage '%s' (traveller %s, camera %s%s%s): %s, rule %s\n",
	    k->sp->name, k->sp->traveller, scenario_camera_str(k->sp->camera),
	    k->sp->camera_arg[0] ? ":" : "", k->sp->camera_arg, oc, r->rule);
	fprintf(o, "   failed or not checked:");
	for (size_t i = 0; i < r->x.n; i++) {
		const struct passage_explain_item *it = &r->x.items[i];
		if (strcmp(it->result, "fail") == 0 || strcmp(it->result, "hit") == 0 ||
		    (strcmp(it->result, "not_checked") == 0)) {
			fprintf(o, " %s=%s%s%s", it->name, it->result, it->detail[0] ? " " : "",
			    it->detail);
			any = true;
		}
	}
	fprintf(o, "%s\n   scores:", any ? "" : " none");
	any = false;
	for (size_t i = 0; i < r->x.n; i++) {
		const struct passage_explain_item *it = &r->x.items[i];
		if (it->has_value) {
			fprintf(o, " %s %.3f (threshold %.2f, %s)", it->name, it->value,
			    it->threshold, it->result);
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

/* What the next heartbeat tells the host (uplink.h). */
static void
status_update(struct kiosk *k)
{
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
 * officer_wait_ms in total), else the simulated officer closes it. */
static void
await_officer(struct kiosk *k)
{
	uint64_t end = now_ns() + (uint64_t)k->o.officer_wait_ms * 1000000u;

	while (k->o.officer_wait_ms > 0 && k->o.inbox != NULL && now_ns() < end) {
		int left = (int)((end - now_ns()) / 1000000u) + 1;

		if (k->o.out != NULL && k->p.state == PS_REFERRED)
			fflush(k->o.out);
		if (take_command(k, left < 1000 ? left : 1000, true))
			return;
	}
	if (k->o.officer_wait_ms > 0)
		EG_LOG(k->o.log, EG_LOG_NOTICE, "kiosk.officer_timeout",
		    EG_STR("state", passage_state_str(k->p.state)),
		    EG_INT("waited_ms", k->o.officer_wait_ms));
	push(k, PE_OFFICER_RELEASE);	/* the simulated officer */
}

/* Feed one event to the machine and carry out its effects (no traveller). */
static void
idle_event(struct kiosk *k, enum passage_event_type t)
{
	struct passage_event ev;
	struct passage_effects fx;

	memset(&ev, 0, sizeof(ev));
	ev.type = t;
	if (passage_handle(&k->p, &ev, &fx) != EG_OK)
		return;
	for (size_t i = 0; i < fx.n; i++)
		execute(k, fx.e[i]);
	status_update(k);
}

/*
 * The host unreachable for longer than [host] offline_limit: no new
 * traveller (OUT_OF_SERVICE) until it is back. Without the host no officer
 * can decide a referral, so the kiosk must not keep producing them; records
 * made before stay in the spool and are delivered later.
 */
static void
check_host(struct kiosk *k)
{
	struct uplink_stats st;
	struct timespec pause = { 0, 200 * 1000 * 1000 };
	int64_t now_ms = (int64_t)(now_ns() / 1000000u), limit_ms;

	if (k->o.uplink == NULL || k->o.conf->host_offline_limit <= 0 || k->p.state != PS_IDLE)
		return;
	limit_ms = (int64_t)k->o.conf->host_offline_limit * 1000;
	uplink_get_stats(k->o.uplink, &st);
	if (st.connected || st.down_since_ms == 0 || now_ms - st.down_since_ms < limit_ms)
		return;
	EG_LOG(k->o.log, EG_LOG_WARN, "kiosk.out_of_service",
	    EG_INT("host_down_ms", now_ms - st.down_since_ms), EG_STR("reason", st.last_error));
	if (k->o.out != NULL)
		fprintf(k->o.out, "[kiosk] host unreachable for %lld s: out of service until it is back\n",
		    (long long)((now_ms - st.down_since_ms) / 1000));
	idle_event(k, PE_HOST_DOWN);
	do {
		nanosleep(&pause, NULL);
		uplink_get_stats(k->o.uplink, &st);
	} while (!st.connected);
	EG_LOG(k->o.log, EG_LOG_NOTICE, "kiosk.back_in_service");
	if (k->o.out != NULL)
		fprintf(k->o.out, "[kiosk] host reachable again: back in service\n");
	idle_event(k, PE_HOST_UP);
}

int
kiosk_idle(struct kiosk *k, int wait_ms)
{
	struct passage_effects fx;
	uint64_t end, hold_end = 0;

	if (k == NULL || (k->p.state != PS_IDLE && k->p.state != PS_HOLD))
		return EG_ERR_STATE;
	check_host(k);
	end = now_ns() + (uint64_t)(wait_ms > 0 ? wait_ms : 0) * 1000000u;
	if (k->p.state == PS_HOLD)
		hold_end = now_ns() + (uint64_t)k->o.officer_wait_ms * 1000000u;
	k->qn = k->qhead = 0;
	for (;;) {
		uint64_t now = now_ns(), until = k->p.state == PS_HOLD ? hold_end : end;
		int left = until > now ? (int)((until - now) / 1000000u) : 0;

		if (k->qhead >= k->qn && !take_command(k, left < 1000 ? left : 1000, false)) {
			if (now_ns() < until)
				continue;
			if (k->p.state != PS_HOLD)
				break;
			/* nobody released the hold in time: the simulated officer */
			EG_LOG(k->o.log, EG_LOG_NOTICE, "kiosk.officer_timeout",
			    EG_STR("state", "HOLD"), EG_INT("waited_ms", k->o.officer_wait_ms));
			push(k, PE_OFFICER_RELEASE);
		}
		while (k->qhead < k->qn) {
			struct passage_event ev = k->q[k->qhead++];

			if (passage_handle(&k->p, &ev, &fx) != EG_OK)
				continue;
			for (size_t i = 0; i < fx.n; i++)
				execute(k, fx.e[i]);
			status_update(k);
			if (k->p.state == PS_HOLD && ev.type == PE_OFFICER_HOLD)
				hold_end = now_ns() + (uint64_t)k->o.officer_wait_ms * 1000000u;
		}
		k->qn = k->qhead = 0;
		if (k->p.state == PS_IDLE && now_ns() >= end)
			break;
	}
	status_update(k);
	return EG_OK;
}

/* ---- one passage ------------------------------------------------------------------- */

int
kiosk_run_passage(struct kiosk *k, const struct scenario_passage *sp,
    struct kiosk_report *rep, char *err, size_t errlen)
{
	struct passage_effects fx;
	unsigned openings0;
	int ret = EG_ERR_INVAL;

	if (k == NULL || sp == NULL || rep == NULL)
		return ret;
	if (k->p.state != PS_IDLE) {
		eg_errbuf(err, errlen, "the machine is in %s, not IDLE%s",
		    passage_state_str(k->p.state), "");
		return EG_ERR_STATE;
	}
	memset(rep, 0, sizeof(*rep));
	memset(&k->facts, 0, sizeof(k->facts));
	k->rep = rep;
	k->sp = sp;
	k->qn = k->qhead = 0;
	k->deadline_ns = 0;
	k->referral_seq = k->command_id = 0;
	if ((ret = devices_open(k, sp, err, errlen)) != EG_OK)
		goto out;
	openings0 = k->gate.openings;
	k->t0_ns = now_ns();
	push(k, PE_DOC_PLACED);
	while (k->qhead < k->qn) {
		struct passage_event ev = k->q[k->qhead++];

		if (passage_handle(&k->p, &ev, &fx) != EG_OK)
			continue;
		/* the state's timer first: the effects run against it */
		k->deadline_ns = 0;
		for (size_t i = 0; i < fx.n; i++)
			if (fx.e[i] == PX_START_TIMER)
				k->deadline_ns = now_ns() +
				    (uint64_t)k->o.policy->timeout_ms[k->p.state] * 1000000u;
		for (size_t i = 0; i < fx.n; i++)
			execute(k, fx.e[i]);
		status_update(k);
		if (k->p.state == PS_IDLE)
			break;
		/* an officer may act at any step (a hold mid-passage) */
		(void)take_command(k, 0, true);
		if (k->qhead < k->qn)
			continue;
		/* the simulated people: the traveller walks through an open gate;
		 * a real officer (through the host) or the simulated one closes
		 * a referral */
		if (k->p.state == PS_GATE_OPEN)
			push(k, PE_PASSED);
		else if (k->p.state == PS_REFERRED || k->p.state == PS_HOLD)
			await_officer(k);
	}
	rep->total_ms = ms_since(k->t0_ns);
	rep->outcome = k->p.x.outcome;
	snprintf(rep->rule, sizeof(rep->rule), "%s", k->p.x.rule);
	if (rep->referral_seq != 0 && k->p.x.officer[0] != '\0' && k->p.x.outcome != PO_REFER) {
		/* the automated decision was the referral; the officer decided */
		rep->officer_outcome = k->p.x.outcome;
		snprintf(rep->officer, sizeof(rep->officer), "%s", k->p.x.officer);
		rep->outcome = PO_REFER;
		snprintf(rep->rule, sizeof(rep->rule), "%s", k->referral_rule);
	}
	rep->x = k->p.x;
	rep->gate_openings = k->gate.openings - openings0;
	ret = EG_OK;
	if (k->p.state != PS_IDLE) {
		/* the queue ran dry or overflowed: a bug; never leave data behind */
		eg_errbuf(err, errlen, "passage stuck in %s%s", passage_state_str(k->p.state), "");
		work_wipe(k);
		ret = EG_ERR_STATE;
	}
	summary(k, rep);
out:
	devices_close(k);
	k->sp = NULL;
	k->rep = NULL;
	return ret;
}
