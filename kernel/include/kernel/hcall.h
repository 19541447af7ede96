/*
 * kernel/hcall.h: requests to the host (hermit/abi.h). hcall() fills this CPU's anchor slot, rings
 * the doorbell and waits for the answer: before the scheduler runs it polls; afterwards the caller
 * blocks until the doorbell interrupt and other tasks run meanwhile. Task context (or boot).
 */
#ifndef KERNEL_HCALL_H
#define KERNEL_HCALL_H

#include <stdint.h>

#include "hermit/abi.h"

void hcall_init(void);
/* Switches from polling to interrupt-driven completion. */
void hcall_enable_irq(void);
/* Carries out request nr described by req (an hc_* struct); returns once the host answered. */
void hcall(uint32_t nr, void *req);
/* Copies the outputs that follow an answer byte with HERMIT_ANSWER_DATA into place
 * (core/hcall_answer.c). */
void hcall_answer_data(void);
/* Tells the host the guest ended; never returns. Any context. */
void hcall_exit(uint32_t nr, int32_t status) __attribute__((noreturn));

#endif
