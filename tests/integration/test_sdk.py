"""Building apps outside the tree, the way users do, and the installed tree."""
import subprocess
import textwrap

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
