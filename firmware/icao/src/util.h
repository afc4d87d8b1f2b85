/* SPDX-License-Identifier: Apache-2.0 */
/* util.h — small private helpers of the icao module. */
#ifndef ICAO_UTIL_H
#define ICAO_UTIL_H

#include "egate/buf.h"
#include "egate/error.h"

/*
 * icao_put — eg_wbuf_put() that treats n == 0 as a no-op. Appending zero
 * bytes to a still unallocated buffer makes eg_wbuf_reserve() compute
 * NULL + 0, which clang's UBSan reports as undefined behaviour.
 */
static inline int
icao_put(struct eg_wbuf *w, const void *src, size_t n)
{
	return n == 0 ? EG_OK : eg_wbuf_put(w, src, n);
}

/*
 * icao_rbuf — eg_rbuf_init() that never does arithmetic on a NULL pointer
 * (same reason): NULL data gives an empty cursor over a static byte.
 */
static inline struct eg_rbuf
icao_rbuf(const void *data, size_t len)
{
	static const uint8_t empty[1];

	return data == NULL ? eg_rbuf_init(empty, 0) : eg_rbuf_init(data, len);
}

#endif
