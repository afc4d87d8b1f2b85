/* SPDX-License-Identifier: Apache-2.0 */
/* read.c — reading an eMRTD end to end (see read.h, docs/reading.md). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc/read.h"
#include "docauth/cardsec.h"
#include "egate/error.h"
#include "egate/secure.h"
#include "icao/aa.h"
#include "icao/ca.h"
#include "icao/extlen.h"
#include "icao/iso7816.h"
#include "icao/pace.h"

#define DOC_SW_NO_REF	0x6A88	/* chip without BAC */
#define DOC_REESTABLISH_MAX 4	/* access control re-established per read */
#define DOC_SW_NO_INS	0x6D00

static const char *const doc_check_names[DOC_CHECK_COUNT] = {
	"access_control", "secure_messaging", "files_read",
	"chip_authentication", "active_authentication", "pace_cam",
};

const char *
doc_check_str(enum doc_check c)
{
	return (unsigned)c < DOC_CHECK_COUNT ? doc_check_names[c] : "unknown";
}

const char *
doc_outcome_str(enum doc_outcome o)
{
	switch (o) {
	case DOC_OUTCOME_PASS: return "pass";
	case DOC_OUTCOME_FAIL: return "fail";
	case DOC_OUTCOME_UNREADABLE: return "unreadable";
	}
	return "unknown";
}

const char *
doc_file_status_str(enum doc_file_status s)
{
	switch (s) {
	case DOC_FILE_NOT_LISTED: return "not-listed";
	case DOC_FILE_READ: return "read";
	case DOC_FILE_SKIPPED_EAC: return "skipped-needs-eac";
	case DOC_FILE_ERROR: return "error";
	}
	return "unknown";
}

static const char *const doc_file_reason_names[DOC_FREASON_COUNT] = {
	[DOC_FREASON_NONE] = "none",
	[DOC_FREASON_NOT_FOUND] = "not_found",
	[DOC_FREASON_ACCESS_DENIED] = "access_denied",
	[DOC_FREASON_NEEDS_EAC] = "needs_eac",
	[DOC_FREASON_CARD_STATUS] = "card_status",
	[DOC_FREASON_EMPTY] = "empty",
	[DOC_FREASON_TRUNCATED] = "truncated",
	[DOC_FREASON_MALFORMED] = "malformed",
	[DOC_FREASON_TOO_LARGE] = "too_large",
	[DOC_FREASON_PROTOCOL] = "protocol",
	[DOC_FREASON_SM_DROPPED] = "sm_dropped",
	[DOC_FREASON_SM_INTEGRITY] = "sm_integrity",
	[DOC_FREASON_TRANSPORT] = "transport",
	[DOC_FREASON_CHIP_AUTH_FAILED] = "chip_auth_failed",
	[DOC_FREASON_NOT_REACHED] = "not_reached",
};

const char *
doc_file_reason_str(enum doc_file_reason r)
{
	return (unsigned)r < DOC_FREASON_COUNT ? doc_file_reason_names[r] :
	    "unknown";
}

const char *
doc_file_name(int idx)
{
	static const char *const dg[] = { "EF.COM", "DG1", "DG2", "DG3", "DG4",
		"DG5", "DG6", "DG7", "DG8", "DG9", "DG10", "DG11", "DG12", "DG13",
		"DG14", "DG15", "DG16", "EF.SOD", "EF.CardAccess",
		"EF.CardSecurity" };

	return idx >= 0 && idx < DOC_FILE_COUNT ? dg[idx] : "unknown";
}

const char *
doc_check_status_str(const struct doc_check_result *c)
{
	return c->inconclusive ? "inconclusive" : pa_status_str(c->status);
}

bool
doc_result_passed(const struct doc_result *r)
{
	return r != NULL && r->outcome == DOC_OUTCOME_PASS;
}

void
doc_result_free(struct doc_result **rp)
{
	struct doc_result *r;

	if (rp == NULL || (r = *rp) == NULL)
		return;
	for (int i = 0; i < DOC_FILE_COUNT; i++)
		eg_wbuf_free(&r->file[i].data);	/* secret: wiped */
	mrz_result_clear(&r->holder);
	eg_memzero(r, sizeof(*r));
	free(r);
	*rp = NULL;
}

/* ---- steps and checks ---------------------------------------------------- */

struct doc_run {
	struct doc_result *r;
	struct icao_chan *ch;
	struct icao_sm *sm;
	const struct doc_read_opts *o;
	struct timespec t0, step_t0;
	bool stop;		/* reading cannot go on */
	enum icao_cipher ac_cipher;	/* of the access-control session */
	bool ca_pending;	/* CA keys in use: the next read judges CA */
	bool ca_failed;		/* the chip failed CA: a clone */
	size_t card_max;	/* doc_card.max_rapdu */
	/* what access control did, to run it again (reestablish) */
	const char *bac_info;	/* MRZ information, NULL: CAN only */
	bool pace_used;
	struct icao_pace_params pp;
	bool reauth_used;	/* access control re-established once already */
	bool ca_done;		/* CA ran (keys switched): run it again after
				 * re-establishing access control */
	struct icao_ca_params ca_p;
	const uint8_t *ca_spki;	/* into file[14].data */
	size_t ca_spki_len;
	/* PACE-CAM: what the run left to verify, and the verified key */
	struct icao_pace_cam cam;
	const uint8_t *cam_spki;	/* into file[DOC_FILE_CARDSECURITY].data */
	size_t cam_spki_len;
};

static double
doc_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void
step_begin(struct doc_run *d)
{
	clock_gettime(CLOCK_MONOTONIC, &d->step_t0);
}

