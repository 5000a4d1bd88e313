// SPDX-License-Identifier: GPL-2.0
/* One CMocka group, so that the TAP output is one stream with one plan. */
#include <stdlib.h>
#include <string.h>
#include "pkt.h"

int main(void)
{
	size_t n = t_v4_count + t_v6_count + t_edge_count;
	struct CMUnitTest *all = calloc(n, sizeof(*all));
	int rc;

	if (!all)
		return 1;
	memcpy(all, t_v4_tests, t_v4_count * sizeof(*all));
	memcpy(all + t_v4_count, t_v6_tests, t_v6_count * sizeof(*all));
	memcpy(all + t_v4_count + t_v6_count, t_edge_tests,
	       t_edge_count * sizeof(*all));
	rc = _cmocka_run_group_tests("icmpt_parse", all, n, NULL, NULL);
	free(all);
	return rc;
}
