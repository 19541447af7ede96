"""Building apps outside the tree, the way users do, and the installed tree."""
import shutil
import subprocess
import textwrap

import pytest

from conftest import BUILD, ROOT, run_proxy

APP = textwrap.dedent(
    """\
    #include <math.h>
    #include <pthread.h>
    #include <stdio.h>
    #include <string.h>
    #include <time.h>
    #include <unistd.h>

    static void *twice(void *arg) { *(double *)arg *= 2; return NULL; }

    int main(void)
    {
        double v = sqrt(2.0);
        pthread_t t;
        pthread_create(&t, NULL, twice, &v);
        pthread_join(t, NULL);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        printf("outside: %.6f %d %s\\n", v, ts.tv_sec > 1600000000, strerror(2));
        return 7;
    }
    """
)
EXPECTED = "outside: 2.828427 1 No such file or directory"


def check_app(path):
    r = run_proxy(path)
    assert r.returncode == 7, r.stderr
    assert r.stdout.strip() == EXPECTED


def test_wrapper_builds_a_bootable_image(tmp_path):
    (tmp_path / "app.c").write_text(APP)
    cc = BUILD / "bin" / "x86_64-hermit-gcc"
    subprocess.run([str(cc), "-O2", "-g", "-c", "app.c", "-o", "app.o"], cwd=tmp_path, check=True)
    subprocess.run([str(cc), "app.o", "-o", "app", "-lpthread", "-lm"], cwd=tmp_path, check=True)
    assert (tmp_path / "app").read_bytes()[7] == 0x42  # EI_OSABI marks a Hermit image
    check_app(tmp_path / "app")


def test_make_include(tmp_path):
    (tmp_path / "app.c").write_text(APP)
    (tmp_path / "Makefile").write_text(
        f"HERMIT_PREFIX := {BUILD}\ninclude $(HERMIT_PREFIX)/x86_64-hermit/share/hermit.mk\n"
        "app: app.c\n\t$(HERMIT_CC) $(HERMIT_CFLAGS) $^ -o $@ -lpthread -lm\n"
    )
    subprocess.run(["make", "-s"], cwd=tmp_path, check=True)
    check_app(tmp_path / "app")


def test_cmake_module(tmp_path):
    (tmp_path / "app.c").write_text(APP)
    (tmp_path / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.13)\n"
        f"set(HERMIT_PREFIX {BUILD})\n"
        "include(${HERMIT_PREFIX}/x86_64-hermit/share/HermitCore-Application.cmake)\n"
        "project(app C)\nadd_executable(app app.c)\ntarget_link_libraries(app pthread m)\n"
    )
    subprocess.run(["cmake", "-S", ".", "-B", "b"], cwd=tmp_path, check=True, capture_output=True)
    subprocess.run(["cmake", "--build", "b"], cwd=tmp_path, check=True, capture_output=True)
    check_app(tmp_path / "b" / "app")


def test_cmake_module_as_toolchain_file(tmp_path):
    """An unmodified CMake project: the module is its toolchain file."""
    (tmp_path / "app.c").write_text(APP)
    (tmp_path / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.13)\nproject(app C)\nadd_executable(app app.c)\n"
        "target_link_libraries(app pthread m)\n"
    )
    module = BUILD / "x86_64-hermit" / "share" / "HermitCore-Application.cmake"
    subprocess.run(["cmake", "-S", ".", "-B", "b", f"-DCMAKE_TOOLCHAIN_FILE={module}", f"-DHERMIT_PREFIX={BUILD}"],
                   cwd=tmp_path, check=True, capture_output=True)
    subprocess.run(["cmake", "--build", "b"], cwd=tmp_path, check=True, capture_output=True)
    check_app(tmp_path / "b" / "app")


