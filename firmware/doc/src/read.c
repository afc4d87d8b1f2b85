/* SPDX-License-Identifier: Apache-2.0 */
/* read.c — reading an eMRTD end to end (see read.h, docs/reading.md). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc/read.h"
#include "egate/error.h"
#include "egate/secure.h"
#include "icao/iso7816.h"

#define DOC_SW_NO_REF	0x6A88	/* chip without BAC */
#define DOC_SW_NO_INS	0x6D00

static const char *const doc_check_names[DOC_CHECK_COUNT] = {
	"access_control", "secure_messaging", "files_read",
	"chip_authentication", "active_authentication",
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

const char *
doc_file_name(int idx)
{
	static const char *const dg[] = { "EF.COM", "DG1", "DG2", "DG3", "DG4",
		"DG5", "DG6", "DG7", "DG8", "DG9", "DG10", "DG11", "DG12", "DG13",
		"DG14", "DG15", "DG16", "EF.SOD", "EF.CardAccess" };

	return idx >= 0 && idx < DOC_FILE_COUNT ? dg[idx] : "unknown";
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

	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (d->r->n_steps == DOC_MAX_STEPS)
		return;
	s = &d->r->steps[d->r->n_steps++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->ms = doc_ms(&d->step_t0, &t1);
	s->err = err;
	EG_LOG(d->o->log, err == EG_OK ? EG_LOG_INFO : EG_LOG_NOTICE, "doc.step",
	    EG_STR("step", name), EG_DBL("ms", s->ms), EG_ERRF(err));
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
	return (uint8_t)idx;	/* DGn has SFI n */
}

/* read_file — read one EF by SFI into r->file[idx]; handles the error
 * classes (card status: recorded; SM: stop; transport: unreadable). */
static void
read_file(struct doc_run *d, int idx)
{
	struct doc_file *f = &d->r->file[idx];
	struct icao_read_opts ro = d->o->read;
	struct icao_read_stats st = { 0 };
	char name[24];
	uint16_t sw = 0;
	int err;

	snprintf(name, sizeof(name), "read_%s", doc_file_name(idx));
	ro.sfi = file_sfi(idx);
	step_begin(d);
	err = icao_read_file(d->ch, &ro, &f->data, &sw, &st);
	step_end(d, name, err);
	f->sw = sw;
	f->err = err;
	f->commands = st.commands;
	f->final_chunk = st.final_chunk;
	if (err == EG_OK) {
		f->status = DOC_FILE_READ;
		return;
	}
	f->status = DOC_FILE_ERROR;
	eg_wbuf_reset(&f->data);
	if (is_transport(err))
		stop_unreadable(d, err, sw);
	else if (icao_chan_sm(d->ch) != NULL &&
	    icao_sm_state(d->sm) == ICAO_SM_FAILED)
		stop_sm(d, name, err, sw);
}

/* ---- access control ----------------------------------------------------- */

static bool
offers_pace(const struct doc_file *ca)
{
	struct lds_secinfos si;

	if (ca->status != DOC_FILE_READ ||
	    lds_cardaccess_parse(ca->data.data, ca->data.len, &si) != EG_OK)
		return false;
	for (size_t i = 0; i < si.n; i++)
		if (si.si[i].kind == LDS_SI_PACE_INFO)
			return true;
	return false;
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
	const struct doc_hooks *h = &d->o->hooks;
	char reason[160] = "";
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
	if (offers_pace(&r->file[DOC_FILE_CARDACCESS])) {
		if (h->pace == NULL) {
			snprintf(reason, sizeof(reason),
			    "PACE offered but not available in this build");
		} else {
			icao_chan_set_sm(d->ch, d->sm);
			step_begin(d);
			err = h->pace(h->ctx, d->ch,
			    r->file[DOC_FILE_CARDACCESS].data.data,
			    r->file[DOC_FILE_CARDACCESS].data.len,
			    d->o->can != NULL ? DOC_PW_CAN : DOC_PW_MRZ,
			    d->o->can != NULL ? d->o->can : bac_info, d->sm,
			    reason, sizeof(reason));
			step_end(d, "access_control_pace", err);
			if (err == EG_OK && icao_sm_state(d->sm) == ICAO_SM_READY) {
				pace_done = true;
				snprintf(r->access, sizeof(r->access), "PACE");
			} else {
				icao_chan_set_sm(d->ch, NULL);
				if (is_transport(err)) {
					stop_unreadable(d, err, 0);
					return;
				}
				if (reason[0] == '\0')
					snprintf(reason, sizeof(reason), "PACE: %s",
					    eg_err_name(err));
				pace_failed = true;
			}
		}
	}
	if (select_app(d) != EG_OK)
		return;
	if (pace_done) {
		set_check(r, DOC_CHECK_ACCESS_CONTROL, PA_PASS, "PACE");
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
	set_check(r, DOC_CHECK_ACCESS_CONTROL, PA_FAIL, "BAC: %s%s%s",
	    err == EG_ERR_CARD_STATUS ? icao_sw_str(sw) : eg_strerror(err),
	    err == EG_ERR_CARD_STATUS ? " (wrong MRZ?)" : "",
	    err == EG_ERR_MAC ? " (chip's answer does not verify)" : "");
	r->err = err;
	r->sw = sw;
	d->stop = true;
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
}

static void
run_auth_hooks(struct doc_run *d)
{
	struct doc_result *r = d->r;
	const struct doc_hooks *h = &d->o->hooks;
	const struct doc_file *dg14 = &r->file[14], *dg15 = &r->file[15];
	char reason[160] = "";
	int err;

	if (dg14->status != DOC_FILE_READ) {
		set_check(r, DOC_CHECK_CHIP_AUTHENTICATION, PA_NOT_CHECKED,
		    "no DG14 on the chip");
	} else if (h->chip_auth == NULL) {
		set_check(r, DOC_CHECK_CHIP_AUTHENTICATION, PA_NOT_CHECKED,
		    "DG14 present; Chip Authentication not available in this build");
	} else {
		step_begin(d);
		err = h->chip_auth(h->ctx, d->ch, dg14->data.data, dg14->data.len,
		    d->sm, reason, sizeof(reason));
		step_end(d, "chip_auth", err);
		set_check(r, DOC_CHECK_CHIP_AUTHENTICATION, err == EG_OK ? PA_PASS :
		    PA_FAIL, "%s", reason[0] ? reason : eg_err_name(err));
	}
	reason[0] = '\0';
	if (dg15->status != DOC_FILE_READ) {
		set_check(r, DOC_CHECK_ACTIVE_AUTHENTICATION, PA_NOT_CHECKED,
		    "no DG15 on the chip");
	} else if (h->active_auth == NULL) {
		set_check(r, DOC_CHECK_ACTIVE_AUTHENTICATION, PA_NOT_CHECKED,
		    "DG15 present; Active Authentication not available in this build");
	} else {
		step_begin(d);
		err = h->active_auth(h->ctx, d->ch, dg15->data.data, dg15->data.len,
		    reason, sizeof(reason));
		step_end(d, "active_auth", err);
		set_check(r, DOC_CHECK_ACTIVE_AUTHENTICATION, err == EG_OK ? PA_PASS :
		    PA_FAIL, "%s", reason[0] ? reason : eg_err_name(err));
	}
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
	read_file(d, DOC_FILE_SOD);
	for (int i = 1; i <= LDS_MAX_DG && !d->stop; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (i == 3 || i == 4) {
			/* fingerprints, iris: Extended Access Control only */
			r->file[i].status = DOC_FILE_SKIPPED_EAC;
			r->file[i].sw = ICAO_SW_SECURITY_STATUS;
			continue;
		}
		read_file(d, i);
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
	char miss[160] = "";
	size_t k = 0, nread = 0;
	int idx[LDS_MAX_DG + 2], n = 0;

	if (d->stop) {
		set_check(r, DOC_CHECK_FILES_READ, PA_NOT_CHECKED, "reading stopped");
		return;
	}
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
		w = snprintf(miss + k, sizeof(miss) - k, "%s%s (SW %04X)",
		    k > 0 ? ", " : "", doc_file_name(idx[i]), f->sw);
		if (w < 0 || (size_t)w >= sizeof(miss) - k)
			break;
		k += (size_t)w;
	}
	if (k == 0)
		set_check(r, DOC_CHECK_FILES_READ, PA_PASS, "%zu files read", nread);
	else
		set_check(r, DOC_CHECK_FILES_READ, PA_FAIL, "not read: %s", miss);
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
	snprintf(r->access, sizeof(r->access), "none");
	if ((ret = icao_chan_new(card->ops, card->ctx, &d.ch)) != EG_OK ||
	    (ret = icao_sm_new(&d.sm)) != EG_OK)
		goto out;
	d.r = r;
	d.o = o;
	clock_gettime(CLOCK_MONOTONIC, &d.t0);
	if (card->power_on != NULL) {
		step_begin(&d);
		err = card->power_on(card->ctx, atr, sizeof(atr), &atr_len);
		step_end(&d, "power_on", err);
		if (err != EG_OK) {
			set_check(r, DOC_CHECK_ACCESS_CONTROL, PA_NOT_CHECKED,
			    "power-on failed: %s", eg_strerror(err));
			stop_unreadable(&d, err, 0);
		}
	}
	if (!d.stop)
		access_control(&d, o->mrz != NULL ? info : NULL);
	if (!d.stop)
		read_files(&d);
	if (r->outcome != DOC_OUTCOME_UNREADABLE) {
		if (r->check[DOC_CHECK_SECURE_MESSAGING].status != PA_FAIL) {
			if (strcmp(r->access, "none") == 0)
				set_check(r, DOC_CHECK_SECURE_MESSAGING, PA_NOT_CHECKED,
				    r->check[DOC_CHECK_ACCESS_CONTROL].status == PA_FAIL ?
				    "no session" : "chip without secure messaging");
			else
				set_check(r, DOC_CHECK_SECURE_MESSAGING, PA_PASS,
				    "every protected response verified (%s)",
				    icao_cipher_name(icao_sm_cipher(d.sm)));
		}
		check_files(&d);
		parse_holder(r);
		/* PA needs files read under an intact session (or none) */
		if (r->check[DOC_CHECK_ACCESS_CONTROL].status != PA_FAIL &&
		    r->check[DOC_CHECK_SECURE_MESSAGING].status != PA_FAIL) {
			run_pa(&d);
			run_auth_hooks(&d);
		}
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
	mrz_result_clear(&m);
	icao_chan_free(&d.ch);
	icao_sm_free(&d.sm);
	doc_result_free(&r);
	return ret;
}

/* ---- JSON ------------------------------------------------------------------ */

static void
json_check(struct eg_json *j, const char *name, enum pa_status st, const char *reason)
{
	eg_json_obj_begin(j);
	eg_json_key_str(j, "name", name);
	eg_json_key_str(j, "status", pa_status_str(st));
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
	    r->check[DOC_CHECK_ACCESS_CONTROL].status,
	    r->check[DOC_CHECK_ACCESS_CONTROL].reason);
	json_check(j, doc_check_str(DOC_CHECK_SECURE_MESSAGING),
	    r->check[DOC_CHECK_SECURE_MESSAGING].status,
	    r->check[DOC_CHECK_SECURE_MESSAGING].reason);
	json_check(j, doc_check_str(DOC_CHECK_FILES_READ),
	    r->check[DOC_CHECK_FILES_READ].status,
	    r->check[DOC_CHECK_FILES_READ].reason);
	for (int c = 0; c < PA_CHECK_COUNT; c++)
		json_check(j, pa_result_str((enum pa_check)c),
		    r->pa_ran ? r->pa.r[c].status : PA_NOT_CHECKED,
		    r->pa_ran ? r->pa.r[c].reason : "passive authentication not run");
	json_check(j, doc_check_str(DOC_CHECK_CHIP_AUTHENTICATION),
	    r->check[DOC_CHECK_CHIP_AUTHENTICATION].status,
	    r->check[DOC_CHECK_CHIP_AUTHENTICATION].reason);
	json_check(j, doc_check_str(DOC_CHECK_ACTIVE_AUTHENTICATION),
	    r->check[DOC_CHECK_ACTIVE_AUTHENTICATION].status,
	    r->check[DOC_CHECK_ACTIVE_AUTHENTICATION].reason);
	eg_json_arr_end(j);
	if (r->pa_ran) {
		eg_json_key_str(j, "ds_subject", r->pa.ds_subject);
		eg_json_key_str(j, "csca_subject", r->pa.csca_subject);
	}
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
		if (f->sw != 0) {
			snprintf(sw, sizeof(sw), "%04X", f->sw);
			eg_json_key_str(j, "sw", sw);
		}
		if (f->status == DOC_FILE_READ) {
			eg_json_key_int(j, "commands", f->commands);
			eg_json_key_int(j, "chunk", (long long)f->final_chunk);
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
