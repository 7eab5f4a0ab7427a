/* SPDX-License-Identifier: MIT */
/* The Prometheus text writer: family headers, samples with and without labels, label value
 * escaping, real values in the C locale. */
#include <locale.h>

#include "bridge/http/prometheus.h"

static void test_lines(void)
{
    GString *out = g_string_new(NULL);
    bridge_prom_metric(out, "x_total", "counter", "Things.", 18446744073709551615ull);
    bridge_prom_family(out, "y", "gauge", "Labelled.");
    const char *labels[] = {"reason", "a\"b\\c\nd", "other", NULL, NULL};
    bridge_prom_sample(out, "y", labels, 7);
    const char *one[] = {"profile", "AES", NULL};
    bridge_prom_sample_real(out, "z", one, 812.25);
    bridge_prom_sample_real(out, "w", NULL, -1);
    g_assert_cmpstr(out->str, ==,
                    "# HELP x_total Things.\n# TYPE x_total counter\n"
                    "x_total 18446744073709551615\n"
                    "# HELP y Labelled.\n# TYPE y gauge\n"
                    "y{reason=\"a\\\"b\\\\c\\nd\",other=\"\"} 7\n"
                    "z{profile=\"AES\"} 812.2\n"
                    "w -1.0\n");
    g_string_free(out, TRUE);
}

/* A locale with a decimal comma must not leak into the text format. */
static void test_c_locale(void)
{
    if (!setlocale(LC_NUMERIC, "de_DE.UTF-8") && !setlocale(LC_NUMERIC, "fr_FR.UTF-8")) {
        g_test_skip("no locale with a decimal comma installed");
        return;
    }
    GString *out = g_string_new(NULL);
    bridge_prom_sample_real(out, "u", NULL, 12.5);
    setlocale(LC_NUMERIC, "C");
    g_assert_cmpstr(out->str, ==, "u 12.5\n");
    g_string_free(out, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/prometheus/lines", test_lines);
    g_test_add_func("/prometheus/c-locale", test_c_locale);
    return g_test_run();
}
