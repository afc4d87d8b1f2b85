/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_tool.c — `egate face|camera|read` (and `egate mrz --device`) run the
 * helper program egate-tools, as git runs git-NAME: the commands that need
 * OpenCV, libusb and libuvc are not linked into `egate`, so the auditor's and
 * officer's package (egate) does not pull the face and device stack; the
 * egate-tools package adds them (docs/man/egate.1 "HELPER").
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "egate_build.h"

#define TOOL_NAME "egate-tools"

/* out <- the folder of this program + "/egate-tools"; 0, or -1 if unknown */
static int
tool_beside_self(char *out, size_t cap)
{
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return -1;
	*slash = '\0';
	if ((size_t)snprintf(out, cap, "%s/%s", self, TOOL_NAME) >= cap)
		return -1;
	return 0;
}

int
cli_tool_exec(int argc, char **argv)
{
	char beside[PATH_MAX];
	const char *installed = EGATE_LIBEXECDIR "/" TOOL_NAME;
	const char *path = NULL;
	char **nargv;
	int err;

	if (tool_beside_self(beside, sizeof(beside)) == 0 && access(beside, X_OK) == 0)
		path = beside;
	else if (access(installed, X_OK) == 0)
		path = installed;
	if (path == NULL) {
		cli_err(argv[0], "this command is in the egate-tools package, which is not "
		    "installed (no %s)", installed);
		return EGATE_EXIT_ERROR;
	}
	/* egate-tools COMMAND ARGS...: argv[0..argc-1] after the helper's name */
	if ((nargv = calloc((size_t)argc + 2, sizeof(*nargv))) == NULL) {
		cli_err(argv[0], "out of memory");
		return EGATE_EXIT_ERROR;
	}
	nargv[0] = (char *)TOOL_NAME;
	memcpy(nargv + 1, argv, (size_t)argc * sizeof(*nargv));
	execv(path, nargv);
	err = errno;
	free(nargv);
	cli_err(argv[0], "cannot run %s: %s", path, strerror(err));
	return EGATE_EXIT_ERROR;
}
