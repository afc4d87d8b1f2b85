/* SPDX-License-Identifier: Apache-2.0 */
/* sim_lane.c — a simulated lane for the daemon, driven by commands (see
 * sim_lane.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "egate/usb_sim.h"
#include "kiosk_sim.h"
#include "sim_ccid.h"
#include "sim_gate.h"
#include "sim_lane.h"
#include "sim_mrz.h"
#include "sim_traveller.h"

struct sim_lane {
	const struct eg_log *log;
	char testdata[512];
	struct usb_profile_table *pt;
	struct sim_pki *pki;
	/* the reader, with or without a passport */
	struct sim_ccid *rdr;
	struct usb_sim_bus *rbus;
	struct usb_transport rt;
	struct sim_epassport *chip;
	/* the MRZ reader */
	struct sim_mrz *mrz;
	struct usb_sim_bus *mbus;
	struct usb_transport mt;
	/* the camera */
	bool cam_unplugged, cam_broken;
	/* the gate */
	struct sim_gate gate;
	/* the backends */
	struct doc_reader_backend rb;
	struct mrz_source_backend mb;
	struct kiosk_gate_backend gb;
	/* the control channel */
	int fd;
	char line[512];
	size_t linelen;
	struct sim_traveller trav;
};

static const char *
readers_path(void)
{
	return access(EGATE_READERS_INSTALLED, R_OK) == 0 ? EGATE_READERS_INSTALLED :
	    EGATE_READERS_SRC;
}

/* ---- reader ----------------------------------------------------------------------- */

static void
ccid_release(void *owner)
{
	struct ccid_dev *d = owner;

	ccid_free(&d);
}

static int
reader_open(void *self, const char *arg, const struct doc_reader_opts *o,
    struct doc_reader **out, char *err, size_t errlen)
{
	struct sim_lane *l = self;
	struct ccid_dev *d = NULL;
	struct usb_match m;
	char desc[128];
	int ret;

	if (*arg != '\0') {
		eg_errbuf(err, errlen, "reader 'lane:%s': the lane's reader takes no argument", arg);
		return EG_ERR_INVAL;
	}
	memset(&m, 0, sizeof(m));
	m.vid = l->pt->p[0].vid;
	m.pid = l->pt->p[0].pid;
	if ((ret = ccid_open(&d, &l->rt, &m, l->pt, &(struct ccid_opts){ .log = o->log })) != EG_OK) {
		eg_errbuf(err, errlen, "simulated reader: %s", eg_strerror(ret));
		return ret;
	}
	snprintf(desc, sizeof(desc), "lane:simulated %s", l->pt->p[0].name);
	return doc_reader_new_ccid(d, ccid_release, d, desc, out);
}

/* ---- MRZ reader ---------------------------------------------------------------------- */

static int
mrz_open(void *self, const char *arg, const struct mrz_source_opts *o, struct mrz_source **out,
    char *err, size_t errlen)
{
	struct sim_lane *l = self;
	struct usb_match m;
	int ret;

	(void)o;
	if (*arg != '\0') {
		eg_errbuf(err, errlen, "MRZ reader 'lane:%s': takes no argument", arg);
		return EG_ERR_INVAL;
	}
	memset(&m, 0, sizeof(m));
	m.vid = SIM_MRZ_VID;
	m.pid = SIM_MRZ_PID;
	if ((ret = mrz_source_new_acm(&l->mt, &m, NULL, NULL, "lane:simulated MRZ reader",
	    out)) != EG_OK)
		eg_errbuf(err, errlen, "simulated MRZ reader: %s", eg_strerror(ret));
	return ret;
}

/* ---- camera: the simulated camera, which the lane can unplug or break --------------- */

struct lane_cam {
	struct sim_lane *l;
	struct camera *inner;
	uint8_t *buf;		/* the frame handed out (one at a time) */
	size_t cap;
};

static const struct camera_ops *const inner_cameras[] = { &camera_sim_ops, NULL };

