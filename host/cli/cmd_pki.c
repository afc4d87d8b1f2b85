/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate pki — the deployment CA for integrators. See docs/man/egate-pki.1.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "egate/conf.h"
#include "egate/error.h"
#include "egate/json.h"
#include "egate/secure.h"
#include "pki.h"

static void
help(FILE *f)
{
	fprintf(f,
	    "usage: egate pki init        --dir CA [--name NAME] [--days N]\n"
	    "       egate pki issue       --dir CA --cn CN --role ROLE --key-out KEY --out CRT [--days N]\n"
	    "       egate pki enrol-token --dir CA --cn CN [--role ROLE] [--days N] [--json]\n"
	    "       egate pki csr         (--key KEY --cn CN --role ROLE | --config KIOSK.CONF)\n"
	    "                             [--token TOKEN] --out CSR\n"
	    "       egate pki sign-csr    --dir CA [--csr] CSR --out CRT [--days N]\n"
	    "       egate pki sign        --dir CA --csr CSR --role ROLE --out CRT [--days N]\n"
	    "       egate pki renew       --dir CA (--serial S | --cert CRT) --out CRT [--days N]\n"
	    "       egate pki list        --dir CA [--json] [--expiring DAYS] [--tokens]\n"
	    "       egate pki revoke      --dir CA (CRT... | --serial S)\n"
	    "       egate pki crl         --dir CA [--days N]\n"
	    "       egate pki key         --out KEY\n"
	    "       egate pki secret      --out FILE [--bytes N]\n"
	    "\n"
	    "ROLE is host, kiosk, officer or update (signs update bundles). Keys are\n"
	    "ECDSA P-256, PEM, mode 0600, never overwritten; keys readable by group or\n"
	    "others are refused. The CA keeps an index of what it issued (CA/index.txt,\n"
	    "'list'); every command that writes is all or nothing.\n"
	    "\n"
	    "Enrolment: 'enrol-token' approves one device (prints a one-time token; the\n"
	    "CA keeps only its hash); on the device, 'csr --token' makes the key there\n"
	    "(it never leaves) and a request carrying the token; 'sign-csr' signs it if\n"
	    "the token is valid, unused, unexpired and approved for that CN and role,\n"
	    "and burns it. 'sign' signs a request you checked yourself; 'issue' makes\n"
	    "key and certificate in one step (host, officers, update signers, tests).\n"
	    "'renew' re-signs a certificate's key for a new period; 'list' warns about\n"
	    "certificates expiring within 30 days and a CRL within 7 (--expiring DAYS:\n"
	    "only certificates expiring within DAYS; exit 1 if any, or the CRL warns).\n"
	    "\n"
	    "exit: 0 done, 1 refused (bad request, wrong role or token, exists, not\n"
	    "      issued by this CA; list --expiring: some are), 2 usage,\n"
	    "      3 cannot read or write a file (or a key with loose permissions)\n");
}

static int
exit_for(int r)
{
	switch (r) {
	case EG_OK: return EGATE_EXIT_OK;
	case EG_ERR_INVAL: return EGATE_EXIT_USAGE;
	case EG_ERR_IO:
	case EG_ERR_PERM:
	case EG_ERR_FORMAT:
	case EG_ERR_NOMEM:
	case EG_ERR_CRYPTO:
	case EG_ERR_BUSY:
		return EGATE_EXIT_ERROR;
	default: return EGATE_EXIT_FAIL;
	}
}

/* Report r (with the library's reason when there is one) and map it. */
static int
done(const char *what, int r, const char *err)
{
	if (r != EG_OK) {
		if (err != NULL && err[0] != '\0')
			cli_err("pki", "%s", err);
		else
			cli_err("pki", "%s: %s", what, r == EG_ERR_STATE ?
			    "already exists; refusing to overwrite" : eg_strerror(r));
	}
	return exit_for(r);
}

