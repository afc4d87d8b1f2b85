/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_umock.c — what the real libusb path costs: one passage's chip read
 * (doc_read of the genuine-td3 traveller: power on, BAC, secure messaging,
 * EF.COM, EF.SOD, DG1, DG2, passive authentication) through
 *
 *   sim     the simulated transport: ccid.c -> usb_sim bus -> sim_ccid
 *   libusb  the real backend: ccid.c -> usb_libusb.c -> libusb -> usbdevfs
 *           ioctls -> umockdev preload -> socket -> umock_usb.c -> sim_ccid
 *
 * with the same simulated reader (ACS ACR1252 profile) and chip, in the same
 * process, interleaved round by round (the order alternates), N rounds.
 * Prints medians and min..max of wall time and of process CPU time (which
 * includes umockdev's worker thread), the ratio libusb / sim, the ioctls per
 * read, and the CPU and kernel. Must run under libumockdev-preload
 * (meson test --benchmark sets it). `bench-umock [N]`, default 15.
 *
 * What the ratio means: the extra cost of going through libusb and a kernel
 * interface that umockdev emulates in user space (a Unix-socket round trip
 * per ioctl, and busy REAPURBNDELAY polling, because umockdev's device node
 * is a regular file that poll() always reports ready). It is an upper bound
 * of libusb's own overhead, not the cost on a real kernel with a real
 * reader, where the USB link (1 ms frames at full speed) dominates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>

#include "doc/card.h"
#include "doc/read.h"
#include "docauth/csca.h"
#include "egate/ccid.h"
#include "egate/error.h"
#include "egate/usb_libusb.h"
#include "egate/usb_profile.h"
#include "egate/usb_sim.h"
#include "sim_ccid.h"
#include "sim_epassport.h"
#include "sim_traveller.h"
#include "umock.h"

#define MAX_ROUNDS 200

struct path {
	const char *name;
	struct sim_epassport *chip;
	struct sim_ccid *rdr;
	struct ccid_dev *d;
	struct doc_card card;
	double wall[MAX_ROUNDS], cpu[MAX_ROUNDS];
};

static double
now_ms(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* median, min, max of v[0..n) (sorts v) */
static double
stats(double *v, int n, double *lo, double *hi)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	*lo = v[0];
	*hi = v[n - 1];
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
print_machine(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096], model[256] = "?", flags[4096] = "?";
	struct utsname u;

	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			char *v = strchr(line, ':');

			if (v == NULL)
				continue;
			v += 2;
			v[strcspn(v, "\n")] = '\0';
			if (strncmp(line, "model name", 10) == 0 && model[0] == '?')
				snprintf(model, sizeof(model), "%s", v);
			else if (strncmp(line, "flags", 5) == 0 && flags[0] == '?')
				snprintf(flags, sizeof(flags), "%s", v);
		}
		fclose(f);
	}
	printf("cpu: %s\nflags: %s\n", model, flags);
	if (uname(&u) == 0)
		printf("kernel: %s %s %s\n", u.sysname, u.release, u.version);
#if defined(__SANITIZE_ADDRESS__)
	printf("WARNING: sanitizer build: the figures are not meaningful; "
	    "use a release build (meson setup build-rel --buildtype=release)\n");
#endif
}

static int
rng(void *ctx, unsigned char *out, size_t len)
{
	return mbedtls_ctr_drbg_random(ctx, out, len);
}

static void
ccid_replug_cb(void *dev)
{
	sim_ccid_replug(dev);
}

