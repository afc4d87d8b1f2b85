/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_sim_main.c — egate-kiosk-sim, the simulation runner (docs/kiosk.md
 * "Scenarios"; not installed):
 *
 *   egate-kiosk-sim --config FILE --scenario FILE [--officer-wait S]
 *                   [--config-wait S] [--drain S]
 *   egate-kiosk-sim --config FILE [--control FIFO] [--sim-pki DIR] [daemon options]
 *   egate-kiosk-sim --make-portrait IMG OUT.jpg
 *
 * With --scenario it plays a queue of simulated travellers (hw/sim/scenarios/)
 * through the SAME passage core as egate-kiosk (kiosk.h), on the simulated
 * devices of kiosk_sim.h, checks every decision against the scenario's
 * expectation and, with [host] connect, delivers every record to egate-host
 * and takes officer commands, exactly as the product does. [trust] csca =
 * sim (or empty) puts the simulated PKI that signs the simulated passports
 * in a private folder and trusts it; any other value is used as it is.
 *
 * Without --scenario it is egate-kiosk's daemon (kiosk_daemon.h) with the
 * simulated backends added: the simulated lane of sim_lane.h (reader, mrz,
 * camera and gate "lane", driven by the commands written to --control), the
 * gate "sim", the camera "sim:SCENE|DIR", the reader "sim:PROFILE" — for
 * tests that drive the daemon with simulated devices, or with some real
 * (umockdev) and some simulated ones. --sim-pki DIR writes the simulated PKI
 * (DIR/csca.der, DIR/crl/) for [trust]. --make-portrait makes the one-person
 * live presentation of a test photo that the lane's camera can show
 * (OUT-00.jpg to OUT-15.jpg).
 *
 * Exit (scenario): 0 every passage ran and met its expectation (and, when
 * connected, the host acknowledged every record), 1 an expectation failed
 * or records were not delivered, 2 usage or configuration error, 3 a
 * device or the kiosk could not be set up.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "display_web.h"
#include "egate/error.h"
#include "egate_build.h"
#include "kiosk_app.h"
#include "kiosk_daemon.h"
#include "kiosk_sim.h"
#include "sim_doc_reader.h"
#include "sim_lane.h"
#include "sim_tmpdir.h"
#include "sim_traveller.h"

#define PROG "egate-kiosk-sim"

/* ---- the simulated gate as a daemon backend ------------------------------------------------ */

static int
gate_open(void *self, const char *arg, const struct eg_log *log, const struct gate_ops **ops,
    void **ctx, char *err, size_t errlen)
{
	struct sim_gate *g;

	(void)self;
	if (*arg != '\0') {
		eg_errbuf(err, errlen, "gate 'sim:%s': the simulated gate takes no argument", arg);
		return EG_ERR_INVAL;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return EG_ERR_NOMEM;
	sim_gate_init(g, log);
	*ops = &sim_gate_ops;
	*ctx = g;
	return EG_OK;
}

static void
gate_close(void *self, void *ctx)
{
	(void)self;
	free(ctx);
}

/* Take the runner's own option NAME VALUE out of argv (the daemon's
 * option parser would refuse it); returns VALUE or NULL. */
static const char *
take_option(int *argc, char **argv, const char *name)
{
	const char *v = NULL;

	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], name) != 0 || i + 1 >= *argc)
			continue;
		v = argv[i + 1];
		memmove(&argv[i], &argv[i + 2], (size_t)(*argc - i - 2 + 1) * sizeof(argv[0]));
		*argc -= 2;
		break;
	}
	return v;
}

/* The simulated PKI (deterministic: the same one signs every simulated
 * passport) in DIR, for [trust] csca = DIR/csca.der, crl_dir = DIR/crl. */
static int
write_pki(const char *dir)
{
	struct sim_pki *p = NULL;
	int ret;

	if ((ret = sim_pki_new(&p)) == EG_OK)
		ret = sim_pki_write(p, dir);
	sim_pki_free(&p);
	return ret;
}