static void
print_issued(const struct pki_issued *res, const char *out)
{
	char na[32];
	struct tm tm;

	gmtime_r(&res->not_after, &tm);
	strftime(na, sizeof(na), "%Y-%m-%d", &tm);
	printf("%s certificate for %s written to %s (serial %s, valid until %s)\n",
	    pki_role_str(res->role), res->cn, out, res->serial, na);
}

static void
date_str(time_t t, char out[21])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static long
days_left(time_t end, time_t now)
{
	/* rounded down; negative once past */
	return end >= now ? (long)((end - now) / 86400) : -(long)((now - end + 86399) / 86400);
}

/* `egate pki list`: the index as a table or JSON, with warnings. */
static int
do_list(const char *dir, bool json, int expiring, bool tokens)
{
	struct pki_index idx;
	char err[600] = "", crlp[1100];
	int horizon = expiring >= 0 ? expiring : PKI_WARN_DAYS, r, shown = 0, warned = 0;
	time_t now = time(NULL), crl_end = 0;
	bool crl_ok = false, is_crl = false;
	struct eg_json j;

	if ((r = pki_index_load(dir, &idx, err, sizeof(err))) != EG_OK)
		return done(dir, r, err);
	snprintf(crlp, sizeof(crlp), "%s/%s", dir, PKI_CA_CRL);
	crl_ok = pki_file_expiry(crlp, &crl_end, &is_crl, NULL, 0) == EG_OK && is_crl;
	if (json) {
		eg_json_init(&j, stdout);
		eg_json_obj_begin(&j);
		eg_json_key_bool(&j, "index_missing", idx.missing);
		eg_json_key_int(&j, "warn_days", horizon);
		eg_json_key(&j, "crl_next_update");
		if (crl_ok) {
			char t[21];
			date_str(crl_end, t);
			eg_json_str(&j, t);
		} else {
			eg_json_null(&j);
		}
		eg_json_key(&j, "certificates");
		eg_json_arr_begin(&j);
	} else if (!tokens) {
		printf("%-32s  %-7s  %-10s  %5s  %-10s  %s\n", "SERIAL", "ROLE", "EXPIRES", "DAYS",
		    "STATE", "CN");
	}
	for (size_t i = 0; i < idx.ncerts && !tokens; i++) {
		const struct pki_cert_rec *c = &idx.certs[i];
		enum pki_cert_state st = pki_cert_state(&idx, i, now, horizon);
		bool attention = st == PKI_STATE_EXPIRING || st == PKI_STATE_EXPIRED;
		char nb[21], na[21], ra[21];

		if (expiring >= 0 && !attention)
			continue;
		shown++;
		date_str(c->not_before, nb);
		date_str(c->not_after, na);
		if (json) {
			eg_json_obj_begin(&j);
			eg_json_key_str(&j, "serial", c->serial);
			eg_json_key_str(&j, "role", pki_role_str(c->role));
			eg_json_key_str(&j, "cn", c->cn);
			eg_json_key_str(&j, "not_before", nb);
			eg_json_key_str(&j, "not_after", na);
			eg_json_key_int(&j, "days_left", days_left(c->not_after, now));
			eg_json_key_str(&j, "state", pki_state_str(st));
			eg_json_key(&j, "revoked_at");
			if (c->revoked) {
				date_str(c->revoked_at, ra);
				eg_json_str(&j, ra);
			} else {
				eg_json_null(&j);
			}
			eg_json_key_str(&j, "origin", c->origin);
			eg_json_obj_end(&j);
		} else {
			printf("%-32s  %-7s  %.10s  %5ld  %-10s  %s\n", c->serial, pki_role_str(c->role),
			    na, days_left(c->not_after, now), pki_state_str(st), c->cn);
		}
		if (attention) {
			warned++;
			if (st == PKI_STATE_EXPIRED)
				cli_err("pki", "warning: %s certificate %s (serial %s) expired on %.10s; "
				    "renew: egate pki renew --dir %s --serial %s --out FILE",
				    pki_role_str(c->role), c->cn, c->serial, na, dir, c->serial);
			else
				cli_err("pki", "warning: %s certificate %s (serial %s) expires in %ld "
				    "days (%.10s); renew: egate pki renew --dir %s --serial %s --out FILE",
				    pki_role_str(c->role), c->cn, c->serial, days_left(c->not_after, now),
				    na, dir, c->serial);
		}
	}
	if (json) {
		eg_json_arr_end(&j);
		eg_json_key(&j, "tokens");
		eg_json_arr_begin(&j);
	} else if (tokens) {
		printf("%-8s  %-7s  %-10s  %-7s  %-32s  %s\n", "TOKEN", "ROLE", "EXPIRES", "STATE",
		    "CERTIFICATE", "CN");
	}
	for (size_t i = 0; i < idx.ntokens && (json || tokens); i++) {
		const struct pki_token_rec *t = &idx.tokens[i];
		const char *state = t->used ? "used" : now >= t->expires ? "expired" : "open";
		char id[9], ex[21];

		pki_token_id(t, id);
		date_str(t->expires, ex);
		if (json) {
			eg_json_obj_begin(&j);
			eg_json_key_str(&j, "id", id);
			eg_json_key_str(&j, "role", pki_role_str(t->role));
			eg_json_key_str(&j, "cn", t->cn);
			eg_json_key_str(&j, "expires", ex);
			eg_json_key_str(&j, "state", state);
			eg_json_key(&j, "serial");
			if (t->used)
				eg_json_str(&j, t->serial);
			else
				eg_json_null(&j);
			eg_json_obj_end(&j);
		} else {
			printf("%-8s  %-7s  %.10s  %-7s  %-32s  %s\n", id, pki_role_str(t->role), ex, state,
			    t->used ? t->serial : "-", t->cn);
		}
	}
	if (json) {
		eg_json_arr_end(&j);
		eg_json_obj_end(&j);
		if (eg_json_finish(&j) != EG_OK)
			r = EG_ERR_IO;
	}
	if (idx.missing)
		cli_err("pki", "note: %s has no %s (a CA made by an older egate): certificates "
		    "issued before this version are not listed", dir, PKI_CA_INDEX);
	if (crl_ok && !tokens) {
		char t[21];
		date_str(crl_end, t);
		if (now >= crl_end) {
			warned++;
			cli_err("pki", "warning: the CRL expired on %.10s: the host refuses every "
			    "client until you re-sign it: egate pki crl --dir %s", t, dir);
		} else if (days_left(crl_end, now) < PKI_CRL_WARN_DAYS) {
			warned++;
			cli_err("pki", "warning: the CRL expires in %ld days (%.10s): egate pki crl "
			    "--dir %s, then publish it to the host", days_left(crl_end, now), t, dir);
		}
	}
	pki_index_clear(&idx);
	if (r != EG_OK)
		return done("list", r, NULL);
	(void)shown;
	return expiring >= 0 && warned > 0 ? EGATE_EXIT_FAIL : EGATE_EXIT_OK;
}

