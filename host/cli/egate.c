/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate — the admin command line of the e-gate system, in the style of git:
 * `egate COMMAND [OPTIONS] [ARGS]`. See docs/man/egate.1.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "egate_build.h"

/* One row per subcommand, in the order `egate help` lists them. face, camera
 * and read need OpenCV, libusb and libuvc: they live in the helper program
 * egate-tools (egate_tools.c; package egate-tools), which cli_tool_exec runs,
 * so that this program links none of them (docs/man/egate.1 "HELPER"). */
static const struct egate_cmd commands[] = {
	{ "config", cmd_config, "check kiosk and host configuration files" },
	{ "pki", cmd_pki, "deployment CA: host, kiosk and officer certificates, CRL" },
	{ "mrz", cmd_mrz, "parse and validate a machine readable zone (ICAO 9303)" },
	{ "face", cli_tool_exec, "compare faces (1:1 verify) and enrol/search face galleries (1:N)" },
	{ "camera", cli_tool_exec, "list cameras (UVC, simulated) and grab frames" },
	{ "audit", cmd_audit, "query, export, prove, verify and replay the audit log" },
	{ "witness", cmd_witness, "cosign audit-log checkpoints that extend the last one seen (audit authority)" },
	{ "read", cli_tool_exec, "read and check a passport chip (real, vpcd or simulated reader)" },
	{ "doc", cmd_doc, "check a document's files offline (EF.SOD, DGs) against CSCAs and CRLs" },
	{ "officer", cmd_officer, "officer console: kiosk status, referral queue, open/hold/override" },
	{ "version", cmd_version, "print the version" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	fprintf(f, "usage: egate COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'egate COMMAND --help' describes a command; man egate lists exit codes.\n");
}

int
cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("usage: egate version\n");
		return EGATE_EXIT_OK;
	}
	printf("egate %s\n", EGATE_VERSION);
	return EGATE_EXIT_OK;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EGATE_EXIT_USAGE;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return EGATE_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(1, argv + 1);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "egate: '%s' is not a command; see 'egate help'\n", argv[1]);
	return EGATE_EXIT_USAGE;
}
