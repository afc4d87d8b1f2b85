/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_tree.c — the records as leaves of an RFC 9162 Merkle tree: the
 * tree's right edge for appending, stored complete subtrees, inclusion and
 * consistency proofs and their verification (RFC 9162 section 2.1).
 *
 * Storage: table tree (last, level, hash), one row per complete subtree,
 * keyed by the index of its last leaf and its height. A leaf adds one row
 * at level 0 and one per subtree it completes (two rows per leaf on
 * average); rows are appended in key order, so the walk of audit_verify
 * reads them with one cursor beside the records.
 */
#include <string.h>

#include "audit_int.h"
#include "egate/error.h"

/* ---- the right edge ---------------------------------------------------------- */

void
audit_range_init(struct audit_range *r)
{
	r->size = 0;
	r->n = 0;
}

int
audit_range_push(struct audit_sha256 *sh, struct audit_range *r,
    const uint8_t leaf[AUDIT_HASH_LEN], uint8_t nodes[64][AUDIT_HASH_LEN], size_t *nnodes)
{
	uint64_t s;
	size_t k = 0;
	int ret;

	memcpy(r->h[r->n++], leaf, AUDIT_HASH_LEN);
	memcpy(nodes[k++], leaf, AUDIT_HASH_LEN);
	r->size++;
	/* the new size's trailing zero bits = subtrees completed by this leaf */
	for (s = r->size; (s & 1) == 0 && r->n >= 2; s >>= 1) {
		if ((ret = audit_node_hash(sh, r->h[r->n - 2], r->h[r->n - 1], r->h[r->n - 2])) !=
		    EG_OK)
			return ret;
		r->n--;
		memcpy(nodes[k++], r->h[r->n - 1], AUDIT_HASH_LEN);
	}
	*nnodes = k;
	return EG_OK;
}

int
audit_range_root(struct audit_sha256 *s, const struct audit_range *r,
    uint8_t out[AUDIT_HASH_LEN])
{
	uint8_t acc[AUDIT_HASH_LEN];
	int ret;

	if (r->n == 0)
		return audit_sha256(s, NULL, 0, out);	/* MTH({}) = SHA-256() */
	memcpy(acc, r->h[r->n - 1], AUDIT_HASH_LEN);
	for (size_t i = r->n - 1; i-- > 0;)
		if ((ret = audit_node_hash(s, r->h[i], acc, acc)) != EG_OK)
			return ret;
	memcpy(out, acc, AUDIT_HASH_LEN);
	return EG_OK;
}

/* ---- stored nodes ------------------------------------------------------------ */

int
audit_tree_node(sqlite3 *db, unsigned level, uint64_t idx, uint8_t out[AUDIT_HASH_LEN])
{
	sqlite3_stmt *st = NULL;
	int ret = EG_ERR_DB, rc;

	if (level > 62 || idx >= (UINT64_C(1) << (63 - level)))
		return EG_ERR_INVAL;
	if (sqlite3_prepare_v3(db, "SELECT hash FROM tree WHERE last = ? AND level = ?", -1,
		SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, (int64_t)(((idx + 1) << level) - 1));
	sqlite3_bind_int(st, 2, (int)level);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ret = EG_ERR_NOT_FOUND;
		goto out;
	}
	if (rc != SQLITE_ROW || sqlite3_column_type(st, 0) != SQLITE_BLOB ||
	    sqlite3_column_bytes(st, 0) != AUDIT_HASH_LEN)
		goto out;
	memcpy(out, sqlite3_column_blob(st, 0), AUDIT_HASH_LEN);
	ret = EG_OK;
out:
	sqlite3_finalize(st);
	return ret;
}

int
audit_range_load(sqlite3 *db, uint64_t size, struct audit_range *r)
{
	uint64_t off = 0;
	int rc;

	audit_range_init(r);
	for (int level = 63; level >= 0; level--) {
		uint64_t w = UINT64_C(1) << level;

		if ((size & w) == 0)
			continue;
		if ((rc = audit_tree_node(db, (unsigned)level, off >> level, r->h[r->n])) != EG_OK)
			return rc == EG_ERR_NOT_FOUND ? EG_ERR_DB : rc;
		r->n++;
		off += w;
	}
	r->size = size;
	return EG_OK;
}