/* egate pki csr --config: CN from [kiosk] id, key [host] key (made here,
 * on the device, if it does not exist yet). */
static int
csr_from_config(const char *conf_path, const char *token, const char *out)
{
	struct eg_kiosk_conf kc;
	struct eg_cfg_error cerr;
	char err[700] = "", msg[600];
	bool made = false;
	int r;

	if ((r = eg_kiosk_conf_load(conf_path, &kc, &cerr)) != EG_OK) {
		cli_err("pki", "%s", eg_cfg_error_str(&cerr, msg, sizeof(msg)));
		return EGATE_EXIT_ERROR;
	}
	r = pki_key_create(kc.key);
	if (r == EG_OK)
		made = true;
	else if (r != EG_ERR_STATE)
		return done(kc.key, r, NULL);
	if (made)
		printf("new key %s (mode 0600): it stays on this device\n", kc.key);
	r = pki_csr_write(kc.key, kc.id, PKI_ROLE_KIOSK, token, out, err, sizeof(err));
	if (r == EG_OK)
		printf("request for kiosk %s written to %s%s\n", kc.id, out,
		    token != NULL ? " (with its enrolment token)" : "");
	return done(out, r, err);
}

static int
parse_days(const char *opt, const char *arg, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < 1 || v > 36500) {
		cli_err("pki", "--%s wants a number of days, 1 to 36500", opt);
		return EGATE_EXIT_USAGE;
	}
	*out = (int)v;
	return EGATE_EXIT_OK;
}

