/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.h — INI configuration files read through inih, checked against a
 * schema.
 *
 * A program describes its configuration as a table of keys (section, name,
 * type, range, where to store it in its own struct). eg_cfg_load_file() reads
 * the file with inih, converts and range-checks every value, and rejects
 * unknown keys, duplicate keys, missing required keys, overlong lines, NUL
 * bytes and oversize files. The first problem is reported in struct
 * eg_cfg_error with the file name, line number, section and key, and
 * eg_cfg_error_str() formats it the way compilers do:
 *
 *   /etc/egate/kiosk.conf:12: [face] threshold: value 1.7 is out of range (0 to 1)
 *
 * Defaults are whatever the caller put in its struct before loading.
 */
#ifndef EGATE_CONFIG_H
#define EGATE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum eg_cfg_type {
	EG_CFG_STR,	/* char array of `size` bytes, NUL-terminated */
	EG_CFG_INT,	/* long long, range [min, max] */
	EG_CFG_DOUBLE,	/* double, finite, range [min, max] */
	EG_CFG_BOOL,	/* bool: true/false, yes/no, on/off, 1/0 */
	EG_CFG_ENUM,	/* int: index into `choices` */
};

struct eg_cfg_key {
	const char *section;	/* "" for keys before any [section] */
	const char *name;
	enum eg_cfg_type type;
	size_t offset;		/* offsetof() the field in the caller's struct */
	size_t size;		/* EG_CFG_STR: sizeof the char array */
	double min, max;	/* EG_CFG_INT, EG_CFG_DOUBLE */
	const char *const *choices;	/* EG_CFG_ENUM: NULL-terminated */
	bool required;
	const char *help;	/* one line, for `egate config keys` and man pages */
};

/* Limits. inih (as Debian builds it) reads lines of up to 199 bytes including the newline; we check
 * that ourselves first, so a long line is an error, never silently split. */
#define EG_CFG_MAX_LINE 198
#define EG_CFG_MAX_FILE (1024 * 1024)

struct eg_cfg_error {
	char file[256];
	int line;		/* 0 when the error is not tied to a line */
	char section[64];
	char key[64];
	char msg[192];
};

/*
 * eg_cfg_load_file — read path into out according to schema[0..nkeys).
 * Returns EG_OK, or EG_ERR_IO (missing/unreadable file), EG_ERR_CONFIG (any
 * content problem) with *err filled in. err may be NULL. On error, out may
 * hold some values already converted; the caller should not use it.
 */
int eg_cfg_load_file(const char *path, const struct eg_cfg_key *schema,
    size_t nkeys, void *out, struct eg_cfg_error *err);

/* eg_cfg_load_string — the same for len bytes of text (need not be
 * NUL-terminated); name is used in error messages in place of a file name. */
int eg_cfg_load_string(const char *name, const char *text, size_t len,
    const struct eg_cfg_key *schema, size_t nkeys, void *out,
    struct eg_cfg_error *err);

/* eg_cfg_error_str — format err as "file:line: [section] key: message" into
 * buf (always NUL-terminated); returns buf. */
char *eg_cfg_error_str(const struct eg_cfg_error *err, char *buf, size_t bufsz);

#endif