static uint64_t
pow2_below(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;	/* largest power of two < n, for n >= 2 */
}

int
audit_tree_hash(sqlite3 *db, uint64_t a, uint64_t b, uint8_t out[AUDIT_HASH_LEN])
{
	uint8_t l[AUDIT_HASH_LEN], r[AUDIT_HASH_LEN];
	uint64_t n = b - a, k;
	int rc;

	if (b <= a)
		return EG_ERR_INVAL;
	if ((n & (n - 1)) == 0 && a % n == 0) {
		unsigned level = (unsigned)__builtin_ctzll(n);

		rc = audit_tree_node(db, level, a >> level, out);
		return rc == EG_ERR_NOT_FOUND ? EG_ERR_DB : rc;
	}
	k = pow2_below(n);
	if ((rc = audit_tree_hash(db, a, a + k, l)) != EG_OK ||
	    (rc = audit_tree_hash(db, a + k, b, r)) != EG_OK)
		return rc;
	return audit_node_hash(NULL, l, r, out);
}

/* ---- proofs ------------------------------------------------------------------- */

int
audit_tree_size(struct audit_db *a, uint64_t *size)
{
	sqlite3_stmt *st = NULL;
	int ret = EG_ERR_DB;

	if (a == NULL || size == NULL)
		return EG_ERR_INVAL;
	*size = 0;
	if (sqlite3_prepare_v2(a->db, "SELECT COALESCE(MAX(id), 0) FROM records", -1, &st, NULL) !=
	    SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto out;
	*size = (uint64_t)sqlite3_column_int64(st, 0);
	ret = EG_OK;
out:
	sqlite3_finalize(st);
	return ret;
}

int
audit_root(struct audit_db *a, uint64_t size, uint8_t root[AUDIT_HASH_LEN])
{
	uint64_t have;
	int rc;

	if (a == NULL || root == NULL)
		return EG_ERR_INVAL;
	if ((rc = audit_tree_size(a, &have)) != EG_OK)
		return rc;
	if (size > have)
		return EG_ERR_INVAL;
	if (size == 0)
		return audit_sha256(NULL, NULL, 0, root);
	return audit_tree_hash(a->db, 0, size, root);
}

/* PATH(m, D[a:b]) of RFC 9162 2.1.3.1, appended to path (deepest first). */
static int
path_rec(sqlite3 *db, uint64_t m, uint64_t a, uint64_t b, uint8_t path[][AUDIT_HASH_LEN],
    size_t *n)
{
	uint64_t k;
	int rc;

	if (b - a <= 1)
		return EG_OK;
	if (*n >= AUDIT_PROOF_MAX)
		return EG_ERR_OVERFLOW;
	k = pow2_below(b - a);
	if (m < a + k) {
		if ((rc = path_rec(db, m, a, a + k, path, n)) != EG_OK)
			return rc;
		return audit_tree_hash(db, a + k, b, path[(*n)++]);
	}
	if ((rc = path_rec(db, m, a + k, b, path, n)) != EG_OK)
		return rc;
	return audit_tree_hash(db, a, a + k, path[(*n)++]);
}

int
audit_prove_inclusion(struct audit_db *a, uint64_t index, uint64_t size,
    uint8_t leaf[AUDIT_HASH_LEN], uint8_t path[][AUDIT_HASH_LEN], size_t *n,
    uint8_t root[AUDIT_HASH_LEN])
{
	uint64_t have;
	int rc;

	if (a == NULL || leaf == NULL || path == NULL || n == NULL || root == NULL)
		return EG_ERR_INVAL;
	*n = 0;
	if ((rc = audit_tree_size(a, &have)) != EG_OK)
		return rc;
	if (index >= size || size > have)
		return EG_ERR_INVAL;
	if ((rc = audit_tree_node(a->db, 0, index, leaf)) != EG_OK)
		return rc == EG_ERR_NOT_FOUND ? EG_ERR_DB : rc;
	if ((rc = path_rec(a->db, index, 0, size, path, n)) != EG_OK)
		return rc;
	return audit_tree_hash(a->db, 0, size, root);
}

/* SUBPROOF(m, D[a:b], full) of RFC 9162 2.1.4.1 (m relative to a). */
static int
subproof(sqlite3 *db, uint64_t m, uint64_t a, uint64_t b, bool full,
    uint8_t proof[][AUDIT_HASH_LEN], size_t *k)
{
	uint64_t n = b - a, h;
	int rc;

	if (*k >= AUDIT_PROOF_MAX)
		return EG_ERR_OVERFLOW;
	if (m == n) {
		if (full)
			return EG_OK;
		return audit_tree_hash(db, a, b, proof[(*k)++]);
	}
	h = pow2_below(n);
	if (m <= h) {
		if ((rc = subproof(db, m, a, a + h, full, proof, k)) != EG_OK)
			return rc;
		return audit_tree_hash(db, a + h, b, proof[(*k)++]);
	}
	if ((rc = subproof(db, m - h, a + h, b, false, proof, k)) != EG_OK)
		return rc;
	return audit_tree_hash(db, a, a + h, proof[(*k)++]);
}

int
audit_prove_consistency(struct audit_db *a, uint64_t m, uint64_t n,
    uint8_t proof[][AUDIT_HASH_LEN], size_t *k)
{
	uint64_t have;
	int rc;

	if (a == NULL || proof == NULL || k == NULL)
		return EG_ERR_INVAL;
	*k = 0;
	if ((rc = audit_tree_size(a, &have)) != EG_OK)
		return rc;
	if (m == 0 || m > n || n > have)
		return EG_ERR_INVAL;
	if (m == n)
		return EG_OK;
	return subproof(a->db, m, 0, n, true, proof, k);
}

/* ---- verification (pure) ------------------------------------------------------ */

bool
audit_verify_inclusion(const uint8_t leaf[AUDIT_HASH_LEN], uint64_t index, uint64_t size,
    const uint8_t path[][AUDIT_HASH_LEN], size_t n, const uint8_t root[AUDIT_HASH_LEN])
{
	uint8_t r[AUDIT_HASH_LEN];
	uint64_t fn, sn;

	if (index >= size)
		return false;
	fn = index;
	sn = size - 1;
	memcpy(r, leaf, AUDIT_HASH_LEN);
	for (size_t i = 0; i < n; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) != 0 || fn == sn) {
			if (audit_node_hash(NULL, path[i], r, r) != EG_OK)
				return false;
			if ((fn & 1) == 0)
				while ((fn & 1) == 0 && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			if (audit_node_hash(NULL, r, path[i], r) != EG_OK)
				return false;
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(r, root, AUDIT_HASH_LEN) == 0;
}

bool
audit_verify_consistency(uint64_t m, uint64_t n, const uint8_t root_m[AUDIT_HASH_LEN],
    const uint8_t root_n[AUDIT_HASH_LEN], const uint8_t proof[][AUDIT_HASH_LEN], size_t k)
{
	uint8_t fr[AUDIT_HASH_LEN], sr[AUDIT_HASH_LEN];
	const uint8_t *c0;
	uint64_t fn, sn;
	size_t i;

	if (m > n)
		return false;
	if (m == 0)
		return k == 0;
	if (m == n)
		return k == 0 && memcmp(root_m, root_n, AUDIT_HASH_LEN) == 0;
	if (k == 0)
		return false;
	/* a first tree of a power-of-two size is its own first proof node */
	if ((m & (m - 1)) == 0) {
		c0 = root_m;
		i = 0;
	} else {
		c0 = proof[0];
		i = 1;
	}
	fn = m - 1;
	sn = n - 1;
	while ((fn & 1) != 0) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, c0, AUDIT_HASH_LEN);
	memcpy(sr, c0, AUDIT_HASH_LEN);
	for (; i < k; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) != 0 || fn == sn) {
			if (audit_node_hash(NULL, proof[i], fr, fr) != EG_OK ||
			    audit_node_hash(NULL, proof[i], sr, sr) != EG_OK)
				return false;
			if ((fn & 1) == 0)
				while ((fn & 1) == 0 && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			if (audit_node_hash(NULL, sr, proof[i], sr) != EG_OK)
				return false;
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(fr, root_m, AUDIT_HASH_LEN) == 0 &&
	    memcmp(sr, root_n, AUDIT_HASH_LEN) == 0;
}
