/* SPDX-License-Identifier: Apache-2.0 */
/* kiosk_daemon.c — egate-kiosk's daemon loop over real (or any) devices
 * (see kiosk_daemon.h, docs/kiosk.md "The daemon"). */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "egate/error.h"
#include "egate/gate.h"
#include "egate/usb_libusb.h"
#include <systemd/sd-daemon.h>

#include "display_web.h"
#include "egate_build.h"
#include "face.h"
#include "kiosk_app.h"
#include "kiosk_daemon.h"

#define KD_RETRY_MS 1000	/* a lost device is looked for again this often */
#define KD_WAIT_MS 200		/* one turn of the loop when nothing happens */
#define KD_CAMERA_DRAIN 4	/* frames taken off the stream per idle turn */
#define KD_PROBE_MS 2000	/* a camera found again must deliver a frame */
#define KD_DISPLAY_WEB_DEFAULT "127.0.0.1:8471"	/* display = web */

/* The lane's devices as the daemon opened them from [devices]. */
struct kd {
	const struct kiosk_backends *b;
	struct kiosk_app *a;
	struct kiosk *k;
	struct kiosk_devices dev;	/* what the core sees */
	struct doc_reader *reader;
	struct mrz_source *mrz;
	struct camera *cam;
	const struct kiosk_gate_backend *gb;
	void *gctx;
	struct gate *gate;		/* a gate of firmware/gate (gpio, hidrelay) */
	struct text_display disp;
	struct display_web *web;	/* [devices] display = web:ADDRESS:PORT */
	/* before the kiosk exists the health waits here */
	enum kiosk_health h0[KD_COUNT];
	char why0[KD_COUNT][64];
	uint64_t next_retry_ms;
	/* libusb hotplug as a wake-up: any arrival looks for lost devices now */
	struct usb_libusb *hot;
	_Atomic bool arrived;
	int sfd;			/* signalfd: SIGTERM, SIGINT, SIGHUP */
	uint64_t wd_us;			/* systemd's watchdog interval; 0: none */
	uint64_t wd_last_ms;		/* the last WATCHDOG=1 */
	bool stop, reload;
	unsigned long passages;
};

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- health ---------------------------------------------------------------------------- */

static void
set_health(struct kd *d, enum kiosk_device dev, enum kiosk_health h, const char *why)
{
	if (d->k != NULL) {
		kiosk_set_health(d->k, dev, h, why);
		return;
	}
	d->h0[dev] = h;
	snprintf(d->why0[dev], sizeof(d->why0[dev]), "%s", why != NULL ? why : "");
	EG_LOG(&d->a->lg, h == KH_OK ? EG_LOG_INFO : EG_LOG_WARN, "kiosk.device",
	    EG_STR("device", kiosk_device_str(dev)), EG_STR("to", kiosk_health_str(h)),
	    EG_STR("detail", why != NULL ? why : ""));
}

static enum kiosk_health
health_of(const struct kd *d, enum kiosk_device dev)
{
	return d->k != NULL ? kiosk_health(d->k, dev, NULL) : d->h0[dev];
}

static bool
down(const struct kd *d, enum kiosk_device dev)
{
	enum kiosk_health h = health_of(d, dev);

	return h == KH_FAILED || h == KH_ABSENT;
}

/* Not there at all, or there but unusable. */
static enum kiosk_health
open_failure(int ret)
{
	return ret == EG_ERR_NOT_FOUND || ret == EG_ERR_NO_DEVICE ? KH_ABSENT : KH_FAILED;
}

/* ---- opening the devices from their specs ----------------------------------------------- */

static int
open_reader(struct kd *d, char *err, size_t errlen)
{
	struct doc_reader_opts o;
	int ret;

	memset(&o, 0, sizeof(o));
	o.log = &d->a->lg;
	o.extra = d->b->readers;
	doc_reader_free(&d->reader);
	ret = doc_reader_open(d->a->conf.reader, &o, &d->reader, err, errlen);
	d->dev.reader = d->reader;
	return ret;
}