/* egate-kiosk-sim --make-portrait IMG OUT: one person from a test photo,
 * live, as the camera of a simulated lane shows it (for tests of the
 * daemon): the frames OUT-00.jpg to OUT-15.jpg (kiosk_sim_portrait). */
static int
make_portrait(const char *img, const char *out)
{
	struct face_ctx *face = NULL;
	const char *md = getenv("EGATE_MODEL_DIR");
	char path[1024], td[512], fe[256];
	int ret;

	if (md == NULL || *md == '\0')
		md = EGATE_MODEL_DIR;
	if ((ret = face_ctx_new(access(FACE_PROFILE_INSTALLED, R_OK) == 0 ? FACE_PROFILE_INSTALLED :
	    FACE_PROFILE_SRC, md, &face, fe, sizeof(fe))) != EG_OK) {
		fprintf(stderr, PROG ": face models: %s\n", fe);
		return 3;
	}
	if (strchr(img, '/') != NULL)
		snprintf(path, sizeof(path), "%s", img);
	else
		snprintf(path, sizeof(path), "%s/%s", sim_testdata_dir(td, sizeof(td)), img);
	ret = kiosk_sim_portrait(face, path, out);
	face_ctx_free(&face);
	if (ret != EG_OK) {
		fprintf(stderr, PROG ": portrait from %s: %s\n", path, eg_strerror(ret));
		return 3;
	}
	return 0;
}

/*
 * The daemon with the simulated backends added: the lane's controllable
 * devices (reader, mrz, camera and gate "lane"; --control FIFO takes its
 * commands), the simulated reader "sim:PROFILE", camera "sim:..." and gate
 * "sim". --sim-pki DIR writes the simulated PKI that signs the lane's
 * passports first, for [trust] csca.
 */