static void
step_end(struct doc_run *d, const char *name, int err)
{
	struct timespec t1;
	struct doc_step *s;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = doc_ms(&d->step_t0, &t1);
	EG_LOG(d->o->log, err == EG_OK ? EG_LOG_INFO : EG_LOG_NOTICE, "doc.step",
	    EG_STR("step", name), EG_DBL("ms", ms), EG_ERRF(err));
	if (d->o->trace != NULL) {
		struct icao_trace_ev ev = { .kind = ICAO_TRACE_NOTE, .note = name,
			.err = err, .ms = ms };

		d->o->trace(d->o->trace_ctx, &ev);
	}
	if (d->r->n_steps == DOC_MAX_STEPS)
		return;
	s = &d->r->steps[d->r->n_steps++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->ms = ms;
	s->err = err;
}

static void
set_check(struct doc_result *r, enum doc_check c, enum pa_status st,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
set_check(struct doc_result *r, enum doc_check c, enum pa_status st,
    const char *fmt, ...)
{
	va_list ap;

	r->check[c].status = st;
	r->check[c].inconclusive = false;
	va_start(ap, fmt);
	vsnprintf(r->check[c].reason, sizeof(r->check[c].reason), fmt, ap);
	va_end(ap);
}

/* Errors that mean the card or reader is gone or mute. */
static bool
is_transport(int err)
{
	return err == EG_ERR_IO || err == EG_ERR_NO_CARD || err == EG_ERR_TIMEOUT ||
	    err == EG_ERR_NO_DEVICE || err == EG_ERR_DEVICE ||
	    err == EG_ERR_CANCELLED || err == EG_ERR_CLOSED;
}

static void
stop_unreadable(struct doc_run *d, int err, uint16_t sw)
{
	d->r->outcome = DOC_OUTCOME_UNREADABLE;
	d->r->err = err;
	d->r->sw = sw;
	d->stop = true;
}

/* A secure-messaging failure: the session is dead; what was read under it
 * after the failure is not trusted, and reading stops. */
static void
stop_sm(struct doc_run *d, const char *what, int err, uint16_t sw)
{
	set_check(d->r, DOC_CHECK_SECURE_MESSAGING, PA_FAIL,
	    "%s: %s (%s); session closed", what, eg_err_name(err), eg_strerror(err));
	d->r->err = err;
	d->r->sw = sw;
	d->stop = true;
}

/* ---- files ---------------------------------------------------------------- */

static uint8_t
file_sfi(int idx)
{
	if (idx == DOC_FILE_COM)
		return 0x1E;
	if (idx == DOC_FILE_SOD)
		return 0x1D;
	if (idx == DOC_FILE_CARDACCESS)
		return 0x1C;
	if (idx == DOC_FILE_CARDSECURITY)
		return 0x1D;	/* in the MF */
	return (uint8_t)idx;	/* DGn has SFI n */
}

/* ca_judge — the first protected command after Chip Authentication decides
 * it (icao_ca_judge). A fail is the clone and stops reading: the rest could
 * not be read under keys the chip does not have. True when reading stops. */
static bool
ca_judge(struct doc_run *d, const char *what, int err, uint16_t sw)
{
	struct doc_result *r = d->r;

	switch (icao_ca_judge(err, sw)) {
	case ICAO_CA_PASS:
		set_check(r, DOC_CHECK_CHIP_AUTHENTICATION, PA_PASS,
		    "CA (%s): the chip holds DG14's private key",
		    icao_cipher_name(icao_sm_cipher(d->sm)));
		return false;
	case ICAO_CA_FAIL:
		set_check(r, DOC_CHECK_CHIP_AUTHENTICATION, PA_FAIL,
		    "cloned chip: it does not hold DG14's private key (%s after "
		    "CA: %s, SW %04X)", what, eg_err_name(err), sw);
		d->ca_failed = true;
		d->stop = true;
		return true;
	case ICAO_CA_INCONCLUSIVE:
		break;
	}
	set_check(r, DOC_CHECK_CHIP_AUTHENTICATION, PA_NOT_CHECKED,
	    "%s after CA: %s (SW %04X)", what, eg_err_name(err), sw);
	r->check[DOC_CHECK_CHIP_AUTHENTICATION].inconclusive = true;
	return false;
}

/* read_size_opts — with no chunk size forced by the caller and a response
 * limit known (read_size), the largest READ BINARY that fits it under the
 * current protection, in the extended form; when that is not more than the
 * short default, the default. */
static void
read_size_opts(struct doc_run *d, struct icao_read_opts *ro)
{
	size_t block = 0, n;

	if (ro->max_chunk != 0 || d->r->rsize.limit == 0)
		return;
	if (icao_chan_sm(d->ch) != NULL)
		block = icao_cipher_block_len(icao_sm_cipher(d->sm));
	n = icao_read_chunk_fit(d->r->rsize.limit, block);
	if (n > ICAO_READ_CHUNK_DEFAULT) {
		ro->max_chunk = n;
		ro->extended = true;
	}
}

/* read_size — after power-on: does the chip take extended-length APDUs
 * (ATR), and up to what size (EF.ATR/INFO, in the MF, read in the clear
 * before access control)? The limit is the reader's, lowered to the
 * chip's when it gives one. Any trouble here only means short reads. */
static void
read_size(struct doc_run *d, const uint8_t *atr, size_t atr_len)
{
	struct doc_read_size *rs = &d->r->rsize;
	struct icao_atr_caps caps;
	struct icao_read_opts ro;
	struct eg_wbuf info;
	size_t mc = 0, mr = 0;
	uint16_t sw = 0;
	int err;

	rs->reader_max = d->card_max;
	if (atr == NULL || icao_atr_caps_parse(atr, atr_len, &caps) != EG_OK ||
	    !caps.ext_length)
		return;
	rs->chip_ext = true;
	if (caps.ext_info) {
		eg_wbuf_init(&info, 1024, false);
		memset(&ro, 0, sizeof(ro));
		ro.max_file = 1024;
		step_begin(d);
		err = icao_select_fid(d->ch, ICAO_FID_EF_ATR_INFO, &sw);
		if (err == EG_OK)
			err = icao_read_file(d->ch, &ro, &info, &sw, NULL);
		if (err == EG_OK)
			err = icao_atr_info_parse(info.data, info.len, &mc, &mr);
		/* announced but absent (6A82): no limit given, no error */
		step_end(d, "read_EF.ATR/INFO", err == EG_ERR_CARD_STATUS &&
		    sw == ICAO_SW_FILE_NOT_FOUND ? EG_OK : err);
		eg_wbuf_free(&info);
		if (is_transport(err)) {
			stop_unreadable(d, err, sw);
			return;
		}
		if (err == EG_OK) {
			rs->chip_info = true;
			rs->chip_max = mr;
		}
	}
	rs->limit = rs->reader_max;
	if (rs->chip_max != 0 && rs->chip_max < rs->limit)
		rs->limit = rs->chip_max;
	EG_LOG(d->o->log, EG_LOG_INFO, "doc.read_size", EG_UINT("reader_max", rs->reader_max),
	    EG_UINT("chip_max", rs->chip_max), EG_UINT("limit", rs->limit));
}

/* The file identifier of file idx (Doc 9303 Part 10: 01xx). */
static uint16_t
file_fid(int idx)
{
	if (idx == DOC_FILE_COM)
		return ICAO_FID_EF_COM;
	if (idx == DOC_FILE_SOD)
		return ICAO_FID_EF_SOD;
	if (idx == DOC_FILE_CARDACCESS)
		return ICAO_FID_EF_CARDACCESS;
	if (idx == DOC_FILE_CARDSECURITY)
		return ICAO_FID_EF_CARDSECURITY;
	return (uint16_t)(ICAO_FID_EF_DG1 - 1 + idx);
}

/* The session was attached and is dead now. */
static bool
sm_dead(const struct doc_run *d)
{
	return icao_chan_sm(d->ch) != NULL && icao_sm_state(d->sm) == ICAO_SM_FAILED;
}

/* Why a read failed, for the per-file report. sm_failed: the session died
 * on it (a status in the clear means the chip ended it; anything else is
 * a response that did not verify). */
static enum doc_file_reason
file_reason(int err, uint16_t sw, const struct icao_read_stats *st,
    bool sm_failed)
{
	if (is_transport(err))
		return DOC_FREASON_TRANSPORT;
	if (sm_failed && err != EG_ERR_CARD_STATUS)
		return DOC_FREASON_SM_INTEGRITY;
	if (sm_failed && sw != ICAO_SW_FILE_NOT_FOUND &&
	    sw != ICAO_SW_SECURITY_STATUS)
		return DOC_FREASON_SM_DROPPED;	/* 6987, 6988, ... in the clear */
	switch (err) {
	case EG_ERR_CARD_STATUS:
		if (sw == ICAO_SW_FILE_NOT_FOUND)
			return DOC_FREASON_NOT_FOUND;
		if (sw == ICAO_SW_SECURITY_STATUS)
			return DOC_FREASON_ACCESS_DENIED;
		return DOC_FREASON_CARD_STATUS;
	case EG_ERR_TRUNCATED:
		return st != NULL && st->empty ? DOC_FREASON_EMPTY :
		    DOC_FREASON_TRUNCATED;
	case EG_ERR_FORMAT:
		return DOC_FREASON_MALFORMED;
	case EG_ERR_OVERFLOW:
		return DOC_FREASON_TOO_LARGE;
	default:
		return DOC_FREASON_PROTOCOL;
	}
}

static bool reestablish(struct doc_run *d, const char *at, uint16_t sw);

/*
 * sm_dropped — the chip answered `what` with a status in the clear and so
 * ended secure messaging (as some chips do after an error). Access control
 * is run again, once for this event (and at most DOC_REESTABLISH_MAX times
 * in a read): true when the session is back. Otherwise reading stops.
 */
static bool
sm_dropped(struct doc_run *d, const char *what, uint16_t sw)
{
	struct doc_adapt *a = &d->r->adapt;

	if (a->sm_dropped_at[0] == '\0') {
		snprintf(a->sm_dropped_at, sizeof(a->sm_dropped_at), "%s", what);
		a->sm_dropped_sw = sw;
	}
	if (a->reestablished < DOC_REESTABLISH_MAX && reestablish(d, what, sw))
		return true;
	if (!d->stop) {
		d->r->err = EG_ERR_CARD_STATUS;
		d->r->sw = sw;
		d->stop = true;
	}
	return false;
}

/* read_file_try — read one EF into r->file[idx]: by SFI, or SELECTed by
 * its identifier when the chip refuses SFI (remembered for the other
 * files), or SELECTed at once (select_only, after sfi_sw refused the read
 * by SFI); records the failure reason. A transport loss makes the document
 * unreadable; a response that does not verify stops reading (secure
 * messaging failed); a chip that ends the session after an error gets it
 * back (sm_dropped) and the file is read again when the failure may have
 * been the session's or the SFI's, not the file's. */
static void
read_file_try(struct doc_run *d, int idx, bool select_only, uint16_t sfi_sw)
{
	struct doc_file *f = &d->r->file[idx];
	struct icao_read_opts ro = d->o->read;
	struct icao_read_stats st;
	char name[24];
	uint16_t sw = 0;
	bool dead, by_sfi;
	int err;

	snprintf(name, sizeof(name), "read_%s", doc_file_name(idx));
	ro.sfi = d->r->adapt.no_sfi || select_only ? 0 : file_sfi(idx);
	ro.fid = file_fid(idx);
	by_sfi = ro.sfi != 0;
	read_size_opts(d, &ro);
	memset(&st, 0, sizeof(st));
	eg_wbuf_reset(&f->data);
	step_begin(d);
	err = icao_read_file(d->ch, &ro, &f->data, &sw, &st);
	step_end(d, name, err);
	f->sw = sw;
	f->err = err;
	f->commands = st.commands;
	f->final_chunk = st.final_chunk;
	f->extended = st.extended;
	f->by_fid = st.by_fid;
	if (select_only && st.sfi_sw == 0)
		st.sfi_sw = sfi_sw;
	if (d->ca_pending) {
		d->ca_pending = false;
		if (ca_judge(d, name, err, sw)) {
			f->status = DOC_FILE_ERROR;
			f->reason = DOC_FREASON_CHIP_AUTH_FAILED;
			eg_wbuf_reset(&f->data);
			return;
		}
	}
	if (err == EG_OK) {
		f->status = DOC_FILE_READ;
		f->reason = DOC_FREASON_NONE;
		if (st.by_fid && st.sfi_sw != 0 && !d->r->adapt.no_sfi) {
			/* found by identifier, refused by SFI: this chip
			 * has no short identifiers; SELECT from now on */
			d->r->adapt.no_sfi = true;
			d->r->adapt.sfi_sw = st.sfi_sw;
		}
		return;
	}
	dead = sm_dead(d);
	f->status = DOC_FILE_ERROR;
	f->reason = file_reason(err, sw, &st, dead);
	eg_wbuf_reset(&f->data);
	if (f->reason == DOC_FREASON_TRANSPORT) {
		stop_unreadable(d, err, sw);
	} else if (dead && err == EG_ERR_CARD_STATUS) {
		/* the session is back: read the file again unless the chip
		 * said why the file failed (absent, access denied) — and a
		 * refused read by SFI says nothing about the file yet */
		bool sfi_refused = by_sfi && !st.by_fid && f->commands <= 1 &&
		    sw != ICAO_SW_SECURITY_STATUS;

		if (sm_dropped(d, name, sw) && !f->retried &&
		    (f->reason == DOC_FREASON_SM_DROPPED || sfi_refused)) {
			f->retried = true;
			read_file_try(d, idx, sfi_refused, sfi_refused ? sw : 0);
		}
	} else if (dead) {
		stop_sm(d, name, err, sw);
	}
}

static void
read_file(struct doc_run *d, int idx)
{
	read_file_try(d, idx, false, 0);
}

/* ---- access control ----------------------------------------------------- */

/* The PACEInfo of EF.CardAccess to use: of those icao_pace supports, CAM
 * (it also authenticates the chip), then GM, then IM. EG_OK;
 * EG_ERR_NOT_FOUND: no PACE offered; EG_ERR_UNSUPPORTED: none usable. */
static int
pace_params(const struct doc_file *ca, struct icao_pace_params *p)
{
	static const enum icao_pace_mapping pref[] = { ICAO_PACE_MAP_CAM,
		ICAO_PACE_MAP_GM, ICAO_PACE_MAP_IM };
	struct icao_pace_params q;
	struct lds_secinfos si;
	int ret = EG_ERR_NOT_FOUND;

	if (ca->status != DOC_FILE_READ ||
	    lds_cardaccess_parse(ca->data.data, ca->data.len, &si) != EG_OK)
		return EG_ERR_NOT_FOUND;
	for (size_t m = 0; m < sizeof(pref) / sizeof(pref[0]); m++)
		for (size_t i = 0; i < si.n; i++) {
			if (si.si[i].kind != LDS_SI_PACE_INFO)
				continue;
			ret = EG_ERR_UNSUPPORTED;
			if (icao_pace_params_init(&q, si.si[i].oid,
			    si.si[i].param_id) == EG_OK && q.mapping == pref[m]) {
				*p = q;
				return EG_OK;
			}
		}
	return ret;
}

/* PACE with the password given (CAN first, else the MRZ); true when the
 * session is up. On failure reason says why (a transport error also stops
 * the read: unreadable). */
static bool
run_pace(struct doc_run *d, const struct icao_pace_params *pp,
    const char *bac_info, char *reason, size_t cap)
{
	uint16_t sw = 0;
	int err;

	step_begin(d);
	err = icao_pace_run_cam(d->ch, pp, d->o->can != NULL ? ICAO_PACE_PW_CAN :
	    ICAO_PACE_PW_MRZ, d->o->can != NULL ? d->o->can : bac_info,
	    d->o->rng, d->o->rng_ctx, d->sm, &d->cam, &sw);
	step_end(d, "access_control_pace", err);
	if (err == EG_OK && icao_sm_state(d->sm) == ICAO_SM_READY) {
		snprintf(reason, cap, "PACE-%s (%s, %s)",
		    icao_pace_mapping_name(pp->mapping),
		    icao_cipher_name(pp->cipher), icao_pace_curve_name(pp->param_id));
		return true;
	}
	icao_chan_set_sm(d->ch, NULL);
	if (is_transport(err)) {
		stop_unreadable(d, err, sw);
		return false;
	}
	if (err == EG_ERR_AUTH)
		snprintf(reason, cap, "PACE refused: wrong %s (SW %04X)",
		    d->o->can != NULL ? "CAN" : "MRZ", sw);
	else if (err == EG_ERR_CARD_STATUS)
		snprintf(reason, cap, "PACE: %s (SW %04X)", icao_sw_str(sw), sw);
	else
		snprintf(reason, cap, "PACE: %s", eg_err_name(err));
	return false;
}

/*
 * pace_cam — after a PACE-CAM run, in the MF: read EF.CardSecurity, verify
 * it (signature, DS issued by a trusted CSCA), take its Chip
 * Authentication key and check the chip's CA_IC against it. Any failure
 * fails the check: a chip that offers CAM must prove it; a mismatch is a
 * clone. Reading goes on either way (the PACE session itself is sound).
 */
static void
pace_cam(struct doc_run *d)
{
	struct doc_result *r = d->r;
	const struct doc_file *f = &r->file[DOC_FILE_CARDSECURITY];
	const struct lds_secinfo *k;
	struct cardsec cs;
	char why[160] = "";
	int err;

	read_file(d, DOC_FILE_CARDSECURITY);
	if (d->stop)
		return;
	if (f->status != DOC_FILE_READ) {
		set_check(r, DOC_CHECK_PACE_CAM, PA_FAIL, "EF.CardSecurity not read "
		    "(%s, SW %04X): the chip's PACE-CAM key cannot be verified",
		    doc_file_reason_str(f->reason), f->sw);
		return;
	}
	step_begin(d);
	err = cardsec_verify(f->data.data, f->data.len, d->o->store,
	    d->o->check_time != 0 ? d->o->check_time : time(NULL), &cs, why,
	    sizeof(why));
	if (err == EG_OK && (k = cardsec_ca_key(&cs)) == NULL)
		err = EG_ERR_NOT_FOUND;
	if (err != EG_OK) {
		step_end(d, "pace_cam", err);
		if (err == EG_ERR_NOT_FOUND)
			set_check(r, DOC_CHECK_PACE_CAM, PA_FAIL, "EF.CardSecurity "
			    "holds no Chip Authentication public key");
		else
			set_check(r, DOC_CHECK_PACE_CAM, PA_FAIL, "%s", why);
		return;
	}
	err = icao_pace_cam_verify(&d->cam, k->spki, k->spki_len);
	step_end(d, "pace_cam", err);
	switch (err) {
	case EG_OK:
		d->cam_spki = k->spki;
		d->cam_spki_len = k->spki_len;
		set_check(r, DOC_CHECK_PACE_CAM, PA_PASS, "the chip holds the "
		    "private key of its Chip Authentication key (%.100s)", why);
		break;
	case EG_ERR_AUTH:
		set_check(r, DOC_CHECK_PACE_CAM, PA_FAIL, "cloned chip: its PACE-CAM "
		    "data does not match the key of EF.CardSecurity");
		break;
	case EG_ERR_NOMEM:
	case EG_ERR_CRYPTO:
		set_check(r, DOC_CHECK_PACE_CAM, PA_NOT_CHECKED, "PACE-CAM: %s",
		    eg_err_name(err));
		r->check[DOC_CHECK_PACE_CAM].inconclusive = true;
		break;
	default:
		set_check(r, DOC_CHECK_PACE_CAM, PA_FAIL, "EF.CardSecurity's Chip "
		    "Authentication key is unusable for PACE-CAM (%s)",
		    eg_err_name(err));
	}
}

static int
select_app(struct doc_run *d)
{
	uint16_t sw = 0;
	int err;

	step_begin(d);
	err = icao_select_aid(d->ch, (const uint8_t *)ICAO_AID_EMRTD,
	    ICAO_AID_EMRTD_LEN, &sw);
	step_end(d, "select", err);
	if (err == EG_OK)
		return EG_OK;
	if (is_transport(err) || err == EG_ERR_CARD_STATUS) {
		set_check(d->r, DOC_CHECK_ACCESS_CONTROL, PA_NOT_CHECKED,
		    "SELECT eMRTD application: %s (SW %04X)",
		    err == EG_ERR_CARD_STATUS ? icao_sw_str(sw) : eg_strerror(err), sw);
		stop_unreadable(d, err, sw);
	} else {
		stop_sm(d, "SELECT eMRTD application", err, sw);
	}
	return err;
}

static void
access_control(struct doc_run *d, const char *bac_info)
{
	struct doc_result *r = d->r;
	struct icao_pace_params pp;
	char reason[160] = "", pace_ok[64] = "", swtxt[32] = "";
	bool pace_done = false, pace_failed = false;
	uint16_t sw = 0;
	int err;

	/* EF.CardAccess in the MF: PACE offered? */
	read_file(d, DOC_FILE_CARDACCESS);
	if (d->stop)
		return;
	if (r->file[DOC_FILE_CARDACCESS].status == DOC_FILE_ERROR &&
	    r->file[DOC_FILE_CARDACCESS].sw == ICAO_SW_FILE_NOT_FOUND) {
		/* optional file: its absence is no error (no PACE offered) */
		r->file[DOC_FILE_CARDACCESS].status = DOC_FILE_NOT_LISTED;
		if (r->n_steps > 0)
			r->steps[r->n_steps - 1].err = EG_OK;
	}
	err = pace_params(&r->file[DOC_FILE_CARDACCESS], &pp);
	if (err == EG_ERR_UNSUPPORTED) {
		snprintf(reason, sizeof(reason),
		    "PACE offered with unsupported parameters");
		pace_failed = true;
	} else if (err == EG_OK) {
		pace_done = run_pace(d, &pp, bac_info, pace_ok, sizeof(pace_ok));
		if (d->stop)
			return;
		if (pace_done) {
			d->pace_used = true;
			d->pp = pp;
			snprintf(r->access, sizeof(r->access), "PACE");
			if (pp.mapping == ICAO_PACE_MAP_CAM) {
				pace_cam(d);
				if (d->stop)
					return;
			} else {
				set_check(r, DOC_CHECK_PACE_CAM, PA_NOT_CHECKED,
				    "PACE-%s: no Chip Authentication Mapping",
				    icao_pace_mapping_name(pp.mapping));
			}
		} else {
			snprintf(reason, sizeof(reason), "%s", pace_ok);
			pace_failed = true;
		}
	}
	if (select_app(d) != EG_OK)
		return;
	if (pace_done) {
		d->ac_cipher = icao_sm_cipher(d->sm);
		set_check(r, DOC_CHECK_ACCESS_CONTROL, PA_PASS, "%s", pace_ok);
		return;
	}
	if (bac_info == NULL && pace_failed) {
		/* the chip refused the CAN (or PACE broke): a failed check */
		set_check(r, DOC_CHECK_ACCESS_CONTROL, PA_FAIL, "%s", reason);
		r->err = EG_ERR_AUTH;
		d->stop = true;
		return;
	}
	if (bac_info == NULL) {
		set_check(r, DOC_CHECK_ACCESS_CONTROL, PA_NOT_CHECKED,
		    "a CAN needs PACE: %s", reason[0] ? reason : "chip offers no PACE");
		stop_unreadable(d, EG_ERR_UNSUPPORTED, 0);
		return;
	}
	step_begin(d);
	err = icao_bac_run(d->ch, bac_info, d->o->rng, d->o->rng_ctx, d->sm, &sw);
	step_end(d, "access_control_bac", err);
	if (err == EG_OK) {
		d->ac_cipher = icao_sm_cipher(d->sm);
		snprintf(r->access, sizeof(r->access), "BAC");
		if (reason[0])
			set_check(r, DOC_CHECK_ACCESS_CONTROL, PA_PASS, "BAC (%s)",
			    reason);
		else
			set_check(r, DOC_CHECK_ACCESS_CONTROL, PA_PASS, "BAC");
		return;
	}
	icao_chan_set_sm(d->ch, NULL);
	if (err == EG_ERR_CARD_STATUS && (sw == DOC_SW_NO_REF || sw == DOC_SW_NO_INS)) {
		/* a chip without access control: files readable in the clear */
		snprintf(r->access, sizeof(r->access), "none");
		set_check(r, DOC_CHECK_ACCESS_CONTROL, PA_NOT_CHECKED,
		    "chip offers no access control (SW %04X); read in the clear", sw);
		return;
	}
	if (is_transport(err)) {
		stop_unreadable(d, err, sw);
		return;
	}
	if (err == EG_ERR_CARD_STATUS)
		snprintf(swtxt, sizeof(swtxt), " (SW %04X%s)", sw,
		    sw == 0x6300 ? ": wrong MRZ?" : "");
	set_check(r, DOC_CHECK_ACCESS_CONTROL, PA_FAIL, "BAC: %s%s%s%s%s%s",
	    err == EG_ERR_CARD_STATUS ? icao_sw_str(sw) : eg_strerror(err),
	    swtxt,
	    err == EG_ERR_MAC ? " (chip's answer does not verify)" : "",
	    reason[0] ? " (" : "", reason, reason[0] ? ")" : "");
	r->err = err;
	r->sw = sw;
	d->stop = true;
}

/*
 * reestablish — the chip ended secure messaging at `at` (answering sw in
 * the clear): run access control again as before (PACE with the same
 * parameters and password, or BAC), SELECT the application and, when Chip
 * Authentication had switched the keys, run it again (the next read judges
 * it afresh). True when the session is back. A transport loss makes the
 * document unreadable; any other failure leaves reading to stop.
 */
static bool
reestablish(struct doc_run *d, const char *at, uint16_t sw)
{
	struct doc_result *r = d->r;
	uint16_t s = 0;
	int err;

	(void)sw;
	icao_chan_set_sm(d->ch, NULL);
	step_begin(d);
	if (d->pace_used)
		err = icao_pace_run_cam(d->ch, &d->pp, d->o->can != NULL ?
		    ICAO_PACE_PW_CAN : ICAO_PACE_PW_MRZ, d->o->can != NULL ?
		    d->o->can : d->bac_info, d->o->rng, d->o->rng_ctx, d->sm,
		    &d->cam, &s);
	else if (d->bac_info != NULL && strcmp(r->access, "BAC") == 0)
		err = icao_bac_run(d->ch, d->bac_info, d->o->rng, d->o->rng_ctx,
		    d->sm, &s);
	else
		err = EG_ERR_STATE;	/* no session to get back */
	step_end(d, "reestablish_access", err);
	if (err == EG_OK && d->pace_used && d->pp.mapping == ICAO_PACE_MAP_CAM &&
	    d->cam_spki != NULL &&
	    icao_pace_cam_verify(&d->cam, d->cam_spki, d->cam_spki_len) != EG_OK) {
		/* the same chip must prove it again */
		set_check(r, DOC_CHECK_PACE_CAM, PA_FAIL, "cloned chip: after "
		    "access control was re-established its PACE-CAM data does "
		    "not match the key of EF.CardSecurity");
	}
	if (err == EG_OK) {
		step_begin(d);
		err = icao_select_aid(d->ch, (const uint8_t *)ICAO_AID_EMRTD,
		    ICAO_AID_EMRTD_LEN, &s);
		step_end(d, "select", err);
	}
	if (err == EG_OK && d->ca_done) {
		step_begin(d);
		err = icao_ca_run(d->ch, &d->ca_p, d->ca_spki, d->ca_spki_len,
		    d->o->rng, d->o->rng_ctx, &s);
		step_end(d, "chip_auth", err);
		if (err == EG_OK)
			d->ca_pending = true;
	}
	if (err != EG_OK) {
		if (is_transport(err))
			stop_unreadable(d, err, s);
		EG_LOG(d->o->log, EG_LOG_NOTICE, "doc.reestablish",
		    EG_STR("at", at), EG_ERRF(err), EG_UINT("sw", s));
		return false;
	}
	r->adapt.reestablished++;
	EG_LOG(d->o->log, EG_LOG_NOTICE, "doc.reestablish", EG_STR("at", at),
	    EG_ERRF(EG_OK));
	return true;
}

/* ---- the flow -------------------------------------------------------------- */

static void
parse_holder(struct doc_result *r)
{
	struct lds_dg1 dg1;
	const char *lines[3];

	if (r->file[1].status != DOC_FILE_READ)
		return;
	if (lds_dg1_parse(r->file[1].data.data, r->file[1].data.len, &dg1) == EG_OK) {
		for (int i = 0; i < dg1.n_lines && i < 3; i++)
			lines[i] = dg1.lines[i];
		(void)mrz_parse(lines, (size_t)dg1.n_lines, NULL, &r->holder);
		r->holder_valid = r->holder.format != MRZ_FORMAT_UNKNOWN;
	}
	eg_memzero(&dg1, sizeof(dg1));
}

static void
run_pa(struct doc_run *d)
{
	struct doc_result *r = d->r;
	struct pa_input in;

	memset(&in, 0, sizeof(in));
	if (r->file[DOC_FILE_SOD].status == DOC_FILE_READ) {
		in.sod = r->file[DOC_FILE_SOD].data.data;
		in.sod_len = r->file[DOC_FILE_SOD].data.len;
	}
	if (r->file[DOC_FILE_COM].status == DOC_FILE_READ) {
		in.com = r->file[DOC_FILE_COM].data.data;
		in.com_len = r->file[DOC_FILE_COM].data.len;
	}
	for (int i = 1; i <= LDS_MAX_DG; i++)
		if (r->file[i].status == DOC_FILE_READ) {
			in.dg[i] = r->file[i].data.data;
			in.dg_len[i] = r->file[i].data.len;
		}
	in.printed_mrz = d->o->mrz;
	in.check_time = d->o->check_time != 0 ? d->o->check_time : time(NULL);
	step_begin(d);
	(void)pa_verify(&in, d->o->store, &r->pa);
	step_end(d, "passive_auth", EG_OK);
	r->pa_ran = true;
	/* a missing or empty EF.SOD is a named failure with its cause */
	if (r->file[DOC_FILE_SOD].status != DOC_FILE_READ) {
		const struct doc_file *f = &r->file[DOC_FILE_SOD];
		struct pa_result *c = &r->pa.r[PA_SOD_PARSE];

		c->status = PA_FAIL;
		if (f->reason == DOC_FREASON_NOT_FOUND)
			snprintf(c->reason, sizeof(c->reason),
			    "EF.SOD missing: the chip has no such file (SW %04X)",
			    f->sw);
		else if (f->reason == DOC_FREASON_EMPTY)
			snprintf(c->reason, sizeof(c->reason),
			    "EF.SOD empty: the file has no content");
		else if (f->sw != 0)
			snprintf(c->reason, sizeof(c->reason),
			    "EF.SOD not read: %s (SW %04X)",
			    doc_file_reason_str(f->reason), f->sw);
		else
			snprintf(c->reason, sizeof(c->reason),
			    "EF.SOD not read: %s", doc_file_reason_str(f->reason));
	}
}

/* chip_auth — Chip Authentication with DG14's key, right after DG14 was
 * read (Doc 9303 Part 11 §6.2): the next protected read judges it. */
static void
chip_auth(struct doc_run *d)
{
	struct doc_result *r = d->r;
	const struct doc_file *dg14 = &r->file[14];
	const struct lds_secinfo *info = NULL, *pk = NULL;
	struct lds_secinfos si;
	struct icao_ca_params p;
	uint16_t sw = 0;
	int err;

	if (dg14->status != DOC_FILE_READ) {
		set_check(r, DOC_CHECK_CHIP_AUTHENTICATION, PA_NOT_CHECKED,
		    "DG14 not read");
		return;
	}
	if (lds_dg14_parse(dg14->data.data, dg14->data.len, &si) != EG_OK) {
		set_check(r, DOC_CHECK_CHIP_AUTHENTICATION, PA_NOT_CHECKED,
		    "DG14 does not parse");
		r->check[DOC_CHECK_CHIP_AUTHENTICATION].inconclusive = true;
		return;
	}
	for (size_t i = 0; i < si.n; i++)
		if (si.si[i].kind == LDS_SI_CA_INFO && info == NULL)
			info = &si.si[i];
	for (size_t i = 0; info != NULL && i < si.n; i++)
		if (si.si[i].kind == LDS_SI_CA_PUBKEY && pk == NULL &&
		    (info->key_id < 0 || si.si[i].key_id < 0 ||
		    si.si[i].key_id == info->key_id))
			pk = &si.si[i];
	if (info == NULL || pk == NULL) {
		set_check(r, DOC_CHECK_CHIP_AUTHENTICATION, PA_NOT_CHECKED,
		    "DG14 offers no Chip Authentication");
		return;
	}
	if (icao_ca_params_init(&p, info->oid, info->key_id) != EG_OK) {
		set_check(r, DOC_CHECK_CHIP_AUTHENTICATION, PA_NOT_CHECKED,
		    "Chip Authentication %s not supported", info->oid);
		r->check[DOC_CHECK_CHIP_AUTHENTICATION].inconclusive = true;
		return;
	}
	step_begin(d);
	err = icao_ca_run(d->ch, &p, pk->spki, pk->spki_len, d->o->rng,
	    d->o->rng_ctx, &sw);
	step_end(d, "chip_auth", err);
	if (err == EG_OK) {
		d->ca_pending = true;
		d->ca_done = true;
		d->ca_p = p;
		d->ca_spki = pk->spki;
		d->ca_spki_len = pk->spki_len;
		set_check(r, DOC_CHECK_CHIP_AUTHENTICATION, PA_NOT_CHECKED,
		    "no protected command after CA");
		r->check[DOC_CHECK_CHIP_AUTHENTICATION].inconclusive = true;
		return;
	}
	if (is_transport(err)) {
		stop_unreadable(d, err, sw);
		return;
	}
	if (err == EG_ERR_CARD_STATUS) {
		/* DG14 announces CA and the chip will not do it */
		set_check(r, DOC_CHECK_CHIP_AUTHENTICATION, PA_FAIL,
		    "the chip refuses the Chip Authentication DG14 announces "
		    "(SW %04X)", sw);
		/* said in the clear: the chip ended the session */
		if (sm_dead(d))
			(void)sm_dropped(d, "chip_auth", sw);
		return;
	}
	if (icao_sm_state(d->sm) != ICAO_SM_READY) {
		stop_sm(d, "chip_auth", err, sw);
		return;
	}
	set_check(r, DOC_CHECK_CHIP_AUTHENTICATION, PA_NOT_CHECKED,
	    "CA: %s (SW %04X)", eg_err_name(err), sw);
	r->check[DOC_CHECK_CHIP_AUTHENTICATION].inconclusive = true;
}

/* active_auth — Active Authentication with DG15's key; the ECDSA hash from
 * DG14's ActiveAuthenticationInfo (SHA-256 without one). */
static void
active_auth(struct doc_run *d)
{
	struct doc_result *r = d->r;
	const struct doc_file *dg14 = &r->file[14], *dg15 = &r->file[15];
	mbedtls_md_type_t md = MBEDTLS_MD_NONE;
	struct lds_dg15 k;
	char alg[32];
	uint16_t sw = 0;
	int err;

	if (dg15->status != DOC_FILE_READ) {
		set_check(r, DOC_CHECK_ACTIVE_AUTHENTICATION, PA_NOT_CHECKED,
		    "no DG15 on the chip");
		return;
	}
	memset(&k, 0, sizeof(k));
	mbedtls_pk_init(&k.pk);
	if (lds_dg15_parse(dg15->data.data, dg15->data.len, &k) != EG_OK) {
		set_check(r, DOC_CHECK_ACTIVE_AUTHENTICATION, PA_NOT_CHECKED,
		    "DG15 does not parse");
		r->check[DOC_CHECK_ACTIVE_AUTHENTICATION].inconclusive = true;
		goto out;
	}
	if (dg14->status == DOC_FILE_READ &&
	    (err = icao_aa_md_from_dg14(dg14->data.data, dg14->data.len,
	    &md)) != EG_OK) {
		set_check(r, DOC_CHECK_ACTIVE_AUTHENTICATION, PA_NOT_CHECKED,
		    "DG14's ActiveAuthenticationInfo: %s", eg_err_name(err));
		r->check[DOC_CHECK_ACTIVE_AUTHENTICATION].inconclusive = true;
		goto out;
	}
	step_begin(d);
	err = icao_aa_run(d->ch, &k.pk, md, d->o->rng, d->o->rng_ctx, &sw);
	step_end(d, "active_auth", err);
	switch (err) {
	case EG_OK:
		if (mbedtls_pk_can_do(&k.pk, MBEDTLS_PK_RSA))
			snprintf(alg, sizeof(alg), "RSA, ISO 9796-2");
		else
			snprintf(alg, sizeof(alg), "ECDSA %s", md == MBEDTLS_MD_NONE ?
			    "SHA256" : mbedtls_md_get_name(mbedtls_md_info_from_type(md)));
		set_check(r, DOC_CHECK_ACTIVE_AUTHENTICATION, PA_PASS,
		    "AA (%s): the chip signed our challenge with DG15's key", alg);
		break;
	case EG_ERR_AUTH:
	case EG_ERR_FORMAT:
		set_check(r, DOC_CHECK_ACTIVE_AUTHENTICATION, PA_FAIL,
		    "cloned chip: its signature does not verify with DG15's key "
		    "(%s)", eg_err_name(err));
		break;
	case EG_ERR_CARD_STATUS:
		set_check(r, DOC_CHECK_ACTIVE_AUTHENTICATION, PA_FAIL,
		    "DG15 holds a key but the chip refuses INTERNAL AUTHENTICATE "
		    "(SW %04X)", sw);
		break;
	default:
		set_check(r, DOC_CHECK_ACTIVE_AUTHENTICATION, PA_NOT_CHECKED,
		    "AA: %s (SW %04X)", eg_err_name(err), sw);
		r->check[DOC_CHECK_ACTIVE_AUTHENTICATION].inconclusive = true;
		if (icao_chan_sm(d->ch) != NULL &&
		    icao_sm_state(d->sm) == ICAO_SM_FAILED)
			stop_sm(d, "active_auth", err, sw);
	}
out:
	lds_dg15_free(&k);
}

static void
read_files(struct doc_run *d)
{
	struct doc_result *r = d->r;
	struct lds_com com;
	uint32_t mask = (1u << 1) | (1u << 2);	/* mandatory if EF.COM fails */

	read_file(d, DOC_FILE_COM);
	if (d->stop)
		return;
	if (r->file[DOC_FILE_COM].status == DOC_FILE_READ &&
	    lds_com_parse(r->file[DOC_FILE_COM].data.data,
	    r->file[DOC_FILE_COM].data.len, &com) == EG_OK)
		mask = com.dg_mask;
	/* DG14 and Chip Authentication first, so the rest proves the chip */
	if (mask & (1u << 14)) {
		read_file(d, 14);
		if (d->stop)
			return;
		chip_auth(d);
		if (d->stop)
			return;
	} else {
		set_check(r, DOC_CHECK_CHIP_AUTHENTICATION, PA_NOT_CHECKED,
		    "no DG14 on the chip");
	}
	read_file(d, DOC_FILE_SOD);
	for (int i = 1; i <= LDS_MAX_DG && !d->stop; i++) {
		if (!(mask & (1u << i)) || i == 14)
			continue;
		if (i == 3 || i == 4) {
			/* fingerprints, iris: Extended Access Control only */
			r->file[i].status = DOC_FILE_SKIPPED_EAC;
			r->file[i].reason = DOC_FREASON_NEEDS_EAC;
			r->file[i].sw = ICAO_SW_SECURITY_STATUS;
			continue;
		}
		read_file(d, i);
	}
}

/* After reading stopped early: every file that would have been read and
 * was not attempted is reported as not reached (EF.COM's list, or DG1 and
 * DG2 without it; EF.SOD always). */
static void
mark_not_reached(struct doc_run *d)
{
	struct doc_result *r = d->r;
	struct lds_com com;
	uint32_t mask = (1u << 1) | (1u << 2);

	if (r->file[DOC_FILE_COM].status == DOC_FILE_READ &&
	    lds_com_parse(r->file[DOC_FILE_COM].data.data,
	    r->file[DOC_FILE_COM].data.len, &com) == EG_OK)
		mask = com.dg_mask;
	mask &= ~((1u << 3) | (1u << 4));
	for (int i = 0; i < DOC_FILE_CARDACCESS; i++) {
		bool want = i == DOC_FILE_COM || i == DOC_FILE_SOD ||
		    (i >= 1 && i <= LDS_MAX_DG && (mask & (1u << i)));

		if (want && r->file[i].status == DOC_FILE_NOT_LISTED) {
			r->file[i].status = DOC_FILE_ERROR;
			r->file[i].reason = DOC_FREASON_NOT_REACHED;
		}
	}
}

/* files_read: a chip that withholds a file it lists (or a mandatory one)
 * must not pass on the strength of the files it did hand out. */
static void
check_files(struct doc_run *d)
{
	struct doc_result *r = d->r;
	struct lds_com com;
	uint32_t need = (1u << 1) | (1u << 2);
	char miss[sizeof(r->check[0].reason)] = "";
	size_t k = 0, nread = 0;
	int idx[LDS_MAX_DG + 2], n = 0;

	if (r->file[DOC_FILE_COM].status == DOC_FILE_READ &&
	    lds_com_parse(r->file[DOC_FILE_COM].data.data,
	    r->file[DOC_FILE_COM].data.len, &com) == EG_OK)
		need |= com.dg_mask;
	need &= ~((1u << 3) | (1u << 4));
	idx[n++] = DOC_FILE_COM;
	idx[n++] = DOC_FILE_SOD;
	for (int i = 1; i <= LDS_MAX_DG; i++)
		if (need & (1u << i))
			idx[n++] = i;
	for (int i = 0; i < n; i++) {
		const struct doc_file *f = &r->file[idx[i]];
		int w;

		if (f->status == DOC_FILE_READ) {
			nread++;
			continue;
		}
		if (f->sw != 0)
			w = snprintf(miss + k, sizeof(miss) - k, "%s%s (%s, SW %04X)",
			    k > 0 ? ", " : "", doc_file_name(idx[i]),
			    doc_file_reason_str(f->reason), f->sw);
		else
			w = snprintf(miss + k, sizeof(miss) - k, "%s%s (%s)",
			    k > 0 ? ", " : "", doc_file_name(idx[i]),
			    doc_file_reason_str(f->reason));
		if (w < 0 || (size_t)w >= sizeof(miss) - k)
			break;
		k += (size_t)w;
	}
	if (k == 0)
		set_check(r, DOC_CHECK_FILES_READ, PA_PASS, "%zu files read", nread);
	else
		set_check(r, DOC_CHECK_FILES_READ, PA_FAIL, "not read: %s", miss);
}

/* Append how the session adapted to the chip to the secure-messaging
 * reason (no DO'99', the chip ending the session). */
static void
sm_notes(struct doc_run *d)
{
	struct doc_result *r = d->r;
	struct doc_check_result *c = &r->check[DOC_CHECK_SECURE_MESSAGING];
	size_t n = strlen(c->reason);

	r->adapt.no_do99 = icao_sm_no_do99(d->sm);
	if (r->adapt.no_do99 > 0 && n < sizeof(c->reason))
		n += (size_t)snprintf(c->reason + n, sizeof(c->reason) - n,
		    "; %u without DO'99' (taken on their MAC, status 9000)",
		    r->adapt.no_do99);
	if (r->adapt.sm_dropped_at[0] != '\0' && n < sizeof(c->reason))
		(void)snprintf(c->reason + n, sizeof(c->reason) - n,
		    "; the chip ended the session at %s (SW %04X in the clear), "
		    "access control re-established %u time%s",
		    r->adapt.sm_dropped_at, r->adapt.sm_dropped_sw,
		    r->adapt.reestablished, r->adapt.reestablished == 1 ? "" : "s");
}

static void
decide(struct doc_run *d)
{
	struct doc_result *r = d->r;
	bool fail = false;

	if (r->outcome == DOC_OUTCOME_UNREADABLE)
		return;
	for (int c = 0; c < DOC_CHECK_COUNT; c++)
		if (r->check[c].status == PA_FAIL)
			fail = true;
	if (!r->pa_ran || !pa_report_passed(&r->pa))
		fail = true;
	r->outcome = fail ? DOC_OUTCOME_FAIL : DOC_OUTCOME_PASS;
}

int
doc_read(const struct doc_card *card, const struct doc_read_opts *o,
    struct doc_result **out)
{
	struct doc_run d;
	struct doc_result *r = NULL;
	struct mrz_result m;
	char info[MRZ_BAC_INFO_MAX] = "";
	uint8_t atr[64];
	size_t atr_len;
	struct timespec t1;
	int ret = EG_ERR_INVAL, err;

	memset(&d, 0, sizeof(d));
	memset(&m, 0, sizeof(m));
	if (out == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	if (card == NULL || card->ops == NULL || o == NULL || o->rng == NULL ||
	    (o->mrz == NULL && o->can == NULL))
		goto out;
	if (o->mrz != NULL) {
		ret = mrz_parse_text(o->mrz, strlen(o->mrz), NULL, &m);
		if (ret != EG_OK || (ret = mrz_bac_info(&m, info, sizeof(info),
		    NULL)) != EG_OK)
			goto out;
	}
	ret = EG_ERR_NOMEM;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto out;
	for (int i = 0; i < DOC_FILE_COUNT; i++)
		eg_wbuf_init(&r->file[i].data, ICAO_FILE_MAX, true);
	for (int c = 0; c < DOC_CHECK_COUNT; c++)
		set_check(r, (enum doc_check)c, PA_NOT_CHECKED, "not reached");
	set_check(r, DOC_CHECK_PACE_CAM, PA_NOT_CHECKED,
	    "no PACE with Chip Authentication Mapping");
	snprintf(r->access, sizeof(r->access), "none");
	if ((ret = icao_chan_new(card->ops, card->ctx, &d.ch)) != EG_OK ||
	    (ret = icao_sm_new(&d.sm)) != EG_OK)
		goto out;
	d.r = r;
	d.o = o;
	d.card_max = card->max_rapdu;
	if (o->trace != NULL)
		icao_chan_set_trace(d.ch, o->trace, o->trace_ctx);
	clock_gettime(CLOCK_MONOTONIC, &d.t0);
	if (card->power_on != NULL) {
		step_begin(&d);
		err = card->power_on(card->ctx, atr, sizeof(atr), &atr_len);
		step_end(&d, "power_on", err);
		if (err != EG_OK) {
			set_check(r, DOC_CHECK_ACCESS_CONTROL, PA_NOT_CHECKED,
			    "power-on failed: %s", eg_strerror(err));
			stop_unreadable(&d, err, 0);
		} else {
			if (o->trace != NULL) {
				struct icao_trace_ev ev = { .kind = ICAO_TRACE_ATR,
					.data = atr, .dlen = atr_len };

				o->trace(o->trace_ctx, &ev);
			}
			read_size(&d, atr, atr_len);
		}
	}
	d.bac_info = o->mrz != NULL ? info : NULL;
	if (!d.stop)
		access_control(&d, d.bac_info);
	if (!d.stop)
		read_files(&d);
	if (d.stop && r->outcome != DOC_OUTCOME_UNREADABLE &&
	    r->check[DOC_CHECK_ACCESS_CONTROL].status != PA_FAIL)
		mark_not_reached(&d);
	if (!d.stop)
		active_auth(&d);
	else if (r->file[15].status == DOC_FILE_READ)
		set_check(r, DOC_CHECK_ACTIVE_AUTHENTICATION, PA_NOT_CHECKED,
		    "reading stopped before Active Authentication");
	if (r->outcome != DOC_OUTCOME_UNREADABLE) {
		if (r->check[DOC_CHECK_SECURE_MESSAGING].status != PA_FAIL) {
			if (strcmp(r->access, "none") == 0)
				set_check(r, DOC_CHECK_SECURE_MESSAGING, PA_NOT_CHECKED,
				    r->check[DOC_CHECK_ACCESS_CONTROL].status == PA_FAIL ?
				    "no session" : "chip without secure messaging");
			else if (d.ca_failed)
				set_check(r, DOC_CHECK_SECURE_MESSAGING, PA_PASS,
				    "every protected response under the %s session "
				    "verified; see chip_authentication",
				    icao_cipher_name(d.ac_cipher));
			else
				set_check(r, DOC_CHECK_SECURE_MESSAGING, PA_PASS,
				    "every protected response verified (%s%s%s)",
				    icao_cipher_name(d.ac_cipher),
				    r->check[DOC_CHECK_CHIP_AUTHENTICATION].status ==
				    PA_PASS ? ", then CA " : "",
				    r->check[DOC_CHECK_CHIP_AUTHENTICATION].status ==
				    PA_PASS ? icao_cipher_name(icao_sm_cipher(d.sm)) : "");
			sm_notes(&d);
		}
		check_files(&d);
		parse_holder(r);
		/* PA on what was read: every file was taken from a response
		 * that verified (a session that failed later stopped reading;
		 * what came before it stands). Only a failed access control
		 * leaves nothing to check. */
		if (r->check[DOC_CHECK_ACCESS_CONTROL].status != PA_FAIL)
			run_pa(&d);
	}
	decide(&d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->total_ms = doc_ms(&d.t0, &t1);
	EG_LOG(o->log, r->outcome == DOC_OUTCOME_PASS ? EG_LOG_INFO : EG_LOG_NOTICE,
	    "doc.read", EG_STR("outcome", doc_outcome_str(r->outcome)),
	    EG_STR("access", r->access), EG_ERRF(r->err), EG_UINT("sw", r->sw),
	    EG_DBL("ms", r->total_ms));
	*out = r;
	r = NULL;
	ret = EG_OK;
out:
	eg_memzero(info, sizeof(info));
	icao_pace_cam_clear(&d.cam);
	mrz_result_clear(&m);
	icao_chan_free(&d.ch);
	icao_sm_free(&d.sm);
	doc_result_free(&r);
	return ret;
}

/* ---- JSON ------------------------------------------------------------------ */

static void
json_check(struct eg_json *j, const char *name, const char *st, const char *reason)
{
	eg_json_obj_begin(j);
	eg_json_key_str(j, "name", name);
	eg_json_key_str(j, "status", st);
	eg_json_key_str(j, "reason", reason);
	eg_json_obj_end(j);
}

void
doc_result_json(const struct doc_result *r, bool with_holder, struct eg_json *j)
{
	char sw[8];

	eg_json_obj_begin(j);
	eg_json_key_str(j, "outcome", doc_outcome_str(r->outcome));
	eg_json_key_str(j, "access", r->access);
	if (r->err != EG_OK)
		eg_json_key_str(j, "error", eg_err_name(r->err));
	if (r->sw != 0) {
		snprintf(sw, sizeof(sw), "%04X", r->sw);
		eg_json_key_str(j, "sw", sw);
	}
	if (with_holder && r->holder_valid) {
		const struct mrz_result *h = &r->holder;
		char date[16];

		eg_json_key(j, "holder");
		eg_json_obj_begin(j);
		eg_json_key_str(j, "format", mrz_format_name(h->format));
		eg_json_key_str(j, "document_code", h->document_code);
		eg_json_key_str(j, "issuing_state", h->issuing_state);
		eg_json_key_str(j, "surname", h->primary_id);
		eg_json_key_str(j, "given_names", h->secondary_id);
		eg_json_key_str(j, "document_number", h->document_number);
		eg_json_key_str(j, "nationality", h->nationality);
		snprintf(date, sizeof(date), "%04d-%02d-%02d", h->birth_date.year,
		    h->birth_date.month, h->birth_date.day);
		eg_json_key_str(j, "birth_date", date);
		snprintf(date, sizeof(date), "%c", h->sex);
		eg_json_key_str(j, "sex", date);
		snprintf(date, sizeof(date), "%04d-%02d-%02d", h->expiry_date.year,
		    h->expiry_date.month, h->expiry_date.day);
		eg_json_key_str(j, "expiry_date", date);
		eg_json_obj_end(j);
	}
	eg_json_key(j, "checks");
	eg_json_arr_begin(j);
	json_check(j, doc_check_str(DOC_CHECK_ACCESS_CONTROL),
	    doc_check_status_str(&r->check[DOC_CHECK_ACCESS_CONTROL]),
	    r->check[DOC_CHECK_ACCESS_CONTROL].reason);
	json_check(j, doc_check_str(DOC_CHECK_SECURE_MESSAGING),
	    doc_check_status_str(&r->check[DOC_CHECK_SECURE_MESSAGING]),
	    r->check[DOC_CHECK_SECURE_MESSAGING].reason);
	json_check(j, doc_check_str(DOC_CHECK_FILES_READ),
	    doc_check_status_str(&r->check[DOC_CHECK_FILES_READ]),
	    r->check[DOC_CHECK_FILES_READ].reason);
	for (int c = 0; c < PA_CHECK_COUNT; c++)
		json_check(j, pa_result_str((enum pa_check)c),
		    pa_status_str(r->pa_ran ? r->pa.r[c].status : PA_NOT_CHECKED),
		    r->pa_ran ? r->pa.r[c].reason : "passive authentication not run");
	json_check(j, doc_check_str(DOC_CHECK_CHIP_AUTHENTICATION),
	    doc_check_status_str(&r->check[DOC_CHECK_CHIP_AUTHENTICATION]),
	    r->check[DOC_CHECK_CHIP_AUTHENTICATION].reason);
	json_check(j, doc_check_str(DOC_CHECK_ACTIVE_AUTHENTICATION),
	    doc_check_status_str(&r->check[DOC_CHECK_ACTIVE_AUTHENTICATION]),
	    r->check[DOC_CHECK_ACTIVE_AUTHENTICATION].reason);
	json_check(j, doc_check_str(DOC_CHECK_PACE_CAM),
	    doc_check_status_str(&r->check[DOC_CHECK_PACE_CAM]),
	    r->check[DOC_CHECK_PACE_CAM].reason);
	eg_json_arr_end(j);
	if (r->pa_ran) {
		eg_json_key_str(j, "ds_subject", r->pa.ds_subject);
		eg_json_key_str(j, "csca_subject", r->pa.csca_subject);
	}
	eg_json_key(j, "read_size");
	eg_json_obj_begin(j);
	eg_json_key_int(j, "reader_max", (long long)r->rsize.reader_max);
	eg_json_key_bool(j, "chip_extended", r->rsize.chip_ext);
	eg_json_key_int(j, "chip_max", (long long)r->rsize.chip_max);
	eg_json_key_int(j, "limit", (long long)r->rsize.limit);
	eg_json_obj_end(j);
	eg_json_key(j, "adaptations");
	eg_json_obj_begin(j);
	eg_json_key_bool(j, "sfi", !r->adapt.no_sfi);
	if (r->adapt.no_sfi) {
		snprintf(sw, sizeof(sw), "%04X", r->adapt.sfi_sw);
		eg_json_key_str(j, "sfi_refused_sw", sw);
	}
	eg_json_key_int(j, "responses_without_do99", r->adapt.no_do99);
	eg_json_key_int(j, "access_reestablished", r->adapt.reestablished);
	if (r->adapt.sm_dropped_at[0] != '\0') {
		eg_json_key_str(j, "sm_dropped_at", r->adapt.sm_dropped_at);
		snprintf(sw, sizeof(sw), "%04X", r->adapt.sm_dropped_sw);
		eg_json_key_str(j, "sm_dropped_sw", sw);
	}
	eg_json_obj_end(j);
	eg_json_key(j, "files");
	eg_json_arr_begin(j);
	for (int i = 0; i < DOC_FILE_COUNT; i++) {
		const struct doc_file *f = &r->file[i];

		if (f->status == DOC_FILE_NOT_LISTED)
			continue;
		eg_json_obj_begin(j);
		eg_json_key_str(j, "file", doc_file_name(i));
		eg_json_key_str(j, "status", doc_file_status_str(f->status));
		eg_json_key_int(j, "bytes", (long long)f->data.len);
		if (f->status != DOC_FILE_READ)
			eg_json_key_str(j, "reason", doc_file_reason_str(f->reason));
		if (f->sw != 0) {
			snprintf(sw, sizeof(sw), "%04X", f->sw);
			eg_json_key_str(j, "sw", sw);
		}
		if (f->by_fid)
			eg_json_key_bool(j, "selected_by_fid", true);
		if (f->retried)
			eg_json_key_bool(j, "retried", true);
		if (f->status == DOC_FILE_READ) {
			eg_json_key_int(j, "commands", f->commands);
			eg_json_key_int(j, "chunk", (long long)f->final_chunk);
			if (f->extended)
				eg_json_key_bool(j, "extended", true);
		}
		eg_json_obj_end(j);
	}
	eg_json_arr_end(j);
	eg_json_key(j, "steps");
	eg_json_arr_begin(j);
	for (size_t i = 0; i < r->n_steps; i++) {
		eg_json_obj_begin(j);
		eg_json_key_str(j, "step", r->steps[i].name);
		eg_json_key_double(j, "ms", r->steps[i].ms);
		if (r->steps[i].err != EG_OK)
			eg_json_key_str(j, "error", eg_err_name(r->steps[i].err));
		eg_json_obj_end(j);
	}
	eg_json_arr_end(j);
	eg_json_key_double(j, "total_ms", r->total_ms);
	eg_json_obj_end(j);
}
