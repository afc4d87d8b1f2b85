/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_audit_cli — `egate audit` end to end: a store is built with the
 * library, then the real binary (EGATE_BIN) queries, exports and verifies
 * it, before and after tampering. Exit codes are part of the interface.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <sqlite3.h>

#include "audit.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "egate/error.h"

#define T0 1795000000000LL	/* 2026-11-18T11:06:40Z */

struct fx {
	char dir[160], db[192], pub[192], hmac[192];
	char priv[1024];	/* the log's signing key, to append more */
	uint8_t key[32];	/* HMAC key */
};

static void
write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void
fx_init(struct fx *f)
{
	mbedtls_pk_context pk;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	char priv[1024], pub[512], hex[65];
	uint8_t key[32];
	struct audit_keys keys;
	struct audit_db *db = NULL;
	static const char *const docs[] = { "L898902C3", "X1234567" };
	static const char *const dec[] = { "OPEN", "REFER", "OPEN", "REJECT" };

	eg_scratch_mkdir(f->dir, sizeof(f->dir), "egate-audit-cli");
	snprintf(f->db, sizeof(f->db), "%s/audit.db", f->dir);
	snprintf(f->pub, sizeof(f->pub), "%s/audit.pub.pem", f->dir);
	snprintf(f->hmac, sizeof(f->hmac), "%s/hmac.key", f->dir);

	mbedtls_pk_init(&pk);
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	ck_assert_int_eq(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0), 0);
	ck_assert_int_eq(mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
	ck_assert_int_eq(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk),
	    mbedtls_ctr_drbg_random, &drbg), 0);
	ck_assert_int_eq(mbedtls_pk_write_key_pem(&pk, (uint8_t *)priv, sizeof(priv)), 0);
	ck_assert_int_eq(mbedtls_pk_write_pubkey_pem(&pk, (uint8_t *)pub, sizeof(pub)), 0);
	ck_assert_int_eq(mbedtls_ctr_drbg_random(&drbg, key, sizeof(key)), 0);
	memcpy(f->priv, priv, sizeof(f->priv));
	memcpy(f->key, key, sizeof(f->key));
	mbedtls_pk_free(&pk);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	write_file(f->pub, pub, strlen(pub));
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	write_file(f->hmac, hex, 64);
	ck_assert_int_eq(chmod(f->hmac, 0600), 0);

	keys.sign_key_pem = priv;
	keys.hmac_key = key;
	keys.hmac_key_len = sizeof(key);
	ck_assert_eg(audit_open(f->db, &keys, &db), EG_OK);
	for (int i = 0; i < 10; i++) {
		struct audit_record r;
		enum audit_result res;
		char kiosk[8];

		memset(&r, 0, sizeof(r));
		snprintf(kiosk, sizeof(kiosk), "K%02d", i % 2);
		r.kiosk_id = kiosk;
		r.seq = (uint64_t)(i / 2 + 1);
		r.ts_ms = T0 + i * 3600000LL;	/* hourly */
		r.type = "passage";
		r.decision = dec[i % 4];
		r.reason = "=cmd|' /C calc'!A0";	/* a hostile string for CSV */
		r.document_number = docs[i % 2];
		r.payload = "{\"scores\":[{\"name\":\"face_similarity\",\"value\":0.8}]}";
		ck_assert_eg(audit_append_batch(db, &r, 1, &res), EG_OK);
		ck_assert_int_eq(res, AUDIT_STORED);
	}
	ck_assert_eg(audit_checkpoint(db, NULL), EG_OK);
	audit_close(&db);
}