static int
lc_open(struct camera *cam, const char *arg, const struct camera_options *opt)
{
	struct sim_lane *l = opt->backend_ctx;
	struct camera_options co;
	struct lane_cam *lc;
	char spec[600], err[256];
	int ret;

	if (l == NULL) {
		camera_set_error(cam, "lane: no lane");
		return EG_ERR_INVAL;
	}
	if (l->cam_unplugged) {
		camera_set_error(cam, "lane: camera unplugged");
		return EG_ERR_NO_DEVICE;
	}
	if ((lc = calloc(1, sizeof(*lc))) == NULL)
		return EG_ERR_NOMEM;
	lc->l = l;
	memset(&co, 0, sizeof(co));
	co.fast = opt->fast;
	co.log = opt->log;
	co.extra = inner_cameras;
	snprintf(spec, sizeof(spec), "sim:%s", arg);
	if ((ret = camera_open(spec, &co, &lc->inner, err, sizeof(err))) != EG_OK) {
		camera_set_error(cam, "lane: %s", err);
		free(lc);
		return ret;
	}
	camera_set_priv(cam, lc);
	return EG_OK;
}

static void
lc_close(struct camera *cam)
{
	struct lane_cam *lc = camera_priv(cam);

	if (lc == NULL)
		return;
	camera_free(&lc->inner);
	free(lc->buf);
	free(lc);
	camera_set_priv(cam, NULL);
}

static int
lc_list_modes(struct camera *cam, struct camera_mode *modes, size_t cap, size_t *n)
{
	struct lane_cam *lc = camera_priv(cam);

	return camera_list_modes(lc->inner, modes, cap, n);
}

static int
lc_set_format(struct camera *cam, const struct camera_format *want, struct camera_format *got)
{
	struct lane_cam *lc = camera_priv(cam);

	return camera_set_format(lc->inner, want, got);
}

static int
lc_start(struct camera *cam)
{
	struct lane_cam *lc = camera_priv(cam);

	return camera_start(lc->inner);
}

static int
lc_stop(struct camera *cam)
{
	struct lane_cam *lc = camera_priv(cam);

	return camera_stop(lc->inner);
}

static int
lc_next_frame(struct camera *cam, int timeout_ms, struct camera_frame *f)
{
	struct lane_cam *lc = camera_priv(cam);
	struct camera_frame in;
	int ret;

	if (lc->l->cam_unplugged)
		return EG_ERR_NO_DEVICE;
	if ((ret = camera_next_frame(lc->inner, timeout_ms, &in)) != EG_OK)
		return ret;
	if (in.len > lc->cap) {
		uint8_t *b = realloc(lc->buf, in.len);

		if (b == NULL) {
			camera_release_frame(lc->inner, &in);
			return EG_ERR_NOMEM;
		}
		lc->buf = b;
		lc->cap = in.len;
	}
	memcpy(lc->buf, in.data, in.len);
	if (lc->l->cam_broken)	/* the camera's own bytes, scrambled */
		for (size_t i = 0; i < in.len; i++)
			lc->buf[i] = (uint8_t)(lc->buf[i] ^ 0x5A ^ (uint8_t)i);
	*f = in;
	f->data = lc->buf;
	camera_release_frame(lc->inner, &in);
	return EG_OK;
}

static void
lc_release_frame(struct camera *cam, struct camera_frame *f)
{
	(void)cam;
	(void)f;	/* the copy stays the lane's until the next frame */
}

static int
lc_set_exposure(struct camera *cam, enum camera_exposure mode, uint32_t value_100us)
{
	struct lane_cam *lc = camera_priv(cam);

	return camera_set_exposure(lc->inner, mode, value_100us);
}

static void
lc_stats(struct camera *cam, struct camera_stats *st)
{
	struct lane_cam *lc = camera_priv(cam);

	camera_get_stats(lc->inner, st);
}

const struct camera_ops sim_lane_camera_ops = {
	.name = "lane",
	.usage = "lane:DIR, lane:SCENE_FILE",
	.open = lc_open,
	.close = lc_close,
	.list_modes = lc_list_modes,
	.set_format = lc_set_format,
	.start = lc_start,
	.stop = lc_stop,
	.next_frame = lc_next_frame,
	.release_frame = lc_release_frame,
	.set_exposure = lc_set_exposure,
	.stats = lc_stats,
};

