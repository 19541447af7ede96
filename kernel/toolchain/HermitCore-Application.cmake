# HermitCore-Application.cmake: include BEFORE project() in a CMakeLists.txt to build the project's
# executables as Hermit images:
#   cmake_minimum_required(VERSION 3.13)
#   set(HERMIT_PREFIX /opt/hermit)   # or a Hermit checkout's build/ directory
#   include(${HERMIT_PREFIX}/x86_64-hermit/share/HermitCore-Application.cmake)
#   project(myapp C)
#   add_executable(myapp main.c)
#   target_link_libraries(myapp pthread)
# An unmodified project takes it as its toolchain file instead:
#   cmake -S src -B build -DCMAKE_TOOLCHAIN_FILE=/opt/hermit/x86_64-hermit/share/HermitCore-Application.cmake \
#         -DHERMIT_PREFIX=/opt/hermit
if(NOT HERMIT_PREFIX)
  set(HERMIT_PREFIX /opt/hermit)
endif()
set(HERMIT_PREFIX "${HERMIT_PREFIX}" CACHE PATH "Where Hermit is installed")
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER "${HERMIT_PREFIX}/bin/x86_64-hermit-gcc")
# The wrapper links a whole image; CMake's compiler probe must not try to run it.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(HERMIT_PROXY "${HERMIT_PREFIX}/bin/proxy")