static void
fx_done(struct fx *f)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Run `egate audit ARGS`; stdout into out; returns the exit code. */
static int
run(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
run(char *out, size_t cap, const char *fmt, ...)
{
	char args[1024], cmd[1400];
	const char *bin = getenv("EGATE_BIN");
	va_list ap;
	FILE *p;
	size_t n = 0, got;
	int st;

	ck_assert_ptr_nonnull(bin);
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "'%s' audit %s 2>/dev/null", bin, args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (n + 1 < cap && (got = fread(out + n, 1, cap - 1 - n, p)) > 0)
		n += got;
	out[n] = '\0';
	st = pclose(p);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

START_TEST(query_and_export)
{
	struct fx f;
	static char out[1 << 16];

	fx_init(&f);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query", f.db), 0);
	ck_assert_int_eq(count(out, "\n"), 11);		/* header + 10 rows */
	ck_assert_int_eq(run(out, sizeof(out), "query --db '%s' --kiosk K01 --json", f.db), 0);
	ck_assert_int_eq(count(out, "\"id\":"), 5);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --decision REFER --json", f.db), 0);
	ck_assert_int_eq(count(out, "\"id\":"), 3);	/* i = 1, 5, 9 */
	/* hours 2, 3, 4 after T0 */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --json --from 2026-11-18T13:06:40Z "
	    "--to 2026-11-18T16:06:40Z", f.db), 0);
	ck_assert_int_eq(count(out, "\"id\":"), 3);
	ck_assert_ptr_nonnull(strstr(out, "\"time\":\"2026-11-18T13:06:40.000Z\""));
	/* the same instant written with an offset */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --json --from 2026-11-18T15:06:40+02:00 "
	    "--to '2026-11-18 16:06:40'", f.db), 0);
	ck_assert_int_eq(count(out, "\"id\":"), 3);
	/* by document number: the HMAC is computed from the key file */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --json --document l898902c3 "
	    "--hmac-key '%s'", f.db, f.hmac), 0);
	ck_assert_int_eq(count(out, "\"id\":"), 5);
	ck_assert_ptr_null(strstr(out, "L898902C3"));
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --json --limit 2", f.db), 0);
	ck_assert_int_eq(count(out, "\"id\":"), 2);
	/* one kiosk's passage by its seq */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --json --kiosk K01 --seq 2", f.db), 0);
	ck_assert_int_eq(count(out, "\"id\":"), 1);
	ck_assert_ptr_nonnull(strstr(out, "\"seq\":2,"));
	ck_assert_int_ne(run(out, sizeof(out), "--db '%s' query --seq 0", f.db), 0);

	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' export --format csv", f.db), 0);
	ck_assert_int_eq(count(out, "\n"), 11);
	ck_assert(strncmp(out, "id,time,kiosk_id,", 17) == 0);
	/* formula injection defused, quotes doubled */
	ck_assert_ptr_nonnull(strstr(out, "\"'=cmd|' /C calc'!A0\""));
	ck_assert_ptr_nonnull(strstr(out, "\"{\"\"scores\"\""));
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' export", f.db), 0);
	ck_assert_int_eq(count(out, "\n"), 10);		/* jsonl: one object a line */
	ck_assert_int_eq(count(out, "{\"id\":"), 10);
	ck_assert_ptr_null(strstr(out, "L898902C3"));
	ck_assert_ptr_null(strstr(out, "X1234567"));
	fx_done(&f);
}
END_TEST