/* One read; EG_OK only if the outcome is PASS. */
static int
read_once(struct path *p, const struct doc_read_opts *o, int round)
{
	struct doc_result *res = NULL;
	double w0, c0;
	int ret;

	w0 = now_ms(CLOCK_MONOTONIC);
	c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
	ret = doc_read(&p->card, o, &res);
	p->cpu[round] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
	p->wall[round] = now_ms(CLOCK_MONOTONIC) - w0;
	if (ret == EG_OK && !doc_result_passed(res))
		ret = EG_ERR_PROTOCOL;
	doc_result_free(&res);
	return ret;
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 15;
	struct usb_profile_table pt;
	struct eg_cfg_error cerr;
	struct sim_traveller t;
	struct sim_pki *pki = NULL;
	struct csca_store *store = NULL;
	struct usb_sim_bus *bus = NULL;
	struct usb_transport st, lt;
	struct umock *u = NULL;
	struct umock_sim *us = NULL;
	struct usb_libusb *lu = NULL;
	struct path sim = { .name = "sim" }, lib = { .name = "libusb" };
	struct path *paths[2] = { &sim, &lib };
	struct umock_stats s0, s1;
	struct usb_match m;
	struct ccid_event ev;
	struct doc_read_opts o;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	char mrz[160], path[4096], td[4096];
	const unsigned char *der;
	size_t len;
	int r, k, ret = 1;

	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	if (n < 1 || n > MAX_ROUNDS)
		return 2;
	if (!umock_preloaded()) {
		fprintf(stderr, "bench-umock: run under libumockdev-preload "
		    "(meson test --benchmark --suite umockdev sets LD_PRELOAD)\n");
		return 1;
	}
	print_machine();
	if (usb_profile_load_file(EGATE_BENCH_PROFILES, &pt, &cerr) != EG_OK)
		goto out;
	snprintf(path, sizeof(path), "%s/genuine-td3.ini", sim_traveller_dir());
	if (sim_traveller_load_file(path, &t, &cerr) != EG_OK ||
	    sim_traveller_mrz(&t, mrz, sizeof(mrz)) != EG_OK ||
	    sim_pki_new(&pki) != EG_OK ||
	    sim_traveller_build(&t, pki, sim_testdata_dir(td, sizeof(td)),
	    &sim.chip) != EG_OK ||
	    sim_traveller_build(&t, pki, td, &lib.chip) != EG_OK) {
		fprintf(stderr, "bench-umock: cannot build the simulated passport "
		    "(face models and test images: scripts/install-deps)\n");
		goto out;
	}
	if (csca_store_new(&store) != EG_OK ||
	    (der = sim_pki_csca(pki, &len)) == NULL ||
	    csca_store_add_cert(store, der, len) != EG_OK ||
	    (der = sim_pki_crl(pki, &len)) == NULL ||
	    csca_store_add_crl(store, der, len) != EG_OK)
		goto out;
	if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent,
	    (const unsigned char *)"bench-umock", 11) != 0)
		goto out;
	memset(&m, 0, sizeof(m));
	m.vid = pt.p[0].vid;
	m.pid = pt.p[0].pid;
	/* the simulated transport */
	if (sim_ccid_new(&sim.rdr, &pt.p[0]) != EG_OK ||
	    usb_sim_bus_new(&bus) != EG_OK ||
	    usb_sim_bus_add(bus, &sim_ccid_device_ops, sim.rdr) != EG_OK)
		goto out;
	st = usb_sim_bus_transport(bus);
	if (ccid_open(&sim.d, &st, &m, &pt, NULL) != EG_OK)
		goto out;
	sim_ccid_insert(sim.rdr, &sim_epassport_card_ops, sim.chip);
	(void)ccid_wait_event(sim.d, 100, &ev);
	/* the real libusb path, the same reader and chip behind umockdev */
	if (sim_ccid_new(&lib.rdr, &pt.p[0]) != EG_OK || umock_new(&u) != EG_OK)
		goto out;
	sim_ccid_insert(lib.rdr, &sim_epassport_card_ops, lib.chip);
	if (umock_sim_add(u, &sim_ccid_device_ops, lib.rdr, NULL, "egate bench",
	    pt.p[0].name, ccid_replug_cb, &us) != EG_OK ||
	    usb_libusb_new(&lu) != EG_OK)
		goto out;
	lt = usb_libusb_transport(lu);
	if (ccid_open(&lib.d, &lt, &m, &pt, NULL) != EG_OK) {
		fprintf(stderr, "bench-umock: libusb does not see the emulated reader\n");
		goto out;
	}
	(void)ccid_wait_event(lib.d, 2000, &ev);
	doc_card_ccid(sim.d, &sim.card);
	doc_card_ccid(lib.d, &lib.card);
	memset(&o, 0, sizeof(o));
	o.mrz = mrz;
	o.store = store;
	o.rng = rng;
	o.rng_ctx = &drbg;
	/* one warm-up read each (portrait cache, page faults) */
	for (k = 0; k < 2; k++)
		if ((r = read_once(paths[k], &o, 0)) != EG_OK) {
			fprintf(stderr, "bench-umock: %s read: %s\n", paths[k]->name,
			    eg_strerror(r));
			goto out;
		}
	umock_dev_stats(umock_sim_dev(us), &s0);
	for (int i = 0; i < n; i++)
		for (k = 0; k < 2; k++) {
			struct path *p = paths[(i + k) % 2];

			if ((r = read_once(p, &o, i)) != EG_OK) {
				fprintf(stderr, "bench-umock: %s read %d: %s\n",
				    p->name, i, eg_strerror(r));
				goto out;
			}
		}
	umock_dev_stats(umock_sim_dev(us), &s1);
	{
		double sw, slo, shi, lw, llo, lhi, sc, sclo, schi, lc, lclo, lchi;

		sw = stats(sim.wall, n, &slo, &shi);
		lw = stats(lib.wall, n, &llo, &lhi);
		sc = stats(sim.cpu, n, &sclo, &schi);
		lc = stats(lib.cpu, n, &lclo, &lchi);
		printf("bench-umock: one chip read of genuine-td3 on a simulated %s, "
		    "%d interleaved rounds, medians [min..max]\n", pt.p[0].name, n);
		printf("  %-34s wall %8.2f ms [%.2f..%.2f]  cpu %8.2f ms [%.2f..%.2f]\n",
		    "sim (usb_sim transport)", sw, slo, shi, sc, sclo, schi);
		printf("  %-34s wall %8.2f ms [%.2f..%.2f]  cpu %8.2f ms [%.2f..%.2f]\n",
		    "libusb under umockdev", lw, llo, lhi, lc, lclo, lchi);
		printf("  ratio libusb / sim: wall x%.2f, cpu x%.2f\n", lw / sw, lc / sc);
		printf("  per read on the libusb path: %.0f usbdevfs ioctls, %.0f URBs "
		    "submitted, %.0f empty REAPURBNDELAY polls\n",
		    (double)(s1.ioctls - s0.ioctls) / n,
		    (double)(s1.submits - s0.submits) / n,
		    (double)(s1.reap_empty - s0.reap_empty) / n);
	}
	ret = 0;
out:
	ccid_free(&lib.d);
	usb_libusb_free(&lu);
	umock_free(&u);
	umock_sim_free(&us);
	ccid_free(&sim.d);
	usb_sim_bus_free(&bus);
	sim_ccid_free(&sim.rdr);
	sim_ccid_free(&lib.rdr);
	sim_epassport_free(&sim.chip);
	sim_epassport_free(&lib.chip);
	csca_store_free(&store);
	sim_pki_free(&pki);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	return ret;
}
