/*
 * core/hcall_answer.c: the outputs of a hypercall that a recording host sends through the
 * doorbell (HERMIT_ANSWER_DATA, hermit/abi.h) instead of writing them into guest RAM itself.
 * QEMU records every byte that comes in through the UART, so a replay hands the guest the same
 * outputs at the same instruction, with no host behind it (docs/replay.md). The host is trusted
 * here as it is when it writes guest RAM directly: chunk addresses are guest-physical, which the
 * kernel maps 1:1.
 */
#include "kernel/doorbell.h"
#include "kernel/hcall.h"

void hcall_answer_data(void)
{
	for (;;) {
		struct hermit_answer_chunk chunk;

		doorbell_read((uint8_t *)&chunk, sizeof(chunk));
		if (chunk.len == 0)
			return;
		doorbell_read((uint8_t *)(uintptr_t)chunk.gpa, chunk.len);
	}
}