START_TEST(verify_and_tamper)
{
	struct fx f;
	static char out[1 << 14];
	sqlite3 *db;

	fx_init(&f);
	/* consistent, but nothing outside the file vouches for it: exit 6 */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s'", f.db, f.pub), 6);
	ck_assert_msg(strncmp(out, "UNANCHORED: 10 records (0 purged), 1 checkpoints, 10 sealed, "
	    "0 unsealed", 71) == 0, "%s", out);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s' --json", f.db, f.pub), 6);
	ck_assert_ptr_nonnull(strstr(out, "\"ok\":true"));
	ck_assert_ptr_nonnull(strstr(out, "\"verdict\":\"UNANCHORED\""));

	/* keep the newest checkpoint outside the database, then verify with it */
	char anchor[256];
	snprintf(anchor, sizeof(anchor), "%s/anchor.txt", f.dir);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' head", f.db), 0);
	ck_assert_msg(strncmp(out, "egate-audit/", 12) == 0 && strstr(out, "\n10\n") != NULL, "%s", out);
	write_file(anchor, out, strlen(out));
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s' --anchor '%s'",
	    f.db, f.pub, anchor), 0);
	ck_assert_msg(strstr(out, "external checkpoint (size 10) contained") != NULL, "%s", out);
	/* truncation together with the checkpoint: only the anchor sees it */
	ck_assert_int_eq(sqlite3_open(f.db, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "DROP TRIGGER records_no_delete;"
	    "DROP TRIGGER checkpoints_no_delete; DELETE FROM records WHERE id = 10;"
	    "DROP TRIGGER tree_no_delete; DELETE FROM tree WHERE last >= 9;"
	    "DELETE FROM checkpoints", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s'", f.db, f.pub), 6);
	ck_assert_ptr_nonnull(strstr(out, "9 unsealed"));
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s' --anchor '%s'",
	    f.db, f.pub, anchor), 1);
	ck_assert_msg(strncmp(out, "TAMPERED: the external checkpoint seals 10", 42) == 0, "%s", out);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s' --anchor '%s'",
	    f.db, f.pub, f.pub), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' head", f.db), 1);

	ck_assert_int_eq(sqlite3_open(f.db, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "DROP TRIGGER records_no_update;"
	    "UPDATE records SET decision = 'OPEN' WHERE id = 4", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s'", f.db, f.pub), 1);
	ck_assert_msg(strncmp(out, "TAMPERED: record 4:", 19) == 0, "%s", out);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s' --json", f.db, f.pub), 1);
	ck_assert_ptr_nonnull(strstr(out, "\"bad_record\":4"));
	ck_assert_ptr_nonnull(strstr(out, "\"problem\":\"hash\""));
	fx_done(&f);
}
END_TEST

START_TEST(usage_and_open_errors)
{
	struct fx f;
	static char out[4096];

	fx_init(&f);
	ck_assert_int_eq(run(out, sizeof(out), "query"), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s'", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' frobnicate", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --from yesterday", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --document X1234567", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' export --format xml", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s' --kiosk K01",
	    f.db, f.pub), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s/none.db' query", f.dir), 3);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s/none.pem'", f.db, f.dir), 3);
	/* the HMAC key file given as the public key */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s'", f.db, f.hmac), 3);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --document X1 --hmac-key '%s'",
	    f.db, f.pub), 3);
	/* an HMAC key others can read is refused */
	ck_assert_int_eq(chmod(f.hmac, 0644), 0);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --document X1 --hmac-key '%s'",
	    f.db, f.hmac), 3);
	ck_assert_int_eq(chmod(f.hmac, 0600), 0);
	/* no match: exit 1 (a misspelt value must not look like success) */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --document X1 --hmac-key '%s'",
	    f.db, f.hmac), 1);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --document X1234567 --hmac-key '%s'",
	    f.db, f.hmac), 0);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' head --json", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --anchor x", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--help"), 0);
	fx_done(&f);
}
END_TEST


