/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate witness — a transparency-log witness for egate audit logs, run by
 * the audit authority (not by the host's operator): it keeps the newest
 * checkpoint it cosigned for each log and cosigns a new one only when a
 * consistency proof shows it extends that one (c2sp.org/tlog-witness,
 * c2sp.org/tlog-cosignature with Ed25519).
 *
 *   egate witness init    --state DIR --name NAME
 *   egate witness add-log --state DIR --origin ORIGIN --pubkey PEM
 *   egate witness cosign  --state DIR [--request FILE]      (default stdin)
 *   egate witness status  --state DIR [--json]
 *
 * State (docs/audit.md "Witnesses"): DIR/witness.key (0600), DIR/witness.vkey,
 * DIR/logs/<16 hex of SHA-256(origin)>/{origin,log.pem,latest}, refused
 * requests kept as DIR/logs/<id>/refused-<time>; one cosign at a time
 * (flock on DIR/lock). See docs/man/egate-witness.1.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/base64.h>
#include <mbedtls/sha256.h>

#include "audit.h"
#include "cli.h"
#include "egate/error.h"
#include "egate/json.h"
#include "egate/secure.h"

enum { EXIT_UNKNOWN_LOG = 4, EXIT_CONFLICT = 5 };
#define REQ_MAX (64 * 1024)
#define PATH_LEN 1024

static void
help(FILE *f)
{
	fprintf(f,
	    "usage: egate witness init    --state DIR --name NAME\n"
	    "       egate witness add-log --state DIR --origin ORIGIN --pubkey PEM\n"
	    "       egate witness cosign  --state DIR [--request FILE]\n"
	    "       egate witness status  --state DIR [--json]\n"
	    "\n"
	    "cosign reads a tlog-witness add-checkpoint request ('egate audit consistency\n"
	    "--from N' on the host, N = the size 'status' shows) and prints the checkpoint\n"
	    "with this witness's cosignature added.\n"
	    "\n"
	    "exit: 0 cosigned, 1 refused: not consistent with the last checkpoint cosigned\n"
	    "      (fork, rollback, bad proof), 2 usage or malformed request, 3 cannot run,\n"
	    "      4 unknown log or not signed by its key, 5 old size differs from the\n"
	    "      witness's (the size is printed: ask again from it)\n");
}

/* ---- files ---------------------------------------------------------------- */

static int
read_all(FILE *in, char *buf, size_t cap, size_t *len)
{
	size_t n = 0, got;

	while ((got = fread(buf + n, 1, cap - n, in)) > 0) {
		n += got;
		if (n == cap)
			return EG_ERR_OVERFLOW;
	}
	if (ferror(in))
		return EG_ERR_IO;
	buf[n] = '\0';
	*len = n;
	return EG_OK;
}

static int
read_file(const char *path, char *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");
	int rc;

	if (f == NULL)
		return errno == ENOENT ? EG_ERR_NOT_FOUND : EG_ERR_IO;
	rc = read_all(f, buf, cap, len);
	fclose(f);
	return rc;
}

/* Write atomically: tmp file, fsync, rename, fsync the folder. */
static int
write_atomic(const char *dir, const char *name, const char *data, size_t n, mode_t mode)
{
	char tmp[PATH_LEN], dst[PATH_LEN];
	int fd, dfd, ok;

	snprintf(tmp, sizeof(tmp), "%.800s/.%.64s.tmp", dir, name);
	snprintf(dst, sizeof(dst), "%.800s/%.64s", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return EG_ERR_IO;
	ok = write(fd, data, n) == (ssize_t)n && fsync(fd) == 0;
	close(fd);
	if (!ok || rename(tmp, dst) != 0) {
		unlink(tmp);
		return EG_ERR_IO;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return EG_OK;
}

static void
log_dir(const char *state, const char *origin, char *out, size_t cap)
{
	uint8_t h[32];

	mbedtls_sha256_ret((const uint8_t *)origin, strlen(origin), h, 0);
	snprintf(out, cap, "%.800s/logs/%02x%02x%02x%02x%02x%02x%02x%02x", state, h[0], h[1], h[2], h[3],
	    h[4], h[5], h[6], h[7]);
}

/* ---- verbs ---------------------------------------------------------------- */

static int
run_init(const char *state, const char *name)
{
	char skey[512], vkey[AUDIT_VKEY_MAX], logs[PATH_LEN], p[PATH_LEN];
	int rc;

	snprintf(p, sizeof(p), "%.800s/witness.key", state);
	if (access(p, F_OK) == 0) {
		cli_err("witness", "%s exists: a witness keeps its key", p);
		return EGATE_EXIT_USAGE;
	}
	if ((rc = audit_witness_keygen(name, skey, sizeof(skey), vkey, sizeof(vkey))) != EG_OK) {
		cli_err("witness", "--name '%s': %s", name, rc == EG_ERR_INVAL ?
		    "not a key name (no spaces, no '+'; e.g. authority.example/w1)" : eg_strerror(rc));
		return rc == EG_ERR_INVAL ? EGATE_EXIT_USAGE : EGATE_EXIT_ERROR;
	}
	snprintf(logs, sizeof(logs), "%.800s/logs", state);
	if ((mkdir(state, 0700) != 0 && errno != EEXIST) || (mkdir(logs, 0700) != 0 && errno != EEXIST) ||
	    write_atomic(state, "witness.key", skey, strlen(skey), 0600) != EG_OK ||
	    write_atomic(state, "witness.vkey", vkey, strlen(vkey), 0644) != EG_OK) {
		eg_memzero(skey, sizeof(skey));
		cli_err("witness", "%s: cannot write the key: %s", state, strerror(errno));
		return EGATE_EXIT_ERROR;
	}
	eg_memzero(skey, sizeof(skey));
	fputs(vkey, stdout);
	return EGATE_EXIT_OK;
}

static int
run_add_log(const char *state, const char *origin, const char *pubfile)
{
	char dir[PATH_LEN], *pem = NULL;
	size_t len = 0;
	int rc;

	if (strlen(origin) == 0 || strlen(origin) > AUDIT_ORIGIN_MAX || strchr(origin, '\n') != NULL) {
		cli_err("witness", "--origin: the first line of the log's checkpoints");
		return EGATE_EXIT_USAGE;
	}
	if ((rc = audit_pem_load(pubfile, false, &pem, &len)) != EG_OK ||
	    strstr(pem, "BEGIN PUBLIC KEY") == NULL) {
		cli_err("witness", "%s: not a PEM public key", pubfile);
		free(pem);
		return EGATE_EXIT_USAGE;
	}
	log_dir(state, origin, dir, sizeof(dir));
	if ((mkdir(dir, 0700) != 0 && errno != EEXIST) ||
	    write_atomic(dir, "origin", origin, strlen(origin), 0644) != EG_OK ||
	    write_atomic(dir, "log.pem", pem, len, 0644) != EG_OK) {
		cli_err("witness", "%s: cannot write: %s", dir, strerror(errno));
		free(pem);
		return EGATE_EXIT_ERROR;
	}
	free(pem);
	printf("witnessing %s\n", origin);
	return EGATE_EXIT_OK;
}

/* Keep a refused request as evidence of misbehaviour. */
static void
keep_refused(const char *dir, const char *req, size_t n)
{
	char name[64];

	snprintf(name, sizeof(name), "refused-%lld", (long long)time(NULL));
	write_atomic(dir, name, req, n, 0644);
}

static int
run_cosign(const char *state, const char *reqfile)
{
	static char req[REQ_MAX + 1], latest[AUDIT_ANCHOR_TEXT_MAX + 1], skey[512], pem[8192];
	uint8_t proof[AUDIT_PROOF_MAX][AUDIT_HASH_LEN];
	struct audit_anchor cp, prev;
	char dir[PATH_LEN], lockp[PATH_LEN], kp[PATH_LEN], out[AUDIT_ANCHOR_TEXT_MAX];
	uint64_t old = 0, psize = 0;
	size_t n = 0, k = 0, ln = 0, kl = 0;
	int rc, lfd = -1, ret = EGATE_EXIT_ERROR;
	FILE *in = stdin;

	if (reqfile != NULL && (in = fopen(reqfile, "rb")) == NULL) {
		cli_err("witness", "%s: %s", reqfile, strerror(errno));
		return EGATE_EXIT_ERROR;
	}
	rc = read_all(in, req, sizeof(req) - 1, &n);
	if (in != stdin)
		fclose(in);
	if (rc != EG_OK) {
		cli_err("witness", "cannot read the request: %s", eg_strerror(rc));
		return EGATE_EXIT_USAGE;
	}
	if (audit_witness_request_parse(req, n, &old, proof, &k, &cp) != EG_OK) {
		cli_err("witness", "not an add-checkpoint request (old N, proof lines, blank line, "
		    "signed checkpoint)");
		return EGATE_EXIT_USAGE;
	}
	if (old > cp.count) {
		cli_err("witness", "old size %" PRIu64 " is above the checkpoint's %" PRIu64, old,
		    cp.count);
		return EGATE_EXIT_USAGE;
	}
	/* check-and-persist is atomic: one cosign at a time (tlog-witness) */
	snprintf(lockp, sizeof(lockp), "%.800s/lock", state);
	if ((lfd = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 || flock(lfd, LOCK_EX) != 0) {
		cli_err("witness", "%s: %s", lockp, strerror(errno));
		goto out;
	}
	log_dir(state, cp.origin, dir, sizeof(dir));
	snprintf(kp, sizeof(kp), "%.800s/log.pem", dir);
	if (read_file(kp, pem, sizeof(pem) - 1, &ln) != EG_OK) {
		cli_err("witness", "unknown log '%s' (add it with 'egate witness add-log')", cp.origin);
		ret = EXIT_UNKNOWN_LOG;
		goto out;
	}
	if (!audit_note_verify_log(&cp, pem)) {
		cli_err("witness", "the checkpoint is not signed by the key of log '%s'", cp.origin);
		ret = EXIT_UNKNOWN_LOG;
		goto out;
	}
	snprintf(kp, sizeof(kp), "%.800s/latest", dir);
	rc = read_file(kp, latest, sizeof(latest) - 1, &ln);
	if (rc == EG_OK) {
		if (audit_anchor_parse(latest, ln, &prev) != EG_OK || prev.format != 2) {
			cli_err("witness", "%s is damaged: restore it from a backup", kp);
			goto out;
		}
		psize = prev.count;
	} else if (rc != EG_ERR_NOT_FOUND) {
		cli_err("witness", "%s: %s", kp, eg_strerror(rc));
		goto out;
	}
	if (old != psize) {
		cli_err("witness", "old size %" PRIu64 " is not the size %" PRIu64 " last cosigned "
		    "for '%s'", old, psize, cp.origin);
		printf("%" PRIu64 "\n", psize);
		ret = EXIT_CONFLICT;
		goto out;
	}
	if (psize > 0 && !audit_verify_consistency(psize, cp.count, prev.root, cp.root,
	    (const uint8_t (*)[AUDIT_HASH_LEN])proof, k)) {
		keep_refused(dir, req, n);
		cli_err("witness", "REFUSED: the checkpoint of size %" PRIu64 " is not consistent with "
		    "the one of size %" PRIu64 " cosigned before: the log '%s' was rewritten, "
		    "truncated or forked (request kept in %s)", cp.count, psize, cp.origin, dir);
		ret = EGATE_EXIT_FAIL;
		goto out;
	}
	if (psize == 0 && k != 0) {
		cli_err("witness", "a first checkpoint comes with an empty proof");
		ret = EGATE_EXIT_USAGE;
		goto out;
	}
	snprintf(kp, sizeof(kp), "%.800s/witness.key", state);
	if (read_file(kp, skey, sizeof(skey) - 1, &kl) != EG_OK) {
		cli_err("witness", "%s: cannot read the witness key", kp);
		goto out;
	}
	rc = audit_witness_cosign(&cp, skey, (uint64_t)time(NULL));
	eg_memzero(skey, sizeof(skey));
	if (rc != EG_OK || audit_note_format(&cp, out, sizeof(out)) != EG_OK) {
		cli_err("witness", "cannot cosign: %s", eg_strerror(rc));
		goto out;
	}
	if (write_atomic(dir, "latest", out, strlen(out), 0644) != EG_OK) {
		cli_err("witness", "%s: cannot persist the state: %s", dir, strerror(errno));
		goto out;
	}
	fputs(out, stdout);
	ret = fflush(stdout) == 0 ? EGATE_EXIT_OK : EGATE_EXIT_ERROR;
out:
	if (lfd >= 0)
		close(lfd);
	return ret;
}

static int
run_status(const char *state, int json)
{
	char logs[PATH_LEN], p[PATH_LEN], text[AUDIT_ANCHOR_TEXT_MAX + 1], vkey[AUDIT_VKEY_MAX + 1];
	struct dirent *de;
	struct eg_json j;
	size_t n;
	DIR *d;

	snprintf(p, sizeof(p), "%.800s/witness.vkey", state);
	if (read_file(p, vkey, sizeof(vkey) - 1, &n) != EG_OK) {
		cli_err("witness", "%s: not a witness state folder ('egate witness init')", state);
		return EGATE_EXIT_ERROR;
	}
	vkey[strcspn(vkey, "\n")] = '\0';
	snprintf(logs, sizeof(logs), "%.800s/logs", state);
	if ((d = opendir(logs)) == NULL) {
		cli_err("witness", "%s: %s", logs, strerror(errno));
		return EGATE_EXIT_ERROR;
	}
	if (json) {
		eg_json_init(&j, stdout);
		eg_json_obj_begin(&j);
		eg_json_key_str(&j, "vkey", vkey);
		eg_json_key(&j, "logs");
		eg_json_arr_begin(&j);
	} else {
		printf("witness %s\n", vkey);
	}
	while ((de = readdir(d)) != NULL) {
		struct audit_anchor a;
		char origin[AUDIT_ORIGIN_MAX + 2], r64[48] = "-";
		uint64_t size = 0;
		size_t ol = 0;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%.800s/%.64s/origin", logs, de->d_name);
		if (read_file(p, origin, sizeof(origin) - 1, &ol) != EG_OK)
			continue;
		snprintf(p, sizeof(p), "%.800s/%.64s/latest", logs, de->d_name);
		if (read_file(p, text, sizeof(text) - 1, &n) == EG_OK &&
		    audit_anchor_parse(text, n, &a) == EG_OK) {
			size_t rl = 0;

			size = a.count;
			mbedtls_base64_encode((unsigned char *)r64, sizeof(r64), &rl, a.root, 32);
		}
		if (json) {
			eg_json_obj_begin(&j);
			eg_json_key_str(&j, "origin", origin);
			eg_json_key(&j, "size");
			eg_json_uint(&j, size);
			eg_json_key_str(&j, "root", r64);
			eg_json_obj_end(&j);
		} else {
			printf("%s %" PRIu64 " %s\n", origin, size, r64);
		}
	}
	closedir(d);
	if (json) {
		eg_json_arr_end(&j);
		eg_json_obj_end(&j);
		if (eg_json_finish(&j) != EG_OK)
			return EGATE_EXIT_ERROR;
	}
	return EGATE_EXIT_OK;
}

int
cmd_witness(int argc, char **argv)
{
	enum { O_STATE = 256, O_NAME, O_ORIGIN, O_PUBKEY, O_REQUEST };
	static const struct option opts[] = {
		{ "state", required_argument, NULL, O_STATE },
		{ "name", required_argument, NULL, O_NAME },
		{ "origin", required_argument, NULL, O_ORIGIN },
		{ "pubkey", required_argument, NULL, O_PUBKEY },
		{ "request", required_argument, NULL, O_REQUEST },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *state = NULL, *name = NULL, *origin = NULL, *pubkey = NULL, *request = NULL, *verb;
	int c, json = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case O_STATE: state = optarg; break;
		case O_NAME: name = optarg; break;
		case O_ORIGIN: origin = optarg; break;
		case O_PUBKEY: pubkey = optarg; break;
		case O_REQUEST: request = optarg; break;
		case 'j': json = 1; break;
		case 'h':
			help(stdout);
			return EGATE_EXIT_OK;
		default:
			return EGATE_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || state == NULL) {
		help(stderr);
		return EGATE_EXIT_USAGE;
	}
	verb = argv[optind];
	if (strcmp(verb, "init") == 0 && name != NULL && origin == NULL && pubkey == NULL &&
	    request == NULL && !json)
		return run_init(state, name);
	if (strcmp(verb, "add-log") == 0 && origin != NULL && pubkey != NULL && name == NULL &&
	    request == NULL && !json)
		return run_add_log(state, origin, pubkey);
	if (strcmp(verb, "cosign") == 0 && name == NULL && origin == NULL && pubkey == NULL && !json)
		return run_cosign(state, request);
	if (strcmp(verb, "status") == 0 && name == NULL && origin == NULL && pubkey == NULL &&
	    request == NULL)
		return run_status(state, json);
	help(stderr);
	return EGATE_EXIT_USAGE;
}