static int
open_mrz(struct kd *d, char *err, size_t errlen)
{
	struct mrz_source_opts o;
	int ret;

	memset(&o, 0, sizeof(o));
	o.log = &d->a->lg;
	o.extra = d->b->mrz;
	mrz_source_free(&d->mrz);
	ret = mrz_source_open(d->a->conf.mrz_reader, &o, &d->mrz, err, errlen);
	d->dev.mrz = d->mrz;
	return ret;
}

static int
open_camera(struct kd *d, char *err, size_t errlen)
{
	struct camera_options co;
	int ret;

	memset(&co, 0, sizeof(co));
	co.log = &d->a->lg;
	co.extra = d->b->cameras;
	co.backend_ctx = d->b->camera_ctx;
	co.fast = false;
	camera_free(&d->cam);
	d->dev.camera = NULL;
	if ((ret = camera_open(d->a->conf.camera, &co, &d->cam, err, errlen)) != EG_OK)
		return ret;
	/* the camera streams all the time: the best frames are picked from
	 * the stream when the traveller looks at it (kiosk.c, capture) */
	if ((ret = camera_set_format(d->cam, &(struct camera_format){ CAMERA_FMT_MJPEG, 0, 0, 0 },
	    NULL)) != EG_OK && (ret = camera_set_format(d->cam,
	    &(struct camera_format){ CAMERA_FMT_NONE, 0, 0, 0 }, NULL)) != EG_OK) {
		eg_errbuf(err, errlen, "camera: %s", camera_error(d->cam));
		camera_free(&d->cam);
		return ret;
	}
	if ((ret = camera_start(d->cam)) != EG_OK) {
		eg_errbuf(err, errlen, "camera: %s", camera_error(d->cam));
		camera_free(&d->cam);
		return ret;
	}
	d->dev.camera = d->cam;
	return EG_OK;
}

static void
close_gate(struct kd *d)
{
	if (d->gb != NULL && d->gctx != NULL && d->gb->close != NULL)
		d->gb->close(d->gb->self, d->gctx);
	d->gb = NULL;
	d->gctx = NULL;
	gate_free(&d->gate);		/* the relay off, the lines and the board let go */
	d->dev.gate = NULL;
	d->dev.gate_ctx = NULL;
}

static int
open_gate(struct kd *d, char *err, size_t errlen)
{
	const char *spec = d->a->conf.gate, *arg = "";
	size_t namelen = strcspn(spec, ":"), n = 0;
	char use[160] = "";
	const struct gate_ops *ops = NULL;
	struct gate_opts go;
	void *ctx = NULL;
	int ret;

	close_gate(d);
	if (*spec == '\0') {
		eg_errbuf(err, errlen, "%s", "no gate: set [devices] gate to a gate backend");
		return EG_ERR_INVAL;
	}
	if (spec[namelen] == ':')
		arg = spec + namelen + 1;
	for (size_t i = 0; d->b->gates != NULL && d->b->gates[i] != NULL; i++) {
		const struct kiosk_gate_backend *g = d->b->gates[i];

		n += (size_t)snprintf(use + n, n < sizeof(use) ? sizeof(use) - n : 0, "%s%s",
		    n ? ", " : "", g->usage);
		if (strlen(g->name) != namelen || strncmp(g->name, spec, namelen) != 0)
			continue;
		if ((ret = g->open(g->self, arg, &d->a->lg, &ops, &ctx, err, errlen)) != EG_OK)
			return ret;
		d->gb = g;
		d->gctx = ctx;
		d->dev.gate = ops;
		d->dev.gate_ctx = ctx;
		return EG_OK;
	}
	/* the product's gates (firmware/gate: gpio, hidrelay); an unknown
	 * name is EG_ERR_INVAL with every backend listed */
	memset(&go, 0, sizeof(go));
	go.log = &d->a->lg;
	go.extra_usage = use;
	if ((ret = gate_open(spec, &go, &d->gate, err, errlen)) != EG_OK)
		return ret;
	d->dev.gate = gate_get_ops(d->gate);
	d->dev.gate_ctx = d->gate;
	return EG_OK;
}