/* Run a shell command; stdout into out; returns the exit code. */
static int
sh(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
sh(char *out, size_t cap, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	FILE *p;
	size_t n = 0, got;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (n + 1 < cap && (got = fread(out + n, 1, cap - 1 - n, p)) > 0)
		n += got;
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Issue 13: every `egate audit` weakness, reproduced through the binary. */
START_TEST(issue13_cli)
{
	struct fx f;
	static char out[1 << 15];
	char other[256], copy[256];
	const char *bin = getenv("EGATE_BIN");
	sqlite3 *db;

	fx_init(&f);
	/* a wrong public key is told from tampering: exit 4 */
	snprintf(other, sizeof(other), "%s/other.pem", f.dir);
	ck_assert_int_eq(sh(out, sizeof(out), "openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null"
	    " | openssl pkey -pubout -out '%s' 2>&1", other), 0);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s'", f.db, other), 4);
	ck_assert_msg(strncmp(out, "WRONG KEY:", 10) == 0, "%s", out);
	/* progress on long runs (forced here: stderr is not a terminal) */
	ck_assert_int_eq(sh(out, sizeof(out), "'%s' audit --db '%s' verify --pubkey '%s' --progress "
	    "2>&1 >/dev/null", bin, f.db, f.pub), 6);
	ck_assert_msg(strstr(out, "verify: 10 of 10 (100%)") != NULL, "%s", out);
	/* a misspelt enumerated value is a usage error, a misspelt free value says so */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --decision REFFER", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --type pasage", f.db), 2);
	/* every type the host writes is a valid filter (none of these here: 1) */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --type officer_result", f.db), 1);
	ck_assert_int_eq(sh(out, sizeof(out), "'%s' audit --db '%s' query --kiosk K0l 2>&1 >/dev/null",
	    bin, f.db), 1);
	ck_assert_msg(strstr(out, "--kiosk 'K0l': no record in the log has this value") != NULL, "%s",
	    out);
	/* control characters in an officer's reason are not printed raw */
	ck_assert_int_eq(sqlite3_open(f.db, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "DROP TRIGGER records_no_update; UPDATE records SET reason = "
	    "'ok' || char(27) || '[2J' || char(13) || 'x' || char(155) WHERE id = 2", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --kiosk K01", f.db), 0);
	ck_assert_ptr_null(strchr(out, 27));
	ck_assert_ptr_null(strchr(out, '\r'));
	ck_assert_ptr_null(strstr(out, "\xc2\x9b"));
	ck_assert_msg(strstr(out, "ok\\x1b[2J\\x0dx\\x9b") != NULL, "%s", out);
	fx_done(&f);

	/* a rewritten chain with every checkpoint deleted (REFER flipped to OPEN)
	 * no longer verifies as OK without --anchor */
	fx_init(&f);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' head > '%s/anchor'", f.db, f.dir), 0);
	ck_assert_int_eq(sqlite3_open(f.db, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "DROP TRIGGER checkpoints_no_delete; DELETE FROM checkpoints",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s'", f.db, f.pub), 6);
	/* a file with corrupted pages: exit 5 */
	snprintf(copy, sizeof(copy), "%s/damaged.db", f.dir);
	ck_assert_int_eq(sh(out, sizeof(out), "cp '%s' '%s' && python3 -c \"import os,sys; "
	    "f=open(sys.argv[1],'r+b'); n=os.path.getsize(sys.argv[1]); "
	    "[ (f.seek(o), f.write(b'\\xa5'*8)) for o in range(4096, n, 4096) ]\" '%s'",
	    f.db, copy, copy), 0);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s'", copy, f.pub), 5);
	ck_assert_msg(strncmp(out, "DAMAGED:", 8) == 0, "%s", out);
	fx_done(&f);
}
END_TEST

/* prove and consistency, checked by tests/audit/rfc9162.py (an RFC 9162
 * verifier that shares no code with egate); mutated proofs fail there. */
START_TEST(proofs_independent_verifier)
{
	struct fx f;
	static char out[1 << 15];
	const char *py = getenv("RFC9162_PY");

	ck_assert_msg(py != NULL, "RFC9162_PY not set");
	fx_init(&f);
	for (int id = 1; id <= 10; id++) {
		ck_assert_int_eq(run(out, sizeof(out), "--db '%s' prove --id %d --json > '%s/p.json'",
		    f.db, id, f.dir), 0);
		ck_assert_int_eq(sh(out, sizeof(out), "python3 '%s' prove '%s/p.json' '%s' 2>&1", py, f.dir,
		    f.pub), 0);
	}
	/* --seq names one kiosk's record; ambiguous without --kiosk */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' prove --seq 2", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' prove --kiosk K01 --seq 2 --json > "
	    "'%s/p.json'", f.db, f.dir), 0);
	ck_assert_int_eq(sh(out, sizeof(out), "python3 '%s' prove '%s/p.json' '%s'", py, f.dir, f.pub), 0);
	ck_assert_msg(strstr(out, "record 4 (K01 seq 2") != NULL, "%s", out);
	/* a mutated audit path, a mutated entry: refused */
	ck_assert_int_eq(sh(out, sizeof(out), "python3 -c \"import json,sys; j=json.load(open('%s/p.json'));"
	    " p=j['audit_path']; p[0]=p[1]; json.dump(j,open('%s/bad.json','w'))\" && python3 '%s' prove "
	    "'%s/bad.json' '%s' 2>&1", f.dir, f.dir, py, f.dir, f.pub), 1);
	ck_assert_int_eq(sh(out, sizeof(out), "python3 -c \"import json,sys; j=json.load(open('%s/p.json'));"
	    " e=j['entry']; j['entry']=e[:-2]+('00' if e[-2:]!='00' else '01');"
	    " json.dump(j,open('%s/bad.json','w'))\" && python3 '%s' prove '%s/bad.json' '%s' 2>&1",
	    f.dir, f.dir, py, f.dir, f.pub), 1);
	/* consistency from every older size to the checkpoint */
	for (int m = 0; m <= 10; m++) {
		ck_assert_int_eq(run(out, sizeof(out), "--db '%s' consistency --from %d --json > "
		    "'%s/c.json'", f.db, m, f.dir), 0);
		ck_assert_int_eq(sh(out, sizeof(out), "python3 '%s' consistency '%s/c.json' '%s' 2>&1", py,
		    f.dir, f.pub), 0);
	}
	/* the text form is a tlog-witness add-checkpoint request */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' consistency --from 3", f.db), 0);
	ck_assert_msg(strncmp(out, "old 3\n", 6) == 0 && strstr(out, "\n\negate-audit/") != NULL, "%s",
	    out);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' consistency --from 11", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' prove --id 11", f.db), 1);
	/* snapshot: a complete, checked copy */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' snapshot --out '%s/snap.db'", f.db, f.dir), 0);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' snapshot --out '%s/snap.db'", f.db, f.dir), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' head > '%s/anchor'", f.db, f.dir), 0);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s/snap.db' verify --pubkey '%s' --anchor "
	    "'%s/anchor'", f.dir, f.pub, f.dir), 0);
	fx_done(&f);
}
END_TEST

