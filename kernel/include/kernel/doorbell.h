/*
 * kernel/doorbell.h: the isle's doorbell to the host, the transport under hcall.c: one ring per
 * request (the number of its slot in the anchor), one answer back, which may say where the
 * outputs are. The QEMU isle's doorbell is the second 16550 (arch/x86_64/doorbell.c), its answer
 * disk a virtio-blk device (arch/x86_64/answer_disk.c); another isle brings its own.
 */
#ifndef KERNEL_DOORBELL_H
#define KERNEL_DOORBELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void doorbell_init(void);
/* From here on each answer byte goes to on_answer, from the doorbell's interrupt. */
void doorbell_enable_irq(void (*on_answer)(uint8_t answer));
/* The port write orders the slot and request stores before it: the host sees them first. The
 * byte is the request's slot, or a notice that needs no answer (HERMIT_DOORBELL_CAPTURE). */
void doorbell_ring(unsigned slot);
/* Before interrupts are set up: waits for the next answer byte and takes it. */
uint8_t doorbell_wait_answer(void);
/* The n bytes that follow an answer byte (HERMIT_ANSWER_DATA), waiting for each. */
void doorbell_read(uint8_t *dst, size_t n);
/* Reads the doorbell's empty receive register, which makes a recording QEMU run its main loop,
 * where it logs the device events that wait (docs/replay.md). Only while no answer can come. */
void doorbell_nudge(void);

/* The outputs of an answer with HERMIT_ANSWER_DATA, len bytes on the answer disk: read in order
 * with answer_disk_read between answer_disk_begin and answer_disk_end (hermit/abi.h). */
void answer_disk_begin(uint32_t len);
/* Whether an answer came through the disk: the run is recorded or replayed. */
bool answer_disk_in_use(void);
void answer_disk_read(void *dst, size_t n);
void answer_disk_end(void);

#endif
