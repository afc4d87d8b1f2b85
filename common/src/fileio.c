/* SPDX-License-Identifier: Apache-2.0 */
/* fileio.c — see egate/fileio.h. */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "egate/error.h"
#include "egate/fileio.h"

int
eg_write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return EG_ERR_IO;
		b += w;
		n -= (size_t)w;
	}
	return EG_OK;
}