/* `egate audit policy`: the decision parameters the host logged with a
 * configuration version, read back only if they still hash to the digest
 * their hash-chained config record names; verify catches an edited row. */
START_TEST(policy_params_cli)
{
	static const char params[] = "{\"version\":3,\"thresholds\":{\"match_threshold\":"
	    "0.55000000000000004},\"settings\":{\"no_chip_auth\":\"refer\"}}";
	struct fx f;
	static char out[1 << 15];
	struct audit_keys k;
	struct audit_db *db = NULL;
	uint8_t digest[32] = { 0x42 }, pd[32];
	char want[256], phex[65];
	sqlite3 *s3;

	fx_init(&f);
	k.sign_key_pem = f.priv;
	k.hmac_key = f.key;
	k.hmac_key_len = sizeof(f.key);
	ck_assert_eg(audit_open(f.db, &k, &db), EG_OK);
	ck_assert_eg(audit_config_add_policy(db, 3, T0, digest, "policy bundle", params), EG_OK);
	ck_assert_eg(audit_config_add(db, 4, T0 + 1, digest, "no parameters"), EG_OK);
	ck_assert_eg(audit_checkpoint(db, NULL), EG_OK);
	audit_close(&db);

	/* exactly the bytes whose SHA-256 the config record names */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' policy --version 3", f.db), 0);
	snprintf(want, sizeof(want), "%s\n", params);
	ck_assert_str_eq(out, want);
	mbedtls_sha256_ret((const uint8_t *)params, strlen(params), pd, 0);
	for (int i = 0; i < 32; i++)
		snprintf(phex + 2 * i, 3, "%02x", pd[i]);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --type config --json", f.db), 0);
	snprintf(want, sizeof(want), "params_sha256\\\":\\\"%s", phex);
	ck_assert_msg(strstr(out, want) != NULL, "%s not in %s", want, out);
	/* a version logged without parameters, one never logged, misuse */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' policy --version 4", f.db), 1);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' policy --version 9", f.db), 1);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' policy", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' policy --version 3 --json", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --version 3", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' head > '%s/anchor'", f.db, f.dir), 0);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s' --anchor '%s/anchor'",
	    f.db, f.pub, f.dir), 0);

	/* a threshold lowered in the stored parameters */
	ck_assert_int_eq(sqlite3_open(f.db, &s3), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(s3, "DROP TRIGGER policy_params_no_update; UPDATE policy_params "
	    "SET params = replace(params, '0.55000000000000004', '0.10000000000000001')", NULL, NULL,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_changes(s3), 1);
	sqlite3_close(s3);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' policy --version 3", f.db), 1);
	ck_assert_msg(strncmp(out, "TAMPERED:", 9) == 0, "%s", out);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s' --anchor '%s/anchor'",
	    f.db, f.pub, f.dir), 1);
	ck_assert_msg(strstr(out, "decision parameters kept for configuration version 3 differ")
	    != NULL, "%s", out);
	fx_done(&f);
}
END_TEST

