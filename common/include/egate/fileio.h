/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fileio.h — small POSIX file helpers shared by the kiosk, the host and the
 * CLI.
 */
#ifndef EGATE_FILEIO_H
#define EGATE_FILEIO_H

#include <stddef.h>

/*
 * eg_write_all — write all n bytes of p to fd, retrying short writes and
 * EINTR. Errors: EG_ERR_IO (the write failed; errno tells why; part of the
 * data may have been written).
 */
int eg_write_all(int fd, const void *p, size_t n);

#endif
