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

# The ziggurat tables are committed source (sim/ziggurat_tables.h); their
# generator regenerates them and every number must match to 4 ulp (libm's
# long double expl/logl are not correctly rounded: a glibc update moved
# three entries by one ulp; tests/ziggurat_tables_check.py). Skipped (77)
# where long double is narrower than x86's 64-bit mantissa, which cannot
# reproduce them (the reason the tables are committed).
add_executable(gen_ziggurat ${CMAKE_SOURCE_DIR}/sim/gen_ziggurat.c)
target_link_libraries(gen_ziggurat m)
add_test(NAME ziggurat_tables_current
         COMMAND bash -c "\"$1\" \"$2\" && \"$4\" \"$5\" \"$2\" \"$3\"" _
                 $<TARGET_FILE:gen_ziggurat> ${CMAKE_CURRENT_BINARY_DIR}/ziggurat_tables.h
                 ${CMAKE_SOURCE_DIR}/sim/ziggurat_tables.h
                 ${HP_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/ziggurat_tables_check.py)
set_tests_properties(ziggurat_tables_current PROPERTIES SKIP_RETURN_CODE 77 LABELS rng)

# Known answers of the samplers (uniform, normal, exponential, Poisson,
# gamma): every draw printed and diffed against the committed file, as
# pcg-c's check-pcg64 does. Regenerate only on purpose:
#   build/tests/dist_kat > tests/data/dist_kat.txt
add_executable(dist_kat ${HP_TEST_DIR}/dist_kat.c)
target_link_libraries(dist_kat hpsim)
add_test(NAME dist_known_answers
         COMMAND bash -c "\"$1\" | diff -u \"$2\" - | head -40; exit \${PIPESTATUS[1]}" _
                 $<TARGET_FILE:dist_kat> ${HP_TEST_DIR}/data/dist_kat.txt)
set_tests_properties(dist_known_answers PROPERTIES LABELS rng)