int
cmd_pki(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "days", required_argument, NULL, 'D' },
		{ "backdate", required_argument, NULL, 'B' },
		{ "out", required_argument, NULL, 'o' },
		{ "key", required_argument, NULL, 'k' },
		{ "key-out", required_argument, NULL, 'K' },
		{ "cn", required_argument, NULL, 'c' },
		{ "role", required_argument, NULL, 'r' },
		{ "csr", required_argument, NULL, 's' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "token", required_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'C' },
		{ "serial", required_argument, NULL, 'S' },
		{ "cert", required_argument, NULL, 'e' },
		{ "expiring", required_argument, NULL, 'x' },
		{ "tokens", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *name = "egate deployment CA", *out = NULL, *key = NULL;
	const char *key_out = NULL, *cn = NULL, *role_s = NULL, *csr = NULL, *verb;
	const char *token = NULL, *config = NULL, *serial = NULL, *cert = NULL;
	int days = -1, back = 0, expiring = -1, c, r;
	bool json = false, tokens = false;
	long nbytes = 32;
	enum pki_role role = PKI_ROLE_KIOSK;
	struct pki_ca *ca = NULL;
	struct pki_issued res;
	char err[1200] = "", *end;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		help(argc < 2 ? stderr : stdout);
		return argc < 2 ? EGATE_EXIT_USAGE : EGATE_EXIT_OK;
	}
	verb = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'n': name = optarg; break;
		case 'o': out = optarg; break;
		case 'k': key = optarg; break;
		case 'K': key_out = optarg; break;
		case 'c': cn = optarg; break;
		case 'r': role_s = optarg; break;
		case 's': csr = optarg; break;
		case 't': token = optarg; break;
		case 'C': config = optarg; break;
		case 'S': serial = optarg; break;
		case 'e': cert = optarg; break;
		case 'T': tokens = true; break;
		case 'j': json = true; break;
		case 'D':
			if ((r = parse_days("days", optarg, &days)) != EGATE_EXIT_OK)
				return r;
			break;
		case 'x': {
			long v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 0 || v > 36500) {
				cli_err("pki", "--expiring wants a number of days, 0 to 36500");
				return EGATE_EXIT_USAGE;
			}
			expiring = (int)v;
			break;
		}
		case 'B': {
			/* for tests: a certificate valid from N days ago */
			long v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 0 || v > 36500) {
				cli_err("pki", "--backdate wants a number of days (0-36500)");
				return EGATE_EXIT_USAGE;
			}
			back = (int)v;
			break;
		}
		case 'b':
			nbytes = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || nbytes < 16 || nbytes > 256) {
				cli_err("pki", "--bytes wants 16 to 256");
				return EGATE_EXIT_USAGE;
			}
			break;
		case 'h': help(stdout); return EGATE_EXIT_OK;
		default: return EGATE_EXIT_USAGE;
		}
	}
	if (role_s != NULL && (pki_role_parse(role_s, &role) != EG_OK || role == PKI_ROLE_CA)) {
		cli_err("pki", "--role must be host, kiosk, officer or update");
		return EGATE_EXIT_USAGE;
	}