/* `egate audit import`: witness-cosigned checkpoints kept beside the
 * database (DB.cosigned), merged per size, found by verify and snapshot;
 * a log rewritten after the cosignature is caught at import and at verify. */
START_TEST(import_cosigned)
{
	struct fx f;
	static char out[1 << 15];
	const char *bin = getenv("EGATE_BIN");
	char origin[128], path[256], other[256];
	struct audit_keys k;
	struct audit_db *db = NULL;
	struct stat sb;

	fx_init(&f);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' head", f.db), 0);
	ck_assert_ptr_nonnull(strchr(out, '\n'));
	snprintf(origin, sizeof(origin), "%.*s", (int)(strchr(out, '\n') - out), out);
	/* two witnesses cosign the checkpoint of size 10 */
	for (int w = 1; w <= 2; w++)
		ck_assert_int_eq(sh(out, sizeof(out), "cd '%s' && '%s' witness init --state w%d --name "
		    "authority.example/w%d > w%d.vkey && '%s' witness add-log --state w%d --origin '%s' "
		    "--pubkey '%s' >/dev/null && '%s' audit --db '%s' consistency --from 0 | '%s' "
		    "witness cosign --state w%d > c%d 2>&1", f.dir, bin, w, w, w, bin, w, origin, f.pub,
		    bin, f.db, bin, w, w), 0);
	snprintf(path, sizeof(path), "%s.cosigned", f.db);

	/* nothing beside the database yet: witness keys need a checkpoint */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s' --witness-key "
	    "'%s/w1.vkey'", f.db, f.pub, f.dir), 2);
	/* refused: the log's own note, a note checked against a witness that
	 * did not sign it, another key, a malformed file, misuse */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' head > '%s/own'", f.db, f.dir), 0);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' import --cosigned '%s/own' --pubkey '%s'",
	    f.db, f.dir, f.pub), 1);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' import --cosigned '%s/c1' --pubkey '%s' "
	    "--witness-key '%s/w2.vkey'", f.db, f.dir, f.pub, f.dir), 1);
	snprintf(other, sizeof(other), "%s/other.pem", f.dir);
	ck_assert_int_eq(sh(out, sizeof(out), "openssl ecparam -name prime256v1 -genkey -noout "
	    "2>/dev/null | openssl pkey -pubout -out '%s' 2>&1", other), 0);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' import --cosigned '%s/c1' --pubkey '%s'",
	    f.db, f.dir, other), 4);
	ck_assert_msg(strncmp(out, "WRONG KEY:", 10) == 0, "%s", out);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' import --cosigned '%s/w1.vkey' --pubkey '%s'",
	    f.db, f.dir, f.pub), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' import --pubkey '%s'", f.db, f.pub), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --cosigned '%s/c1'", f.db, f.dir), 2);
	ck_assert_int_eq(stat(path, &sb), -1);

	/* imported, then found by verify when witness keys are given */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' import --cosigned '%s/c1' --pubkey '%s' "
	    "--witness-key '%s/w1.vkey'", f.db, f.dir, f.pub, f.dir), 0);
	ck_assert_msg(strncmp(out, "imported into ", 14) == 0, "%s", out);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s' --witness-key "
	    "'%s/w1.vkey'", f.db, f.pub, f.dir), 0);
	ck_assert_msg(strstr(out, ".cosigned) contained, witness-cosigned") != NULL, "%s", out);
	/* without witness keys the file beside the database vouches for nothing */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s'", f.db, f.pub), 6);
	ck_assert_msg(strstr(out, "give --witness-key") != NULL, "%s", out);
	/* two witnesses of one checkpoint: merged into one note, quorum 2 */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s' --witness-key "
	    "'%s/w1.vkey' --witness-key '%s/w2.vkey'", f.db, f.pub, f.dir, f.dir), 1);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' import --cosigned '%s/c2' --pubkey '%s'",
	    f.db, f.dir, f.pub), 0);
	ck_assert_msg(strncmp(out, "merged into ", 12) == 0, "%s", out);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' import --cosigned '%s/c2' --pubkey '%s'",
	    f.db, f.dir, f.pub), 0);
	ck_assert_msg(strncmp(out, "unchanged ", 10) == 0, "%s", out);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s' --witness-key "
	    "'%s/w1.vkey' --witness-key '%s/w2.vkey' --json", f.db, f.pub, f.dir, f.dir), 0);
	ck_assert_msg(strstr(out, "\"witnesses\":2,\"witnessed\":true") != NULL, "%s", out);
	/* a snapshot takes it along */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' snapshot --out '%s/snap.db'", f.db, f.dir),
	    0);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s/snap.db' verify --pubkey '%s' --witness-key "
	    "'%s/w2.vkey'", f.dir, f.pub, f.dir), 0);

	/* the log goes on: the newer cosigned checkpoint replaces the older one */
	k.sign_key_pem = f.priv;
	k.hmac_key = f.key;
	k.hmac_key_len = sizeof(f.key);
	ck_assert_eg(audit_open(f.db, &k, &db), EG_OK);
	ck_assert_eg(audit_config_add(db, 9, T0, f.key, "more"), EG_OK);
	ck_assert_eg(audit_checkpoint(db, NULL), EG_OK);
	audit_close(&db);
	ck_assert_int_eq(sh(out, sizeof(out), "cd '%s' && '%s' audit --db '%s' consistency --from 10 | "
	    "'%s' witness cosign --state w1 > c1b 2>&1", f.dir, bin, f.db, bin), 0);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' import --cosigned '%s/c1b' --pubkey '%s'",
	    f.db, f.dir, f.pub), 0);
	ck_assert_msg(strncmp(out, "replaced ", 9) == 0, "%s", out);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' import --cosigned '%s/c2' --pubkey '%s'",
	    f.db, f.dir, f.pub), 0);
	ck_assert_msg(strncmp(out, "kept ", 5) == 0, "%s", out);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s' --witness-key "
	    "'%s/w1.vkey'", f.db, f.pub, f.dir), 0);
	ck_assert_msg(strstr(out, "external checkpoint (size 11, from ") != NULL, "%s", out);

	/* the host's operator rewrites the log with the same key (same name):
	 * the checkpoint beside it no longer fits, at verify and at import */
	ck_assert_int_eq(sh(out, sizeof(out), "rm -f '%s' '%s-wal' '%s-shm'", f.db, f.db, f.db), 0);
	ck_assert_eg(audit_open(f.db, &k, &db), EG_OK);
	for (int i = 0; i < 12; i++) {
		struct audit_record r;
		enum audit_result res;

		memset(&r, 0, sizeof(r));
		r.kiosk_id = "K00";
		r.seq = (uint64_t)i + 1;
		r.ts_ms = T0 + i;
		r.type = "passage";
		r.decision = "OPEN";
		ck_assert_eg(audit_append_batch(db, &r, 1, &res), EG_OK);
	}
	ck_assert_eg(audit_checkpoint(db, NULL), EG_OK);
	audit_close(&db);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s' --witness-key "
	    "'%s/w1.vkey'", f.db, f.pub, f.dir), 1);
	ck_assert_msg(strstr(out, "seals a different tree root") != NULL, "%s", out);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' import --cosigned '%s/c2' --pubkey '%s'",
	    f.db, f.dir, f.pub), 1);
	ck_assert_msg(strncmp(out, "TAMPERED: the log's tree root at size 10 differs", 48) == 0, "%s",
	    out);
	/* a damaged file beside the database is reported, not ignored */
	ck_assert_int_eq(sh(out, sizeof(out), "echo garbage > '%s'", path), 0);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' verify --pubkey '%s' --witness-key "
	    "'%s/w1.vkey'", f.db, f.pub, f.dir), 3);
	fx_done(&f);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("audit-cli");
	TCase *tc = tcase_create("egate audit");

	/* each test starts the egate binary 20-40 times; under ASan, with the
	 * face stack linked, one start takes ~1.5 s on a loaded 2-core machine */
	tcase_set_timeout(tc, 300);
	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
	tcase_add_test(tc, query_and_export);
	tcase_add_test(tc, verify_and_tamper);
	tcase_add_test(tc, usage_and_open_errors);
	tcase_add_test(tc, issue13_cli);
	tcase_add_test(tc, proofs_independent_verifier);
	tcase_add_test(tc, policy_params_cli);
	tcase_add_test(tc, import_cosigned);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
