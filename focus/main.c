/* SPDX-License-Identifier: MIT */
/* parley-focus: command line, settings, logging, then the event loop (focus/app.c).
 * Exit codes: 0 success, 1 runtime failure, 2 bad command line or setting. */
#include "common/log.h"
#include "focus/app.h"
#include "focus/focus-config.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    FocusCli cli;
    g_autoptr(GError) error = NULL;
    if (!focus_cli_parse(argc, argv, &cli, &error)) {
        fprintf(stderr, "parley-focus: %s (see --help)\n", error->message);
        focus_cli_clear(&cli);
        return 2;
    }
    if (cli.help) {
        g_autofree char *help = focus_cli_help();
        fputs(help, stdout);
        focus_cli_clear(&cli);
        return 0;
    }
    if (cli.version) {
        printf("parley-focus %s\n", PARLEY_VERSION);
        focus_cli_clear(&cli);
        return 0;
    }

    FocusConfig cfg;
    gboolean ok = focus_config_load(&cfg, cli.config_path, cli.overrides, &error);
    focus_cli_clear(&cli);
    if (!ok) {
        fprintf(stderr, "parley-focus: %s\n", error->message);
        return 2;
    }
    if (cli.check_config) {
        printf("parley-focus: configuration OK: component %s on %s:%d, MUC %s, brewery %s\n",
               cfg.component, cfg.xmpp_host, cfg.xmpp_port, cfg.muc_domain, cfg.brewery);
        focus_config_clear(&cfg);
        return 0;
    }
    pa_log_init("parley-focus", cfg.log_level);
    int rc = focus_app_run(&cfg);
    focus_config_clear(&cfg);
    return rc;
}