def test_make_install_honours_destdir(tmp_path):
    subprocess.run(["make", "-s", "install", f"DESTDIR={tmp_path}", "PREFIX=/opt/hermit"], cwd=ROOT, check=True)
    prefix = tmp_path / "opt" / "hermit"
    r = subprocess.run([str(prefix / "bin" / "proxy"), str(prefix / "x86_64-hermit/extra/tests/hello")],
                       capture_output=True, text=True, timeout=60, env={"HERMIT_KVM": "0", "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Hello World!")


def test_mtune_reaches_the_kernel_and_the_apps():
    """MTUNE=name passes -mtune=name (the original's -DMTUNE) to the kernel and app compiles."""
    for source, target in [("kernel/core/sched.c", "build/x86_64-hermit/lib/libhermit.a"),
                           ("tests/hello/hello.c", "build/x86_64-hermit/extra/tests/hello")]:
        r = subprocess.run(["make", "-n", "-W", source, "MTUNE=znver3", target], cwd=ROOT,
                           capture_output=True, text=True, check=True)
        compiles = [line for line in r.stdout.splitlines() if source in line and " -c " in line or
                    source in line and "hermit-gcc" in line]
        assert compiles and all("-mtune=znver3" in line for line in compiles), r.stdout


def test_wrapper_never_links_the_hosts_libraries(tmp_path):
    """glibc's static libraries are on the host; an image linked with one would be glibc code in
    the guest. configure scripts probe -lNAME, so the link must fail instead (libc6-dev, which gcc
    needs, always has libresolv.a)."""
    (tmp_path / "app.c").write_text("int main(void) { return 0; }\n")
    cc = BUILD / "bin" / "x86_64-hermit-gcc"
    r = subprocess.run([str(cc), "app.c", "-o", "app", "-lresolv"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode != 0
    assert "cannot find -lresolv" in r.stderr


def compile_only(tmp_path, source, *flags):
    (tmp_path / "t.c").write_text(textwrap.dedent(source))
    cc = BUILD / "bin" / "x86_64-hermit-gcc"
    return subprocess.run([str(cc), *flags, "-c", "t.c", "-o", "t.o"], cwd=tmp_path, capture_output=True, text=True)


def test_wrapper_is_hermit_not_linux(tmp_path):
    r = compile_only(tmp_path, """\
        #if defined(__linux__) || defined(__linux) || defined(linux) || defined(__gnu_linux__)
        #error Linux macros leak into Hermit builds
        #endif
        #if !defined(__hermit__) || !defined(__unix__) || !defined(__unix) || !defined(__ELF__)
        #error missing predefined macro
        #endif
        int ok;
        """, "-Wall", "-Werror")
    assert r.returncode == 0, r.stderr


def test_c11_headers_compile(tmp_path):
    r = compile_only(tmp_path, """\
        #include <stdalign.h>
        #include <stdatomic.h>
        #include <stdnoreturn.h>
        static atomic_int counter = ATOMIC_VAR_INIT(0);
        static atomic_flag flag = ATOMIC_FLAG_INIT;
        alignas(64) static char line[64];
        noreturn void stop(void);
        int bump(void)
        {
            atomic_flag_test_and_set_explicit(&flag, memory_order_acquire);
            return atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed) + line[0];
        }
        """, "-std=c11", "-Wall", "-Wextra", "-Werror")
    assert r.returncode == 0, r.stderr


POSIX_PROGRAM = """\
    #include <grp.h>
    #include <pwd.h>
    #include <setjmp.h>
    #include <signal.h>
    #include <spawn.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <sys/mman.h>
    #include <sys/resource.h>
    #include <sys/time.h>
    #include <sys/times.h>
    #include <sys/utsname.h>
    #include <sys/wait.h>
    #include <time.h>
    #include <unistd.h>

    static sigjmp_buf env;
    static void on_signal(int sig, siginfo_t *si, void *ctx) { (void)ctx; siglongjmp(env, sig + si->si_code); }

    int main(void)
    {
        struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_RESTART };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGALRM, &sa, NULL);
        sigset_t set;
        sigprocmask(SIG_BLOCK, NULL, &set);
        struct itimerval it = { { 0, 0 }, { 0, 1000 } };
        setitimer(ITIMER_REAL, &it, NULL);
        struct utsname u;
        struct rlimit rl;
        struct rusage ru;
        struct tms t;
        char *line = NULL;
        size_t cap = 0;
        uname(&u);
        getrlimit(RLIMIT_NOFILE, &rl);
        getrusage(RUSAGE_SELF, &ru);
        times(&t);
        flockfile(stdout);
        funlockfile(stdout);
        if (getline(&line, &cap, stdin) < 0 && getpwuid(getuid()) && getgrgid(getgid()))
            return (int)sysconf(_SC_OPEN_MAX) + (int)alarm(0) + sigsetjmp(env, 1);
        void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED || mprotect(m, 4096, PROT_READ) || munmap(m, 4096))
            return 1;
        FILE *p = popen("true", "r");
        return p ? pclose(p) : waitpid(-1, NULL, WNOHANG) + pause() + (int)u.sysname[0];
    }
    """


@pytest.mark.parametrize("mode", ["-std=c89", "-ansi", "-std=c99", "-std=c11", "-std=gnu11",
                                  "-std=c99 -D_POSIX_C_SOURCE=1", "-std=c99 -D_XOPEN_SOURCE=700",
                                  "-std=c11 -D_GNU_SOURCE", "-std=c11 -D_DEFAULT_SOURCE"])
def test_the_posix_headers_compile_in_every_mode(tmp_path, mode):
    headers = ["signal.h", "setjmp.h", "stdio.h", "stdlib.h", "time.h", "unistd.h", "pwd.h", "grp.h", "spawn.h",
               "sys/time.h", "sys/times.h", "sys/resource.h", "sys/mman.h", "sys/utsname.h", "sys/wait.h"]
    source = "".join(f"#include <{h}>\n" for h in headers) + "int x;\n"
    r = compile_only(tmp_path, source, *mode.split(), "-Wall", "-Wextra", "-Werror", "-pedantic")
    assert r.returncode == 0, r.stderr


def test_strict_posix_program_compiles(tmp_path):
    r = compile_only(tmp_path, POSIX_PROGRAM, "-std=c99", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Wextra", "-Werror")
    assert r.returncode == 0, r.stderr


CONFIGURE_AC = """\
    AC_INIT([probe], [1])
    AC_CONFIG_AUX_DIR([.])
    AC_CANONICAL_HOST
    AC_PROG_CC
    AC_CHECK_HEADERS([sys/utsname.h sys/resource.h stdatomic.h sys/prctl.h])
    AC_CHECK_FUNCS([sigaction uname getrlimit flockfile fork execvp popen])
    AC_CONFIG_HEADERS([config.h])
    AC_OUTPUT
    """


@pytest.mark.parametrize("host", ["x86_64-hermit-elf", "x86_64-hermit"])
def test_autoconf_configure_cross_compiles(tmp_path, host):
    (tmp_path / "configure.ac").write_text(textwrap.dedent(CONFIGURE_AC if host.endswith("elf") else
                                                           CONFIGURE_AC.replace("AC_CANONICAL_HOST\n", "")))
    for aux in ("config.sub", "config.guess"):
        shutil.copy(f"/usr/share/misc/{aux}", tmp_path / aux)
    subprocess.run(["autoconf"], cwd=tmp_path, check=True, capture_output=True)
    subprocess.run(["autoheader"], cwd=tmp_path, check=True, capture_output=True)
    cc = BUILD / "bin" / "x86_64-hermit-gcc"
    r = subprocess.run(["./configure", f"--host={host}", f"CC={cc}"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    config = (tmp_path / "config.h").read_text()
    for present in ("HAVE_SYS_UTSNAME_H", "HAVE_SYS_RESOURCE_H", "HAVE_STDATOMIC_H", "HAVE_SIGACTION",
                    "HAVE_UNAME", "HAVE_GETRLIMIT", "HAVE_FLOCKFILE"):
        assert f"#define {present} 1" in config
    for absent in ("HAVE_SYS_PRCTL_H", "HAVE_FORK", "HAVE_EXECVP", "HAVE_POPEN"):
        assert f"#define {absent} 1" not in config