static int
open_display(struct kd *d, char *err, size_t errlen)
{
	const char *spec = d->a->conf.display;
	int ret;

	display_web_free(&d->web);	/* a reload with another spec */
	d->dev.display = NULL;
	d->dev.display_ctx = NULL;
	if (strcmp(spec, "none") == 0)
		return EG_OK;
	if (strcmp(spec, "web") == 0 || strncmp(spec, "web:", 4) == 0) {
		if ((ret = display_web_new(spec[3] == ':' ? spec + 4 : KD_DISPLAY_WEB_DEFAULT,
		    &d->a->lg, &d->web, err, errlen)) != EG_OK)
			return ret;
		/* how to open it (the demo and the installer's kiosk-mode browser) */
		printf("[display] the traveller's display: %s (chromium --kiosk %s)\n",
		    display_web_url(d->web), display_web_url(d->web));
		fflush(stdout);
		d->dev.display = &display_web_ops;
		d->dev.display_ctx = d->web;
		return EG_OK;
	}
	if (strcmp(spec, "text") != 0) {
		eg_errbuf(err, errlen, "display '%.40s': unknown (text, web[:ADDRESS:PORT] or none)",
		    spec);
		return EG_ERR_INVAL;
	}
	d->disp.out = stdout;
	d->disp.bilingual = true;
	d->disp.prefix = "[display] ";
	d->disp.last = PROMPT_COUNT;
	d->dev.display = &text_display_ops;
	d->dev.display_ctx = &d->disp;
	return EG_OK;
}

typedef int (*opener_fn)(struct kd *d, char *err, size_t errlen);

static const opener_fn openers[KD_COUNT] = {
	[KD_READER] = open_reader,
	[KD_MRZ] = open_mrz,
	[KD_CAMERA] = open_camera,
	[KD_GATE] = open_gate,
	[KD_DISPLAY] = open_display,
};

/* Open one device from its spec; a bad spec (EG_ERR_INVAL) is the
 * configuration's fault and returned; a device that is not there or does
 * not work is only its health (the kiosk starts out of service). */
static int
open_device(struct kd *d, enum kiosk_device dev, char *err, size_t errlen)
{
	char why[256] = "";
	int ret = openers[dev](d, why, sizeof(why));

	if (ret == EG_ERR_INVAL) {
		eg_errbuf(err, errlen, "[devices] %s: %s", kiosk_device_str(dev), why);
		return ret;
	}
	if (ret != EG_OK) {
		set_health(d, dev, open_failure(ret), why[0] ? why : eg_err_name(ret));
		return EG_OK;
	}
	set_health(d, dev, KH_OK, NULL);
	return EG_OK;
}

static void
close_devices(struct kd *d)
{
	close_gate(d);
	camera_free(&d->cam);
	mrz_source_free(&d->mrz);
	doc_reader_free(&d->reader);
	display_web_free(&d->web);
	memset(&d->dev, 0, sizeof(d->dev));
}

/* ---- finding lost devices again ------------------------------------------------------------ */

static void
on_hotplug(void *user, int arrived, const struct usb_dev_info *info)
{
	struct kd *d = user;

	(void)info;
	if (arrived)
		atomic_store(&d->arrived, true);
}

/* One frame from the camera, decoded as the passage would. */
static int
probe_camera(struct kd *d, char *why, size_t cap)
{
	struct camera_frame f;
	struct fcv_image img = { 0 };
	int ret;

	if ((ret = camera_next_frame(d->cam, KD_PROBE_MS, &f)) != EG_OK) {
		eg_errbuf(why, cap, "no frame: %s", eg_strerror(ret));
		return ret;
	}
	ret = f.format == CAMERA_FMT_MJPEG ? face_img_decode(f.data, f.len, FACE_MAX_DIM, &img) :
	    EG_OK;
	camera_release_frame(d->cam, &f);
	fcv_image_free(&img);
	if (ret != EG_OK)
		eg_errbuf(why, cap, "%s", "camera still sends frames that do not decode");
	return ret;
}

/* A lost device: reconnect through its own object when it has one (same
 * VID/PID and serial), else open it from its spec again. */
