/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate-host — the control-room daemon: accepts kiosk connections over
 * mutual TLS and stores their passage records in the audit log.
 * Usage: egate-host --config FILE [--foreground] [--check-config]
 * docs/host.md, egate-host(8).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "egate/error.h"
#include "egate_build.h"
#include "host.h"

static void
usage(FILE *f)
{
	fputs("usage: egate-host --config FILE [--foreground] [--check-config]\n"
	    "  -c, --config FILE   egate-host.conf(5)\n"
	    "  -f, --foreground    do not detach (systemd, tests)\n"
	    "  -n, --check-config  load and check the configuration, then exit\n"
	    "  -h, --help          this text\n"
	    "  -V, --version       print the version\n", f);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct eg_host_conf conf;
	struct eg_cfg_error cerr;
	struct eg_log lg;
	const char *path = NULL;
	bool fg = false, check = false;
	char err[512];
	int o;

	if (argc == 5 && strcmp(argv[1], HOST_CHILD_ARG) == 0) {
		char *end1, *end2;
		long ps = strtol(argv[3], &end1, 10), lfd = strtol(argv[4], &end2, 10);
		if (*end1 != '\0' || *end2 != '\0' || ps < 3 || lfd < 3)
			return 2;
		return net_child_run(argv[2], (int)ps, (int)lfd);
	}
	while ((o = getopt_long(argc, argv, "c:fnhV", opts, NULL)) != -1) {
		switch (o) {
		case 'c': path = optarg; break;
		case 'f': fg = true; break;
		case 'n': check = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("egate-host %s\n", EGATE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (path == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (eg_host_conf_load(path, &conf, &cerr) != EG_OK) {
		fprintf(stderr, "egate-host: %s\n", eg_cfg_error_str(&cerr, err, sizeof(err)));
		return 1;
	}
	if (check) {
		printf("%s: configuration OK\n", path);
		return 0;
	}
	host_log_setup(&lg, "egate-host", &conf);
	if (!fg && daemon(1, 1) != 0) {
		perror("egate-host: daemon");
		return 1;
	}
	{
		/* the child re-reads the file by path: make it absolute */
		char *abs = realpath(path, NULL);
		int st = monitor_run(abs != NULL ? abs : path, &conf, &lg);
		free(abs);
		return st;
	}
}
