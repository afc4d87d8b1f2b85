/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate config — check configuration files before they reach a device.
 *
 *   egate config check [--kind kiosk|host|policy] FILE...
 *   egate config keys  [--kind kiosk|host] [--json]
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "policy.h"
#include "egate/conf.h"
#include "egate/error.h"
#include "egate/json.h"

static void
help(FILE *f)
{
	fprintf(f,
	    "usage: egate config check [--kind kiosk|host|policy] FILE...\n"
	    "       egate config keys [--kind kiosk|host] [--json]\n"
	    "\n"
	    "check  validate each FILE against the kiosk (default) or host schema, or\n"
	    "       as a policy bundle (egate-host's [policy] file, with the files it\n"
	    "       names); the first problem is printed as FILE:LINE: [SECTION] KEY: message\n"
	    "keys   list every key with its type and meaning\n"
	    "\n"
	    "exit: 0 all files valid, 1 a file is invalid, 2 usage, 3 a file cannot be read\n");
}

static const char *
type_name(enum eg_cfg_type t)
{
	switch (t) {
	case EG_CFG_STR: return "string";
	case EG_CFG_INT: return "integer";
	case EG_CFG_DOUBLE: return "number";
	case EG_CFG_BOOL: return "boolean";
	case EG_CFG_ENUM: return "choice";
	}
	return "?";
}

static int
list_keys(const struct eg_cfg_key *s, size_t n, int json)
{
	if (!json) {
		for (size_t i = 0; i < n; i++)
			printf("[%s] %-20s %-8s %s%s\n", s[i].section, s[i].name,
			    type_name(s[i].type), s[i].help, s[i].required ? " (required)" : "");
		return EGATE_EXIT_OK;
	}
	struct eg_json j;
	eg_json_init(&j, stdout);
	eg_json_arr_begin(&j);
	for (size_t i = 0; i < n; i++) {
		eg_json_obj_begin(&j);
		eg_json_key_str(&j, "section", s[i].section);
		eg_json_key_str(&j, "key", s[i].name);
		eg_json_key_str(&j, "type", type_name(s[i].type));
		eg_json_key_bool(&j, "required", s[i].required);
		eg_json_key_str(&j, "help", s[i].help);
		if (s[i].type == EG_CFG_INT || s[i].type == EG_CFG_DOUBLE) {
			eg_json_key_double(&j, "min", s[i].min);
			eg_json_key_double(&j, "max", s[i].max);
		}
		if (s[i].type == EG_CFG_ENUM) {
			eg_json_key(&j, "choices");
			eg_json_arr_begin(&j);
			for (int c = 0; s[i].choices[c] != NULL; c++)
				eg_json_str(&j, s[i].choices[c]);
			eg_json_arr_end(&j);
		}
		eg_json_obj_end(&j);
	}
	eg_json_arr_end(&j);
	return eg_json_finish(&j) == EG_OK ? EGATE_EXIT_OK : EGATE_EXIT_ERROR;
}

int
cmd_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int host = 0, policy = 0, json = 0, c, ret = EGATE_EXIT_OK;
	const char *verb;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		help(argc < 2 ? stderr : stdout);
		return argc < 2 ? EGATE_EXIT_USAGE : EGATE_EXIT_OK;
	}
	verb = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			host = strcmp(optarg, "host") == 0;
			policy = strcmp(optarg, "policy") == 0;
			if (!host && !policy && strcmp(optarg, "kiosk") != 0) {
				cli_err("config", "--kind must be kiosk, host or policy");
				return EGATE_EXIT_USAGE;
			}
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			help(stdout);
			return EGATE_EXIT_OK;
		default:
			return EGATE_EXIT_USAGE;
		}
	}
	if (strcmp(verb, "keys") == 0 && policy) {
		cli_err("config", "keys: the policy bundle's names are in docs/examples/policy.ini");
		return EGATE_EXIT_USAGE;
	}
	if (strcmp(verb, "keys") == 0)
		return host ? list_keys(eg_host_conf_schema, eg_host_conf_nkeys, json) :
		    list_keys(eg_kiosk_conf_schema, eg_kiosk_conf_nkeys, json);
	if (strcmp(verb, "check") != 0) {
		cli_err("config", "unknown verb '%s' (check or keys)", verb);
		return EGATE_EXIT_USAGE;
	}
	if (optind >= argc) {
		cli_err("config", "check needs at least one FILE");
		return EGATE_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		struct eg_cfg_error err;
		char msg[768];
		int r;
		if (policy) {
			/* a policy bundle (docs/host.md): the host's own reader, so a
			 * file that passes here is one egate-host accepts */
			struct policy p;
			char why[256] = "";

			policy_init(&p);
			r = policy_bundle_load(argv[i], &p, why, sizeof(why));
			if (r == EG_OK)
				printf("%s: ok (policy version %llu)\n", argv[i],
				    (unsigned long long)p.version);
			else
				fprintf(stderr, "%s\n", why[0] ? why : eg_strerror(r));
			policy_clear(&p);
			if (r == EG_OK)
				continue;
			if (r == EG_ERR_IO || r == EG_ERR_NOMEM)
				ret = EGATE_EXIT_ERROR;
			else if (ret == EGATE_EXIT_OK)
				ret = EGATE_EXIT_FAIL;
			continue;
		}
		if (host) {
			struct eg_host_conf hc;
			r = eg_host_conf_load(argv[i], &hc, &err);
		} else {
			struct eg_kiosk_conf kc;
			r = eg_kiosk_conf_load(argv[i], &kc, &err);
		}
		if (r == EG_OK) {
			printf("%s: ok\n", argv[i]);
			continue;
		}
		fprintf(stderr, "%s\n", eg_cfg_error_str(&err, msg, sizeof(msg)));
		if (r == EG_ERR_IO || r == EG_ERR_NOMEM)
			ret = EGATE_EXIT_ERROR;
		else if (ret == EGATE_EXIT_OK)
			ret = EGATE_EXIT_FAIL;
	}
	return ret;
}