static void
recover(struct kd *d, enum kiosk_device dev)
{
	char why[256] = "";
	int ret = EG_ERR_NO_DEVICE;

	switch (dev) {
	case KD_READER:
		ret = d->reader != NULL ? doc_reader_reconnect(d->reader) : open_reader(d, why,
		    sizeof(why));
		break;
	case KD_MRZ:
		ret = d->mrz != NULL ? mrz_source_reconnect(d->mrz) : open_mrz(d, why, sizeof(why));
		break;
	case KD_CAMERA:
		/* camera.h: free and open again; back only once a frame decodes
		 * (a camera that sends broken frames opens fine) */
		if ((ret = open_camera(d, why, sizeof(why))) == EG_OK &&
		    (ret = probe_camera(d, why, sizeof(why))) != EG_OK) {
			camera_free(&d->cam);
			d->dev.camera = NULL;
			if (health_of(d, KD_CAMERA) == KH_FAILED)
				set_health(d, KD_CAMERA, KH_FAILED, why);
		}
		break;
	case KD_GATE:
		ret = d->dev.gate != NULL && d->dev.gate->reconnect != NULL ?
		    d->dev.gate->reconnect(d->dev.gate_ctx) : open_gate(d, why, sizeof(why));
		break;
	case KD_DISPLAY:
		ret = open_display(d, why, sizeof(why));
		break;
	default:
		return;
	}
	if (ret == EG_OK)
		set_health(d, dev, KH_OK, "back");
	else
		EG_LOG(&d->a->lg, EG_LOG_DEBUG, "kiosk.device_retry",
		    EG_STR("device", kiosk_device_str(dev)), EG_ERRF(ret), EG_STR("why", why));
}

/* Between passages: look for lost devices (now after a hotplug arrival,
 * else every KD_RETRY_MS), watch the gate and keep the camera's stream
 * fresh (which also notices a camera that went away). */
static void
maintain(struct kd *d)
{
	struct camera_frame f;
	struct gate_status gs;
	uint64_t now = mono_ms();
	bool due = now >= d->next_retry_ms || atomic_exchange(&d->arrived, false);

	if (due) {
		d->next_retry_ms = now + KD_RETRY_MS;
		for (int dev = 0; dev < KD_COUNT; dev++)
			if (down(d, (enum kiosk_device)dev))
				recover(d, (enum kiosk_device)dev);
	}
	if (d->dev.gate != NULL && !down(d, KD_GATE) && due) {
		int ret = d->dev.gate->status(d->dev.gate_ctx, &gs);

		if (ret == EG_ERR_NO_DEVICE)
			set_health(d, KD_GATE, KH_ABSENT, "gate gone");
		else if (ret != EG_OK)
			set_health(d, KD_GATE, KH_FAILED, gs.detail[0] ? gs.detail : eg_err_name(ret));
		else if (gs.door == GATE_DOOR_OPEN && !gs.commanded_open)
			set_health(d, KD_GATE, KH_FAILED, "door open without a command");
	}
	for (int i = 0; i < KD_CAMERA_DRAIN && d->cam != NULL && !down(d, KD_CAMERA); i++) {
		int ret = camera_next_frame(d->cam, 0, &f);

		if (ret == EG_ERR_NO_DEVICE) {
			set_health(d, KD_CAMERA, KH_ABSENT, "camera gone");
			break;
		}
		if (ret != EG_OK)
			break;
		camera_release_frame(d->cam, &f);
	}
}

/* The process's peak resident memory (VmHWM), in KiB; 0 if unknown. */
static unsigned long
peak_rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	unsigned long kb = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmHWM: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* ---- signals --------------------------------------------------------------------------------- */

/*
 * A thread that does not block the signals (OpenBLAS starts its thread pool
 * when the library is loaded, before main, with none blocked) would take a
 * SIGTERM or SIGHUP with the default action: the process would die. This
 * handler, which only such a thread ever runs, sends the signal on to the
 * main thread (whose thread id is the process id), where it waits, blocked,
 * for the signalfd. No state of its own.
 */
static void
forward_to_main(int sig)
{
	int saved = errno;

	(void)syscall(SYS_tgkill, getpid(), getpid(), sig);
	errno = saved;
}

static int
signals_open(sigset_t *mask)
{
	struct sigaction sa;

	sigemptyset(mask);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGHUP);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward_to_main;
	sa.sa_flags = SA_RESTART;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0 ||
	    sigaction(SIGHUP, &sa, NULL) != 0)
		return -1;
	/* blocked here, so every thread started from now on inherits it and
	 * the signals arrive only through the descriptor */
	if (pthread_sigmask(SIG_BLOCK, mask, NULL) != 0)
		return -1;
	return signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
}

