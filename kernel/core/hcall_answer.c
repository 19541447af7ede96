/*
 * core/hcall_answer.c: the outputs of a hypercall that a recording host puts on the answer disk
 * (HERMIT_ANSWER_DATA, hermit/abi.h) instead of writing them into guest RAM itself. QEMU records
 * when each read of that disk completes and the recorder only appends to it, so a replay hands
 * the guest the same outputs at the same instruction, with no host behind it (docs/replay.md).
 * The host is trusted here as it is when it writes guest RAM directly: chunk addresses are
 * guest-physical, which the kernel maps 1:1.
 */
#include "kernel/doorbell.h"
#include "kernel/hcall.h"

void hcall_answer_data(void)
{
	uint8_t len[4];

	doorbell_read(len, sizeof(len));
	answer_disk_begin((uint32_t)len[0] | (uint32_t)len[1] << 8 | (uint32_t)len[2] << 16 |
			  (uint32_t)len[3] << 24);
	for (;;) {
		struct hermit_answer_chunk chunk;

		answer_disk_read(&chunk, sizeof(chunk));
		if (chunk.len == 0)
			break;
		answer_disk_read((void *)(uintptr_t)chunk.gpa, chunk.len);
	}
	answer_disk_end();
}
