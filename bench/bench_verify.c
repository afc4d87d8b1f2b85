/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_verify — how fast `egate audit verify` checks a log, as a ratio to
 * hashing the same database file once with SHA-256 (what `sha256sum
 * audit.db` does: the least work any check of the file's bytes can do).
 *
 *   meson test -C build-rel --benchmark audit-verify -v
 *   build-rel/bench/bench-verify [--records N] [--runs R] [--keep]
 *
 * It writes a log of N records (default 200 000) the way egate-host does:
 * batches of 250 passage records with a payload like proto_passage_payload's
 * and both identifiers, a checkpoint every 6 000 records (one minute at
 * 100 events/s), a retention purge of the oldest tenth, and a clean close
 * (the WAL is folded into the file). Then, R times (default 7) and
 * interleaved so that load on this shared machine hits all of them alike:
 *
 *   verify       audit_verify_ex with an anchor, as `egate audit verify
 *                --anchor`: SQLite integrity_check, chain, payload digests,
 *                every leaf and stored tree node, every checkpoint signature
 *   verify-walk  the same without integrity_check (the share of our code)
 *   sha256       read the file in 1 MiB blocks + SHA-256, OpenSSL (uses the
 *                SHA extensions when the CPU has them: the strongest reference)
 *   sha256-mbed  the same with mbedTLS, the SHA-256 the audit store used until
 *                2026-12-07 (it now hashes with OpenSSL: audit_sha256.c)
 *
 * It prints medians with min-max, MB/s of file and records/s, the ratios
 * verify / sha256, the CPU model and its SHA/AVX flags, the kernel, and the
 * load average before and after. Figures: docs/audit.md "Performance".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <openssl/evp.h>

#include "audit.h"
#include "egate/error.h"

#define BATCH 250
#define CHECKPOINT_EVERY 6000
#define RUNS_MAX 31

enum { M_VERIFY, M_WALK, M_SHA_OSSL, M_SHA_MBED, M_COUNT };
static const char *const mname[M_COUNT] = { "verify", "verify-walk", "sha256 (OpenSSL)",
	"sha256 (mbedTLS)" };

static void
die(const char *what, int rc)
{
	fprintf(stderr, "bench-verify: %s: %s\n", what, rc != 0 ? eg_strerror(rc) : strerror(errno));
	exit(1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
loadavg(char *out, size_t cap)
{
	FILE *f = fopen("/proc/loadavg", "r");

	snprintf(out, cap, "?");
	if (f != NULL) {
		if (fgets(out, (int)cap, f) == NULL)
			snprintf(out, cap, "?");
		fclose(f);
		/* the three averages only */
		for (int i = 0, sp = 0; out[i] != '\0'; i++)
			if (out[i] == ' ' && ++sp == 3) {
				out[i] = '\0';
				break;
			}
		out[strcspn(out, "\n")] = '\0';
	}
}

/* CPU model and the flags that decide SHA-256 speed. */
static void
print_machine(void)
{
	char line[4096], model[256] = "?", flags[128] = "";
	struct utsname u;
	FILE *f = fopen("/proc/cpuinfo", "r");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "model name", 10) == 0 && model[0] == '?') {
			char *c = strchr(line, ':');

			if (c != NULL) {
				snprintf(model, sizeof(model), "%s", c + 2);
				model[strcspn(model, "\n")] = '\0';
			}
		} else if (strncmp(line, "flags", 5) == 0 && flags[0] == '\0') {
			static const char *const want[] = { " sha_ni", " avx2", " avx512f", " sha2" };

			line[strcspn(line, "\n")] = ' ';
			for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
				char pat[16];

				snprintf(pat, sizeof(pat), "%s ", want[i]);
				if (strstr(line, pat) != NULL)
					strncat(flags, want[i], sizeof(flags) - strlen(flags) - 1);
			}
		}
	}
	if (f != NULL)
		fclose(f);
	if (uname(&u) != 0)
		snprintf(u.release, sizeof(u.release), "?");
	printf("cpu: %s, %ld online; flags:%s\n", model, ncpu, flags[0] ? flags : " (none of sha_ni avx2 avx512f)");
	printf("kernel: %s %s %s\n", u.sysname, u.release, u.machine);
}