#define NEED(x, opt) do { if ((x) == NULL) { cli_err("pki", "%s needs " opt, verb); return EGATE_EXIT_USAGE; } } while (0)
#define NO_ARGS() do { if (optind < argc) { cli_err("pki", "%s: unexpected argument '%s'", verb, argv[optind]); return EGATE_EXIT_USAGE; } } while (0)
	if (strcmp(verb, "init") == 0) {
		NEED(dir, "--dir");
		NO_ARGS();
		r = pki_ca_init(dir, name, days < 0 ? 3650 : days, err, sizeof(err));
		if (r == EG_OK)
			printf("CA created in %s (ca.key, ca.crt, ca.crl, index.txt)\n", dir);
		return done(dir, r, err);
	}
	if (strcmp(verb, "key") == 0) {
		NEED(out, "--out");
		NO_ARGS();
		return done(out, pki_key_create(out), NULL);
	}
	if (strcmp(verb, "secret") == 0) {
		NEED(out, "--out");
		NO_ARGS();
		return done(out, pki_secret_create(out, (size_t)nbytes), NULL);
	}
	if (strcmp(verb, "csr") == 0) {
		NEED(out, "--out");
		NO_ARGS();
		if (config != NULL) {
			if (key != NULL || cn != NULL || role_s != NULL) {
				cli_err("pki", "csr: --config takes the key, the CN and the role from the "
				    "kiosk's configuration; do not also give --key, --cn or --role");
				return EGATE_EXIT_USAGE;
			}
			return csr_from_config(config, token, out);
		}
		NEED(key, "--key (or --config)"); NEED(cn, "--cn"); NEED(role_s, "--role");
		r = pki_csr_write(key, cn, role, token, out, err, sizeof(err));
		if (r == EG_OK)
			printf("request for %s %s written to %s%s\n", pki_role_str(role), cn, out,
			    token != NULL ? " (with its enrolment token)" : "");
		return done(out, r, err);
	}
	if (strcmp(verb, "list") == 0) {
		NEED(dir, "--dir");
		NO_ARGS();
		return do_list(dir, json, expiring, tokens);
	}
	/* everything below works on the CA */
	{
		static const char *const ca_verbs[] = { "issue", "sign", "sign-csr", "renew",
			"enrol-token", "revoke", "crl", NULL };
		bool known = false;
		for (size_t i = 0; ca_verbs[i] != NULL; i++)
			known = known || strcmp(verb, ca_verbs[i]) == 0;
		if (!known) {
			cli_err("pki", "unknown verb '%s'; see egate pki --help", verb);
			return EGATE_EXIT_USAGE;
		}
	}
	NEED(dir, "--dir");
	if (strcmp(verb, "issue") == 0 || strcmp(verb, "sign") == 0 ||
	    strcmp(verb, "sign-csr") == 0 || strcmp(verb, "renew") == 0 ||
	    strcmp(verb, "enrol-token") == 0 || strcmp(verb, "crl") == 0) {
		if (strcmp(verb, "sign-csr") == 0 && csr == NULL && optind + 1 == argc)
			csr = argv[optind++];
		NO_ARGS();
	}
	if (strcmp(verb, "issue") == 0) {
		NEED(cn, "--cn"); NEED(role_s, "--role"); NEED(key_out, "--key-out"); NEED(out, "--out");
	} else if (strcmp(verb, "sign") == 0) {
		NEED(csr, "--csr"); NEED(role_s, "--role"); NEED(out, "--out");
	} else if (strcmp(verb, "sign-csr") == 0) {
		NEED(csr, "a request (--csr CSR or CSR)"); NEED(out, "--out");
	} else if (strcmp(verb, "renew") == 0) {
		NEED(out, "--out");
		if ((serial == NULL) == (cert == NULL)) {
			cli_err("pki", "renew needs --serial S or --cert CRT (one of them)");
			return EGATE_EXIT_USAGE;
		}
	} else if (strcmp(verb, "enrol-token") == 0) {
		NEED(cn, "--cn");
		if (days > 365) {
			cli_err("pki", "enrol-token: --days is the token's life: 1 to 365");
			return EGATE_EXIT_USAGE;
		}
	} else if (strcmp(verb, "revoke") == 0) {
		if ((serial != NULL) == (optind < argc)) {
			cli_err("pki", "revoke needs certificate files or --serial S (one of them)");
			return EGATE_EXIT_USAGE;
		}
	}
	if ((r = pki_ca_load(dir, &ca, err, sizeof(err))) != EG_OK)
		return done(dir, r, err);
	if (strcmp(verb, "issue") == 0) {
		r = pki_ca_issue(ca, role, cn, days < 0 ? 825 : days, back, key_out, out, &res,
		    err, sizeof(err));
		if (r == EG_OK)
			print_issued(&res, out);
	} else if (strcmp(verb, "sign") == 0) {
		r = pki_ca_sign_csr(ca, csr, role, days < 0 ? 825 : days, back, out, &res, err,
		    sizeof(err));
		if (r == EG_OK)
			print_issued(&res, out);
	} else if (strcmp(verb, "sign-csr") == 0) {
		r = pki_ca_sign_enrol(ca, csr, days < 0 ? 825 : days, out, &res, err, sizeof(err));
		if (r == EG_OK)
			print_issued(&res, out);
	} else if (strcmp(verb, "renew") == 0) {
		r = pki_ca_renew(ca, serial, cert, days < 0 ? 825 : days, out, &res, err, sizeof(err));
		if (r == EG_OK)
			print_issued(&res, out);
	} else if (strcmp(verb, "enrol-token") == 0) {
		char tok[PKI_TOKEN_TEXT], id[9], ex[21];
		struct pki_token_rec rec;

		r = pki_ca_token_create(ca, role, cn, days < 0 ? 7 : days, tok, &rec, err,
		    sizeof(err));
		if (r == EG_OK) {
			pki_token_id(&rec, id);
			date_str(rec.expires, ex);
			if (json) {
				struct eg_json j;
				eg_json_init(&j, stdout);
				eg_json_obj_begin(&j);
				eg_json_key_str(&j, "token", tok);
				eg_json_key_str(&j, "id", id);
				eg_json_key_str(&j, "role", pki_role_str(rec.role));
				eg_json_key_str(&j, "cn", rec.cn);
				eg_json_key_str(&j, "expires", ex);
				eg_json_obj_end(&j);
				if (eg_json_finish(&j) != EG_OK)
					r = EG_ERR_IO;
			} else {
				printf("%s\n", tok);
				fprintf(stderr, "egate pki: one-time token %s for %s %s, valid until %s; "
				    "the CA keeps only its hash: give it to the installer now\n", id,
				    pki_role_str(rec.role), rec.cn, ex);
			}
		}
		eg_memzero(tok, sizeof(tok));
	} else if (strcmp(verb, "revoke") == 0) {
		if (serial != NULL) {
			if ((r = pki_ca_revoke_serial(ca, serial, err, sizeof(err))) == EG_OK)
				printf("revoked serial %s\n", serial);
		} else {
			r = EG_OK;
			for (int i = optind; i < argc && r == EG_OK; i++) {
				err[0] = '\0';
				if ((r = pki_ca_revoke_file(ca, argv[i], err, sizeof(err))) == EG_OK)
					printf("revoked %s\n", argv[i]);
			}
		}
		if (r == EG_OK)
			printf("publish %s/%s to the host and reload it (SIGHUP)\n", dir, PKI_CA_CRL);
	} else {	/* crl */
		r = pki_ca_publish_crl(ca, days < 0 ? 30 : days);
		if (r == EG_OK)
			printf("CRL re-signed: %s/%s\n", dir, PKI_CA_CRL);
	}
	pki_ca_free(&ca);
	return done(verb, r, err);
#undef NEED
#undef NO_ARGS
}
