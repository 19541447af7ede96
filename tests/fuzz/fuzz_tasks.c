/* fuzz_tasks.c: the task walk of the checked accessor (guestview.c), with each blocked task's
 * mutex owner, on corrupted guest images. */
#include <string.h>

#include "fuzz_guest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guest_task tasks[GV_TASKS_MAX];
	struct hermit_task_table tt;
	struct guestview v;

	fuzz_guest_load(data, size);
	gv_init(&v, &fuzz_gm, FUZZ_ANCHOR);
	if (!gv_tasks(&v, &tt))
		return 0;
	size_t n = gv_task_walk(&v, &tt, tasks, GV_TASKS_MAX);
	for (size_t i = 0; i < n; i++) {
		if (strlen(tasks[i].name) >= sizeof(tasks[i].name))
			__builtin_trap(); /* every name NUL-ended inside its buffer */
		const struct guest_task *owner = gv_wait_owner(&v, tasks, n, tasks[i].wait.owner);
		if (owner && (owner < tasks || owner >= tasks + n))
			__builtin_trap(); /* an owner is one of the tasks walked, or none */
	}
	return 0;
}
