/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>

#include "egate/error.h"

const char *
eg_strerror(int err)
{
	switch (err) {
#define EG_ERR_TEXT_(name, value, text) case value: return text;
	EG_ERRORS(EG_ERR_TEXT_)
#undef EG_ERR_TEXT_
	default:
		return "unknown error";
	}
}

const char *
eg_err_name(int err)
{
	switch (err) {
#define EG_ERR_NAME_(name, value, text) case value: return #name;
	EG_ERRORS(EG_ERR_NAME_)
#undef EG_ERR_NAME_
	default:
		return "EG_ERR_UNKNOWN";
	}
}

void
eg_errbuf(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}
