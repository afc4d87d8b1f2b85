/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h — what every `egate` subcommand shares.
 *
 * A subcommand is `int cmd_NAME(int argc, char **argv)` where argv[0] is the
 * subcommand's own name, listed in the table in egate.c. It parses its own
 * options with getopt_long (every one accepts -h/--help), prints data to
 * stdout (JSON with --json), diagnostics to stderr as "egate NAME: ...", and
 * returns one of the exit codes below (documented in docs/man/egate.1).
 */
#ifndef EGATE_CLI_H
#define EGATE_CLI_H

#include <stdint.h>
#include <stdio.h>

/* Exit codes shared by all subcommands unless the man page says otherwise
 * (`egate face verify` uses cmp(1)'s 0/1/2). */
enum {
	EGATE_EXIT_OK = 0,
	EGATE_EXIT_FAIL = 1,	/* the operation ran and the answer is "no"/"invalid" */
	EGATE_EXIT_USAGE = 2,	/* bad command line */
	EGATE_EXIT_ERROR = 3,	/* could not run: I/O, device, configuration */
};

struct egate_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* cli_err — print "egate CMD: message" to stderr. */
void cli_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* cli_wall_ms — the wall clock (CLOCK_REALTIME) in Unix ms. */
int64_t cli_wall_ms(void);

/*
 * cli_tool_exec — run subcommand argv[0] in the helper program egate-tools
 * (face, camera, read, and mrz --device: the commands that need OpenCV,
 * libusb or libuvc, which `egate` itself does not link). The helper is looked
 * for next to this program (the build tree), then in EGATE_LIBEXECDIR (the
 * installed one). Returns only on failure: EGATE_EXIT_ERROR after saying that
 * the egate-tools package is not installed, or why it could not be started.
 */
int cli_tool_exec(int argc, char **argv);

int cmd_config(int argc, char **argv);
int cmd_pki(int argc, char **argv);
int cmd_mrz(int argc, char **argv);
int cmd_face(int argc, char **argv);
int cmd_camera(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_witness(int argc, char **argv);
int cmd_read(int argc, char **argv);
int cmd_doc(int argc, char **argv);
int cmd_officer(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
