// SPDX-License-Identifier: GPL-2.0
/*
 * bench/insn_mark.c: run in a VM started with scripts/vm-run --insn-log FILE; executes
 * the marker once, so that FILE gets a line "insn_mark SEQ by=V vcpu0=N ...".
 */
#include "insn_mark.h"

int main(void)
{
	insn_mark();
	return 0;
}
