/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate pki — the deployment CA for integrators. See docs/man/egate-pki.1.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "egate/error.h"
#include "pki.h"

static void
help(FILE *f)
{
	fprintf(f,
	    "usage: egate pki init   --dir CA [--name NAME] [--days N]\n"
	    "       egate pki key    --out KEY\n"
	    "       egate pki secret --out FILE [--bytes N]\n"
	    "       egate pki csr    --key KEY --cn CN --role ROLE --out CSR\n"
	    "       egate pki sign   --dir CA --csr CSR --role ROLE --out CRT [--days N]\n"
	    "       egate pki issue  --dir CA --cn CN --role ROLE --key-out KEY --out CRT [--days N]\n"
	    "       egate pki revoke --dir CA CRT...\n"
	    "       egate pki crl    --dir CA [--days N]\n"
	    "\n"
	    "ROLE is host, kiosk or officer. Keys are ECDSA P-256 (PEM, mode 0600).\n"
	    "'key' and 'csr' run on the device, so its key never leaves it; 'sign'\n"
	    "runs on the CA side. 'issue' does all three at once (for the host, tests\n"
	    "and demos). 'revoke' adds certificates to the CA's CRL (CA/ca.crl).\n"
	    "'secret' writes N (default 32) random bytes as hex, mode 0600: the host's\n"
	    "key for HMACs of personal identifiers ([audit] hmac_key).\n"
	    "\n"
	    "exit: 0 done, 1 refused (bad CSR, wrong role, not issued by this CA),\n"
	    "      2 usage, 3 cannot read or write a file\n");
}

static int
exit_for(int r)
{
	switch (r) {
	case EG_OK: return EGATE_EXIT_OK;
	case EG_ERR_IO: return EGATE_EXIT_ERROR;
	case EG_ERR_INVAL: return EGATE_EXIT_USAGE;
	default: return EGATE_EXIT_FAIL;
	}
}

static int
done(const char *what, int r)
{
	if (r != EG_OK)
		cli_err("pki", "%s: %s", what, r == EG_ERR_STATE ?
		    "already exists; refusing to overwrite" : eg_strerror(r));
	return exit_for(r);
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *name = "egate deployment CA", *out = NULL, *key = NULL;
	const char *key_out = NULL, *cn = NULL, *role_s = NULL, *csr = NULL, *verb;
	int days = -1, back = 0, c, r;
	long nbytes = 32;
	enum pki_role role = PKI_ROLE_KIOSK;
	struct pki_ca *ca = NULL;
	char *end;

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
		case 'D':
		case 'B': {
			long v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 0 || v > 36500) {
				cli_err("pki", "--%s wants a number of days (0-36500)",
				    c == 'D' ? "days" : "backdate");
				return EGATE_EXIT_USAGE;
			}
			*(c == 'D' ? &days : &back) = (int)v;
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
	if (role_s != NULL && pki_role_parse(role_s, &role) != EG_OK) {
		cli_err("pki", "--role must be host, kiosk or officer");
		return EGATE_EXIT_USAGE;
	}
#define NEED(x, opt) do { if ((x) == NULL) { cli_err("pki", "%s needs " opt, verb); return EGATE_EXIT_USAGE; } } while (0)
	if (strcmp(verb, "init") == 0) {
		NEED(dir, "--dir");
		r = pki_ca_create(dir, name, days < 0 ? 3650 : days);
		if (r == EG_OK)
			printf("CA created in %s (ca.key, ca.crt, ca.crl)\n", dir);
		return done(dir, r);
	}
	if (strcmp(verb, "key") == 0) {
		NEED(out, "--out");
		return done(out, pki_key_create(out));
	}
	if (strcmp(verb, "secret") == 0) {
		NEED(out, "--out");
		return done(out, pki_secret_create(out, (size_t)nbytes));
	}
	if (strcmp(verb, "csr") == 0) {
		NEED(key, "--key"); NEED(cn, "--cn"); NEED(role_s, "--role"); NEED(out, "--out");
		return done(out, pki_csr_create(key, cn, role, out));
	}
	if (strcmp(verb, "sign") == 0 || strcmp(verb, "issue") == 0) {
		char tmpcsr[600];
		NEED(dir, "--dir"); NEED(role_s, "--role"); NEED(out, "--out");
		if (strcmp(verb, "issue") == 0) {
			NEED(cn, "--cn"); NEED(key_out, "--key-out");
			snprintf(tmpcsr, sizeof(tmpcsr), "%s.csr", out);
			if ((r = pki_key_create(key_out)) != EG_OK)
				return done(key_out, r);
			if ((r = pki_csr_create(key_out, cn, role, tmpcsr)) != EG_OK)
				return done(tmpcsr, r);
			csr = tmpcsr;
		}
		NEED(csr, "--csr");
		if ((r = pki_ca_open(dir, &ca)) != EG_OK)
			return done(dir, r);
		r = pki_ca_sign(ca, csr, role, days < 0 ? 825 : days, back, out);
		pki_ca_free(&ca);
		if (strcmp(verb, "issue") == 0)
			remove(csr);
		if (r == EG_OK)
			printf("%s certificate written to %s\n", pki_role_str(role), out);
		return done(csr, r);
	}
	if (strcmp(verb, "revoke") == 0) {
		NEED(dir, "--dir");
		if (optind >= argc) {
			cli_err("pki", "revoke needs at least one certificate");
			return EGATE_EXIT_USAGE;
		}
		if ((r = pki_ca_open(dir, &ca)) != EG_OK)
			return done(dir, r);
		for (int i = optind; i < argc && r == EG_OK; i++) {
			if ((r = pki_ca_revoke(ca, argv[i])) == EG_OK)
				printf("revoked %s\n", argv[i]);
			else
				done(argv[i], r);
		}
		pki_ca_free(&ca);
		return exit_for(r);
	}
	if (strcmp(verb, "crl") == 0) {
		NEED(dir, "--dir");
		if ((r = pki_ca_open(dir, &ca)) != EG_OK)
			return done(dir, r);
		r = pki_ca_publish_crl(ca, days < 0 ? 30 : days);
		pki_ca_free(&ca);
		if (r == EG_OK)
			printf("CRL re-signed: %s/%s\n", dir, PKI_CA_CRL);
		return done(dir, r);
	}
#undef NEED
	cli_err("pki", "unknown verb '%s'; see egate pki --help", verb);
	return EGATE_EXIT_USAGE;
}