static void
signals_poll(struct kd *d)
{
	struct signalfd_siginfo si;

	while (d->sfd >= 0 && read(d->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			d->reload = true;
		} else {
			d->stop = true;
		}
		EG_LOG(&d->a->lg, EG_LOG_NOTICE, "kiosk.signal", EG_UINT("signo", si.ssi_signo));
	}
}

/* ---- systemd: readiness, status, watchdog (sd_notify; nothing without
 * NOTIFY_SOCKET, so the daemon runs the same outside systemd) ---------- */

static void
notify_status(struct kd *d, const char *ready, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
notify_status(struct kd *d, const char *ready, const char *fmt, ...)
{
	char status[200];
	va_list ap;

	(void)d;
	va_start(ap, fmt);
	vsnprintf(status, sizeof(status), fmt, ap);
	va_end(ap);
	(void)sd_notifyf(0, "%s%sSTATUS=%s", ready != NULL ? ready : "", ready != NULL ? "\n" : "",
	    status);
}

/* WATCHDOG=1 at half the interval systemd gave (WatchdogSec=): the loop,
 * every step of a passage and every wait call here. */
static void
watchdog(void *ctx)
{
	struct kd *d = ctx;
	uint64_t now = mono_ms();

	if (d->wd_us == 0 || now - d->wd_last_ms < d->wd_us / 2000u)
		return;
	d->wd_last_ms = now;
	(void)sd_notify(0, "WATCHDOG=1");
}

/* The core asks between officer waits: a stop cuts the wait short. */
static bool
interrupted(void *ctx)
{
	struct kd *d = ctx;

	signals_poll(d);
	return d->stop;
}

/* ---- SIGHUP ----------------------------------------------------------------------------------- */

static void
reload(struct kd *d, const char *path)
{
	struct eg_kiosk_conf nc;
	struct eg_cfg_error cerr;
	struct eg_kiosk_conf *c = &d->a->conf;
	char eb[512], why[256];
	struct { char *spec; size_t cap; const char *now; enum kiosk_device dev; } specs[] = {
		{ c->reader, sizeof(c->reader), nc.reader, KD_READER },
		{ c->mrz_reader, sizeof(c->mrz_reader), nc.mrz_reader, KD_MRZ },
		{ c->camera, sizeof(c->camera), nc.camera, KD_CAMERA },
		{ c->gate, sizeof(c->gate), nc.gate, KD_GATE },
		{ c->display, sizeof(c->display), nc.display, KD_DISPLAY },
	};

	d->reload = false;
	(void)sd_notify(0, "RELOADING=1");
	if (eg_kiosk_conf_load(path, &nc, &cerr) != EG_OK) {
		EG_LOG(&d->a->lg, EG_LOG_ERROR, "kiosk.reload", EG_BOOL("ok", false),
		    EG_STR("why", eg_cfg_error_str(&cerr, eb, sizeof(eb))));
		notify_status(d, "READY=1", "reload refused: %s", eb);
		return;
	}
	d->a->lg.min_level = (enum eg_log_level)nc.log_level;
	/* the file's policy, unless the host's is in force */
	snprintf(c->accepted_issuers, sizeof(c->accepted_issuers), "%s", nc.accepted_issuers);
	c->min_age = nc.min_age;
	c->no_chip_auth = nc.no_chip_auth;
	c->match_threshold = nc.match_threshold;
	c->liveness_threshold = nc.liveness_threshold;
	c->watchlist_threshold = nc.watchlist_threshold;
	c->officer_wait = nc.officer_wait;
	c->host_offline_limit = nc.host_offline_limit;
	if (policy_apply_version(d->a->pa) == 0)
		kiosk_policy_from_conf(c, &d->a->policy);
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		if (strcmp(specs[i].spec, specs[i].now) == 0)
			continue;
		snprintf(specs[i].spec, specs[i].cap, "%s", specs[i].now);
		if (open_device(d, specs[i].dev, why, sizeof(why)) != EG_OK)
			set_health(d, specs[i].dev, KH_FAILED, why);
	}
	if (strcmp(nc.host_address, c->host_address) != 0 || nc.host_port != c->host_port ||
	    strcmp(nc.csca, c->csca) != 0 || strcmp(nc.crl_dir, c->crl_dir) != 0 ||
	    strcmp(nc.spool, c->spool) != 0 || strcmp(nc.id, c->id) != 0 ||
	    strcmp(nc.cert, c->cert) != 0 || strcmp(nc.seal_cert, c->seal_cert) != 0)
		EG_LOG(&d->a->lg, EG_LOG_WARN, "kiosk.reload_needs_restart",
		    EG_STR("keys", "[kiosk] id, [host], [trust]: kept as they were"));
	EG_LOG(&d->a->lg, EG_LOG_NOTICE, "kiosk.reload", EG_BOOL("ok", true),
	    EG_STR("policy", d->a->policy.version));
	notify_status(d, "READY=1", "reloaded; policy %s", d->a->policy.version);
}