/* ---- gate ------------------------------------------------------------------------------- */

static int
gate_open(void *self, const char *arg, const struct eg_log *log, const struct gate_ops **ops,
    void **ctx, char *err, size_t errlen)
{
	struct sim_lane *l = self;

	(void)log;
	if (*arg != '\0') {
		eg_errbuf(err, errlen, "gate 'lane:%s': takes no argument", arg);
		return EG_ERR_INVAL;
	}
	if (l->gate.unplugged)
		return EG_ERR_NO_DEVICE;
	*ops = &sim_gate_ops;
	*ctx = &l->gate;
	return EG_OK;
}

static void
gate_close(void *self, void *ctx)
{
	(void)self;
	(void)ctx;	/* the lane's */
}

/* ---- the lane -------------------------------------------------------------------------- */

int
sim_lane_new(const char *testdata_dir, const struct eg_log *log, struct sim_lane **out)
{
	struct sim_lane *l;
	struct eg_cfg_error cerr;
	int ret = EG_ERR_NOMEM;

	if (out == NULL)
		return EG_ERR_INVAL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return EG_ERR_NOMEM;
	l->fd = -1;
	l->log = log;
	if (testdata_dir != NULL)
		snprintf(l->testdata, sizeof(l->testdata), "%s", testdata_dir);
	else
		sim_testdata_dir(l->testdata, sizeof(l->testdata));
	if ((l->pt = calloc(1, sizeof(*l->pt))) == NULL)
		goto fail;
	if ((ret = usb_profile_load_file(readers_path(), l->pt, &cerr)) != EG_OK || l->pt->n == 0) {
		ret = ret != EG_OK ? ret : EG_ERR_CONFIG;
		goto fail;
	}
	if ((ret = sim_pki_new(&l->pki)) != EG_OK ||
	    (ret = sim_ccid_new(&l->rdr, &l->pt->p[0])) != EG_OK ||
	    (ret = usb_sim_bus_new(&l->rbus)) != EG_OK ||
	    (ret = usb_sim_bus_add(l->rbus, &sim_ccid_device_ops, l->rdr)) != EG_OK ||
	    (ret = sim_mrz_new(&l->mrz, 64)) != EG_OK ||
	    (ret = usb_sim_bus_new(&l->mbus)) != EG_OK ||
	    (ret = usb_sim_bus_add(l->mbus, &sim_mrz_device_ops, l->mrz)) != EG_OK)
		goto fail;
	l->rt = usb_sim_bus_transport(l->rbus);
	l->mt = usb_sim_bus_transport(l->mbus);
	sim_gate_init(&l->gate, log);
	l->rb = (struct doc_reader_backend){ .name = "lane", .usage = "lane", .self = l,
		.open = reader_open };
	l->mb = (struct mrz_source_backend){ .name = "lane", .usage = "lane", .self = l,
		.open = mrz_open };
	l->gb = (struct kiosk_gate_backend){ .name = "lane", .usage = "lane", .self = l,
		.open = gate_open, .close = gate_close };
	*out = l;
	return EG_OK;
fail:
	sim_lane_free(&l);
	return ret;
}

void
sim_lane_free(struct sim_lane **lp)
{
	struct sim_lane *l;

	if (lp == NULL || (l = *lp) == NULL)
		return;
	usb_sim_bus_free(&l->rbus);
	usb_sim_bus_free(&l->mbus);
	sim_ccid_free(&l->rdr);
	sim_epassport_free(&l->chip);
	sim_mrz_free(&l->mrz);
	sim_pki_free(&l->pki);
	free(l->pt);
	if (l->fd >= 0)
		close(l->fd);
	eg_memzero(&l->trav, sizeof(l->trav));
	free(l);
	*lp = NULL;
}

const struct doc_reader_backend *
sim_lane_reader_backend(struct sim_lane *l)
{
	return &l->rb;
}

const struct mrz_source_backend *
sim_lane_mrz_backend(struct sim_lane *l)
{
	return &l->mb;
}

const struct kiosk_gate_backend *
sim_lane_gate_backend(struct sim_lane *l)
{
	return &l->gb;
}

/* ---- commands ------------------------------------------------------------------------------ */

