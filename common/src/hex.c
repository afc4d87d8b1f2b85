/* SPDX-License-Identifier: Apache-2.0 */
#include "egate/error.h"
#include "egate/hex.h"

int
eg_hex_encode(const uint8_t *in, size_t len, char *out, size_t outsz)
{
	static const char digits[] = "0123456789ABCDEF";

	if (outsz == 0 || len > (outsz - 1) / 2) {
		if (outsz > 0)
			out[0] = '\0';
		return EG_ERR_OVERFLOW;
	}
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
	return EG_OK;
}

static int
nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':';
}

int
eg_hex_decode(const char *in, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t n = 0;
	int hi;

	*outlen = 0;
	for (const char *s = in; *s != '\0';) {
		if (is_sep(*s)) {
			s++;
			continue;
		}
		if ((hi = nibble(s[0])) < 0 || nibble(s[1]) < 0)
			return EG_ERR_FORMAT;
		if (n == cap)
			return EG_ERR_OVERFLOW;
		out[n++] = (uint8_t)((hi << 4) | nibble(s[1]));
		s += 2;
	}
	*outlen = n;
	return EG_OK;
}