/* ---- the loop ---------------------------------------------------------------------------------- */

static void
passage(struct kd *d)
{
	struct kiosk_report rep;
	char err[256] = "", title[96];
	int ret;

	d->passages++;
	ret = kiosk_run_passage(d->k, &rep, err, sizeof(err));
	if (ret != EG_OK) {
		EG_LOG(&d->a->lg, EG_LOG_ERROR, "kiosk.passage", EG_ERRF(ret), EG_STR("why", err));
		return;
	}
	snprintf(title, sizeof(title), "%lu", d->passages);
	kiosk_report_print(stdout, title, &rep);
	notify_status(d, NULL, "passage %lu: %s %s; %s", d->passages,
	    passage_outcome_str(rep.outcome), rep.rule, passage_state_str(rep.end_state));
	EG_LOG(&d->a->lg, EG_LOG_NOTICE, "kiosk.passage", EG_UINT("n", d->passages),
	    EG_STR("decision", passage_outcome_str(rep.outcome)), EG_STR("rule", rep.rule),
	    EG_UINT("seq", rep.seq), EG_STR("state", passage_state_str(rep.end_state)),
	    EG_INT("ms", (long long)rep.total_ms));
}

/* In service: wait a turn for a document on the reader. */
static void
wait_document(struct kd *d)
{
	enum doc_reader_event ev = DOC_READER_NONE;
	int ret = doc_reader_wait_event(d->reader, KD_WAIT_MS, &ev);

	if (ret == EG_ERR_TIMEOUT)
		return;
	if (ret == EG_ERR_NO_DEVICE) {
		set_health(d, KD_READER, KH_ABSENT, "reader gone");
		return;
	}
	if (ret != EG_OK) {
		/* a malformed interrupt message or status: the reader misbehaves */
		set_health(d, KD_READER, KH_DEGRADED, eg_err_name(ret));
		return;
	}
	EG_LOG(&d->a->lg, EG_LOG_INFO, "kiosk.card", EG_STR("event", doc_reader_event_str(ev)));
	if (ev == DOC_READER_HW_ERROR) {
		set_health(d, KD_READER, KH_DEGRADED, "the reader reported a hardware error");
		return;
	}
	if (ev == DOC_READER_CARD_PLACED)
		passage(d);
}

