/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conf.h — the configuration files of egate-kiosk and egate-host.
 *
 * The schemas are shared: the daemons load them, and `egate config check`
 * validates them for integrators before a device is flashed. Every key is
 * documented in docs/man/egate-kiosk.conf.5 and egate-host.conf.5; the
 * `help` strings here are the one-line versions.
 */
#ifndef EGATE_CONF_H
#define EGATE_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "egate/config.h"

#define EG_CONF_PATH 512

enum eg_conf_lang { EG_LANG_EN, EG_LANG_KO };
enum eg_conf_loglevel { EG_CONF_LOG_DEBUG, EG_CONF_LOG_INFO, EG_CONF_LOG_NOTICE,
	EG_CONF_LOG_WARN, EG_CONF_LOG_ERROR };

struct eg_kiosk_conf {
	char id[33];			/* [kiosk] id */
	char lane[33];			/* [kiosk] lane */
	int language;			/* [kiosk] language: enum eg_conf_lang */
	int log_level;			/* [kiosk] log_level */
	long long officer_wait;		/* [kiosk] officer_wait, seconds */
	char host_address[256];		/* [host] address */
	long long host_port;		/* [host] port */
	char ca[EG_CONF_PATH];		/* [host] ca */
	char cert[EG_CONF_PATH];	/* [host] cert */
	char key[EG_CONF_PATH];		/* [host] key */
	char spool[EG_CONF_PATH];	/* [host] spool */
	bool host_connect;		/* [host] connect */
	char host_server_name[65];	/* [host] server_name */
	long long host_offline_limit;	/* [host] offline_limit, seconds; 0 = never */
	char seal_cert[EG_CONF_PATH];	/* [host] seal_cert */
	char reader[128];		/* [devices] reader */
	char camera[128];		/* [devices] camera */
	char mrz_reader[128];		/* [devices] mrz */
	char gate[128];			/* [devices] gate */
	char display[128];		/* [devices] display */
	char model_dir[EG_CONF_PATH];	/* [face] model_dir */
	char csca[EG_CONF_PATH];	/* [trust] csca */
	char crl_dir[EG_CONF_PATH];	/* [trust] crl_dir */
	char accepted_issuers[192];	/* [policy] accepted_issuers */
	long long min_age;		/* [policy] min_age */
	int no_chip_auth;		/* [policy] no_chip_auth: 0 refer, 1 accept */
	double match_threshold;		/* [policy] match_threshold, 0 = default */
	double liveness_threshold;	/* [policy] liveness_threshold */
	double watchlist_threshold;	/* [policy] watchlist_threshold */
};

struct eg_host_conf {
	char listen[64];		/* [host] listen */
	long long port;			/* [host] port */
	int log_level;			/* [host] log_level */
	long long max_kiosks;		/* [host] max_kiosks */
	char ca[EG_CONF_PATH];		/* [tls] ca */
	char cert[EG_CONF_PATH];	/* [tls] cert */
	char key[EG_CONF_PATH];		/* [tls] key */
	char crl[EG_CONF_PATH];		/* [tls] crl */
	char db[EG_CONF_PATH];		/* [audit] db */
	char signing_key[EG_CONF_PATH];	/* [audit] signing_key */
	char hmac_key[EG_CONF_PATH];	/* [audit] hmac_key */
	long long checkpoint_interval;	/* [audit] checkpoint_interval, seconds */
	long long retention_days;	/* [audit] retention_days */
	char policy_file[EG_CONF_PATH];	/* [policy] file: bundle pushed to kiosks */
	char seal_key[EG_CONF_PATH];	/* [seal] key: opens sealed identifiers; "" = the TLS key */
};

/* eg_kiosk_conf_defaults / eg_host_conf_defaults — fill in the defaults
 * that apply when a key is absent. Cannot fail. */
void eg_kiosk_conf_defaults(struct eg_kiosk_conf *c);
void eg_host_conf_defaults(struct eg_host_conf *c);

/* The schemas, for eg_cfg_load_file() and for listing keys. */
extern const struct eg_cfg_key eg_kiosk_conf_schema[];
extern const size_t eg_kiosk_conf_nkeys;
extern const struct eg_cfg_key eg_host_conf_schema[];
extern const size_t eg_host_conf_nkeys;

/* eg_kiosk_conf_load / eg_host_conf_load — defaults, then the file.
 * Errors as eg_cfg_load_file(). */
int eg_kiosk_conf_load(const char *path, struct eg_kiosk_conf *c, struct eg_cfg_error *err);
int eg_host_conf_load(const char *path, struct eg_host_conf *c, struct eg_cfg_error *err);

#endif