static int
daemon_mode(int argc, char **argv)
{
	static const struct kiosk_gate_backend sim_gate_backend = {
		.name = "sim", .usage = "sim", .open = gate_open, .close = gate_close,
	};
	static const struct camera_ops *const cameras[] = { &camera_sim_ops, &sim_lane_camera_ops,
		NULL };
	const char *control = take_option(&argc, argv, "--control");
	const char *pki = take_option(&argc, argv, "--sim-pki");
	struct sim_doc_reader sdr;
	struct sim_lane *lane = NULL;
	struct eg_log lg;
	const struct doc_reader_backend *readers[3];
	const struct mrz_source_backend *mrz[2];
	const struct kiosk_gate_backend *gates[3];
	struct kiosk_backends b;
	int ret = 3, fd;

	eg_log_init(&lg, "kiosk");
	sim_doc_reader_init(&sdr);
	if (sim_lane_new(NULL, &lg, &lane) != EG_OK) {
		fprintf(stderr, PROG ": cannot set up the simulated lane\n");
		goto out;
	}
	if (pki != NULL) {
		if (mkdir(pki, 0700) != 0 && errno != EEXIST) {
			fprintf(stderr, PROG ": %s: %s\n", pki, strerror(errno));
			goto out;
		}
		if (write_pki(pki) != EG_OK) {
			fprintf(stderr, PROG ": cannot write the simulated PKI to %s\n", pki);
			goto out;
		}
	}
	if (control != NULL) {
		/* read and write: the FIFO never reads as closed between writers */
		if ((fd = open(control, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
			fprintf(stderr, PROG ": --control %s: %s\n", control, strerror(errno));
			ret = 2;
			goto out;
		}
		sim_lane_set_control(lane, fd);
	}
	readers[0] = &sdr.backend;
	readers[1] = sim_lane_reader_backend(lane);
	readers[2] = NULL;
	mrz[0] = sim_lane_mrz_backend(lane);
	mrz[1] = NULL;
	gates[0] = &sim_gate_backend;
	gates[1] = sim_lane_gate_backend(lane);
	gates[2] = NULL;
	memset(&b, 0, sizeof(b));
	b.readers = readers;
	b.mrz = mrz;
	b.cameras = cameras;
	b.camera_ctx = lane;
	b.gates = gates;
	b.tick = sim_lane_tick;
	b.tick_ctx = lane;
	ret = kiosk_daemon_main(argc, argv, &b, PROG);
out:
	sim_lane_free(&lane);
	sim_doc_reader_clear(&sdr);
	return ret;
}

/* ---- scenario playback ---------------------------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f, "usage: " PROG " --config FILE --scenario FILE [--officer-wait SECONDS]\n"
	    "                       [--config-wait SECONDS] [--drain SECONDS]\n"
	    "       " PROG " --config FILE [egate-kiosk's daemon options]\n"
	    "  --scenario FILE        play the simulated travellers of a scenario\n"
	    "                         (hw/sim/scenarios/*.ini) through the passage core\n"
	    "  --officer-wait SECONDS a referral or hold waits this long for an officer's\n"
	    "                         command through the host (egate officer); 0 (default):\n"
	    "                         the kiosk closes it at once, without a decision\n"
	    "  --config-wait SECONDS  at start, wait this long for the host's policy\n"
	    "  --drain SECONDS        at the end, wait this long for the host's acks (default 30)\n"
	    "  --version, --help\n");
}

static int
scenario_mode(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "scenario", required_argument, NULL, 's' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "drain", required_argument, NULL, 'd' },
		{ "officer-wait", required_argument, NULL, 'o' },
		{ "config-wait", required_argument, NULL, 'w' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = NULL, *scen_path = NULL;
	struct kiosk_app a;
	struct kiosk_sim *sim = NULL;
	struct display_web *web = NULL;	/* [devices] display = web */
	struct kiosk_sim_opts so;
	struct kiosk_opts ko;
	struct kiosk *k = NULL;
	struct scenario *sc = NULL;
	struct kiosk_report rep;
	struct uplink_stats st;
	char err[512] = "", pki[128] = "", title[512];
	size_t met = 0;
	int c, ret = 2, drain_s = 30, config_wait_s = 0, officer_wait_s = 0;
	char *end;

	memset(&a, 0, sizeof(a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:s:fd:o:w:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': conf_path = optarg; break;
		case 's': scen_path = optarg; break;
		case 'f': break;
		case 'o':
			officer_wait_s = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || officer_wait_s < 0 || officer_wait_s > 86400) {
				fprintf(stderr, PROG ": --officer-wait: 0 to 86400 seconds\n");
				return 2;
			}
			break;
		case 'd': drain_s = atoi(optarg); break;
		case 'w': config_wait_s = atoi(optarg); break;
		case 'V': printf(PROG " %s\n", EGATE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || conf_path == NULL || scen_path == NULL) {
		usage(stderr);
		return 2;
	}
	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return 3;
	if (scenario_load(scen_path, sc, err, sizeof(err)) != EG_OK) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	if ((c = kiosk_app_init(&a, conf_path, stdout, err, sizeof(err))) != EG_OK) {
		fprintf(stderr, PROG ": %s\n", err);
		ret = c == EG_ERR_CONFIG ? 2 : 3;
		goto out;
	}
	memset(&so, 0, sizeof(so));
	so.sc = sc;
	so.log = &a.lg;
	so.out = stdout;
	so.bilingual = true;
	so.lang = a.conf.language == EG_LANG_KO ? LANG_KO : LANG_EN;
	ret = 3;
	/* [devices] display = web[:ADDRESS:PORT]: the traveller's page too */
	if (strcmp(a.conf.display, "web") == 0 || strncmp(a.conf.display, "web:", 4) == 0) {
		if (display_web_new(a.conf.display[3] == ':' ? a.conf.display + 4 : "127.0.0.1:8471",
		    &a.lg, &web, err, sizeof(err)) != EG_OK) {
			fprintf(stderr, PROG ": %s\n", err);
			ret = 2;
			goto out;
		}
		printf("[display] the traveller's display: %s (chromium --kiosk %s)\n",
		    display_web_url(web), display_web_url(web));
		fflush(stdout);
		so.also = &display_web_ops;
		so.also_ctx = web;
	}
	if (kiosk_sim_new(&so, &sim, err, sizeof(err)) != EG_OK) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	/* [trust] csca = sim: the simulated PKI, written where the kiosk's
	 * configuration can point at it (the kiosk trusts only configuration) */
	if (a.conf.csca[0] == '\0' || strcmp(a.conf.csca, "sim") == 0) {
		if (sim_tmpdir_make(pki, sizeof(pki), "egate-sim-pki") != EG_OK ||
		    kiosk_sim_write_pki(sim, pki) != EG_OK) {
			fprintf(stderr, PROG ": cannot write the simulated PKI\n");
			goto out;
		}
		snprintf(a.conf.csca, sizeof(a.conf.csca), "%s/csca.der", pki);
		snprintf(a.conf.crl_dir, sizeof(a.conf.crl_dir), "%s/crl", pki);
	}
	memset(&ko, 0, sizeof(ko));
	ko.conf = &a.conf;
	ko.policy = &a.policy;
	ko.log = &a.lg;
	ko.out = stdout;
	ko.dev = kiosk_sim_devices(sim);
	ko.uplink = a.up;
	ko.inbox = a.inbox;
	ko.officer_wait_ms = officer_wait_s * 1000;
	ko.today = kiosk_sim_date(sc);
	if ((c = kiosk_new(&ko, &k, err, sizeof(err))) != EG_OK ||
	    kiosk_sim_watchlist(sim, k, err, sizeof(err)) != EG_OK) {
		fprintf(stderr, PROG ": %s\n", err);
		ret = c == EG_ERR_CONFIG ? 2 : 3;
		goto out;
	}
	if (kiosk_app_start(&a, k, config_wait_s) != EG_OK)
		goto out;
	printf(PROG " %s: kiosk %s, scenario '%s', %zu passage(s)\n", EGATE_VERSION,
	    a.conf.id, sc->name, sc->n);
	for (size_t i = 0; i < sc->n; i++) {
		const struct scenario_passage *sp = &sc->p[i];

		/* this traveller's devices replace the last one's (lost ones too) */
		if (kiosk_sim_prepare(sim, k, sp, err, sizeof(err)) != EG_OK) {
			fprintf(stderr, PROG ": passage '%s': %s\n", sp->name, err);
			goto out;
		}
		(void)kiosk_idle(k, 0);	/* officer commands between travellers (a hold) */
		(void)policy_apply_pending(a.pa, k);	/* between passages only */
		while (!kiosk_in_service(k))	/* the host away too long */
			(void)kiosk_idle(k, 200);
		if (kiosk_run_passage(k, &rep, err, sizeof(err)) != EG_OK) {
			fprintf(stderr, PROG ": passage '%s': %s\n", sp->name, err);
			goto out;
		}
		kiosk_sim_title(sp, title, sizeof(title));
		kiosk_report_print(stdout, title, &rep);
		kiosk_sim_release(sim);
		if (kiosk_sim_expectation_met(sp, &rep))
			met++;
		printf("   expected %s%s%s: %s\n", scenario_expect_str(sp->expect),
		    sp->expect_rule[0] ? " / " : "", sp->expect_rule,
		    kiosk_sim_expectation_met(sp, &rep) ? "met" : "NOT MET");
	}
	printf("%zu of %zu passages as expected\n", met, sc->n);
	ret = met == sc->n ? 0 : 1;
	if (a.up != NULL) {
		bool all = kiosk_app_drain(&a, drain_s, &st);

		kiosk_app_print_uplink(stdout, &st);
		if (!all && ret == 0)
			ret = 1;
	}
out:
	kiosk_free(&k);
	kiosk_sim_free(&sim);
	display_web_free(&web);
	kiosk_app_fini(&a);
	(void)sim_tmpdir_remove(pki);
	free(sc);
	return ret;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--make-portrait") == 0)
		return make_portrait(argv[2], argv[3]);
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--scenario") == 0 || strncmp(argv[i], "--scenario=", 11) == 0)
			return scenario_mode(argc, argv);
	return daemon_mode(argc, argv);
}