static void
usage(FILE *f, const char *prog, const struct kiosk_backends *b)
{
	char gates[256];

	fprintf(f, "usage: %s --config FILE [--foreground] [--officer-wait SECONDS]\n"
	    "       [--config-wait SECONDS] [--drain SECONDS]\n"
	    "  --config FILE          kiosk configuration (egate-kiosk.conf(5))\n"
	    "  --foreground           accepted for compatibility: the daemon never forks\n"
	    "                         (systemd runs it as Type=notify)\n"
	    "  --officer-wait SECONDS a referral or hold waits this long for an officer\n"
	    "                         (default: [kiosk] officer_wait)\n"
	    "  --config-wait SECONDS  at start, wait this long for the host's policy\n"
	    "  --drain SECONDS        at stop, wait this long for the host's acks (default 10)\n"
	    "  --version, --help\n", prog);
	fprintf(f, "devices of this build ([devices] in egate-kiosk.conf(5)):\n"
	    "  reader   usb[:VID:PID], vpcd[:PORT]");
	for (size_t i = 0; b->readers != NULL && b->readers[i] != NULL; i++)
		fprintf(f, ", %s", b->readers[i]->usage);
	fprintf(f, "\n  mrz      acm[:VID:PID], hid[:VID:PID]");
	for (size_t i = 0; b->mrz != NULL && b->mrz[i] != NULL; i++)
		fprintf(f, ", %s", b->mrz[i]->usage);
	fprintf(f, "\n  camera   uvc[:VID:PID]");
	for (size_t i = 0; b->cameras != NULL && b->cameras[i] != NULL; i++)
		fprintf(f, ", %s", b->cameras[i]->usage);
	gate_spec_help(gates, sizeof(gates));
	fprintf(f, "\n  gate     %s", gates);
	for (size_t i = 0; b->gates != NULL && b->gates[i] != NULL; i++)
		fprintf(f, ", %s", b->gates[i]->usage);
	fprintf(f, "\n  display  text, web[:ADDRESS:PORT] (a page for a browser on this board, default %s), none\n",
	    KD_DISPLAY_WEB_DEFAULT);
}

