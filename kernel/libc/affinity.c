/*
 * libc/affinity.c: the CPUs a thread may run on, with glibc's calls (sched_setaffinity for the
 * calling thread with pid 0, the main thread with the process's pid; pthread_*affinity_np;
 * a thread attribute). Placement and balancing keep to them (kernel/balance.h). A new thread
 * starts with its creator's affinity unless its attributes give one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/task.h"
#include "libc/cpuset.h"
#include "libc/libc.h"

static int set_affinity(struct task *t, size_t size, const cpu_set_t *set)
{
	uint64_t mask;
	if (!t)
		return ESRCH;
	if (!set)
		return EFAULT;
	int err = cpuset_to_mask(size, set, smp_cpus_online(), &mask);
	if (!err)
		sched_set_affinity(t, mask);
	return err;
}

static int get_affinity(const struct task *t, size_t size, cpu_set_t *set)
{
	if (!t)
		return ESRCH;
	return set ? cpuset_from_mask(t->affinity, smp_cpus_online(), size, set) : EFAULT;
}

static struct task *task_of_pid(pid_t pid)
{
	return pid == 0 ? task_current() : pid == getpid() ? libc_main_thread_task() : NULL;
}

static int fail_with(int err)
{
	if (!err)
		return 0;
	errno = err;
	return -1;
}

int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set)
{
	return fail_with(set_affinity(task_of_pid(pid), size, set));
}

int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set)
{
	return fail_with(get_affinity(task_of_pid(pid), size, set));
}

int pthread_setaffinity_np(pthread_t thread, size_t size, const cpu_set_t *set)
{
	return set_affinity(libc_thread_task(thread), size, set);
}

int pthread_getaffinity_np(pthread_t thread, size_t size, cpu_set_t *set)
{
	return get_affinity(libc_thread_task(thread), size, set);
}

int pthread_attr_setaffinity_np(pthread_attr_t *attr, size_t size, const cpu_set_t *set)
{
	uint64_t mask;
	int err = set ? cpuset_to_mask(size, set, smp_cpus_online(), &mask) : EFAULT;
	if (!err)
		attr->affinity = mask;
	return err;
}

int pthread_attr_getaffinity_np(const pthread_attr_t *attr, size_t size, cpu_set_t *set)
{
	uint64_t mask = attr->affinity ? attr->affinity : ~0ull; /* none given: every CPU */
	return set ? cpuset_from_mask(mask, smp_cpus_online(), size, set) : EFAULT;
}
