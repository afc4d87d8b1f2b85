/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate-tools — the helper program of `egate` with the subcommands that need
 * OpenCV, libusb and libuvc: face, camera, read, and mrz (with --device).
 * `egate COMMAND ...` runs `egate-tools COMMAND ...` (cli_tool.c); it is
 * installed in EGATE_LIBEXECDIR, not on the PATH, and prints its messages as
 * `egate COMMAND: ...` like every subcommand (docs/man/egate.1 "HELPER").
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct egate_cmd tools[] = {
	{ "mrz", cmd_mrz, "parse and validate a machine readable zone, from an MRZ reader too" },
	{ "face", cmd_face, "compare faces (1:1 verify) and enrol/search face galleries (1:N)" },
	{ "camera", cmd_camera, "list cameras (UVC, simulated) and grab frames" },
	{ "read", cmd_read, "read and check a passport chip (real, vpcd or simulated reader)" },
};

#define NTOOLS (sizeof(tools) / sizeof(tools[0]))

int
main(int argc, char **argv)
{
	if (argc >= 2) {
		for (size_t i = 0; i < NTOOLS; i++)
			if (strcmp(argv[1], tools[i].name) == 0)
				return tools[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "usage: egate-tools COMMAND [OPTIONS] [ARGS]\n"
	    "the helper of egate(1), run as 'egate COMMAND'; commands:\n");
	for (size_t i = 0; i < NTOOLS; i++)
		fprintf(stderr, "  %-10s %s\n", tools[i].name, tools[i].summary);
	return EGATE_EXIT_USAGE;
}