static int
parse_seconds(const char *prog, const char *opt, const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 86400) {
		fprintf(stderr, "%s: %s: 0 to 86400 seconds\n", prog, opt);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int
kiosk_daemon_main(int argc, char **argv, const struct kiosk_backends *b, const char *prog)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "officer-wait", required_argument, NULL, 'o' },
		{ "config-wait", required_argument, NULL, 'w' },
		{ "drain", required_argument, NULL, 'd' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct kiosk_backends none = { 0 };
	const char *conf_path = NULL;
	struct kiosk_app a;
	struct kd d;
	struct kiosk_opts ko;
	struct uplink_stats st;
	sigset_t mask;
	char err[512] = "";
	int c, ret = 2, officer_wait = -1, config_wait = 0, drain_s = 10;

	memset(&d, 0, sizeof(d));
	memset(&a, 0, sizeof(a));
	d.sfd = -1;
	d.b = b != NULL ? b : &none;
	d.a = &a;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:fo:w:d:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': conf_path = optarg; break;
		case 'f': break;
		case 'o': if (parse_seconds(prog, "--officer-wait", optarg, &officer_wait)) return 2; break;
		case 'w': if (parse_seconds(prog, "--config-wait", optarg, &config_wait)) return 2; break;
		case 'd': if (parse_seconds(prog, "--drain", optarg, &drain_s)) return 2; break;
		case 'V': printf("%s %s\n", prog, EGATE_VERSION); return 0;
		case 'h': usage(stdout, prog, d.b); return 0;
		default: usage(stderr, prog, d.b); return 2;
		}
	}
	if (optind != argc || conf_path == NULL) {
		usage(stderr, prog, d.b);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);	/* a line as it happens, also in a journal */
	if ((d.sfd = signals_open(&mask)) < 0) {
		fprintf(stderr, "%s: signals: %s\n", prog, strerror(errno));
		return 3;
	}
	if ((c = kiosk_app_init(&a, conf_path, stdout, err, sizeof(err))) != EG_OK) {
		fprintf(stderr, "%s: %s\n", prog, err);
		ret = c == EG_ERR_CONFIG ? 2 : 3;
		goto out;
	}
	for (int dev = 0; dev < KD_COUNT; dev++)
		if (open_device(&d, (enum kiosk_device)dev, err, sizeof(err)) != EG_OK) {
			fprintf(stderr, "%s: %s\n", prog, err);
			ret = 2;
			goto out;
		}
	memset(&ko, 0, sizeof(ko));
	ko.conf = &a.conf;
	ko.policy = &a.policy;
	ko.log = &a.lg;
	ko.out = stdout;
	ko.dev = &d.dev;
	ko.uplink = a.up;
	ko.inbox = a.inbox;
	ko.officer_wait_ms = (officer_wait >= 0 ? officer_wait : (int)a.conf.officer_wait) * 1000;
	ko.interrupted = interrupted;
	ko.interrupted_ctx = &d;
	ko.alive = watchdog;
	ko.alive_ctx = &d;
	if (sd_watchdog_enabled(0, &d.wd_us) <= 0)
		d.wd_us = 0;
	if ((c = kiosk_new(&ko, &d.k, err, sizeof(err))) != EG_OK) {
		fprintf(stderr, "%s: %s\n", prog, err);
		ret = c == EG_ERR_CONFIG ? 2 : 3;	/* no trust anchor, seal_cert refused */
		goto out;
	}
	for (int dev = 0; dev < KD_COUNT; dev++)
		kiosk_set_health(d.k, (enum kiosk_device)dev, d.h0[dev], d.why0[dev]);
	if (kiosk_app_start(&a, d.k, config_wait) != EG_OK) {
		fprintf(stderr, "%s: cannot start the uplink thread\n", prog);
		ret = 3;
		goto out;
	}
	if (usb_libusb_new(&d.hot) == EG_OK &&
	    usb_libusb_hotplug_start(d.hot, 0, NULL, on_hotplug, &d) != EG_OK)
		usb_libusb_free(&d.hot);	/* no hotplug: the periodic retry only */
	(void)kiosk_idle(d.k, 0);
	EG_LOG(&a.lg, EG_LOG_NOTICE, "kiosk.ready", EG_STR("kiosk", a.conf.id),
	    EG_STR("state", passage_state_str(kiosk_passage(d.k)->state)),
	    EG_STR("reader", a.conf.reader), EG_STR("mrz", a.conf.mrz_reader),
	    EG_STR("camera", a.conf.camera), EG_STR("gate", a.conf.gate),
	    EG_BOOL("hotplug", d.hot != NULL), EG_UINT("watchdog_ms", d.wd_us / 1000u));
	notify_status(&d, "READY=1", "%s; reader %s, camera %s",
	    passage_state_str(kiosk_passage(d.k)->state), a.conf.reader, a.conf.camera);
	while (!d.stop) {
		watchdog(&d);
		signals_poll(&d);
		if (d.stop)
			break;
		if (d.reload)
			reload(&d, conf_path);
		if (d.b->tick != NULL)
			d.b->tick(d.b->tick_ctx, d.k);
		(void)policy_apply_pending(a.pa, d.k);
		(void)kiosk_idle(d.k, 0);
		maintain(&d);
		if (kiosk_in_service(d.k) && d.reader != NULL && !down(&d, KD_READER)) {
			wait_document(&d);
			continue;
		}
		/* out of service or held: officer commands, hotplug, the retry */
		if (d.hot != NULL)
			(void)usb_libusb_handle_events(d.hot, KD_WAIT_MS / 2);
		(void)kiosk_idle(d.k, d.hot != NULL ? KD_WAIT_MS / 2 : KD_WAIT_MS);
	}
	EG_LOG(&a.lg, EG_LOG_NOTICE, "kiosk.stopping", EG_UINT("passages", d.passages));
	notify_status(&d, "STOPPING=1", "stopping: gate closed, draining the spool");
	/* the gate shut before anything else */
	if (d.dev.gate != NULL) {
		c = d.dev.gate->close(d.dev.gate_ctx);
		EG_LOG(&a.lg, c == EG_OK ? EG_LOG_NOTICE : EG_LOG_ERROR, "kiosk.gate",
		    EG_STR("command", "close"), EG_STR("why", "stopping"), EG_ERRF(c));
	}
	/* records the host has not acknowledged stay in the spool for the
	 * next start: not draining in time is no failure */
	c = kiosk_app_drain(&a, drain_s, &st);
	kiosk_app_print_uplink(a.up != NULL ? stdout : NULL, &st);
	EG_LOG(&a.lg, c ? EG_LOG_NOTICE : EG_LOG_WARN, "kiosk.stopped",
	    EG_BOOL("drained", c), EG_UINT("pending", st.pending),
	    EG_UINT("passages", d.passages), EG_UINT("peak_rss_kb", peak_rss_kb()));
	ret = 0;
out:
	kiosk_free(&d.k);
	close_devices(&d);
	usb_libusb_free(&d.hot);
	kiosk_app_fini(&a);
	if (d.sfd >= 0)
		close(d.sfd);
	return ret;
}