static void
gen_key(char *priv, size_t privsz, char *pub, size_t pubsz)
{
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context pk;

	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&pk);
	if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0) != 0 ||
	    mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
	    mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk), mbedtls_ctr_drbg_random,
		&drbg) != 0 ||
	    mbedtls_pk_write_key_pem(&pk, (uint8_t *)priv, privsz) != 0 ||
	    mbedtls_pk_write_pubkey_pem(&pk, (uint8_t *)pub, pubsz) != 0)
		die("key generation", EG_ERR_CRYPTO);
	mbedtls_pk_free(&pk);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
}

/* A passage payload shaped like proto_passage_payload's (PROTOCOL.md). */
static void
payload(char *out, size_t cap, uint64_t i, int64_t ts)
{
	snprintf(out, cap, "{\"seq\":%llu,\"ts_ms\":%lld,\"decision\":\"%s\",\"reason\":\"%s\","
	    "\"checks\":[{\"name\":\"mrz_valid\",\"result\":\"pass\",\"detail\":\"\"},"
	    "{\"name\":\"chip_access\",\"result\":\"pass\",\"detail\":\"PACE\"},"
	    "{\"name\":\"passive_auth\",\"result\":\"pass\",\"detail\":\"\"},"
	    "{\"name\":\"dg_hashes\",\"result\":\"pass\",\"detail\":\"\"},"
	    "{\"name\":\"chip_auth\",\"result\":\"pass\",\"detail\":\"CA\"},"
	    "{\"name\":\"not_expired\",\"result\":\"pass\",\"detail\":\"\"}],"
	    "\"scores\":[{\"name\":\"face_similarity\",\"value\":0.%017llu,\"threshold\":"
	    "0.55000000000000004,\"passed\":true},{\"name\":\"liveness\",\"value\":0.%017llu,"
	    "\"threshold\":0.5,\"passed\":true}],\"model_version\":\"arcface-r100:1a2b3c4d\","
	    "\"config_version\":7,\"issuing_state\":\"UTO\",\"document_type\":\"P\","
	    "\"duration_ms\":%llu,\"officer_id\":\"\",\"command_id\":0,\"overrides_seq\":0}",
	    (unsigned long long)(i / 100 + 1), (long long)ts, i % 17 == 0 ? "REFER" : "OPEN",
	    i % 17 == 0 ? "face_mismatch" : "all_checks_passed",
	    (unsigned long long)(i * 2654435761u % 100000000000000000ull),
	    (unsigned long long)(i * 40503u % 100000000000000000ull),
	    (unsigned long long)(6000 + i % 3000));
}

