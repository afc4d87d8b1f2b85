/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keyfile.h — private key files are refused when anyone but their owner
 * could read them, as OpenSSH refuses an unprotected identity file.
 *
 * Every place that loads a private key (the TLS keys of the host, kiosks and
 * officers in common/src/tls.c, the host's audit keys, the CA key and the
 * device key in host/pki) goes through these checks, so the rule is the
 * same everywhere:
 *
 *   - the path names a regular file (after symbolic links);
 *   - it is owned by the user the program runs as (effective uid) or by
 *     root (a program running as root, which can read every file anyway,
 *     accepts any owner: the installer may run `egate pki csr` on a key
 *     that belongs to the egate user);
 *   - it grants nothing to group or others (mode & 077 == 0, so 0600 or
 *     0400).
 *
 * The one-line reason names the file, what is wrong and the fix
 * ("chmod 600 FILE"). The check cannot stop a reader that is already root;
 * it stops the common mistake of a key left world- or group-readable by an
 * install step, a copy or a umask (docs/security.md).
 */
#ifndef EGATE_KEYFILE_H
#define EGATE_KEYFILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * eg_key_stat_check — the rule above applied to st as if the program ran
 * as euid (split out so the rule is testable whoever runs the tests).
 * path is only used in the message. err (may be NULL) gets one line.
 * Errors: EG_ERR_FORMAT (not a regular file), EG_ERR_PERM (owned by
 * another user, or group/other bits set).
 */
int eg_key_stat_check(const struct stat *st, uid_t euid, const char *path,
    char *err, size_t errlen);

/*
 * eg_key_fd_check — the rule for an open file (fstat), as the running
 * process. Errors: as eg_key_stat_check, EG_ERR_IO (fstat failed).
 */
int eg_key_fd_check(int fd, const char *path, char *err, size_t errlen);

/*
 * eg_key_file_check — the rule for the file at path (stat, following
 * symbolic links). Use it just before handing the path to a loader that
 * opens the file itself (mbedtls_pk_parse_keyfile); prefer
 * eg_key_file_read() where the bytes can be parsed from memory.
 * Errors: as eg_key_stat_check, EG_ERR_IO (missing or unreadable).
 */
int eg_key_file_check(const char *path, char *err, size_t errlen);

/*
 * eg_key_file_read — open path, apply the rule to the open file (no race
 * between check and read), and read it whole into a new buffer with a
 * terminating NUL (*len excludes it). At most max bytes (EG_ERR_OVERFLOW
 * beyond). *out is owned by the caller: release it with
 * eg_secret_free(out, *len + 1). Errors: as eg_key_fd_check, EG_ERR_IO,
 * EG_ERR_OVERFLOW, EG_ERR_FORMAT (a NUL byte in the file), EG_ERR_NOMEM.
 */
int eg_key_file_read(const char *path, size_t max, char **out, size_t *len,
    char *err, size_t errlen);

#endif
