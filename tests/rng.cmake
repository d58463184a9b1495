# RNG and distribution tests. Included from tests/CMakeLists.txt.

# The C++ pcg library is the reference the C generator must match bit for bit.
add_executable(pcg_ref ${HP_TEST_DIR}/pcg_ref.cpp)

hp_c_test(test_rng ${HP_TEST_DIR}/test_rng.c)
add_dependencies(test_rng pcg_ref)
target_compile_definitions(test_rng PRIVATE
  HP_PCG_REF="$<TARGET_FILE:pcg_ref>"
  HP_PCG64_KAT="${HP_TEST_DIR}/data/pcg64_kat.txt")

hp_c_test(test_dist ${HP_TEST_DIR}/test_dist.c)

# Not a test: timings depend on the machine. Run by hand in a Release build.
add_executable(bench_rng EXCLUDE_FROM_ALL ${HP_TEST_DIR}/bench_rng.c)
target_link_libraries(bench_rng hpsim)

set_tests_properties(test_rng test_dist PROPERTIES TIMEOUT 300 LABELS rng)
