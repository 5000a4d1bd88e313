// SPDX-License-Identifier: GPL-2.0
/*
 * The record layout readers rely on: offsets of the existing fields never
 * move, struct icmpt_detail is appended at the end, sizes are multiples of
 * 8 and there is no implicit padding (built with -Wpadded -Werror, as C
 * and as C++ like the reader).
 */
#include <stddef.h>
#include <linux/icmptrace.h>

#ifdef __cplusplus
#define LAYOUT(c) static_assert(c, #c)
#else
#define LAYOUT(c) _Static_assert(c, #c)
#endif

LAYOUT(sizeof(struct icmpt_packet) == 64);
LAYOUT(sizeof(struct icmpt_task) == 88);
LAYOUT(offsetof(struct icmpt_event, pkt) == 40);
LAYOUT(offsetof(struct icmpt_event, task) == 104);
LAYOUT(offsetof(struct icmpt_event, detail) == 192);
LAYOUT(offsetof(struct icmpt_event, cap_len) == 304);
LAYOUT(offsetof(struct icmpt_event, cap_off) == 308);
LAYOUT(sizeof(struct icmpt_event) == 312);
LAYOUT(sizeof(struct icmpt_event) % ICMPT_REC_ALIGN == 0);
LAYOUT(offsetof(struct icmpt_detail, u) == 8);
LAYOUT(sizeof(((struct icmpt_detail *)0)->u) == 48);
LAYOUT(offsetof(struct icmpt_detail, inner) == 56);
LAYOUT(sizeof(struct icmpt_inner) == 56);
LAYOUT(sizeof(struct icmpt_detail) == 112);
LAYOUT(sizeof(struct icmpt_det_echo) % 8 == 0);
LAYOUT(sizeof(struct icmpt_det_error) % 8 == 0);
LAYOUT(sizeof(struct icmpt_det_tstamp) % 8 == 0);
LAYOUT(sizeof(struct icmpt_det_mask) % 8 == 0);
LAYOUT(sizeof(struct icmpt_det_rtadv4) % 8 == 0);
LAYOUT(sizeof(struct icmpt_det_ext_echo) % 8 == 0);
LAYOUT(sizeof(struct icmpt_ndp_opts) % 8 == 0);
LAYOUT(sizeof(struct icmpt_det_ra) % 8 == 0);
LAYOUT(sizeof(struct icmpt_det_neigh) % 8 == 0);
LAYOUT(sizeof(struct icmpt_det_redirect) % 8 == 0);
LAYOUT(sizeof(struct icmpt_det_mld) % 8 == 0);
LAYOUT(sizeof(struct icmpt_det_mld2_report) % 8 == 0);