static void
make_log(const char *path, const char *priv, uint64_t n)
{
	static const uint8_t hkey[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
	struct audit_keys k = { priv, hkey, sizeof(hkey) };
	struct audit_record recs[BATCH];
	enum audit_result res[BATCH];
	static char pay[BATCH][1024], doc[BATCH][16], kid[BATCH][8];
	struct audit_db *db = NULL;
	int64_t t0 = 1795000000000;
	uint64_t done = 0, since = 0;
	int rc;

	if ((rc = audit_open(path, &k, &db)) != EG_OK)
		die("audit_open (writer)", rc);
	while (done < n) {
		size_t m = n - done < BATCH ? (size_t)(n - done) : BATCH;

		for (size_t j = 0; j < m; j++) {
			uint64_t i = done + j;
			int64_t ts = t0 + (int64_t)i * 10;

			snprintf(kid[j], sizeof(kid[j]), "K%03u", (unsigned)(i % 100 + 1));
			snprintf(doc[j], sizeof(doc[j]), "L%08llu", (unsigned long long)(i % 99999999));
			payload(pay[j], sizeof(pay[j]), i, ts);
			recs[j] = (struct audit_record){ .kiosk_id = kid[j], .seq = i / 100 + 1,
				.ts_ms = ts, .type = "passage",
				.decision = i % 17 == 0 ? "REFER" : "OPEN",
				.reason = i % 17 == 0 ? "face_mismatch" : "all_checks_passed",
				.document_number = doc[j], .holder_name = "ERIKSSON<<ANNA<MARIA",
				.payload = pay[j] };
		}
		if ((rc = audit_append_batch(db, recs, m, res)) != EG_OK)
			die("audit_append_batch", rc);
		for (size_t j = 0; j < m; j++)
			if (res[j] != AUDIT_STORED)
				die("record not stored", EG_ERR_STATE);
		done += m;
		since += m;
		if (since >= CHECKPOINT_EVERY) {
			if ((rc = audit_checkpoint(db, NULL)) != EG_OK)
				die("audit_checkpoint", rc);
			since = 0;
		}
	}
	/* retention: the oldest tenth loses its identifiers and payloads */
	if ((rc = audit_purge(db, t0 + (int64_t)(n / 10) * 10, NULL)) != EG_OK ||
	    (rc = audit_checkpoint(db, NULL)) != EG_OK)
		die("audit_purge", rc);
	audit_close(&db);
}

static double
hash_file(const char *path, bool ossl, uint8_t *buf, size_t cap, uint8_t out[32])
{
	EVP_MD_CTX *x = NULL;
	mbedtls_sha256_context m;
	double t = now();
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die(path, 0);
	if (ossl) {
		if ((x = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(x, EVP_sha256(), NULL) != 1)
			die("OpenSSL SHA-256", EG_ERR_CRYPTO);
	} else {
		mbedtls_sha256_init(&m);
		mbedtls_sha256_starts_ret(&m, 0);
	}
	while ((r = read(fd, buf, cap)) > 0) {
		if (ossl)
			EVP_DigestUpdate(x, buf, (size_t)r);
		else
			mbedtls_sha256_update_ret(&m, buf, (size_t)r);
	}
	if (r < 0)
		die(path, 0);
	if (ossl) {
		EVP_DigestFinal_ex(x, out, NULL);
		EVP_MD_CTX_free(x);
	} else {
		mbedtls_sha256_finish_ret(&m, out);
		mbedtls_sha256_free(&m);
	}
	close(fd);
	return now() - t;
}

static double
verify_once(const char *path, const char *pub, const struct audit_anchor *an, bool integrity,
    uint64_t n)
{
	struct audit_db *db = NULL;
	struct audit_verify_opts o;
	struct audit_report rep;
	double t = now();
	int rc;

	memset(&o, 0, sizeof(o));
	o.anchor = an;
	o.skip_integrity = !integrity;
	if ((rc = audit_open(path, NULL, &db)) != EG_OK)
		die("audit_open (reader)", rc);
	if ((rc = audit_verify_ex(db, pub, &o, &rep)) != EG_OK)
		die("audit_verify_ex", rc);
	audit_close(&db);
	t = now() - t;
	/* n passages + the purge record */
	if (!rep.ok || !rep.anchored || rep.records != n + 1) {
		fprintf(stderr, "bench-verify: verify says %s (%s), %llu records\n",
		    audit_problem_name(rep.problem), rep.detail, (unsigned long long)rep.records);
		exit(1);
	}
	return t;
}

int
main(int argc, char **argv)
{
	static char priv[1024], pub[512], text[AUDIT_ANCHOR_TEXT_MAX];
	char dir[] = "/tmp/bench-verify-XXXXXX", path[64], load0[64], load1[64];
	double t[M_COUNT][RUNS_MAX], med[M_COUNT];
	uint64_t n = 200000;
	int runs = 7;
	bool keep = false;
	uint8_t d1[32], d2[32], *buf;
	struct audit_anchor an;
	struct audit_db *db = NULL;
	struct stat sb;
	double mb;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--records") == 0 && i + 1 < argc) {
			n = strtoull(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
			runs = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--keep") == 0) {
			keep = true;
		} else {
			fprintf(stderr, "usage: bench-verify [--records N] [--runs R (1..%d)] [--keep]\n",
			    RUNS_MAX);
			return 2;
		}
	}
	if (n < 1000 || runs < 1 || runs > RUNS_MAX) {
		fprintf(stderr, "bench-verify: --records >= 1000, --runs 1..%d\n", RUNS_MAX);
		return 2;
	}
	loadavg(load0, sizeof(load0));
	printf("bench-verify: load average at start %s (shared machine: compare ratios)\n", load0);
	print_machine();
#if defined(__SANITIZE_ADDRESS__)
	printf("WARNING: built with AddressSanitizer: figures are not representative "
	    "(use a release build: meson setup build-rel --buildtype=release)\n");
#endif
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", 0);
	snprintf(path, sizeof(path), "%s/audit.db", dir);
	gen_key(priv, sizeof(priv), pub, sizeof(pub));
	{
		double t0 = now();

		make_log(path, priv, n);
		printf("log: %llu passage records, a checkpoint every %d, oldest tenth purged; "
		    "written in %.1f s\n", (unsigned long long)n, CHECKPOINT_EVERY, now() - t0);
	}
	if ((rc = audit_open(path, NULL, &db)) != EG_OK ||
	    (rc = audit_checkpoint_latest(db, text, sizeof(text))) != EG_OK ||
	    (rc = audit_anchor_parse(text, strlen(text), &an)) != EG_OK)
		die("anchor", rc);
	audit_close(&db);
	if (stat(path, &sb) != 0)
		die(path, 0);
	mb = (double)sb.st_size / 1e6;
	if ((buf = malloc(1u << 20)) == NULL)
		die("malloc", EG_ERR_NOMEM);
	/* warm the page cache and check both SHA-256 agree */
	hash_file(path, true, buf, 1u << 20, d1);
	hash_file(path, false, buf, 1u << 20, d2);
	if (memcmp(d1, d2, 32) != 0)
		die("OpenSSL and mbedTLS SHA-256 differ", EG_ERR_STATE);
	printf("file: %.1f MB (%.0f bytes per record, records + tree + indexes + checkpoints), "
	    "page cache warm\n", mb, (double)sb.st_size / (double)n);
	for (int r = 0; r < runs; r++) {
		/* rotate the order so no method always runs first */
		for (int k = 0; k < M_COUNT; k++) {
			int m = (k + r) % M_COUNT;

			switch (m) {
			case M_VERIFY: t[m][r] = verify_once(path, pub, &an, true, n); break;
			case M_WALK: t[m][r] = verify_once(path, pub, &an, false, n); break;
			case M_SHA_OSSL: t[m][r] = hash_file(path, true, buf, 1u << 20, d1); break;
			default: t[m][r] = hash_file(path, false, buf, 1u << 20, d2); break;
			}
		}
	}
	printf("\n%d interleaved runs each; median [min - max]:\n", runs);
	for (int m = 0; m < M_COUNT; m++) {
		qsort(t[m], (size_t)runs, sizeof(double), cmp_d);
		med[m] = t[m][runs / 2];
		printf("  %-18s %8.3f s [%.3f - %.3f]  %8.1f MB/s  %10.0f records/s\n", mname[m],
		    med[m], t[m][0], t[m][runs - 1], mb / med[m], (double)n / med[m]);
	}
	printf("\nratio (time / time of sha256 of the same file, medians; 1 = as fast as "
	    "sha256sum):\n");
	printf("  verify      / sha256 (OpenSSL): %6.1f   [spread %.1f - %.1f]\n",
	    med[M_VERIFY] / med[M_SHA_OSSL], t[M_VERIFY][0] / t[M_SHA_OSSL][runs - 1],
	    t[M_VERIFY][runs - 1] / t[M_SHA_OSSL][0]);
	printf("  verify      / sha256 (mbedTLS): %6.1f   [spread %.1f - %.1f]\n",
	    med[M_VERIFY] / med[M_SHA_MBED], t[M_VERIFY][0] / t[M_SHA_MBED][runs - 1],
	    t[M_VERIFY][runs - 1] / t[M_SHA_MBED][0]);
	printf("  verify-walk / sha256 (OpenSSL): %6.1f   (integrity_check is %.0f %% of verify)\n",
	    med[M_WALK] / med[M_SHA_OSSL], 100.0 * (1.0 - med[M_WALK] / med[M_VERIFY]));
	loadavg(load1, sizeof(load1));
	printf("load average at end %s\n", load1);
	free(buf);
	if (keep) {
		printf("log kept: %s (public key in %s/audit.pub.pem)\n", path, dir);
		snprintf(text, sizeof(text), "%s/audit.pub.pem", dir);
		FILE *pf = fopen(text, "w");
		if (pf == NULL || fputs(pub, pf) == EOF || fclose(pf) != 0)
			die(text, 0);
		return 0;
	}
	unlink(path);
	snprintf(text, sizeof(text), "%s-wal", path);
	unlink(text);
	snprintf(text, sizeof(text), "%s-shm", path);
	unlink(text);
	rmdir(dir);
	return 0;
}