static int
insert(struct sim_lane *l, char **tok, int n, char *reply, size_t cap)
{
	struct eg_cfg_error cerr;
	char path[1024], line[160], eb[256];
	bool feed_mrz = true;
	int ret = EG_OK;

	if (n < 2) {
		eg_errbuf(reply, cap, "%s", "insert PROFILE [chip_face=IMG] [expiry=YYMMDD] [mrz=no]");
		return EG_ERR_INVAL;
	}
	if (strchr(tok[1], '/') != NULL)
		snprintf(path, sizeof(path), "%s", tok[1]);
	else
		snprintf(path, sizeof(path), "%s/%s.ini", sim_traveller_dir(), tok[1]);
	if ((ret = sim_traveller_load_file(path, &l->trav, &cerr)) != EG_OK) {
		eg_errbuf(reply, cap, "%s", eg_cfg_error_str(&cerr, eb, sizeof(eb)));
		return ret;
	}
	for (int i = 2; i < n; i++) {
		if (strcmp(tok[i], "mrz=no") == 0) {
			feed_mrz = false;
		} else if (strncmp(tok[i], "chip_face=", 10) == 0 &&
		    strlen(tok[i] + 10) < sizeof(l->trav.face)) {
			snprintf(l->trav.face, sizeof(l->trav.face), "%s", tok[i] + 10);
		} else if (strncmp(tok[i], "expiry=", 7) == 0) {
			if ((ret = kiosk_sim_set_expiry(l->trav.mrz2, tok[i] + 7)) != EG_OK) {
				eg_errbuf(reply, cap, "expiry: %s", eg_strerror(ret));
				return ret;
			}
		} else {
			eg_errbuf(reply, cap, "unknown option '%s'", tok[i]);
			return EG_ERR_INVAL;
		}
	}
	sim_ccid_remove(l->rdr);
	sim_epassport_free(&l->chip);
	if ((ret = sim_traveller_build(&l->trav, l->pki, l->testdata, &l->chip)) != EG_OK) {
		eg_errbuf(reply, cap, "chip of %s: %s", tok[1], eg_strerror(ret));
		return ret;
	}
	/* the MRZ reader reads the page first, then the passport lies on the reader */
	for (int i = 0; i < 3 && feed_mrz; i++) {
		const char *m = i == 0 ? l->trav.mrz1 : i == 1 ? l->trav.mrz2 : l->trav.mrz3;

		if (*m == '\0')
			continue;
		snprintf(line, sizeof(line), "%s\r\n", m);
		if ((ret = sim_mrz_feed(l->mrz, line, strlen(line))) != EG_OK)
			break;
	}
	eg_memzero(line, sizeof(line));
	if (ret != EG_OK) {
		eg_errbuf(reply, cap, "MRZ reader: %s", eg_strerror(ret));
		return ret;
	}
	sim_ccid_insert(l->rdr, &sim_epassport_card_ops, l->chip);
	return EG_OK;
}

/* "\r" and "\n" written as such in a command stand for CR and LF */
static size_t
unescape(const char *in, char *out, size_t cap)
{
	size_t k = 0;

	for (const char *p = in; *p != '\0' && k + 1 < cap; p++) {
		if (p[0] == '\\' && (p[1] == 'r' || p[1] == 'n')) {
			out[k++] = p[1] == 'r' ? '\r' : '\n';
			p++;
		} else {
			out[k++] = *p;
		}
	}
	out[k] = '\0';
	return k;
}

int
sim_lane_command(struct sim_lane *l, const char *line, char *reply, size_t cap)
{
	char buf[512], *tok[8], *save = NULL, *t, raw[512];
	int n = 0, ret = EG_ERR_INVAL;
	bool plug;

	eg_errbuf(reply, cap, "%s", "ok");
	snprintf(buf, sizeof(buf), "%s", line);
	for (t = strtok_r(buf, " \t\r\n", &save); t != NULL && n < 8; t = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = t;
	if (n == 0)
		return EG_OK;
	if (strcmp(tok[0], "insert") == 0) {
		ret = insert(l, tok, n, reply, cap);
	} else if (strcmp(tok[0], "remove") == 0) {
		sim_ccid_remove(l->rdr);
		ret = EG_OK;
	} else if (strcmp(tok[0], "mrz") == 0 && n >= 2) {
		const char *text = strstr(line, tok[1]);

		ret = sim_mrz_feed(l->mrz, raw, unescape(text, raw, sizeof(raw)));
	} else if ((strcmp(tok[0], "unplug") == 0 || strcmp(tok[0], "replug") == 0) && n == 2) {
		plug = tok[0][0] == 'r';
		ret = EG_OK;
		if (strcmp(tok[1], "reader") == 0) {
			if (plug)
				sim_ccid_replug(l->rdr);
			else
				sim_ccid_unplug(l->rdr);
		} else if (strcmp(tok[1], "mrz") == 0) {
			if (plug)
				sim_mrz_replug(l->mrz);
			else
				sim_mrz_unplug(l->mrz);
		} else if (strcmp(tok[1], "camera") == 0) {
			l->cam_unplugged = !plug;
		} else if (strcmp(tok[1], "gate") == 0) {
			l->gate.unplugged = !plug;
		} else {
			ret = EG_ERR_INVAL;
		}
	} else if (strcmp(tok[0], "fault") == 0 && n == 3 && strcmp(tok[1], "reader") == 0) {
		ret = EG_OK;
		if (strcmp(tok[2], "unplug") == 0)
			sim_ccid_arm(l->rdr, SIM_CCID_FAULT_UNPLUG, 0, 0);
		else if (strcmp(tok[2], "remove") == 0)
			sim_ccid_arm(l->rdr, SIM_CCID_FAULT_REMOVE_CARD, 0, 0);
		else
			ret = EG_ERR_INVAL;
	} else if (strcmp(tok[0], "camera") == 0 && n == 2) {
		ret = strcmp(tok[1], "broken") == 0 || strcmp(tok[1], "ok") == 0 ? EG_OK : EG_ERR_INVAL;
		if (ret == EG_OK)
			l->cam_broken = tok[1][0] == 'b';
	} else if (strcmp(tok[0], "gate") == 0 && n == 2) {
		ret = EG_OK;
		if (strcmp(tok[1], "stuck") == 0)
			l->gate.door_stuck = true;
		else if (strcmp(tok[1], "ok") == 0)
			l->gate.door_stuck = false;
		else if (strcmp(tok[1], "nobody") == 0)
			l->gate.traveller_walks = false;
		else if (strcmp(tok[1], "walk") == 0)
			l->gate.traveller_walks = true;
		else
			ret = EG_ERR_INVAL;
	}
	if (ret == EG_ERR_INVAL && reply != NULL && strcmp(reply, "ok") == 0)
		eg_errbuf(reply, cap, "unknown command '%s' (sim_lane.h lists them)", tok[0]);
	EG_LOG(l->log, ret == EG_OK ? EG_LOG_NOTICE : EG_LOG_WARN, "sim.command",
	    EG_STR("command", tok[0]), EG_STR("arg", n > 1 ? tok[1] : ""),
	    EG_STR("result", reply != NULL ? reply : ""), EG_ERRF(ret));
	return ret;
}

void
sim_lane_set_control(struct sim_lane *l, int fd)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = fd;
}

void
sim_lane_tick(void *ctx, struct kiosk *k)
{
	struct sim_lane *l = ctx;
	char reply[256];
	ssize_t r;

	(void)k;
	if (l->fd < 0)
		return;
	while ((r = read(l->fd, l->line + l->linelen, sizeof(l->line) - 1 - l->linelen)) > 0) {
		char *nl;

		l->linelen += (size_t)r;
		l->line[l->linelen] = '\0';
		while ((nl = strchr(l->line, '\n')) != NULL) {
			size_t used = (size_t)(nl + 1 - l->line);

			*nl = '\0';
			(void)sim_lane_command(l, l->line, reply, sizeof(reply));
			memmove(l->line, nl + 1, l->linelen - used + 1);
			l->linelen -= used;
		}
		if (l->linelen == sizeof(l->line) - 1)
			l->linelen = 0;	/* an endless line: dropped */
	}
}
